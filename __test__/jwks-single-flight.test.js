'use strict'

// JWKS fetching under load, counted against the fake Backend API: concurrent
// first requests share one fetch, tokens with made-up kids cannot make the
// server refetch more than once per cooldown, and `prefetchJwks` fetches at
// start-up. Outcomes are compared with @clerk/express where it decides too.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { startPair, native } = require('./helpers/apps')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

let secretKeyCounter = 0
// A fresh secret key gives a fresh JWKS cache scope.
const freshSecretKey = () => `sk_test_single_flight_${++secretKeyCounter}`

/** One request through the middleware, as Express calls it; resolves to the request's auth (or the response's status). */
function authenticateWith(middleware, token) {
  return new Promise((resolve, reject) => {
    const req = {
      method: 'GET',
      url: '/me',
      originalUrl: '/me',
      headers: { host: 'localhost:3000', authorization: `Bearer ${token}` },
      connection: {},
    }
    const res = {
      statusCode: 200,
      writableEnded: false,
      headers: {},
      appendHeader(name, value) {
        this.headers[name] = value
      },
      setHeader() {},
      status(code) {
        this.statusCode = code
        return this
      },
      end() {
        this.writableEnded = true
        resolve({ ended: this.statusCode })
      },
    }
    middleware(req, res, (err) => (err ? reject(err) : resolve({ auth: native.getAuth(req), headers: res.headers })))
  })
}

const jwksFetches = (api) => api.requestsTo('/v1/jwks').length

describe('JWKS single-flight, cooldown and prefetch', () => {
  const key = createSigningKey()
  let api

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(async () => {
    await api.close()
  })

  test('1,000 concurrent first requests cause exactly one JWKS fetch', async () => {
    const middleware = native.clerkMiddleware({ secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    const before = jwksFetches(api)
    api.state.delayMs = 100
    try {
      const token = signToken(key, sessionClaims())
      const results = await Promise.all(Array.from({ length: 1000 }, () => authenticateWith(middleware, token)))
      assert.equal(results.filter((r) => r.auth?.userId === sessionClaims().sub).length, 1000)
    } finally {
      api.state.delayMs = 0
    }
    assert.equal(jwksFetches(api) - before, 1)
  })

  test('a failing JWKS endpoint is retried once for all concurrent requests', async () => {
    const middleware = native.clerkMiddleware({ secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    const before = jwksFetches(api)
    api.state.jwksMode = 'status-500'
    try {
      const token = signToken(key, sessionClaims())
      const results = await Promise.all(Array.from({ length: 50 }, () => authenticateWith(middleware, token)))
      const reasons = new Set(results.map((r) => r.headers?.['x-clerk-auth-reason']))
      assert.deepEqual([...reasons], ['jwk-remote-failed-to-load'])
      assert.ok(results.every((r) => r.auth.userId === null))
    } finally {
      api.state.jwksMode = 'ok'
    }
    // One fetch with its retries (5 attempts), not one per request.
    assert.equal(jwksFetches(api) - before, 5)
  })

  test('tokens with made-up kids refetch the JWKS at most once per cooldown, and decide as the reference', async () => {
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url }
    const middleware = native.clerkMiddleware(options)
    const token = signToken(key, sessionClaims())
    assert.equal((await authenticateWith(middleware, token)).auth.userId, sessionClaims().sub)
    const warm = jwksFetches(api)

    const stranger = createSigningKey()
    const garbage = (i) => signToken(stranger, sessionClaims(), { kid: `made_up_${i}` })
    // Signed up front: the whole burst must fit in one cooldown (5 s).
    const tokens = Array.from({ length: 250 }, (_, i) => garbage(i))
    const sequential = []
    for (const t of tokens.slice(0, 50)) sequential.push(await authenticateWith(middleware, t))
    const concurrent = await Promise.all(tokens.slice(50).map((t) => authenticateWith(middleware, t)))
    for (const result of [...sequential, ...concurrent]) {
      assert.equal(result.auth.userId, null)
      assert.equal(result.headers['x-clerk-auth-reason'], 'jwk-kid-mismatch')
    }
    assert.equal(jwksFetches(api) - warm, 1, 'one refetch for 250 unknown kids')
    // Known kids are unaffected.
    assert.equal((await authenticateWith(middleware, token)).auth.userId, sessionClaims().sub)
    assert.equal(jwksFetches(api) - warm, 1)

    // The answer for an unknown kid is the reference's (which refetches every time).
    const pair = await startPair(express, options)
    try {
      const { reference, native: ours } = await pair.send({ headers: { authorization: `Bearer ${garbage(999)}` } })
      assert.deepEqual(ours, reference)
      assert.equal(reference.clerkHeaders['x-clerk-auth-reason'], 'jwk-kid-mismatch')
    } finally {
      await pair.close()
    }
  })

  test('prefetchJwks: true fetches the keys when the middleware is created', async () => {
    const options = { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, prefetchJwks: true }
    const before = jwksFetches(api)
    const middleware = native.clerkMiddleware(options)
    for (let waited = 0; jwksFetches(api) === before && waited < 5000; waited += 10) await sleep(10)
    assert.equal(jwksFetches(api) - before, 1)
    // Fresh keys are not fetched again, by a second middleware or by requests.
    native.clerkMiddleware(options)
    assert.equal((await authenticateWith(middleware, signToken(key, sessionClaims()))).auth.userId, sessionClaims().sub)
    await sleep(50)
    assert.equal(jwksFetches(api) - before, 1)
  })

  test('prefetchJwks does nothing with a jwtKey (no network needed)', async () => {
    const before = jwksFetches(api)
    const middleware = native.clerkMiddleware({ secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, jwtKey: key.pem, prefetchJwks: true })
    await sleep(50)
    assert.equal((await authenticateWith(middleware, signToken(key, sessionClaims()))).auth.userId, sessionClaims().sub)
    assert.equal(jwksFetches(api), before)
  })
})
