'use strict'

// The two observability examples (README, "Observability"):
// examples/opentelemetry/instrumentation.js with the SDK's in-memory
// exporter, examples/prometheus/metrics.js scraped over HTTP, both against
// the fake Clerk API and an Express app on this package; and each example's
// demo run as `npm run example:*` runs it, to exit 0.

const { test, describe, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const http = require('node:http')
const path = require('node:path')
const { spawn } = require('node:child_process')
const diagnosticsChannel = require('node:diagnostics_channel')
const express = require('express')
const { SpanKind, SpanStatusCode } = require('@opentelemetry/api')
const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } = require('@opentelemetry/sdk-trace-base')
const { Registry } = require('prom-client')
const { clerkMiddleware, getAuth, createClerkClient } = require('..')
const { verifyWebhook } = require('../webhooks')
const { instrumentClerk } = require('../examples/opentelemetry/instrumentation')
const { registerClerkMetrics } = require('../examples/prometheus/metrics')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { skipWithoutRedis } = require('./helpers/redis-server')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { speedUp } = require('../lib/speed-ups')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const EXAMPLES = path.join(__dirname, '..', 'examples')
// What answers a token seen before, once its first hit is past: its lease,
// unless leases are off (`npm run test:plain`), then the token cache again.
const REPEAT_ANSWERED_BY = speedUp('bearer-lease') ? 'lease' : 'token-cache'

// Each part its own instance: the JWKS cache is per process, keyed by it.
let secretCounter = 0
const freshSecretKey = () => `sk_test_examples_${++secretCounter}_${crypto.randomBytes(4).toString('hex')}`
const bearer = (token) => ({ authorization: `Bearer ${token}` })

/**
 * An Express app on this package: `/me` answers the auth object, `/users/:id`
 * calls `users.getUser` (its status passed on); `routes(app)` goes before the
 * middleware.
 */
async function startApp(middlewareOptions, clerkClient, routes = () => {}) {
  const app = express()
  routes(app)
  app.use(clerkMiddleware(middlewareOptions))
  app.get('/me', (req, res) => res.json(getAuth(req)))
  app.get('/users/:id', async (req, res) => {
    try {
      res.json({ id: (await clerkClient.users.getUser(req.params.id)).id })
    } catch (err) {
      res.status(err.status ?? 500).json({ error: err.message })
    }
  })
  app.use((err, _req, res, _next) => res.status(500).json({ error: err.message }))
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(resolve))
    },
  }
}

/** A Backend API answering 503 (`Retry-After: 0`) once, then the user with a `cf-ray`. */
async function startFlakyApi() {
  let calls = 0
  const server = http.createServer((req, res) => {
    if (++calls === 1) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' })
      return res.end('{"errors":[]}')
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cf-ray': 'ray_examples' })
    res.end(JSON.stringify({ object: 'user', id: 'user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr' }))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) }
}

describe('examples/opentelemetry: spans from the diagnostics channels', () => {
  const key = createSigningKey()
  const exporter = new InMemorySpanExporter()
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
  // A stand-in for an SDK meter: each counter's adds, in order.
  const added = []
  const meter = { createCounter: (name) => ({ add: (value, attributes) => added.push([name, value, attributes]) }) }
  // When each authentication's `end` and `asyncEnd` came, how many
  // clerk.authenticate spans had ended: subscribed after the instrumentation,
  // so it runs after it for each event.
  const ends = []
  const probe = {
    end: () => ends.push(['end', authenticateSpans().length]),
    asyncEnd: () => ends.push(['asyncEnd', authenticateSpans().length]),
  }
  const tracing = diagnosticsChannel.tracingChannel('clerk:authenticate')
  let api
  let app
  let unsubscribe
  const token = signToken(key, sessionClaims({ sub: 'user_1' }))

  const spans = () => exporter.getFinishedSpans()
  const authenticateSpans = () => spans().filter((span) => span.name === 'clerk.authenticate')
  const get = async (urlPath, headers = {}) => {
    const response = await fetch(`${app.url}${urlPath}`, { headers })
    return { status: response.status, body: await response.json() }
  }

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    unsubscribe = instrumentClerk(provider.getTracer('examples-test'), { meter })
    tracing.subscribe(probe)
    const secretKey = freshSecretKey()
    app = await startApp({ secretKey, publishableKey: PK_TEST, apiUrl: api.url }, createClerkClient({ secretKey, apiUrl: api.url }))
  })
  after(async () => {
    unsubscribe?.()
    tracing.unsubscribe(probe)
    await app?.close()
    await api?.close()
    await provider.shutdown()
  })
  beforeEach(() => {
    exporter.reset()
    ends.length = 0
    added.length = 0
  })

  test('signed in with a JWKS fetch: one authenticate span, ended on asyncEnd with the outcome; a JWKS fetch span', async () => {
    const { status, body } = await get('/me', bearer(token))
    assert.deepEqual([status, body.userId], [200, 'user_1'])
    // The outcome needed the network: `end` came without it, the span ended on `asyncEnd`.
    assert.deepEqual(ends, [
      ['end', 0],
      ['asyncEnd', 1],
    ])
    const [authenticate] = authenticateSpans()
    assert.equal(authenticate.kind, SpanKind.INTERNAL)
    assert.deepEqual(authenticate.attributes, {
      'http.request.method': 'GET',
      'clerk.auth.status': 'signed-in',
      'clerk.auth.token_type': 'session_token',
    })
    assert.equal(authenticate.status.code, SpanStatusCode.UNSET)

    const jwks = spans().filter((span) => span.name === 'GET /v1/jwks')
    assert.equal(jwks.length, 1)
    assert.equal(jwks[0].kind, SpanKind.CLIENT)
    assert.deepEqual(jwks[0].attributes, {
      'http.request.method': 'GET',
      'url.full': `${api.url}/v1/jwks`,
      'url.template': '/v1/jwks',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(api.url).port),
      'clerk.attempt': 1,
      'http.response.status_code': 200,
      'clerk.jwks.keys': 1,
    })
    assert.equal(jwks[0].status.code, SpanStatusCode.UNSET)
    const [seconds, nanos] = jwks[0].duration
    assert.ok(seconds === 0 && nanos >= 0, 'backdated by its durationMs, which is under a second here')
    assert.equal(spans().length, 2)
    assert.deepEqual(added, [['clerk.cache.events', 1, { 'clerk.cache.name': 'token', 'clerk.cache.event': 'miss' }]])
  })

  test('the same token again: answered synchronously, the span ends on end, with what answered it', async () => {
    await get('/me', bearer(token))
    await get('/me', bearer(token))
    assert.deepEqual(ends, [
      ['end', 1],
      ['end', 2],
    ])
    const attributes = authenticateSpans().map((span) => span.attributes)
    assert.deepEqual(
      attributes.map((a) => [a['clerk.auth.status'], a['clerk.auth.cached']]),
      [
        ['signed-in', 'token-cache'],
        ['signed-in', REPEAT_ANSWERED_BY],
      ],
    )
    assert.equal(spans().length, 2, 'no JWKS fetch')
    assert.deepEqual(
      added.map(([name, value, a]) => [name, value, a['clerk.cache.event']]),
      [
        ['clerk.cache.events', 1, 'hit'],
        ['clerk.cache.events', 1, 'hit'],
      ],
    )
  })

  test('signed out: without credentials, and with a bad token', async () => {
    assert.equal((await get('/me')).body.userId, null)
    assert.equal((await get('/me', bearer('not.a.token'))).body.userId, null)
    const outcomes = authenticateSpans().map((span) => [span.attributes['clerk.auth.status'], span.attributes['clerk.auth.reason'], span.status.code])
    assert.deepEqual(outcomes, [
      ['signed-out', 'dev-browser-missing', SpanStatusCode.UNSET],
      ['signed-out', 'token-invalid', SpanStatusCode.UNSET],
    ])
    assert.deepEqual(ends.map(([event]) => event), ['end', 'end'])
  })

  test('Backend API: a span per attempt, named by the endpoint template; a 404 is an ERROR', async () => {
    assert.equal((await get('/users/user_1')).status, 200)
    assert.equal((await get('/users/user_missing')).status, 404)
    const [found, missing] = spans().filter((span) => span.kind === SpanKind.CLIENT)
    assert.equal(found.name, 'GET /users/:userId')
    assert.deepEqual(found.attributes, {
      'http.request.method': 'GET',
      'url.template': '/users/:userId',
      'clerk.attempt': 1,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(api.url).port),
      'http.response.status_code': 200,
    })
    assert.equal(found.status.code, SpanStatusCode.UNSET)
    assert.equal(missing.name, 'GET /users/:userId')
    assert.equal(missing.attributes['http.response.status_code'], 404)
    assert.equal(missing.attributes['error.type'], '404')
    assert.equal(missing.status.code, SpanStatusCode.ERROR)
    // Each carries no id: the template, not the URL.
    assert.ok(!JSON.stringify([found.attributes, missing.attributes]).includes('user_'))
  })

  test('Backend API retries: resend count, retry delay and Clerk trace id', async () => {
    const flaky = await startFlakyApi()
    try {
      const client = createClerkClient({ secretKey: freshSecretKey(), apiUrl: flaky.url, maxRetries: 2 })
      await client.users.getUser('user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr')
    } finally {
      await flaky.close()
    }
    const attempts = spans().map((span) => {
      const { 'server.address': address, 'server.port': port, ...rest } = span.attributes
      assert.equal(`http://${address}:${port}`, flaky.url)
      return [span.name, rest, span.status.code]
    })
    assert.deepEqual(attempts, [
      [
        'GET /users/:userId',
        { 'http.request.method': 'GET', 'url.template': '/users/:userId', 'clerk.attempt': 1, 'http.response.status_code': 503, 'clerk.retry_delay_ms': 0, 'error.type': '503' },
        SpanStatusCode.ERROR,
      ],
      [
        'GET /users/:userId',
        { 'http.request.method': 'GET', 'url.template': '/users/:userId', 'clerk.attempt': 2, 'http.request.resend_count': 1, 'http.response.status_code': 200, 'clerk.trace_id': 'ray_examples' },
        SpanStatusCode.UNSET,
      ],
    ])
  })

  test('a synchronous error (no secret key): exception recorded, status ERROR, ended on end', async () => {
    const saved = process.env.CLERK_SECRET_KEY
    delete process.env.CLERK_SECRET_KEY
    const broken = await startApp({ publishableKey: PK_TEST, apiUrl: api.url }, null)
    try {
      const response = await fetch(`${broken.url}/me`)
      assert.equal(response.status, 500)
    } finally {
      await broken.close()
      if (saved !== undefined) process.env.CLERK_SECRET_KEY = saved
    }
    assert.deepEqual(ends, [['end', 1]])
    const [span] = authenticateSpans()
    assert.equal(span.status.code, SpanStatusCode.ERROR)
    assert.match(span.status.message, /Missing Clerk Secret Key/)
    assert.equal(span.attributes['error.type'], 'Error')
    assert.equal(span.attributes['clerk.auth.status'], undefined)
    assert.deepEqual(
      span.events.map((event) => [event.name, event.attributes['exception.type']]),
      [['exception', 'Error']],
    )
  })

  test('an asynchronous error: the span ends once, on asyncEnd, with the exception', async () => {
    // The middleware rejects only on failures this setup cannot provoke, so
    // the channel's sequence for it (start, end, error, asyncStart, asyncEnd,
    // as lib/diagnostics.js publishes it) comes from Node's tracePromise.
    const context = { method: 'POST', tokenType: null, status: null, reason: null, cached: null }
    await assert.rejects(
      tracing.tracePromise(async () => {
        await new Promise((resolve) => setImmediate(resolve))
        throw new TypeError('boom')
      }, context),
      /boom/,
    )
    assert.deepEqual(ends, [
      ['end', 0],
      ['asyncEnd', 1],
    ])
    const [span] = authenticateSpans()
    assert.deepEqual([span.attributes['http.request.method'], span.attributes['error.type']], ['POST', 'TypeError'])
    assert.deepEqual([span.status.code, span.status.message], [SpanStatusCode.ERROR, 'boom'])
  })

  test('after unsubscribe(), nothing more is recorded', async () => {
    const instrumentation = instrumentClerk(provider.getTracer('examples-test'), { meter })
    instrumentation()
    // Only the suite's own instrumentation remains: one span per request.
    await get('/me', bearer(token))
    assert.equal(authenticateSpans().length, 1)
  })
})

/** `[{name, labels, value}]` of the Prometheus text format's sample lines. */
function parseSamples(text) {
  const samples = []
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match) continue
    const labels = {}
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[name] = value
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

describe('examples/prometheus: metrics from the diagnostics channels, scraped over HTTP', () => {
  const key = createSigningKey()
  let api
  let app
  let unsubscribe
  let samples

  /** The value of the sample `name` with exactly `labels`, or undefined. */
  const valueOf = (name, labels) => {
    const wanted = Object.entries(labels)
    const sample = samples.find((s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v))
    return sample?.value
  }

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    const registry = new Registry()
    unsubscribe = registerClerkMetrics(registry)
    const secretKey = freshSecretKey()
    // The process's own user cache (`userCacheTtlMs`): the demo shows the Redis one.
    const clerkClient = createClerkClient({ secretKey, apiUrl: api.url, userCacheTtlMs: 60_000 })
    app = await startApp({ secretKey, publishableKey: PK_TEST, apiUrl: api.url }, clerkClient, (routes) => {
      routes.get('/metrics', async (_req, res) => res.set('content-type', registry.contentType).send(await registry.metrics()))
    })

    const token = signToken(key, sessionClaims({ sub: 'user_1' }))
    for (const headers of [bearer(token), bearer(token), bearer(token), {}, bearer('not.a.token')]) await fetch(`${app.url}/me`, { headers })
    for (const userId of ['user_1', 'user_1', 'user_missing']) await fetch(`${app.url}/users/${userId}`, { headers: bearer(token) })
    const flaky = await startFlakyApi()
    try {
      await createClerkClient({ secretKey: freshSecretKey(), apiUrl: flaky.url, maxRetries: 2 }).users.getUser('user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr')
    } finally {
      await flaky.close()
    }
    const secret = `whsec_${crypto.randomBytes(24).toString('base64')}`
    const body = JSON.stringify({ type: 'user.updated', data: { id: 'user_1' } })
    const [id, timestamp] = ['msg_1', String(Math.floor(Date.now() / 1000))]
    const signature = crypto.createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')
    const headers = { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` }
    await verifyWebhook({ method: 'POST', headers, body }, { signingSecret: secret })
    await assert.rejects(verifyWebhook({ method: 'POST', headers, body: `${body} ` }, { signingSecret: secret }))

    const response = await fetch(`${app.url}/metrics`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type'), /^text\/plain/)
    samples = parseSamples(await response.text())
  })
  after(async () => {
    unsubscribe?.()
    await app?.close()
    await api?.close()
  })

  test('clerk_authentications_total by status, token type, reason and what answered', () => {
    const authentications = (labels) => valueOf('clerk_authentications_total', { token_type: 'session_token', reason: '', cached: '', ...labels })
    assert.equal(authentications({ status: 'signed-in' }), 1)
    // The second `/me` from the token cache; the third and the three `/users/:id` requests (the same token) from its lease (no series with leases off).
    const [fromTokenCache, fromLease] = REPEAT_ANSWERED_BY === 'lease' ? [1, 4] : [5, undefined]
    assert.equal(authentications({ status: 'signed-in', cached: 'token-cache' }), fromTokenCache)
    assert.equal(authentications({ status: 'signed-in', cached: 'lease' }), fromLease)
    assert.equal(authentications({ status: 'signed-out', reason: 'dev-browser-missing' }), 1)
    assert.equal(authentications({ status: 'signed-out', reason: 'token-invalid' }), 1)
    const total = samples.filter((s) => s.name === 'clerk_authentications_total').reduce((sum, s) => sum + s.value, 0)
    assert.equal(total, 8, 'the /metrics route is before the middleware: scrapes are not authenticated')
    assert.equal(valueOf('clerk_authentication_duration_seconds_count', { status: 'signed-in' }), 6)
    assert.equal(valueOf('clerk_authentication_duration_seconds_count', { status: 'signed-out' }), 2)
    assert.equal(valueOf('clerk_authentication_duration_seconds_bucket', { status: 'signed-in', le: '+Inf' }), 6)
  })

  test('clerk_jwks_fetches_total and its duration', () => {
    assert.equal(valueOf('clerk_jwks_fetches_total', { status: '200', outcome: 'success' }), 1)
    assert.equal(valueOf('clerk_jwks_fetch_duration_seconds_count', { outcome: 'success' }), 1)
    assert.ok(valueOf('clerk_jwks_fetch_duration_seconds_sum', { outcome: 'success' }) < 5)
  })

  test('clerk_backend_api_requests_total by endpoint template and status, retries, durations', () => {
    // user_1 twice, the second from the user cache (one request), and the flaky API's second attempt.
    assert.equal(api.requestsTo('/v1/users/user_1').length, 1)
    assert.equal(valueOf('clerk_backend_api_requests_total', { method: 'GET', path: '/users/:userId', status: '200' }), 2)
    assert.equal(valueOf('clerk_backend_api_requests_total', { method: 'GET', path: '/users/:userId', status: '404' }), 1)
    assert.equal(valueOf('clerk_backend_api_requests_total', { method: 'GET', path: '/users/:userId', status: '503' }), 1)
    assert.equal(valueOf('clerk_backend_api_retries_total', { method: 'GET', path: '/users/:userId' }), 1)
    assert.equal(valueOf('clerk_backend_api_request_duration_seconds_count', { method: 'GET', path: '/users/:userId' }), 4)
    const paths = new Set(samples.filter((s) => s.name.startsWith('clerk_backend_api')).map((s) => s.labels.path))
    assert.deepEqual([...paths], ['/users/:userId'], 'no id in any label')
  })

  test('clerk_cache_events_total and clerk_webhook_verifications_total', () => {
    assert.equal(valueOf('clerk_cache_events_total', { cache: 'token', event: 'miss', cause: '' }), 1)
    assert.equal(valueOf('clerk_cache_events_total', { cache: 'token', event: 'hit', cause: '' }), 5)
    assert.equal(valueOf('clerk_webhook_verifications_total', { outcome: 'verified', reason: '' }), 1)
    assert.equal(valueOf('clerk_webhook_verifications_total', { outcome: 'failed', reason: 'invalid-signature' }), 1)
  })
})

/** Runs an example's demo as `npm run example:*` does; resolves to its exit code and output. */
function runDemo(name) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(EXAMPLES, name, 'demo.js')], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? signal, output })
    })
  })
}

// Concurrently: each is a process of its own, with its own ports.
describe('the demos exit 0', { concurrency: true }, () => {
  test('npm run example:opentelemetry', async () => {
    const { code, output } = await runDemo('opentelemetry')
    assert.equal(code, 0, output)
    assert.match(output, /OK: the expected spans were seen/)
  })

  test('npm run example:prometheus', { skip: skipWithoutRedis() }, async () => {
    const { code, output } = await runDemo('prometheus')
    assert.equal(code, 0, output)
    assert.match(output, /clerk_backend_api_requests_total\{.*\} 1/)
    assert.match(output, /OK: the expected series are there/)
  })
})
