'use strict'

// The ablation (`BENCH_ONLY=ablation npm run bench`): each speed-up of the
// request path turned off (lib/speed-ups.js, through
// CLERK_NATIVE_SPEEDUPS_OFF in the server's environment) and measured side
// by side with the no-auth app, against this package with everything on in
// the same rounds; the warm-ups by the first request of a fresh app. A
// speed-up stays only if it buys at least 3 % of throughput, or a fifth of
// the start-up or first-request figure it exists for (benchmark/README.md).

const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')
const { BenchError, positiveInteger, quantile } = require('./harness')
const { cpuPinning, variants } = require('./http-mode')
const { sideBySide, MIN_BUSY } = require('./http-side-by-side')
const { firstRequest } = require('./startup')

const ROUNDS = positiveInteger(process.env.BENCH_ABLATION_ROUNDS, 5)
const FIRST_REQUEST_RUNS = positiveInteger(process.env.BENCH_FIRST_REQUEST_RUNS, 10)
// Variant ids to measure (comma-separated), to rerun a few; default all.
const ONLY = process.env.BENCH_ABLATION_ONLY ? new Set(process.env.BENCH_ABLATION_ONLY.split(',').map((id) => id.trim())) : null

const log = (message) => process.stderr.write(`${message}\n`)

/** A variant of this package with `off` turned off, carrying the token in `carrier`. */
function nativeVariant(labels, carrier, off, options = {}) {
  const what = off.length ? `${off.join(' + ')} off` : 'everything on'
  return {
    id: `${carrier}:${off.join('+') || 'on'}${options.sessionTokenCache === false ? ':uncached' : ''}`,
    label: `${labels.native}, ${carrier}${options.sessionTokenCache === false ? ' (every request verified)' : ''}, ${what}`,
    pkg: 'native',
    carrier,
    off,
    options,
    env: { CLERK_NATIVE_SPEEDUPS_OFF: off.join(',') },
  }
}

function throughputVariants(labels) {
  const bearer = [
    [],
    ['bearer-lease'],
    ['bearer-lease', 'bearer-call'],
    ['authenticator-memo'],
    ['options-memo'],
    ['env-watch'],
    ['all'],
  ].map((off) => nativeVariant(labels, 'bearer', off))
  const uncached = [[], ['bearer-call']].map((off) => nativeVariant(labels, 'bearer', off, { sessionTokenCache: false }))
  const cookie = [[], ['cookie-lease'], ['cookie-lease', 'browser-session-call'], ['all']].map((off) => nativeVariant(labels, 'cookie', off))
  return [...bearer, ...uncached, ...cookie]
}

function firstRequestVariants(labels) {
  return [[], ['warm-up-middleware'], ['warm-up-first-fetch'], ['warm-up-runtime'], ['warm-up-middleware', 'warm-up-first-fetch', 'warm-up-runtime']].map(
    (off) => nativeVariant(labels, 'bearer', off),
  )
}

async function measureThroughput(common, pinning, api) {
  const [baseline] = variants(common.labels)
  const others = throughputVariants(common.labels).filter((v) => !ONLY || ONLY.has(v.id))
  log(`\nAblation, side by side: ${ROUNDS} rounds (BENCH_ABLATION_ROUNDS) × ${others.length} variants.`)
  const baseOptions = { secretKey: common.secretKey, publishableKey: common.publishableKey, apiUrl: api.url }
  const samples = others.map(() => [])
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < others.length; k++) {
      const index = (k + round) % others.length
      const context = { token: common.token, tamperedToken: common.tamperedToken, pinning, baseOptions, round }
      samples[index].push(await sideBySide(baseline, others[index], context))
    }
    log(`  ablation round ${round + 1}/${ROUNDS} done`)
  }
  return others.map((variant, v) => ({
    id: variant.id,
    label: variant.label,
    carrier: variant.carrier,
    off: variant.off,
    ratios: samples[v].map((s) => s.ratio),
    ratio: quantile(samples[v].map((s) => s.ratio), 0.5),
    ratioIqr: [quantile(samples[v].map((s) => s.ratio), 0.25), quantile(samples[v].map((s) => s.ratio), 0.75)],
    addedCpuMicros: quantile(samples[v].map((s) => s.addedCpuMicros), 0.5),
    loadBound: samples[v].some((s) => s.busy < MIN_BUSY),
  }))
}

async function measureFirstRequests(common, pinning, api) {
  const list = firstRequestVariants(common.labels).filter((v) => !ONLY || ONLY.has(v.id))
  log(`\nAblation, first request: ${FIRST_REQUEST_RUNS} runs (BENCH_FIRST_REQUEST_RUNS) × ${list.length} variants.`)
  const baseOptions = { secretKey: common.secretKey, publishableKey: common.publishableKey, apiUrl: api.url }
  const samples = list.map(() => [])
  for (let run = 0; run < FIRST_REQUEST_RUNS; run++) {
    for (let k = 0; k < list.length; k++) {
      const index = (k + run) % list.length
      samples[index].push(await firstRequest(list[index], baseOptions, common.token, pinning))
    }
  }
  return list.map((variant, v) => ({
    id: variant.id,
    label: variant.label,
    off: variant.off,
    authMs: quantile(samples[v].map((s) => s.authMs), 0.5),
    createMs: quantile(samples[v].map((s) => s.createMs), 0.5),
    clientMs: quantile(samples[v].map((s) => s.clientMs), 0.5),
  }))
}

function renderMarkdown(throughput, first) {
  const fixed = (value, digits) => value.toFixed(digits)
  const lines = [
    `## Ablation: throughput × no auth, side by side (median of ${ROUNDS} rounds)`,
    '',
    '| carrier | turned off | × no auth (IQR) | change against everything on | auth CPU µs/req |',
    '|---|---|--:|--:|--:|',
  ]
  for (const row of throughput) {
    const uncached = row.id.endsWith(':uncached')
    const on = throughput.find((r) => r.carrier === row.carrier && r.off.length === 0 && r.id.endsWith(':uncached') === uncached)
    const change = on && row !== on ? `${fixed((100 * (row.ratio - on.ratio)) / on.ratio, 1)} %` : ''
    lines.push(
      `| ${row.carrier}${uncached ? ', every request verified' : ''} | ${row.off.join(' + ') || '(nothing)'} | **${fixed(row.ratio, 3)}** ` +
        `(${fixed(row.ratioIqr[0], 3)}–${fixed(row.ratioIqr[1], 3)})${row.loadBound ? ' load-bound' : ''} | ${change} | ${fixed(row.addedCpuMicros, 1)} |`,
    )
  }
  if (first.length) {
    lines.push('', `## Ablation: first request of a fresh app (median of ${FIRST_REQUEST_RUNS} runs)`, '')
    lines.push('| turned off | middleware ms (first request, JWKS fetched) | `clerkMiddleware()` ms | client latency ms |', '|---|--:|--:|--:|')
    for (const row of first) {
      lines.push(`| ${row.off.join(' + ') || '(nothing)'} | **${fixed(row.authMs, 2)}** | ${fixed(row.createMs, 2)} | ${fixed(row.clientMs, 2)} |`)
    }
  }
  return lines.join('\n')
}

async function run(common) {
  const pinning = cpuPinning()
  if (!pinning) throw new BenchError('the ablation needs taskset and two CPUs (it runs side by side)')
  const api = await startFakeClerkApi({ keys: [common.key.jwk] })
  try {
    const throughput = await measureThroughput(common, pinning, api)
    const first = await measureFirstRequests(common, pinning, api)
    return { rounds: ROUNDS, throughput, first, markdown: renderMarkdown(throughput, first) }
  } finally {
    await api.close()
  }
}

module.exports = { run }
