'use strict'

// The package in several processes with node:cluster, as servers scale out
// on one machine: 4 workers share a port, each with its own key cache, token
// cache and leases (nothing is shared between processes). Under a mixed
// load every answer must be the one for its token, whichever worker gives
// it; each process fetches the JWKS once for its valid tokens and refetches
// at most once per unknown-kid cooldown; and the workers and the primary
// shut down cleanly when disconnected.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const { spawn } = require('node:child_process')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')

const APP = path.join(__dirname, 'helpers', 'cluster-app.js')
const WORKERS = 4
const CONNECTIONS = 32
const DISTINCT_USERS = 200
const UNKNOWN_KIDS = 40
const REQUESTS = 2100
// crates/core/src/keys/jwks.rs UNKNOWN_KID_COOLDOWN_MS
const UNKNOWN_KID_COOLDOWN_MS = 5000

const byNumber = (a, b) => a - b

/** The cluster's primary as a child process, with its output collected line by line. */
function startCluster(apiUrl) {
  const env = { ...process.env, CLERK_TELEMETRY_DISABLED: '1' }
  // The options are passed explicitly; a CLERK_ variable from the shell must not change them.
  for (const name of Object.keys(env)) if (name.startsWith('CLERK_') && name !== 'CLERK_TELEMETRY_DISABLED') delete env[name]
  const child = spawn(process.execPath, [APP, apiUrl, String(WORKERS)], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let lines = []
  const lineWaiters = []
  const answerWaiters = () => {
    while (lineWaiters.length && lineWaiters[0].index < lines.length) {
      const { index, resolve } = lineWaiters.shift()
      resolve(JSON.parse(lines[index]))
    }
  }
  child.stdout.on('data', (chunk) => {
    stdout += chunk
    lines = stdout.split('\n').slice(0, -1)
    answerWaiters()
  })
  child.stderr.on('data', (chunk) => (stderr += chunk))
  // Whatever happens, the primary (and with it its workers) does not outlive the test.
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  // 'close', not 'exit': by then every line the primary printed has been read.
  const exited = new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(killTimer)
      for (const { reject } of lineWaiters.splice(0)) reject(new Error(`the primary exited with ${signal || code}: ${stderr}`))
      resolve({ code, signal })
    }),
  )
  /** The primary's `index`th JSON line. */
  const line = (index) =>
    new Promise((resolve, reject) => {
      lineWaiters.push({ index, resolve, reject })
      answerWaiters()
    })
  return { child, line, exited, stderr: () => stderr }
}

/** GET /me with these headers: the status, the auth reason header and the JSON answer. */
function get(agent, port, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/me', agent, headers: { host: 'localhost:3000', ...headers } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode, reason: res.headers['x-clerk-auth-reason'] ?? null, body: JSON.parse(body) }))
    })
    req.on('error', reject)
  })
}

/** Sends every request of `requests` over `connections` concurrent loops; resolves to the answers in order. */
async function sendAll(agent, port, requests, connections) {
  const answers = new Array(requests.length)
  let next = 0
  const loop = async () => {
    while (next < requests.length) {
      const i = next++
      answers[i] = await get(agent, port, requests[i].headers)
    }
  }
  await Promise.all(Array.from({ length: connections }, loop))
  return answers
}

/** The token with another `sub`, its signature unchanged (so no longer valid). */
function tamper(token) {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  claims.sub = `${claims.sub}_tampered`
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
}

test('4 cluster workers answer every token correctly, fetch the JWKS once each, and shut down cleanly', { timeout: 60_000 }, async (t) => {
  const key = createSigningKey()
  // Validly signed, but by a key the JWKS does not hold, each under its own kid.
  const stranger = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  const cluster = startCluster(api.url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS })
  try {
    const userId = (i) => `user_cluster_${i}`
    const valid = Array.from({ length: DISTINCT_USERS }, (_, i) => signToken(key, sessionClaims({ sub: userId(i), sid: `sess_cluster_${i}` })))
    const unknownKid = Array.from({ length: UNKNOWN_KIDS }, (_, i) =>
      signToken(stranger, sessionClaims({ sub: `user_stranger_${i}` }), { kid: `ins_unknown_${i}` }),
    )
    const bearer = (token) => ({ authorization: `Bearer ${token}` })

    const started = await cluster.line(0)
    const pids = started.workers.map((worker) => worker.pid).sort(byNumber)
    assert.equal(new Set(pids).size, WORKERS)

    // Warm-up: one valid token per connection, all at once, with a slow JWKS
    // so that each worker's first requests overlap its fetch. Each process
    // has its own key cache: one fetch per worker, not one for the cluster
    // and not one per request.
    api.state.delayMs = 100
    const warm = await sendAll(
      agent,
      started.port,
      Array.from({ length: CONNECTIONS }, (_, i) => ({ headers: bearer(valid[i]) })),
      CONNECTIONS,
    )
    api.state.delayMs = 0
    warm.forEach((answer, i) => assert.deepEqual([answer.status, answer.body.userId], [200, userId(i)]))
    assert.deepEqual([...new Set(warm.map((answer) => answer.body.pid))].sort(byNumber), pids, 'every worker took connections')
    const warmFetches = api.requestsTo('/v1/jwks').length
    assert.equal(warmFetches, WORKERS, 'one JWKS fetch per worker')

    // The mixed load: distinct valid tokens, tampered ones and unknown kids, interleaved.
    const requests = Array.from({ length: REQUESTS }, (_, i) => {
      const token = valid[i % DISTINCT_USERS]
      switch (i % 3) {
        case 0:
          return { kind: 'valid', headers: bearer(token), userId: userId(i % DISTINCT_USERS), reason: null }
        case 1:
          return { kind: 'tampered', headers: bearer(tamper(token)), userId: null, reason: 'token-invalid-signature' }
        default:
          return { kind: 'unknown kid', headers: bearer(unknownKid[i % UNKNOWN_KIDS]), userId: null, reason: 'jwk-kid-mismatch' }
      }
    })
    const loadStarted = Date.now()
    const answers = await sendAll(agent, started.port, requests, CONNECTIONS)
    const loadMs = Date.now() - loadStarted

    const answeredBy = { valid: new Set(), tampered: new Set(), 'unknown kid': new Set() }
    answers.forEach((answer, i) => {
      const { kind, userId: expected, reason } = requests[i]
      assert.deepEqual(
        { status: answer.status, userId: answer.body.userId, reason: answer.reason },
        { status: 200, userId: expected, reason },
        `request ${i} (${kind}) answered by ${answer.body.pid}`,
      )
      answeredBy[kind].add(answer.body.pid)
    })
    for (const [kind, answered] of Object.entries(answeredBy)) assert.deepEqual([...answered].sort(byNumber), pids, `every worker answered ${kind} tokens`)

    // Every worker saw unknown kids after its keys were cached, so each
    // refetched; after a refetch, unknown kids cost nothing for a cooldown,
    // and valid or tampered tokens never fetch. A worker's refetches are at
    // least one cooldown apart: while the load fits in one cooldown (about
    // 2 s on an idle 2-core machine) that is exactly one per worker.
    const refetches = api.requestsTo('/v1/jwks').length - warmFetches
    const perWorkerAtMost = 1 + Math.floor(loadMs / UNKNOWN_KID_COOLDOWN_MS)
    if (perWorkerAtMost === 1) assert.equal(refetches, WORKERS, `one unknown-kid refetch per worker in ${loadMs} ms`)
    else assert.ok(refetches >= WORKERS && refetches <= WORKERS * perWorkerAtMost, `${refetches} refetches in ${loadMs} ms`)
    t.diagnostic(`${REQUESTS} requests in ${loadMs} ms; JWKS fetches: ${warmFetches} on first use + ${refetches} for unknown kids`)

    // Clean shutdown: idle keep-alive connections closed, then every worker
    // disconnected; each must exit by itself with 0, and so must the primary.
    agent.destroy()
    cluster.child.stdin.end()
    const { workers } = await cluster.line(1)
    const { code, signal } = await cluster.exited
    assert.deepEqual(
      workers.map(({ pid, code, signal, exitedAfterDisconnect }) => ({ pid, code, signal, exitedAfterDisconnect })).sort((a, b) => a.pid - b.pid),
      pids.map((pid) => ({ pid, code: 0, signal: null, exitedAfterDisconnect: true })),
    )
    assert.deepEqual({ code, signal }, { code: 0, signal: null })
    assert.equal(cluster.stderr(), '', 'nothing on stderr, from the primary or any worker')
    const mib = (bytes) => (bytes / 1048576).toFixed(1)
    t.diagnostic(`RSS per worker after the load: ${workers.map((worker) => mib(worker.rss)).join(', ')} MiB`)
  } finally {
    agent.destroy()
    if (cluster.child.exitCode === null && cluster.child.signalCode === null) cluster.child.kill('SIGKILL')
    await cluster.exited
    await api.close()
  }
})
