'use strict'

// clerkMiddleware() runs its new middleware once on a synthetic request
// without credentials (lib/warm-up.js), so that the first real request finds
// its code compiled. That run must be invisible: no network call, no output,
// none of the app's callbacks, no other client's code, and no change to what
// any later request gets (the differential suites check the outcomes).

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { listen, reference, native } = require('./helpers/apps')
const { speedUp } = require('../lib/speed-ups')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'
const AUTHENTICATE_FACTS = Symbol.for('clerk-express-native.authenticateFacts')

/** One of this package's clients, recording the requests the middleware hands it. */
function recordingClient(options) {
  const client = native.createClerkClient(options)
  const authenticateFacts = client[AUTHENTICATE_FACTS]
  const seen = []
  client[AUTHENTICATE_FACTS] = (facts, resolved) => {
    seen.push({ method: facts.method, url: facts.url, authorization: facts.authorization, cookie: facts.cookie })
    return authenticateFacts(facts, resolved)
  }
  return { client, seen }
}

/** What `fn` printed through the console while it ran. */
function consoleOutputOf(fn) {
  const printed = []
  const methods = ['log', 'info', 'warn', 'error', 'debug']
  const saved = methods.map((name) => console[name])
  for (const name of methods) console[name] = (...parts) => printed.push(`${name}: ${parts.join(' ')}`)
  try {
    fn()
  } finally {
    methods.forEach((name, i) => (console[name] = saved[i]))
  }
  return printed
}

describe('the warm-up when the middleware is created', () => {
  const key = createSigningKey()
  let api
  let options
  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    options = { secretKey: 'sk_test_warm', publishableKey: PK_TEST, apiUrl: api.url }
  })
  after(() => api.close())

  test('one synthetic GET / without credentials goes through the middleware, and nothing reaches the API', { skip: !speedUp('warm-up-middleware') && 'warm-up-middleware is off' }, () => {
    const { client, seen } = recordingClient(options)
    const before = api.state.requests.length
    native.clerkMiddleware({ clerkClient: client })
    assert.deepEqual(seen, [{ method: 'GET', url: '/', authorization: undefined, cookie: undefined }])
    assert.equal(api.state.requests.length, before, 'no network call')
  })

  test('it is skipped where it could be seen: option callbacks, the Frontend API proxy', () => {
    for (const extra of [
      { domain: () => 'satellite.example.com', isSatellite: true },
      { isSatellite: () => false },
      { proxyUrl: () => 'https://proxy.example.com/__clerk' },
      { frontendApiProxy: { enabled: true } },
    ]) {
      const { client, seen } = recordingClient(options)
      native.clerkMiddleware({ clerkClient: client, ...extra })
      assert.deepEqual(seen, [], `no warm-up with ${Object.keys(extra).join(', ')}`)
    }
  })

  test('option callbacks are first called by the first real request, as in the reference', async () => {
    for (const [name, pkg] of [
      ['@clerk/express', reference],
      ['clerk-express-native', native],
    ]) {
      const calls = []
      const app = express()
      app.use(pkg.clerkMiddleware({ ...options, isSatellite: (url) => (calls.push(url.pathname), false) }))
      assert.deepEqual(calls, [], `${name}: not called when created`)
      app.get('/x', (req, res) => res.json({ userId: pkg.getAuth(req).userId }))
      const server = await listen(app)
      try {
        await fetch(`${server.url}/x`)
      } finally {
        await server.close()
      }
      assert.deepEqual(calls, ['/x'], `${name}: called once, with the request's URL`)
    }
  })

  test('each option getter runs as many times as with @clerk/express when the middleware is created', () => {
    const readsWith = (pkg) => {
      const reads = {}
      const values = { ...options, prefetchJwks: false, jwtKey: undefined, domain: undefined, isSatellite: undefined }
      const watched = {}
      for (const [name, value] of Object.entries(values)) {
        Object.defineProperty(watched, name, {
          enumerable: true,
          get: () => ((reads[name] = (reads[name] || 0) + 1), value),
        })
      }
      pkg.clerkMiddleware(watched)
      return reads
    }
    assert.deepEqual(readsWith(native), readsWith(reference))
  })

  test("another package's client is never called when the middleware is created", () => {
    let calls = 0
    const foreign = { authenticateRequest: () => (calls++, Promise.reject(new Error('not now'))) }
    native.clerkMiddleware({ ...options, clerkClient: foreign })
    assert.equal(calls, 0)
  })

  test('it prints nothing, whatever the configuration, including one the first request will refuse', () => {
    const configurations = [
      options,
      { ...options, publishableKey: PK_LIVE, secretKey: 'sk_live_warm' },
      { ...options, isSatellite: true, domain: 'satellite.example.com', signInUrl: 'https://primary.example.com/sign-in' },
      { ...options, isSatellite: true },
      { publishableKey: PK_TEST, apiUrl: api.url },
      { ...options, debug: true, authorizedParties: ['https://app.example.com'] },
      { ...options, organizationSyncOptions: { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'] } },
    ]
    for (const configuration of configurations) {
      assert.deepEqual(
        consoleOutputOf(() => native.clerkMiddleware(configuration)),
        [],
        JSON.stringify(configuration),
      )
    }
  })

  test('a configuration error is still reported by the first request, as the reference reports it', async () => {
    const saved = process.env.CLERK_SECRET_KEY
    delete process.env.CLERK_SECRET_KEY
    try {
      const outcomes = []
      for (const pkg of [reference, native]) {
        const app = express()
        app.use(pkg.clerkMiddleware({ publishableKey: PK_TEST, apiUrl: api.url }))
        app.get('/', (req, res) => res.send('reached'))
        app.use((err, _req, res, _next) => res.status(500).send(err.message))
        const server = await listen(app)
        try {
          const token = signToken(key, sessionClaims())
          const response = await fetch(server.url, { headers: { authorization: `Bearer ${token}` } })
          outcomes.push({ status: response.status, body: await response.text() })
        } finally {
          await server.close()
        }
      }
      assert.equal(outcomes[1].status, 500)
      assert.deepEqual(outcomes[1], outcomes[0])
    } finally {
      if (saved !== undefined) process.env.CLERK_SECRET_KEY = saved
    }
  })
})
