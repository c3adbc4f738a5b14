'use strict'

// The verified-token cache never changes an authentication decision: each
// request goes through @clerk/express (no cache) and through this package
// (cache on, the default), and the answers must be identical, including
// when the cached verification no longer holds (expired, other options,
// replaced keys).

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { startPair, native } = require('./helpers/apps')
const { assertSameAnswer } = require('./helpers/same-answer')
const { speedUp } = require('../lib/speed-ups')
const { authenticatorCallsDuring } = require('./helpers/count-calls')
const binding = require('../lib/native')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } })
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

let secretKeyCounter = 0
// A fresh secret key gives a fresh JWKS cache scope in both packages.
const freshSecretKey = () => `sk_test_token_cache_${++secretKeyCounter}`

const userIdOf = (answer) => answer.body.auth.json.userId
const reasonOf = (answer) => answer.clerkHeaders['x-clerk-auth-reason']

const bearerCallsDuring = (fn) => authenticatorCallsDuring('authenticateBearer', fn)

describe('verified-token cache: same decisions as @clerk/express', () => {
  const key = createSigningKey()
  let api

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(async () => {
    await api.close()
  })

  test('an expired token is rejected even when it was cached', async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, clockSkewInMs: 0 })
    try {
      const exp = nowSeconds() + 2
      const token = signToken(key, sessionClaims({ exp }))
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub, 'served from the cache')
      await sleep(exp * 1000 - Date.now() + 100)
      const expired = await assertSameAnswer(pair, bearer(token))
      assert.equal(userIdOf(expired), null)
      assert.equal(reasonOf(expired), 'session-token-expired-refresh-non-eligible-no-refresh-cookie')
    } finally {
      await pair.close()
    }
  })

  test('a token answered from a lease (exp far enough away) is still rejected once expired', async () => {
    // A lease lasts 5 s and is only taken while the token stays valid for all of it.
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, clockSkewInMs: 0 })
    try {
      const exp = nowSeconds() + 7
      const token = signToken(key, sessionClaims({ exp }))
      for (let i = 0; i < 4; i++) assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)
      await sleep(exp * 1000 - Date.now() + 100)
      const expired = await assertSameAnswer(pair, bearer(token))
      assert.equal(reasonOf(expired), 'session-token-expired-refresh-non-eligible-no-refresh-cookie')
    } finally {
      await pair.close()
    }
  })

  test('a token that ends like a leased one (same signature, other claims) is not answered from the lease', async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    try {
      const token = signToken(key, sessionClaims())
      for (let i = 0; i < 3; i++) assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)
      const [header, , signature] = token.split('.')
      const otherClaims = Buffer.from(JSON.stringify(sessionClaims({ sub: 'user_impostor' }))).toString('base64url')
      const tampered = await assertSameAnswer(pair, bearer(`${header}.${otherClaims}.${signature}`))
      assert.equal(userIdOf(tampered), null)
      assert.equal(reasonOf(tampered), 'token-invalid-signature')
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)
    } finally {
      await pair.close()
    }
  })

  test('the clock skew of each request decides, not the one the token was cached under', async () => {
    const secretKey = freshSecretKey()
    const lenient = await startPair(express, { secretKey, publishableKey: PK_TEST, apiUrl: api.url, clockSkewInMs: 60_000 })
    const strict = await startPair(express, { secretKey, publishableKey: PK_TEST, apiUrl: api.url, clockSkewInMs: 0 })
    try {
      const exp = nowSeconds() + 2
      const token = signToken(key, sessionClaims({ exp }))
      assert.equal(userIdOf(await assertSameAnswer(lenient, bearer(token))), sessionClaims().sub)
      assert.equal(userIdOf(await assertSameAnswer(strict, bearer(token))), sessionClaims().sub)
      await sleep(exp * 1000 - Date.now() + 100)
      assert.equal(userIdOf(await assertSameAnswer(lenient, bearer(token))), sessionClaims().sub)
      assert.equal(reasonOf(await assertSameAnswer(strict, bearer(token))), 'session-token-expired-refresh-non-eligible-no-refresh-cookie')
    } finally {
      await Promise.all([lenient.close(), strict.close()])
    }
  })

  test('a token cached under one authorizedParties is not accepted under another', async () => {
    const secretKey = freshSecretKey()
    const options = { secretKey, publishableKey: PK_TEST, apiUrl: api.url }
    const allowed = await startPair(express, { ...options, authorizedParties: ['http://localhost:3000'] })
    const other = await startPair(express, { ...options, authorizedParties: ['https://other.example'] })
    try {
      const token = signToken(key, sessionClaims({ azp: 'http://localhost:3000' }))
      assert.equal(userIdOf(await assertSameAnswer(allowed, bearer(token))), sessionClaims().sub)
      const refused = await assertSameAnswer(other, bearer(token))
      assert.equal(userIdOf(refused), null)
      assert.equal(reasonOf(refused), 'token-invalid-authorized-parties')
      assert.equal(userIdOf(await assertSameAnswer(allowed, bearer(token))), sessionClaims().sub)
    } finally {
      await Promise.all([allowed.close(), other.close()])
    }
  })

  test('a key replaced in the JWKS stops the tokens it signed at the next refresh', async () => {
    const original = createSigningKey('ins_rotated')
    const replacement = createSigningKey('ins_rotated')
    const newcomer = createSigningKey('ins_newcomer')
    const rotating = await startFakeClerkApi({ keys: [original.jwk] })
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: rotating.url })
    try {
      const token = signToken(original, sessionClaims())
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)

      // Same kid, other key material; a token with an unknown kid makes both
      // packages refetch the JWKS, which replaces the kid's key.
      rotating.state.keys = [replacement.jwk, newcomer.jwk]
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer(signToken(newcomer, sessionClaims())))), sessionClaims().sub)
      const stopped = await assertSameAnswer(pair, bearer(token))
      assert.equal(userIdOf(stopped), null)
      assert.equal(reasonOf(stopped), 'token-invalid-signature')
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer(signToken(replacement, sessionClaims())))), sessionClaims().sub)
      // Two fetches per package: the first request and the unknown kid.
      assert.equal(rotating.requestsTo('/v1/jwks').length, 4)
    } finally {
      await pair.close()
      await rotating.close()
    }
  })

  test('a repeated bearer token is answered from its lease: the addon is asked once', { skip: !speedUp('bearer-lease') && 'bearer-lease is off' }, async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    try {
      const token = signToken(key, sessionClaims())
      const calls = await bearerCallsDuring(async () => {
        for (let i = 0; i < 5; i++) assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)
      })
      // The first request fetches the keys (the bearer question says "ask the
      // general question"); the second verifies from memory and takes the lease.
      assert.equal(calls, 2)
    } finally {
      await pair.close()
    }
  })

  test('the keys epoch the leases check moves with every key fetch', async () => {
    const before = binding.keysEpoch()
    const claims = await native.verifyToken(signToken(key, sessionClaims()), { secretKey: freshSecretKey(), apiUrl: api.url })
    assert.equal(claims.sub, sessionClaims().sub)
    assert.ok(binding.keysEpoch() > before, 'a fetch into a new cache scope moved the epoch')
  })

  test('verifyToken uses the same rules', async () => {
    const options = { secretKey: freshSecretKey(), apiUrl: api.url, clockSkewInMs: 0 }
    const exp = nowSeconds() + 2
    const token = signToken(key, sessionClaims({ exp }))
    assert.equal((await native.verifyToken(token, options)).sub, sessionClaims().sub)
    assert.equal((await native.verifyToken(token, options)).sub, sessionClaims().sub)
    await assert.rejects(native.verifyToken(token, { ...options, authorizedParties: ['https://other.example'] }), {
      reason: 'token-invalid-authorized-parties',
    })
    await sleep(exp * 1000 - Date.now() + 100)
    await assert.rejects(native.verifyToken(token, options), { reason: 'token-expired' })
  })

  test('sessionTokenCache: false verifies every request and decides the same', async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, sessionTokenCache: false })
    try {
      const token = signToken(key, sessionClaims())
      for (let i = 0; i < 3; i++) assert.equal(userIdOf(await assertSameAnswer(pair, bearer(token))), sessionClaims().sub)
    } finally {
      await pair.close()
    }
  })
})

describe('claims copies', () => {
  const { parseClaims } = require('../lib/claims')

  test('are what JSON.parse gives, a fresh object each time', () => {
    const texts = [
      JSON.stringify(sessionClaims()),
      '{"b":1,"a":2,"10":"x","2":"y","__proto__":{"polluted":true},"nested":{"list":[1,"two",{"three":[3]}],"empty":{}},"n":null,"t":true,"f":-1.5e-7,"u":"\\u00e9\\ud83d\\ude00"}',
      '{}',
      // Odd key names, integer keys, nesting.
      '{"b":1,"a":2,"10":"x","2":"y","q\\"uote":"k","back\\\\slash":2,"line\\u2028sep":3,"nested":{"list":[1,{"x":[2]}]},"n":null}',
    ]
    for (const text of texts) {
      // Seen once (a plain parse), then a kept parse copied, twice.
      for (let i = 0; i < 3; i++) {
        const copy = parseClaims(text)
        const parsed = JSON.parse(text)
        assert.deepEqual(copy, parsed)
        assert.deepEqual(Object.keys(copy), Object.keys(parsed))
        assert.equal(JSON.stringify(copy), JSON.stringify(parsed))
        assert.equal(Object.getPrototypeOf(copy), Object.prototype)
      }
    }
    // Texts that end alike (the same last 64 characters) never get each other's claims.
    const ending = `"sid":"sess_${'x'.repeat(40)}","sub":"user_same_ending","v":2}`
    const alike = [`{"exp":1,"jti":"a",${ending}`, `{"exp":2,"jti":"b",${ending}`]
    for (let i = 0; i < 6; i++) assert.deepEqual(parseClaims(alike[i % 2]), JSON.parse(alike[i % 2]))
    for (let i = 0; i < 3; i++) assert.deepEqual(parseClaims(alike[0]), JSON.parse(alike[0]))
    const unseen = '{"sub":"user_unseen","nested":{"list":[1]}}'
    const firstSight = parseClaims(unseen)
    firstSight.nested.list.push('mutated')
    firstSight.sub = 'changed'
    for (let i = 0; i < 2; i++) assert.deepEqual(parseClaims(unseen), JSON.parse(unseen), 'the first parse is not the one kept')
    const first = parseClaims(texts[1])
    first.nested.list.push('mutated')
    first.added = 1
    assert.deepEqual(parseClaims(texts[1]), JSON.parse(texts[1]), 'a request changing its claims does not change the next one')
    assert.equal(Object.prototype.polluted, undefined)
    // An enumerable object on Object.prototype does not become an own property of the copy.
    Object.prototype.inherited = { x: 1 }
    try {
      const copy = parseClaims(texts[1])
      assert.equal(Object.hasOwn(copy, 'inherited'), false)
      assert.equal(Object.hasOwn(copy.nested, 'inherited'), false)
    } finally {
      delete Object.prototype.inherited
    }
    const compiled = parseClaims(texts[3])
    compiled.nested.list[1].x.push('mutated')
    compiled.b = 'changed'
    assert.deepEqual(parseClaims(texts[3]), JSON.parse(texts[3]), 'the same with odd keys and deep nesting')
  })
})
