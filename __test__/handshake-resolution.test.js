'use strict'

// Handshake resolution (checklist items 40-42): a browser back from the
// Frontend API with a nonce or a signed handshake token. Cookie directives
// become Set-Cookie headers; development redirects (307) to the cleaned URL,
// production continues signed in. Compared with @clerk/express.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { listen, reference, native } = require('./helpers/apps')
const { normalise } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'

/** One request through an app; every header and console.error line it caused. */
async function probe(pkg, { withClient, ...options }, { path = '/probe', headers = {} } = {}) {
  const app = express()
  // withClient: a clerkClient built with the secret key, as with CLERK_SECRET_KEY set.
  const client = withClient ? { clerkClient: pkg.createClerkClient({ secretKey: options.secretKey, apiUrl: options.apiUrl }) } : {}
  app.use(pkg.clerkMiddleware({ ...options, ...client }))
  app.get('/probe', (req, res) => res.json({ userId: pkg.getAuth(req).userId, status: 'reached' }))
  app.use((err, _req, res, _next) => res.status(500).json({ error: err.message }))
  const errors = []
  const originalError = console.error
  console.error = (...args) => errors.push(args.map(String).join(' ').split('\n')[0])
  const server = await listen(app)
  try {
    const response = await fetch(server.url + path, { headers, redirect: 'manual' })
    const picked = {}
    for (const [name, value] of response.headers) {
      if (!['date', 'etag', 'connection', 'keep-alive', 'content-length', 'x-powered-by'].includes(name)) picked[name] = value
    }
    const text = await response.text()
    return normalise({ status: response.status, headers: picked, body: text, errors })
  } finally {
    console.error = originalError
    await server.close()
  }
}

async function same(options, request) {
  const a = await probe(reference, options, request)
  const b = await probe(native, options, request)
  // Error objects print differently (stack traces); the first line is compared.
  assert.deepEqual(b, a)
  return a
}

for (const [instance, publishableKey] of [
  ['development', PK_TEST],
  ['production', PK_LIVE],
]) {
  describe(`handshake resolution on a ${instance} instance`, () => {
    const key = createSigningKey()
    let api
    let options
    const document = { 'sec-fetch-dest': 'document' }
    const directive = (name, value) => `${name}=${value}; Path=/; Secure; SameSite=Lax`

    before(async () => {
      api = await startFakeClerkApi({ keys: [key.jwk] })
      options = { secretKey: `sk_test_hs_${instance}`, publishableKey, apiUrl: api.url }
    })
    after(() => api.close())

    test('a nonce with a session directive', async () => {
      const session = signToken(key, sessionClaims())
      api.state.handshakePayloads.set('nonce_ok', [directive('__client_uat', String(nowSeconds())), directive('__session', session)])
      const request = { path: '/probe?__clerk_handshake_nonce=nonce_ok&keep=1', headers: document }
      const answer = await same({ ...options, withClient: true }, request)
      assert.equal(answer.status, instance === 'development' ? 307 : 200)
      assert.match(answer.headers['set-cookie'], /__session=/)
      // Without a secret key in the client's own configuration the reference cannot fetch the payload.
      const keyless = await same(options, request)
      assert.match(keyless.errors[0], /Missing Clerk Secret Key/)
    })

    test('a nonce without a session directive: session-token-missing', async () => {
      api.state.handshakePayloads.set('nonce_empty', [directive('__client_uat', '0')])
      await same({ ...options, withClient: true }, { path: '/probe?__clerk_handshake_nonce=nonce_empty', headers: document })
    })

    test('an unknown nonce is logged and the cookie path goes on', async () => {
      const answer = await same({ ...options, withClient: true }, { path: '/probe?__clerk_handshake_nonce=missing', headers: document })
      assert.match(answer.errors[0] ?? '', /HandshakeService: error getting handshake payload/)
    })

    test('a signed handshake token in the query or a cookie', async () => {
      const session = signToken(key, sessionClaims())
      const handshake = signToken(key, { handshake: [directive('__session', session), directive('__client_uat', '1')] })
      await same(options, { path: `/probe?__clerk_handshake=${handshake}`, headers: document })
      await same(options, { headers: { ...document, cookie: `__clerk_handshake=${handshake}` } })
    })

    test('a handshake token with a bad signature or category: 500 in development, logged in production', async () => {
      const forged = signToken(createSigningKey(key.kid), { handshake: [directive('__session', 'x')] })
      await same(options, { path: `/probe?__clerk_handshake=${forged}`, headers: document })
      const wrongCategory = signToken(key, { handshake: [] }, { cat: 'cl_other' })
      await same(options, { path: `/probe?__clerk_handshake=${wrongCategory}`, headers: document })
      await same(options, { path: '/probe?__clerk_handshake=not-a-jwt', headers: document })
    })

    test('an expired session in the directives: the development clock-skew retry', async () => {
      const stale = signToken(key, sessionClaims({ exp: nowSeconds() - 120, iat: nowSeconds() - 200, nbf: nowSeconds() - 200 }))
      api.state.handshakePayloads.set('nonce_stale', [directive('__session', stale)])
      await same({ ...options, withClient: true }, { path: '/probe?__clerk_handshake_nonce=nonce_stale', headers: document })
    })
  })
}
