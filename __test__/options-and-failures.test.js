'use strict'

// Differential tests for verification options, networkless jwtKey, JWKS
// failure modes, key configuration errors and requests the reference refuses.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { startPair } = require('./helpers/apps')
const { assertSameAnswer } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'
const bearer = (token, extra = {}) => ({ ...extra, headers: { ...extra.headers, authorization: `Bearer ${token}` } })

let counter = 0
const freshSecretKey = () => `sk_test_options_${++counter}_${process.pid}`

async function withPair(options, body) {
  const pair = await startPair(express, options)
  try {
    await body((request, expect) => assertSameAnswer(pair, request, expect))
  } finally {
    await pair.close()
  }
}

describe('verification options and failure modes match @clerk/express', () => {
  const key = createSigningKey()
  let api

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(() => api.close())

  test('authorizedParties: azp must be listed, a missing azp fails', async () => {
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, authorizedParties: ['http://localhost:3000', 'https://app.test'] }
    await withPair(options, async (same) => {
      await same(bearer(signToken(key, sessionClaims())), { signedIn: true })
      await same(bearer(signToken(key, sessionClaims({ azp: 'https://evil.test' }))), { reason: 'token-invalid-authorized-parties' })
      await same(bearer(signToken(key, sessionClaims({ azp: undefined }))), { reason: 'token-invalid-authorized-parties' })
    })
  })

  test('audience: checked only when both sides are set; strings and arrays', async () => {
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, audience: ['api://a', 'api://b'] }
    await withPair(options, async (same) => {
      await same(bearer(signToken(key, sessionClaims())), { signedIn: true })
      await same(bearer(signToken(key, sessionClaims({ aud: 'api://b' }))), { signedIn: true })
      await same(bearer(signToken(key, sessionClaims({ aud: 'api://c' }))), { reason: 'token-verification-failed' })
      await same(bearer(signToken(key, sessionClaims({ aud: ['api://c', 'api://a'] }))), { signedIn: true })
      await same(bearer(signToken(key, sessionClaims({ aud: ['api://c'] }))), { reason: 'token-verification-failed' })
      await same(bearer(signToken(key, sessionClaims({ aud: 7 }))), { signedIn: true })
    })
  })

  test('issuer: enforced only when configured', async () => {
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, issuer: 'https://clerk.example.com' }
    await withPair(options, async (same) => {
      await same(bearer(signToken(key, sessionClaims())), { signedIn: true })
      await same(bearer(signToken(key, sessionClaims({ iss: 'https://clerk.evil.test' }))), { reason: 'token-invalid-issuer' })
      await same(bearer(signToken(key, sessionClaims({ iss: undefined }))), { reason: 'token-invalid-issuer' })
    })
  })

  test('clockSkewInMs and headerType options', async () => {
    const now = nowSeconds()
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, clockSkewInMs: 0, headerType: ['JWT', 'custom'] }
    await withPair(options, async (same) => {
      await same(bearer(signToken(key, sessionClaims({ exp: now - 2 }))), { reason: 'session-token-expired-refresh-non-eligible-no-refresh-cookie' })
      await same(bearer(signToken(key, sessionClaims(), { typ: 'custom' })), { signedIn: true })
      await same(bearer(signToken(key, sessionClaims(), { typ: undefined })), { reason: 'token-invalid' })
    })
    await withPair({ ...options, clockSkewInMs: Number.NaN, headerType: undefined }, async (same) => {
      await same(bearer(signToken(key, sessionClaims({ exp: now - 2 }))), { signedIn: true })
    })
  })

  test('jwtKey: networkless verification for any kid; a wrong key fails the signature', async () => {
    const before = api.state.requests.length
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, jwtKey: key.pem, apiUrl: api.url }
    await withPair(options, async (same) => {
      await same(bearer(signToken(key, sessionClaims())), { signedIn: true })
      await same(bearer(signToken({ ...key, kid: 'any-other-kid' }, sessionClaims())), { signedIn: true })
      await same(bearer(signToken(createSigningKey(), sessionClaims())), { reason: 'token-invalid-signature' })
      await same(bearer(signToken(key, sessionClaims(), { alg: 'RS512' })), { reason: 'token-verification-failed' })
    })
    assert.equal(api.state.requests.length, before, 'jwtKey makes no network calls')
  })

  test('jwtKey that is not an RSA-2048 key fails like the reference', async () => {
    const big = createSigningKey('big', 4096)
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, jwtKey: big.pem }
    await withPair(options, async (same) => {
      await same(bearer(signToken(big, sessionClaims())))
    })
  })

  test('JWKS: empty key set, kid not found', async () => {
    const empty = await startFakeClerkApi({ keys: [] })
    try {
      await withPair({ secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: empty.url }, async (same) => {
        await same(bearer(signToken(key, sessionClaims())), { reason: 'jwk-remote-failed-to-load' })
      })
    } finally {
      await empty.close()
    }
  })

  test('JWKS: an HTML error page, an invalid secret key and a 500 (each retried 5 times)', async () => {
    const failing = await startFakeClerkApi({ keys: [key.jwk] })
    try {
      for (const [mode, reason] of [
        ['html', 'unexpected-error'],
        ['invalid-key', 'secret-key-invalid'],
        ['status-500', 'jwk-remote-failed-to-load'],
      ]) {
        failing.state.jwksMode = mode
        const start = failing.requestsTo('/v1/jwks').length
        await withPair({ secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: failing.url }, async (same) => {
          await same(bearer(signToken(key, sessionClaims())), { reason })
        })
        assert.equal(failing.requestsTo('/v1/jwks').length - start, 10, `${mode}: 5 attempts by each package`)
      }
    } finally {
      await failing.close()
    }
  })

  test('JWKS request headers are the reference ones', async () => {
    const probe = await startFakeClerkApi({ keys: [key.jwk] })
    try {
      const secretKey = freshSecretKey()
      await withPair({ secretKey, publishableKey: PK_TEST, apiUrl: probe.url }, async (same) => {
        await same(bearer(signToken(key, sessionClaims())), { signedIn: true })
      })
      const [fromReference, fromNative] = probe.requestsTo('/v1/jwks')
      for (const name of ['authorization', 'clerk-api-version', 'content-type', 'user-agent']) {
        assert.equal(fromNative.headers[name], fromReference.headers[name], name)
      }
      assert.equal(fromNative.headers.authorization, `Bearer ${secretKey}`)
      assert.equal(fromNative.headers['user-agent'], '@clerk/backend@3.25.0')
    } finally {
      await probe.close()
    }
  })

  test('missing or invalid keys answer 500 with the reference message; the pk error wins', async () => {
    const token = signToken(key, sessionClaims())
    for (const options of [
      { secretKey: freshSecretKey(), publishableKey: '' },
      { secretKey: freshSecretKey(), publishableKey: 'pk_test_bm90LWEta2V5' },
      { secretKey: freshSecretKey(), publishableKey: 'sk_test_wrongprefix' },
      { secretKey: '', publishableKey: PK_TEST },
      { secretKey: '', publishableKey: '' },
    ]) {
      await withPair({ ...options, apiUrl: api.url }, async (same) => {
        await same(bearer(token), { status: 500 })
        await same({}, { status: 500 })
      })
    }
  })

  test('production keys: no dev-browser requirement', async () => {
    await withPair({ secretKey: freshSecretKey(), publishableKey: PK_LIVE, apiUrl: api.url }, async (same) => {
      await same({}, { reason: 'session-token-and-uat-missing' })
      await same({ headers: { cookie: '__client_uat=0' } }, { reason: 'session-token-and-uat-missing' })
      await same({ headers: { cookie: '__client_uat=1700000000' } }, { reason: 'client-uat-but-no-session-token' })
      await same({ headers: { cookie: '__session=abc' } }, { reason: 'session-token-but-no-client-uat' })
      await same(bearer(signToken(key, sessionClaims())), { signedIn: true })
    })
  })

  test('development keys: dev-browser sync and missing', async () => {
    await withPair({ secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url }, async (same) => {
      await same({ path: '/probe?__clerk_db_jwt=dvb_1' }, { reason: 'dev-browser-sync' })
      await same({ headers: { cookie: '__clerk_db_jwt=dvb_1' } }, { reason: 'session-token-and-uat-missing' })
      await same({ headers: { cookie: '__clerk_db_jwt=dvb_1; __client_uat=5' } }, { reason: 'client-uat-but-no-session-token' })
    })
  })
})

describe('JWKS fetching behaviour', () => {
  const key = createSigningKey()

  test('skipJwksCache fetches on every request, the cache otherwise once', async () => {
    for (const [skipJwksCache, expectedPerPackage] of [
      [true, 3],
      [false, 1],
    ]) {
      const api = await startFakeClerkApi({ keys: [key.jwk] })
      try {
        await withPair({ secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, skipJwksCache }, async (same) => {
          for (let i = 0; i < 3; i++) await same(bearer(signToken(key, sessionClaims())), { signedIn: true })
        })
        assert.equal(api.requestsTo('/v1/jwks').length, 2 * expectedPerPackage, `skipJwksCache: ${skipJwksCache}`)
      } finally {
        await api.close()
      }
    }
  })

  test('a slow JWKS endpoint: concurrent first requests all succeed', async () => {
    const api = await startFakeClerkApi({ keys: [key.jwk] })
    api.state.delayMs = 300
    try {
      const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url }
      const app = express()
      app.use(require('..').clerkMiddleware(options))
      app.get('/', (req, res) => res.json(require('..').getAuth(req).userId))
      const { listen } = require('./helpers/apps')
      const server = await listen(app)
      try {
        const token = signToken(key, sessionClaims())
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => fetch(server.url, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())),
        )
        assert.deepEqual(answers, Array(10).fill(sessionClaims().sub))
      } finally {
        await server.close()
      }
    } finally {
      await api.close()
    }
  })
})

describe('hostile headers', () => {
  const key = createSigningKey()
  let api
  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(() => api.close())

  test('odd Authorization values and messages that are not header-safe', async () => {
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, authorizedParties: ['https://a.test'] }
    const token = signToken(key, sessionClaims())
    await withPair(options, async (same) => {
      for (const authorization of [
        `Bearer\t${token}`,
        `Bearer ${token}\u00e9`,
        'Bearer \u00ff\u00fe',
        ` Bearer ${token}`,
        `Bearer ${'a'.repeat(12000)}`,
        'Bearer ,',
        'Token',
      ]) {
        await same({ headers: { authorization } })
      }
      // azp values end up in the message: latin-1 is kept, other characters drop the header.
      await same(bearer(signToken(key, sessionClaims({ azp: 'https://\u00e9.test' }))), { reason: 'token-invalid-authorized-parties' })
      await same(bearer(signToken(key, sessionClaims({ azp: 'https://\u0101.test' }))), { reason: 'token-invalid-authorized-parties' })
      await same(bearer(signToken(key, sessionClaims({ azp: 'line\nbreak' }))), { reason: 'token-invalid-authorized-parties' })
    })
  })
})
