'use strict'

// The diagnostics channels (lib/diagnostics.js, README "Observability"):
// what is published for authentications, JWKS fetches, Backend API attempts,
// cache events and webhook verifications; that no message carries a token or
// a key; and that nothing is recorded while no one subscribes.

const { test, describe, before, after, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const diagnosticsChannel = require('node:diagnostics_channel')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { buildApp, listen, native } = require('./helpers/apps')
const binding = require('../lib/native')
const { speedUp } = require('../lib/speed-ups')
const crypto = require('node:crypto')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const CHANNELS = ['clerk:jwks:fetch', 'clerk:backend-api:request', 'clerk:cache', 'clerk:webhook:verify']
const TRACING_EVENTS = ['start', 'end', 'asyncStart', 'asyncEnd', 'error']

/** Svix headers signing `body` with a `whsec_` secret. */
function webhookHeaders(secret, body) {
  const [id, timestamp] = ['msg_1', String(Math.floor(Date.now() / 1000))]
  const signature = crypto.createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')
  return { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` }
}

/** Subscribes to every channel; `messages` lists `[channel, copy of the message]` in order. */
function listenToAll() {
  const messages = []
  const handlers = CHANNELS.map((name) => [name, (message) => messages.push([name, { ...message }])])
  for (const [name, handler] of handlers) diagnosticsChannel.subscribe(name, handler)
  const tracing = diagnosticsChannel.tracingChannel('clerk:authenticate')
  const traceHandlers = Object.fromEntries(
    TRACING_EVENTS.map((event) => [event, (context) => messages.push([`authenticate:${event}`, { ...context, result: undefined }])]),
  )
  tracing.subscribe(traceHandlers)
  return {
    messages,
    of: (name) => messages.filter(([channel]) => channel === name).map(([, message]) => message),
    stop() {
      for (const [name, handler] of handlers) diagnosticsChannel.unsubscribe(name, handler)
      tracing.unsubscribe(traceHandlers)
    },
  }
}

describe('diagnostics channels', () => {
  const key = createSigningKey()
  let api
  let app
  let listener
  let secretCounter = 0
  const freshSecretKey = () => `sk_test_diagnostics_${++secretCounter}`

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(async () => {
    await api.close()
  })
  afterEach(async () => {
    listener?.stop()
    listener = null
    await app?.close()
    app = null
  })

  const startApp = async (options = {}) => {
    const secretKey = freshSecretKey()
    app = await listen(buildApp(native, express, { secretKey, publishableKey: PK_TEST, apiUrl: api.url, ...options }))
    return secretKey
  }
  const get = async (headers = {}) => (await fetch(`${app.url}/probe`, { headers })).json()
  const bearer = (token) => ({ authorization: `Bearer ${token}` })

  test('authentications: outcome, reason and cache use, around a JWKS fetch; no token or key in any message', async () => {
    listener = listenToAll()
    const secretKey = await startApp()
    assert.deepEqual(listener.messages, [], 'the warm-up request is not published')
    const token = signToken(key, sessionClaims())
    for (let i = 0; i < 3; i++) assert.equal((await get(bearer(token))).auth.json.userId, sessionClaims().sub)
    await get(bearer('not.a.token'))
    await get()

    const ends = listener.messages.filter(([name]) => name === 'authenticate:end' || name === 'authenticate:asyncEnd')
    const summary = ends.map(([name, m]) => [name, m.method, m.status, m.tokenType, m.reason, m.cached])
    assert.deepEqual(summary, [
      // The first request waits for the JWKS: its end comes twice, the sync part and the async one.
      ['authenticate:end', 'GET', null, null, null, null],
      ['authenticate:asyncEnd', 'GET', 'signed-in', 'session_token', null, null],
      ['authenticate:end', 'GET', 'signed-in', 'session_token', null, 'token-cache'],
      // Unless leases are switched off (npm run test:plain).
      ['authenticate:end', 'GET', 'signed-in', 'session_token', null, speedUp('bearer-lease') ? 'lease' : 'token-cache'],
      ['authenticate:end', 'GET', 'signed-out', 'session_token', 'token-invalid', null],
      ['authenticate:end', 'GET', 'signed-out', 'session_token', 'dev-browser-missing', null],
    ])
    assert.equal(listener.of('authenticate:start').length, 5)

    const [fetched] = listener.of('clerk:jwks:fetch')
    assert.equal(listener.of('clerk:jwks:fetch').length, 1)
    assert.equal(fetched.url, `${api.url}/v1/jwks`)
    assert.deepEqual([fetched.attempt, fetched.status, fetched.keys, fetched.error], [1, 200, 1, null])
    assert.ok(fetched.durationMs >= 0 && fetched.durationMs < 5000)
    assert.ok(Math.abs(fetched.startedAt - Date.now()) < 10_000, 'startedAt is a time since the epoch')

    const cacheEvents = listener.of('clerk:cache').map((m) => `${m.cache}:${m.event}`)
    assert.deepEqual(cacheEvents, ['token:miss', 'token:hit', 'token:hit'])

    const everything = JSON.stringify(listener.messages)
    assert.ok(!everything.includes(token.split('.')[2]), 'no token')
    assert.ok(!everything.includes(secretKey), 'no secret key')
  })

  test('a failing JWKS: every attempt with its status and error', async () => {
    api.state.jwksMode = 'status-500'
    try {
      listener = listenToAll()
      await startApp()
      await get(bearer(signToken(key, sessionClaims())))
      const attempts = listener.of('clerk:jwks:fetch').map((m) => [m.attempt, m.status, m.keys, /code=500/.test(m.error)])
      assert.deepEqual(attempts, [1, 2, 3, 4, 5].map((n) => [n, 500, null, true]))
      const [end] = listener.of('authenticate:asyncEnd')
      assert.deepEqual([end.status, end.reason], ['signed-out', 'jwk-remote-failed-to-load'])
    } finally {
      api.state.jwksMode = 'ok'
    }
  })

  test('Backend API attempts: path template, status, retry delay, trace id', async () => {
    const answers = [
      [503, { 'retry-after': '0' }],
      [200, { 'cf-ray': 'ray_diagnostics' }],
    ]
    const server = http.createServer((req, res) => {
      const [status, headers] = answers.shift() ?? [200, {}]
      res.writeHead(status, { 'content-type': 'application/json', ...headers })
      res.end(JSON.stringify(req.url.includes('/users?') ? [] : { object: 'user', id: 'user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr' }))
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      listener = listenToAll()
      const client = native.createClerkClient({ secretKey: freshSecretKey(), apiUrl: `http://127.0.0.1:${server.address().port}`, maxRetries: 2 })
      await client.users.getUser('user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr')
      await client.users.getUserList({ limit: 1 })
      const messages = listener.of('clerk:backend-api:request')
      const attempts = messages.map((m) => [m.method, m.path, m.attempt, m.status, m.retryDelayMs, m.clerkTraceId, m.errorType])
      assert.deepEqual(attempts.slice(0, 2), [
        ['GET', '/users/:userId', 1, 503, 0, null, null],
        ['GET', '/users/:userId', 2, 200, null, 'ray_diagnostics', null],
      ])
      assert.equal(messages[0].origin, `http://127.0.0.1:${server.address().port}`)
      assert.ok(messages[1].startedAt >= messages[0].startedAt + messages[0].durationMs - 1)
      // getUserList is written by hand: its two requests (the page and the count).
      assert.deepEqual(attempts.slice(2).map(([, path]) => path).sort(), ['/users', '/users/count'])
    } finally {
      server.close()
    }
  })

  test('concurrent Backend API calls: each attempt is published in its own call\'s async context', async () => {
    // Every request is answered at once when the tenth arrives: the attempts end together, and
    // the calls' promises settle one after another.
    const waiting = []
    const server = http.createServer((req, res) => {
      waiting.push(res)
      if (waiting.length < 10) return
      for (const pending of waiting.splice(0)) {
        pending.writeHead(200, { 'content-type': 'application/json' })
        pending.end(JSON.stringify({ object: 'total_count', total_count: 1 }))
      }
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { AsyncLocalStorage } = require('node:async_hooks')
    const callOf = new AsyncLocalStorage()
    const publishedIn = []
    const handler = () => publishedIn.push(callOf.getStore())
    diagnosticsChannel.subscribe('clerk:backend-api:request', handler)
    try {
      const client = native.createClerkClient({ secretKey: freshSecretKey(), apiUrl: `http://127.0.0.1:${server.address().port}` })
      await Promise.all(Array.from({ length: 10 }, (_, call) => callOf.run(call, () => client.users.getCount())))
      assert.deepEqual(publishedIn.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    } finally {
      diagnosticsChannel.unsubscribe('clerk:backend-api:request', handler)
      server.close()
    }
  })

  test('a Backend API error answer gives its clerk_trace_id; no answer gives an error type', async () => {
    listener = listenToAll()
    const client = native.createClerkClient({ secretKey: freshSecretKey(), apiUrl: api.url })
    await assert.rejects(client.users.getUser('user_missing'))
    const closed = http.createServer()
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = closed.address().port
    await new Promise((resolve) => closed.close(resolve))
    const refused = native.createClerkClient({ secretKey: freshSecretKey(), apiUrl: `http://127.0.0.1:${port}` })
    await assert.rejects(refused.users.getUser('user_1'))
    const summary = listener.of('clerk:backend-api:request').map((m) => [m.path, m.status, m.errorType, typeof m.error, m.clerkTraceId])
    assert.deepEqual(summary, [
      ['/users/:userId', 404, null, 'object', 'trace_abc'],
      ['/users/:userId', null, 'connection', 'string', null],
    ])
  })

  test('machine-token cache: a miss, then hits', async () => {
    const token = 'ak_diagnostics_cache'
    api.state.machineTokens.set(token, [200, { object: 'api_key', id: 'ak_d', type: 'api_key', name: 'd', subject: 'user_d', scopes: [], claims: null }])
    listener = listenToAll()
    await startApp({ machineTokenCacheTtlMs: 60_000 })
    for (let i = 0; i < 3; i++) await get(bearer(token))
    const machine = listener.of('clerk:cache').filter((m) => m.cache === 'machine-token').map((m) => m.event)
    assert.deepEqual(machine, ['miss', 'hit', 'hit'])
    const attempts = listener.of('clerk:backend-api:request').map((m) => [m.method, m.path, m.status])
    assert.deepEqual(attempts, [['POST', '/api_keys/verify', 200]])
  })

  test('user caches, process-local and shared: misses, hits, evictions by a write and by evict()', async () => {
    // A Keyv-compatible store in memory: the shared cache's events do not depend on Redis.
    const map = new Map()
    const store = { get: async (key) => map.get(key), set: async (key, value) => void map.set(key, value), delete: async (key) => map.delete(key) }
    for (const [name, options] of [
      ['local', { userCacheTtlMs: 60_000 }],
      ['shared', { userCache: { store, ttlMs: 60_000 } }],
    ]) {
      listener = listenToAll()
      const client = native.createClerkClient({ secretKey: freshSecretKey(), apiUrl: api.url, ...options })
      await client.users.getUser('user_1')
      await client.users.getUser('user_1')
      await client.users.updateUserMetadata('user_1', { publicMetadata: { seen: true } })
      await client.users.getUser('user_1')
      await client.userCache.evict('user_1')
      const events = listener.of('clerk:cache').filter((m) => m.cache === 'user').map((m) => [m.event, m.cause])
      assert.deepEqual(
        events,
        [
          ['miss', null],
          ['hit', null],
          ['eviction', 'write'],
          ['miss', null],
          ['eviction', 'invalidated'],
        ],
        name,
      )
      listener.stop()
      listener = null
    }
  })

  test('webhook verifications: verified with the event type, or failed with a reason', async () => {
    const { verifyWebhook } = require('../webhooks')
    const secret = `whsec_${Buffer.from('diagnostics-secret-0123456789').toString('base64')}`
    const body = JSON.stringify({ type: 'user.updated', data: { id: 'user_1' } })
    const headers = webhookHeaders(secret, body)
    listener = listenToAll()
    await verifyWebhook({ method: 'POST', headers, body }, { signingSecret: secret })
    await assert.rejects(verifyWebhook({ method: 'POST', headers, body: `${body} ` }, { signingSecret: secret }))
    await assert.rejects(verifyWebhook({ method: 'POST', headers: {}, body }, { signingSecret: secret }))
    assert.deepEqual(listener.of('clerk:webhook:verify'), [
      { outcome: 'verified', type: 'user.updated', reason: null },
      { outcome: 'failed', type: null, reason: 'invalid-signature' },
      { outcome: 'failed', type: null, reason: 'missing-headers' },
    ])
  })

  test('without subscribers nothing is recorded', async () => {
    listener = listenToAll()
    await startApp()
    await get(bearer(signToken(key, sessionClaims())))
    listener.stop()
    listener = null
    // The next call sees that no one listens and stops the recording.
    await get()
    binding.drainDiagnosticEvents()
    await get(bearer(signToken(key, sessionClaims({ sid: 'sess_unrecorded' }))))
    await native.createClerkClient({ secretKey: freshSecretKey(), apiUrl: api.url }).users.getUser('user_1')
    assert.deepEqual(binding.drainDiagnosticEvents(), { events: [], dropped: 0 })
  })
})
