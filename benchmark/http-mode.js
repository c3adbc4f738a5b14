'use strict'

// The HTTP benchmark: real Express 5 apps over keep-alive HTTP on 127.0.0.1,
// loaded by autocannon with a signed-in bearer token. One app per variant,
// each in its own process (http-server.js), started fresh for every round;
// the variants run in an order rotated per round, so drift on a noisy
// machine is spread over all of them. Every answer is checked (status, and
// the userId the route sees), warm-up traffic included.
//
// When `taskset` is available and there are at least two CPUs, the server
// is pinned to the last CPU and autocannon (http-load.js) to the first, so
// the server's CPU time per request is its own and throughput is bounded by
// the server, not by the load generator.

const { spawn, spawnSync } = require('node:child_process')
const http = require('node:http')
const os = require('node:os')
const path = require('node:path')

const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')
const { BenchError, positiveInteger, quantile } = require('./harness')

const ROUNDS = positiveInteger(process.env.BENCH_HTTP_ROUNDS, 5)
const SECONDS = positiveInteger(process.env.BENCH_HTTP_SECONDS, 5)
const WARMUP_SECONDS = positiveInteger(process.env.BENCH_HTTP_WARMUP_SECONDS, 2)
const CONNECTIONS = positiveInteger(process.env.BENCH_HTTP_CONNECTIONS, 50)
const USER_ID = 'user_x'

const log = (message) => process.stderr.write(`${message}\n`)

/** The variants, the no-auth baseline first (ratios are against it). */
function variants(labels) {
  return [
    { id: 'none', label: 'Express 5, no auth', pkg: 'none', options: {} },
    { id: 'reference', label: `${labels.reference} (JWKS cached)`, pkg: 'reference', options: {} },
    {
      id: 'native',
      label: `${labels.native}, repeated token (verified-token cache)`,
      pkg: 'native',
      options: {},
    },
    {
      id: 'native-observed',
      label: `${labels.native}, repeated token, every diagnostics channel subscribed`,
      pkg: 'native',
      options: {},
      observe: true,
    },
    {
      id: 'native-uncached',
      label: `${labels.native}, every request verified (\`sessionTokenCache: false\`)`,
      pkg: 'native',
      options: { sessionTokenCache: false },
    },
  ]
}

/** `taskset` prefixes for the server and the load generator, or none. */
function cpuPinning() {
  const cpus = os.cpus().length
  if (process.platform !== 'linux' || cpus < 2) return null
  const probe = spawnSync('taskset', ['-c', '0', process.execPath, '-e', ''], { stdio: 'ignore' })
  if (probe.status !== 0) return null
  return { server: ['taskset', '-c', String(cpus - 1)], load: ['taskset', '-c', '0'] }
}

/** Spawns `node script`, pinned by `prefix` (a taskset command) if given. */
function spawnNode(prefix, script, args, stdio, env = {}) {
  const command = prefix ? prefix[0] : process.execPath
  const commandArgs = prefix ? [...prefix.slice(1), process.execPath, script, ...args] : [script, ...args]
  return spawn(command, commandArgs, { stdio, env: { ...process.env, ...env } })
}

/**
 * How a request carries the token: `bearer` (the default) in the
 * Authorization header; `cookie` as a browser would, in `__session` with a
 * client_uat and a dev-browser cookie.
 */
function credentialHeaders(token, carrier = 'bearer') {
  if (!token) return {}
  if (carrier === 'cookie') return { cookie: `__session=${token}; __client_uat=1; __clerk_db_jwt=dvb_bench` }
  return { authorization: `Bearer ${token}` }
}

function request(child, message, answerKey) {
  return new Promise((resolve, reject) => {
    const onMessage = (answer) => {
      if (!(answerKey in answer)) return
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(answer[answerKey])
    }
    const onExit = (code, signal) => {
      child.off('message', onMessage)
      reject(new BenchError(`the server process exited early (${signal || code})`))
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
    child.send(message)
  })
}

async function startServer(variant, baseOptions, pinning) {
  const child = spawnNode(pinning?.server, path.join(__dirname, 'http-server.js'), [], ['ignore', 'inherit', 'inherit', 'ipc'], variant.env)
  const port = await request(
    child,
    { pkg: variant.pkg, options: { ...baseOptions, ...variant.options }, expectedUserId: USER_ID, observe: !!variant.observe },
    'port',
  )
  const agent = new http.Agent({ keepAlive: true })
  return {
    variant,
    port,
    stats: () => request(child, { stats: true }, 'stats'),
    stop: () => {
      agent.destroy()
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        const timer = setTimeout(() => child.kill(), 5000)
        child.once('exit', () => {
          clearTimeout(timer)
          resolve()
        })
        child.disconnect()
      })
    },
    agent,
  }
}

function get(server, token) {
  return new Promise((resolve, reject) => {
    const headers = credentialHeaders(token, server.variant.carrier)
    const req = http.request({ agent: server.agent, host: '127.0.0.1', port: server.port, path: '/me', headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/** The gate before anything is timed: the good token signs in, the tampered one does not. */
async function checkAnswers(server, token, tamperedToken) {
  const checks = [['valid token', token, USER_ID]]
  if (server.variant.pkg !== 'none') checks.push(['tampered token', tamperedToken, null])
  for (const [label, t, expected] of checks) {
    const { status, body } = await get(server, t)
    const userId = status === 200 ? JSON.parse(body).userId : undefined
    if (userId !== expected) {
      throw new BenchError(`${server.variant.label} / ${label}: ${status} ${body}, expected userId ${JSON.stringify(expected)}`)
    }
  }
}

/**
 * Starts autocannon (http-load.js) against `server`: the child, and a
 * promise of its summary, rejected unless every answer was a 2xx.
 * `waitForGo`: it starts when a line arrives on its stdin (see http-load.js).
 */
function startLoad(server, token, durationSeconds, pinning, waitForGo = false) {
  const headers = credentialHeaders(token, server.variant.carrier)
  const args = JSON.stringify({ url: `http://127.0.0.1:${server.port}/me`, headers, connections: CONNECTIONS, durationSeconds, waitForGo })
  const stdio = waitForGo ? ['pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'inherit']
  const child = spawnNode(pinning?.load, path.join(__dirname, 'http-load.js'), [args], stdio)
  let output = ''
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (chunk) => (output += chunk))
  const done = new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) return reject(new BenchError(`autocannon failed (exit ${code})`))
      const result = JSON.parse(output)
      if (result.non2xx || result.errors || result.timeouts) {
        return reject(new BenchError(`${server.variant.label}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`))
      }
      resolve(result)
    })
  })
  return { child, done }
}

function load(server, token, durationSeconds, pinning) {
  return startLoad(server, token, durationSeconds, pinning).done
}

/** One round of one variant: fresh server, gate, warm-up, measurement. */
async function measure(variant, context) {
  const server = await startServer(variant, context.baseOptions, context.pinning)
  try {
    await checkAnswers(server, context.token, context.tamperedToken)
    // The gate's tampered request is the only expected signed-out answer.
    const expectedUnexpected = variant.pkg === 'none' ? 0 : 1
    await load(server, context.token, WARMUP_SECONDS, context.pinning)
    const before = await server.stats()
    const result = await load(server, context.token, SECONDS, context.pinning)
    const after = await server.stats()
    if (after.unexpectedAnswers !== expectedUnexpected) {
      throw new BenchError(`${variant.label}: ${after.unexpectedAnswers - expectedUnexpected} timed requests were not signed in`)
    }
    return {
      rps: result.requests / result.durationSeconds,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / result.requests,
      peakRssMiB: after.maxRssKiB / 1024,
      firstAuthMs: after.firstAuthMs,
    }
  } finally {
    await server.stop()
  }
}

const median = (values) => quantile(values, 0.5)
const METRICS = ['rps', 'p50Ms', 'p99Ms', 'cpuMicrosPerRequest', 'peakRssMiB']

/** Medians per variant, and per-round ratios against the no-auth baseline. */
function summarizeRuns(list, samples) {
  const baseline = samples[0]
  return list.map((variant, v) => {
    const runs = samples[v]
    const row = { id: variant.id, label: variant.label, rounds: runs }
    for (const metric of METRICS) row[metric] = median(runs.map((run) => run[metric]))
    row.throughputRatio = median(runs.map((run, round) => run.rps / baseline[round].rps))
    row.throughputRatioRange = [
      Math.min(...runs.map((run, round) => run.rps / baseline[round].rps)),
      Math.max(...runs.map((run, round) => run.rps / baseline[round].rps)),
    ]
    row.addedCpuMicros = median(runs.map((run, round) => run.cpuMicrosPerRequest - baseline[round].cpuMicrosPerRequest))
    row.addedPeakRssMiB = median(runs.map((run, round) => run.peakRssMiB - baseline[round].peakRssMiB))
    return row
  })
}

const fixed = (value, digits) => (value === undefined || value === null ? '' : value.toFixed(digits))
const thousands = (value) => Math.round(value).toLocaleString('en-US')

function renderMarkdown(rows, setup) {
  const lines = [
    `## HTTP: Express 5 over 127.0.0.1, autocannon, ${CONNECTIONS} connections, ${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up (median of ${ROUNDS} interleaved rounds)`,
    '',
    '| variant | req/s | × no auth (range) | p50 ms | p99 ms | server CPU µs/req | auth CPU µs/req | peak RSS MiB | Δ peak RSS MiB |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ]
  for (const row of rows) {
    const baseline = row.id === 'none'
    lines.push(
      `| ${row.label} | ${thousands(row.rps)} | ${baseline ? '1.00' : `**${fixed(row.throughputRatio, 2)}** (${fixed(row.throughputRatioRange[0], 2)}–${fixed(row.throughputRatioRange[1], 2)})`} | ` +
        `${fixed(row.p50Ms, 0)} | ${fixed(row.p99Ms, 0)} | ${fixed(row.cpuMicrosPerRequest, 1)} | ${baseline ? '' : fixed(row.addedCpuMicros, 1)} | ` +
        `${fixed(row.peakRssMiB, 1)} | ${baseline ? '' : `+${fixed(row.addedPeakRssMiB, 1)}`} |`,
    )
  }
  lines.push(
    '',
    `- Server and load generator ${setup.pinning ? 'pinned to different CPUs (taskset)' : 'not pinned (taskset unavailable)'}; ` +
      'each variant in its own process, started fresh every round, checked before timing (valid token → userId, tampered → null) ' +
      'and on every timed answer.',
    '- "× no auth": req/s over the no-auth app\'s req/s in the same round. "auth CPU µs/req": the server\'s CPU time per request ' +
      '(all threads) minus the no-auth app\'s, same round. Peak RSS is the server\'s high-water mark (warm-up included).',
    '- "every request verified" turns the verified-token cache off, so each request decodes the token and checks its RSA-2048 ' +
      'signature, as a new token on every request would.',
  )
  return lines.join('\n')
}

async function run({ key, token, tamperedToken, secretKey, publishableKey, labels }) {
  const pinning = cpuPinning()
  const list = variants(labels)
  log(
    `\nHTTP benchmark: ${ROUNDS} rounds (BENCH_HTTP_ROUNDS) × ${list.length} variants, ${WARMUP_SECONDS} s warm-up + ` +
      `${SECONDS} s (BENCH_HTTP_SECONDS), ${CONNECTIONS} connections; ${pinning ? 'CPU pinning on' : 'no CPU pinning'}.`,
  )
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  try {
    const context = { token, tamperedToken, pinning, baseOptions: { secretKey, publishableKey, apiUrl: api.url } }
    const samples = list.map(() => [])
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < list.length; k++) {
        const index = (k + round) % list.length
        samples[index].push(await measure(list[index], context))
      }
      log(`  HTTP round ${round + 1}/${ROUNDS} done`)
    }
    const rows = summarizeRuns(list, samples)
    return {
      setup: { rounds: ROUNDS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS, pinning: !!pinning },
      rows,
      markdown: renderMarkdown(rows, { pinning }),
    }
  } finally {
    await api.close()
  }
}

module.exports = { run, cpuPinning, spawnNode, startServer, get, checkAnswers, load, startLoad, variants, USER_ID, SECONDS, WARMUP_SECONDS, CONNECTIONS }
