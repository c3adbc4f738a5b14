'use strict'

// Start-up costs, each measured in fresh processes with the variants
// interleaved:
// - `require()`: wall time of `node -e "require(pkg)"` over `node -e ""`
//   (as hyperfine would measure it), and the time of the require call alone
//   inside the process;
// - the first request of a fresh Express app that must fetch the JWKS from
//   the fake Backend API on 127.0.0.1: the middleware's own time for that
//   request (server side) and the client's latency.

const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { performance } = require('node:perf_hooks')

const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')
const { BenchError, positiveInteger, quantile } = require('./harness')
const { cpuPinning, startServer, get, USER_ID } = require('./http-mode')

const REQUIRE_RUNS = positiveInteger(process.env.BENCH_REQUIRE_RUNS, 20)
const FIRST_REQUEST_RUNS = positiveInteger(process.env.BENCH_FIRST_REQUEST_RUNS, 10)
const ROOT = path.join(__dirname, '..')

const log = (message) => process.stderr.write(`${message}\n`)
const median = (values) => quantile(values, 0.5)

function requireTargets(labels) {
  return [
    { id: 'bare', label: 'bare `node -e ""`', module: null },
    { id: 'reference', label: labels.reference, module: '@clerk/express' },
    { id: 'native', label: labels.native, module: ROOT },
  ]
}

/** One fresh process: its wall time, and the time of the require call inside it. */
function timeRequire(target, pinning) {
  const code = target.module
    ? `const t = process.hrtime.bigint(); require(${JSON.stringify(target.module)}); ` +
      'process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))'
    : ''
  const command = pinning ? pinning.server[0] : process.execPath
  const args = pinning ? [...pinning.server.slice(1), process.execPath, '-e', code] : ['-e', code]
  const started = performance.now()
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' })
  const wallMs = performance.now() - started
  if (result.status !== 0) throw new BenchError(`require(${target.module}) failed: ${result.stderr}`)
  return { wallMs, requireMs: target.module ? Number(result.stdout) : 0 }
}

function measureRequire(labels, pinning) {
  const targets = requireTargets(labels)
  const samples = targets.map(() => [])
  for (let round = 0; round < REQUIRE_RUNS; round++) {
    for (let k = 0; k < targets.length; k++) {
      const index = (k + round) % targets.length
      samples[index].push(timeRequire(targets[index], pinning))
    }
  }
  const bare = samples[0]
  return targets.map((target, t) => ({
    id: target.id,
    label: target.label,
    wallMs: median(samples[t].map((s) => s.wallMs)),
    overBareMs: median(samples[t].map((s, round) => s.wallMs - bare[round].wallMs)),
    requireMs: median(samples[t].map((s) => s.requireMs)),
  }))
}

function firstRequestVariants(labels) {
  return [
    { id: 'none', label: 'Express 5, no auth', pkg: 'none', options: {} },
    { id: 'reference', label: labels.reference, pkg: 'reference', options: {} },
    { id: 'native', label: labels.native, pkg: 'native', options: {} },
    { id: 'native-prefetch', label: `${labels.native} with \`prefetchJwks: true\``, pkg: 'native', options: { prefetchJwks: true } },
  ]
}

// The first request is sent this long after the server listens, the same for every variant.
const FIRST_REQUEST_DELAY_MS = 100

async function firstRequest(variant, baseOptions, token, pinning) {
  const server = await startServer(variant, baseOptions, pinning)
  try {
    await new Promise((resolve) => setTimeout(resolve, FIRST_REQUEST_DELAY_MS))
    const started = performance.now()
    const { status, body } = await get(server, token)
    const clientMs = performance.now() - started
    if (status !== 200 || JSON.parse(body).userId !== USER_ID) {
      throw new BenchError(`${variant.label}: the first request got ${status} ${body}`)
    }
    const { firstAuthMs, createMs } = await server.stats()
    return { clientMs, authMs: firstAuthMs, createMs }
  } finally {
    await server.stop()
  }
}

async function measureFirstRequest({ key, token, secretKey, publishableKey, labels }, pinning) {
  const variants = firstRequestVariants(labels)
  const samples = variants.map(() => [])
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  try {
    const baseOptions = { secretKey, publishableKey, apiUrl: api.url }
    for (let round = 0; round < FIRST_REQUEST_RUNS; round++) {
      for (let k = 0; k < variants.length; k++) {
        const index = (k + round) % variants.length
        samples[index].push(await firstRequest(variants[index], baseOptions, token, pinning))
      }
    }
    // Every fresh process that authenticates fetched the keys once.
    const fetches = api.requestsTo('/v1/jwks').length
    const expectedFetches = FIRST_REQUEST_RUNS * (variants.length - 1)
    if (fetches !== expectedFetches) log(`  note: ${fetches} JWKS fetches, expected ${expectedFetches}`)
  } finally {
    await api.close()
  }
  return variants.map((variant, v) => ({
    id: variant.id,
    label: variant.label,
    clientMs: median(samples[v].map((s) => s.clientMs)),
    authMs: variant.pkg === 'none' ? null : median(samples[v].map((s) => s.authMs)),
    createMs: variant.pkg === 'none' ? null : median(samples[v].map((s) => s.createMs)),
  }))
}

function renderMarkdown(requireRows, firstRows) {
  const fixed = (value, digits = 1) => (value === null || value === undefined ? '' : value.toFixed(digits))
  const lines = [
    `## Start-up (fresh processes; medians of ${REQUIRE_RUNS} and ${FIRST_REQUEST_RUNS} interleaved runs)`,
    '',
    '| `require()` | process wall ms | over bare node ms | the require call alone ms |',
    '|---|--:|--:|--:|',
  ]
  for (const row of requireRows) {
    lines.push(`| ${row.label} | ${fixed(row.wallMs)} | ${row.id === 'bare' ? '' : `**${fixed(row.overBareMs)}**`} | ${row.id === 'bare' ? '' : fixed(row.requireMs)} |`)
  }
  lines.push(
    '',
    `| first request of a fresh app, ${FIRST_REQUEST_DELAY_MS} ms after it listens (JWKS fetched from 127.0.0.1) | middleware ms | client latency ms | \`clerkMiddleware()\` call ms |`,
    '|---|--:|--:|--:|',
  )
  for (const row of firstRows) {
    lines.push(`| ${row.label} | ${row.authMs === null ? '' : `**${fixed(row.authMs)}**`} | ${fixed(row.clientMs)} | ${fixed(row.createMs)} |`)
  }
  lines.push(
    '',
    '- "middleware ms": from the middleware being called to it calling `next()` on the first request, which includes the',
    '  JWKS fetch (connection, GET /v1/jwks, key import) and the first verification. "client latency" is the whole first',
    '  request as the client sees it (new connection, Express, JSON response). "`clerkMiddleware()` call": creating the',
    '  middleware at start-up, which for this package includes its warm-up (lib/warm-up.js).',
  )
  return lines.join('\n')
}

async function run(params) {
  const pinning = cpuPinning()
  log(`\nStart-up: ${REQUIRE_RUNS} require runs (BENCH_REQUIRE_RUNS), ${FIRST_REQUEST_RUNS} first-request runs (BENCH_FIRST_REQUEST_RUNS).`)
  const requireRows = measureRequire(params.labels, pinning)
  const firstRows = await measureFirstRequest(params, pinning)
  return { requireRows, firstRows, markdown: renderMarkdown(requireRows, firstRows) }
}

module.exports = { run, firstRequest }
