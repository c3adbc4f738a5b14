'use strict'

// Timing machinery: calibration to fixed-duration batches, interleaved
// rounds, and the summary statistics.
//
// A competitor is `{ name, run(n) }` where `run` performs n operations and
// resolves to the elapsed nanoseconds. Rounds also record the process's CPU
// time per operation, which a busy machine distorts less than wall time.

const v8 = require('node:v8')
const vm = require('node:vm')

/** A failure the benchmark reports as a plain message (no stack). */
class BenchError extends Error {}

function positiveInteger(text, fallback) {
  const value = Number(text)
  return Number.isInteger(value) && value > 0 ? value : fallback
}

/**
 * A full GC between batches, so each batch starts with a clean heap and pays
 * for its own garbage rather than for the previous competitor's. `npm run
 * bench` starts node without --expose-gc, so turn the flag on at run time;
 * if that ever stops working, run without it.
 */
const collectGarbage = (() => {
  if (typeof global.gc === 'function') return global.gc
  try {
    v8.setFlagsFromString('--expose-gc')
    const gc = vm.runInNewContext('gc')
    if (typeof gc === 'function') return gc
  } catch {}
  return () => {}
})()

/** Lets pending I/O callbacks and timers run, then collects garbage. */
async function settle() {
  await new Promise((resolve) => setImmediate(resolve))
  collectGarbage()
}

/**
 * The batch size that takes about `targetMs`. First double n until a batch
 * takes a tenth of the target (so timer resolution and one-off costs stop
 * mattering) and scale to the target. A short probe on a noisy machine can
 * be off by several times, so then run full-size batches, rescaling after
 * each, until one lands within 25% of the target (at most 3). Those batches
 * also warm up the JIT before the first timed round.
 */
async function calibrate(competitor, targetMs) {
  const targetNs = targetMs * 1e6
  let n = 8
  let elapsed = await competitor.run(n)
  while (elapsed < targetNs / 10) {
    n *= 2
    elapsed = await competitor.run(n)
  }
  for (let pass = 0; pass < 3; pass++) {
    n = Math.max(1, Math.round((n * targetNs) / elapsed))
    await settle()
    elapsed = await competitor.run(n)
    if (Math.abs(elapsed - targetNs) <= targetNs * 0.25) break
  }
  return n
}

/**
 * `rounds` rounds; each runs one batch of every competitor, in an order
 * rotated by one per round, so that drift on a noisy machine (thermal,
 * neighbours, GC) is spread over all competitors instead of hitting
 * whichever always goes last. Returns µs per operation, per round.
 */
async function runRounds(competitors, batchSizes, rounds, onRound = () => {}) {
  const samples = competitors.map(() => [])
  const cpuSamples = competitors.map(() => [])
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < competitors.length; k++) {
      const index = (k + round) % competitors.length
      await settle()
      const cpuBefore = process.cpuUsage()
      const elapsed = await competitors[index].run(batchSizes[index])
      const cpu = process.cpuUsage(cpuBefore)
      samples[index].push(elapsed / batchSizes[index] / 1e3)
      cpuSamples[index].push((cpu.user + cpu.system) / batchSizes[index])
    }
    onRound(round + 1)
  }
  samples.cpu = cpuSamples
  return samples
}

/** Quantile with linear interpolation between order statistics. */
function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower)
}

function summarize(values) {
  return { median: quantile(values, 0.5), q1: quantile(values, 0.25), q3: quantile(values, 0.75), samples: values }
}

/**
 * What Express hands the middleware as the response, cut to what both
 * packages use. `onEnd(status)` is called if the middleware ends it (400 for
 * an unconvertible request, 307 for a handshake) instead of calling `next`.
 */
function fakeResponse(onEnd) {
  return {
    statusCode: 200,
    writableEnded: false,
    appendHeader() {},
    setHeader() {},
    status(code) {
      this.statusCode = code
      return this
    },
    end() {
      this.writableEnded = true
      onEnd(this.statusCode)
    },
  }
}

module.exports = { BenchError, positiveInteger, calibrate, runRounds, summarize, quantile, fakeResponse }
