'use strict'

// Browser sessions are answered from a lease once their cookie sign-in has
// been verified (lib/leases.js, crates/core/src/authenticate/dispatch.rs
// `sign_in_lease`): only a request with the same method, URL, cookies,
// Sec-Fetch-Dest and Referer, within 5 s, while the keys are unchanged and
// the session token stays valid for the whole lease. Each answer is compared
// with @clerk/express's, which has no such lease.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { startPair } = require('./helpers/apps')
const { assertSameAnswer } = require('./helpers/same-answer')
const { speedUp } = require('../lib/speed-ups')
const { authenticatorCallsDuring } = require('./helpers/count-calls')

// These tests count the addon's browser-session questions (lib/speed-ups.js).
const counting = { skip: !(speedUp('browser-session-call') && speedUp('cookie-lease')) && 'browser-session-call or cookie-lease is off' }

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

let secretKeyCounter = 0
// A fresh secret key gives a fresh JWKS cache scope in both packages.
const freshSecretKey = () => `sk_test_cookie_leases_${++secretKeyCounter}`

/** A development browser's cookies for this session token. */
function browserCookies(token, iat) {
  return `__clerk_db_jwt=dvb_cookie_leases; __client_uat=${iat - 1}; __session=${token}`
}

const userIdOf = (answer) => answer.body?.auth?.json?.userId ?? null
const reasonOf = (answer) => answer.clerkHeaders['x-clerk-auth-reason']

const cookieCallsDuring = (fn) => authenticatorCallsDuring('authenticateBrowserSession', fn)

describe('cookie sessions answered from leases: same decisions as @clerk/express', () => {
  const key = createSigningKey()
  let api
  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(() => api.close())

  test('a repeated browser request is answered from the lease, with the same answer', counting, async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    try {
      const iat = nowSeconds() - 5
      const request = { headers: { cookie: browserCookies(signToken(key, sessionClaims({ iat })), iat) } }
      // The first request fetches the keys; the second is a cache hit, which comes with the lease.
      for (let i = 0; i < 2; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      const calls = await cookieCallsDuring(async () => {
        for (let i = 0; i < 4; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      })
      assert.equal(calls, 0, 'the addon was not asked again')
    } finally {
      await pair.close()
    }
  })

  test('the same cookies with other request facts are decided afresh', counting, async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    try {
      const iat = nowSeconds() - 5
      const cookie = browserCookies(signToken(key, sessionClaims({ iat })), iat)
      for (let i = 0; i < 2; i++) assert.equal(userIdOf(await assertSameAnswer(pair, { headers: { cookie } })), sessionClaims().sub)
      const variants = [
        { path: '/other', headers: { cookie } },
        { method: 'POST', headers: { cookie } },
        { path: '/probe?__clerk_db_jwt=dvb_other', headers: { cookie } },
        { headers: { cookie, 'sec-fetch-dest': 'document', host: 'app.example.com' } },
        { headers: { cookie, 'sec-fetch-dest': 'document', host: 'app.example.com', referer: 'https://satellite.example.org/page' } },
      ]
      const calls = await cookieCallsDuring(async () => {
        for (const variant of variants) await assertSameAnswer(pair, variant)
      })
      assert.ok(calls >= 3, `the addon decided the variants itself (${calls} calls)`)
      const crossOrigin = await assertSameAnswer(pair, variants[4])
      assert.equal(crossOrigin.status, 307, 'a cross-origin document request still goes through the handshake')
      assert.equal(reasonOf(await assertSameAnswer(pair, variants[2])), 'dev-browser-sync')
    } finally {
      await pair.close()
    }
  })

  test('requests with very long facts are decided every time, not leased', counting, async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    try {
      const iat = nowSeconds() - 5
      const request = { path: `/probe?q=${'x'.repeat(5000)}`, headers: { cookie: browserCookies(signToken(key, sessionClaims({ iat })), iat) } }
      for (let i = 0; i < 2; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      const calls = await cookieCallsDuring(async () => {
        for (let i = 0; i < 3; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      })
      assert.equal(calls, 3, 'each request asked the addon')
    } finally {
      await pair.close()
    }
  })

  test('a leased session is still refused once its token expires', async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, clockSkewInMs: 0 })
    try {
      // A lease lasts 5 s and is only taken while the token stays valid for all of it.
      const iat = nowSeconds() - 5
      const exp = nowSeconds() + 7
      const request = { headers: { cookie: browserCookies(signToken(key, sessionClaims({ iat, exp })), iat) } }
      for (let i = 0; i < 4; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      await sleep(exp * 1000 - Date.now() + 100)
      const expired = await assertSameAnswer(pair, request)
      assert.equal(userIdOf(expired), null)
      assert.match(reasonOf(expired), /expired/)
    } finally {
      await pair.close()
    }
  })

  test('cookies that end like leased ones but carry another token are not answered from the lease', async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    try {
      const iat = nowSeconds() - 5
      const token = signToken(key, sessionClaims({ iat }))
      const request = { headers: { cookie: browserCookies(token, iat) } }
      for (let i = 0; i < 3; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      const [header, , signature] = token.split('.')
      const otherClaims = Buffer.from(JSON.stringify(sessionClaims({ iat, sub: 'user_impostor' }))).toString('base64url')
      const tampered = await assertSameAnswer(pair, { headers: { cookie: browserCookies(`${header}.${otherClaims}.${signature}`, iat) } })
      assert.equal(userIdOf(tampered), null)
      assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
    } finally {
      await pair.close()
    }
  })

  test('a key replaced in the JWKS stops the sessions it signed at the next refresh', async () => {
    const original = createSigningKey('ins_cookie_rotated')
    const replacement = createSigningKey('ins_cookie_rotated')
    const newcomer = createSigningKey('ins_cookie_newcomer')
    const rotating = await startFakeClerkApi({ keys: [original.jwk] })
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: rotating.url })
    try {
      const iat = nowSeconds() - 5
      const request = { headers: { cookie: browserCookies(signToken(original, sessionClaims({ iat })), iat) } }
      for (let i = 0; i < 3; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      // A token with an unknown kid makes both packages refetch the JWKS, which replaces the kid's key.
      rotating.state.keys = [replacement.jwk, newcomer.jwk]
      const bearer = { headers: { authorization: `Bearer ${signToken(newcomer, sessionClaims())}` } }
      assert.equal(userIdOf(await assertSameAnswer(pair, bearer)), sessionClaims().sub)
      const stopped = await assertSameAnswer(pair, request)
      assert.equal(userIdOf(stopped), null)
    } finally {
      await pair.close()
      await rotating.close()
    }
  })

  test('sessionTokenCache: false takes no lease and decides the same', counting, async () => {
    const pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url, sessionTokenCache: false })
    try {
      const iat = nowSeconds() - 5
      const request = { headers: { cookie: browserCookies(signToken(key, sessionClaims({ iat })), iat) } }
      await assertSameAnswer(pair, request)
      const calls = await cookieCallsDuring(async () => {
        for (let i = 0; i < 3; i++) assert.equal(userIdOf(await assertSameAnswer(pair, request)), sessionClaims().sub)
      })
      assert.equal(calls, 3, 'every request is decided by the addon')
    } finally {
      await pair.close()
    }
  })
})
