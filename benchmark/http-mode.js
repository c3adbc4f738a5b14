'use strict'

// BENCH_HTTP=1: the same comparison end to end, through real Express 5
// servers over keep-alive HTTP on 127.0.0.1. Each server is its own child
// process (http-server.js); this process only generates load, one server at
// a time, CONCURRENCY requests in flight. An Express-only server (no Clerk)
// gives the ceiling, so the cost Clerk adds per request can be read off.
//
// On a 2-core machine the load generator and the server share the CPU, so
// these numbers are throughput of the whole setup, not of the middleware
// alone; the in-process micro benchmark is the one to read for that.

const { fork } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const path = require('node:path')
const { performance } = require('node:perf_hooks')

const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')
const { BenchError, positiveInteger, quantile, summarize } = require('./harness')

const CONCURRENCY = positiveInteger(process.env.BENCH_HTTP_CONCURRENCY, 8)
const ROUNDS = positiveInteger(process.env.BENCH_HTTP_ROUNDS, 5)
const BATCH_MS = 1000
const WARMUP_MS = 1000
const USER_ID = 'user_x'

const log = (message) => process.stderr.write(`${message}\n`)

/** Starts http-server.js for `pkg` ('reference' | 'native' | 'none'). */
async function startServer(name, pkg, options) {
  const child = fork(path.join(__dirname, 'http-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const port = await new Promise((resolve, reject) => {
    child.once('message', (message) => resolve(message.port))
    child.once('exit', (code, signal) => reject(new BenchError(`${name}: the server process exited early (${signal || code})`)))
    child.send({ pkg, options })
  })
  // One keep-alive pool per server, as many sockets as requests in flight.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  return { name, port, agent, stop: () => stopServer(child, agent) }
}

/** Asks the child to close (IPC disconnect); kills it only if it hangs. */
function stopServer(child, agent) {
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
}

function get(server, token) {
  return new Promise((resolve, reject) => {
    const headers = token ? { authorization: `Bearer ${token}` } : {}
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

/**
 * CONCURRENCY closed-loop clients for `durationMs`; resolves to requests
 * per second. Every response is checked (a correctness guard, not a speed
 * check): a server that starts failing must not look fast.
 */
async function load(server, token, durationMs) {
  const expected = JSON.stringify({ userId: USER_ID })
  const deadline = performance.now() + durationMs
  let completed = 0
  const client = async () => {
    while (performance.now() < deadline) {
      const { status, body } = await get(server, token)
      if (status !== 200 || body !== expected) throw new BenchError(`${server.name}: a timed request got ${status} ${body}`)
      completed++
    }
  }
  const start = process.hrtime.bigint()
  await Promise.all(Array.from({ length: CONCURRENCY }, client))
  return completed / (Number(process.hrtime.bigint() - start) / 1e9)
}

async function checkCorrectness(servers, token, tamperedToken) {
  const problems = []
  for (const server of servers) {
    for (const [label, t, expected] of [
      ['valid token', token, USER_ID],
      ['tampered token', tamperedToken, null],
    ]) {
      try {
        const { status, body } = await get(server, t)
        const userId = status === 200 ? JSON.parse(body).userId : undefined
        if (userId !== expected) {
          problems.push(`${server.name} / ${label}: ${status} ${body}, expected userId ${JSON.stringify(expected)}`)
        }
      } catch (err) {
        problems.push(`${server.name} / ${label}: ${err && err.message}`)
      }
    }
  }
  if (problems.length) throw new BenchError(`HTTP correctness check failed, nothing was timed:\n  - ${problems.join('\n  - ')}`)
}

const formatRate = (rps) => Math.round(rps).toLocaleString('en-US')
const formatRateSummary = (s) => `${formatRate(s.median)} (IQR ${formatRate(s.q1)}–${formatRate(s.q3)})`

function renderMarkdown({ rows, ceiling, rounds, labels }) {
  const lines = [
    `## End to end over HTTP, Express 5, ${CONCURRENCY} requests in flight (median of ${rounds} rounds)`,
    '',
    `| variant | ${labels.reference} req/s | ${labels.native} req/s | speed-up | added µs/req, ref → native |`,
    '|---|--:|--:|--:|--:|',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.variant} | ${formatRateSummary(row.reference)} | ${formatRateSummary(row.native)} | ` +
        `**${row.speedup.toFixed(2)}×** | ${row.addedMicros.reference.toFixed(0)} → ${row.addedMicros.native.toFixed(0)} |`,
    )
  }
  lines.push(
    '',
    `- Ceiling, Express only (no Clerk middleware): ${formatRateSummary(ceiling)} req/s`,
    '- speed-up = native median req/s / reference median req/s. "added µs/req" = 1e6/req/s − 1e6/ceiling req/s:',
    '  the wall time Clerk adds per request on top of Express, with the load generator on the same machine.',
  )
  return lines.join('\n')
}

async function run({ key, token, tamperedToken, secretKey, publishableKey, labels, facts, resultsDir }) {
  log(`\nHTTP mode: ${ROUNDS} rounds (BENCH_HTTP_ROUNDS) of ${BATCH_MS} ms per server, concurrency ${CONCURRENCY}.`)
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  const started = [] // everything to stop at the end, whatever happens
  const start = async (...args) => {
    const server = await startServer(...args)
    started.push(server)
    return server
  }
  try {
    const jwksOptions = { secretKey, publishableKey, apiUrl: api.url }
    const pemOptions = { secretKey, publishableKey, jwtKey: key.pem }
    const variants = [
      { name: 'JWKS (keys cached)', options: jwksOptions },
      { name: 'jwtKey (PEM, no network)', options: pemOptions },
    ]
    // servers[2v] is variant v on the reference, servers[2v + 1] on ours.
    const servers = []
    for (const variant of variants) {
      servers.push(await start(`${variant.name} / ${labels.reference}`, 'reference', variant.options))
      servers.push(await start(`${variant.name} / ${labels.native}`, 'native', variant.options))
    }
    const ceilingServer = await start('Express only', 'none', {})
    const all = [...servers, ceilingServer]

    log('HTTP correctness check ...')
    await checkCorrectness(servers, token, tamperedToken)

    log('Warming up the servers ...')
    for (const server of all) await load(server, token, WARMUP_MS)

    // Rotated order per round, as in the micro benchmark.
    const samples = all.map(() => [])
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < all.length; k++) {
        const index = (k + round) % all.length
        samples[index].push(await load(all[index], token, BATCH_MS))
      }
      log(`  HTTP round ${round + 1}/${ROUNDS} done`)
    }

    const ceiling = summarize(samples[all.length - 1])
    const added = (rps) => 1e6 / rps - 1e6 / ceiling.median
    const rows = variants.map((variant, v) => {
      const reference = summarize(samples[2 * v])
      const native = summarize(samples[2 * v + 1])
      const paired = samples[2 * v + 1].map((rps, i) => rps / samples[2 * v][i])
      return {
        variant: variant.name,
        reference,
        native,
        speedup: native.median / reference.median,
        pairedSpeedup: { median: quantile(paired, 0.5), q1: quantile(paired, 0.25), q3: quantile(paired, 0.75), samples: paired },
        addedMicros: { reference: added(reference.median), native: added(native.median) },
      }
    })
    const results = { facts, rounds: ROUNDS, batchMs: BATCH_MS, concurrency: CONCURRENCY, unit: 'req/s', rows, ceiling }
    process.stdout.write(`\n${renderMarkdown({ rows, ceiling, rounds: ROUNDS, labels })}\n`)

    fs.mkdirSync(resultsDir, { recursive: true })
    const jsonPath = path.join(resultsDir, 'http.json')
    fs.writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`)
    log(`\nWrote ${path.relative(process.cwd(), jsonPath) || jsonPath}`)
  } finally {
    await Promise.all(started.map((server) => server.stop()))
    await api.close()
  }
}

module.exports = { run }
