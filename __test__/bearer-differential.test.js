'use strict'

// Differential tests: every request goes through @clerk/express 2.1.70 and
// through this package, configured alike against the same fake Clerk API.
// Status, x-clerk-auth-* headers and the auth objects (keys, JSON, `has()`
// answers, getToken) must be identical. Checklist section 11, P0 items.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express5 = require('express')
const { HARDENED } = require('./helpers/hardened')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds, b64url } = require('./helpers/tokens')
const { startPair } = require('./helpers/apps')
const { assertSameAnswer, assertSameAnswers } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'

const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } })

// Express 4 cannot load where code generation is refused (see helpers/hardened.js).
const EXPRESS_VERSIONS = HARDENED ? [['express 5', express5]] : [['express 5', express5], ['express 4', require('express4')]]

for (const [expressName, express] of EXPRESS_VERSIONS) {
  describe(`bearer tokens, same outcome as @clerk/express (${expressName})`, () => {
    const key = createSigningKey()
    const otherKey = createSigningKey()
    const rs384Key = { ...key }
    let api
    let pair
    let secretKeyCounter = 0
    // A fresh secret key gives a fresh JWKS cache scope in both packages.
    const freshSecretKey = () => `sk_test_${expressName.replace(' ', '')}_${++secretKeyCounter}`

    before(async () => {
      api = await startFakeClerkApi({ keys: [key.jwk] })
      pair = await startPair(express, { secretKey: freshSecretKey(), publishableKey: PK_TEST, apiUrl: api.url })
    })
    after(async () => {
      await pair.close()
      await api.close()
    })

    test('a valid session token signs in, with every auth field and has() answer', async () => {
      const answer = await assertSameAnswer(pair, bearer(signToken(key, sessionClaims())), { userId: sessionClaims().sub })
      assert.deepEqual(answer.clerkHeaders, {})
    })

    test('without a token: signed out, dev-browser-missing on a development key', async () => {
      await assertSameAnswer(pair, {}, { reason: 'dev-browser-missing' })
    })

    test('Authorization parsing: bare token, "Bearer" alone, other schemes, double space', async () => {
      const token = signToken(key, sessionClaims())
      await assertSameAnswer(pair, { headers: { authorization: token } }, { userId: sessionClaims().sub })
      await assertSameAnswer(pair, { headers: { authorization: 'Bearer' } }, { reason: 'token-invalid' })
      await assertSameAnswer(pair, { headers: { authorization: `bearer ${token}` } }, { reason: 'dev-browser-missing' })
      await assertSameAnswer(pair, { headers: { authorization: `Basic ${token}` } }, { reason: 'dev-browser-missing' })
      await assertSameAnswer(pair, { headers: { authorization: `Bearer  ${token}` } }, { reason: 'token-invalid' })
      await assertSameAnswer(pair, { headers: { authorization: `Bearer ${token} trailing` } }, { userId: sessionClaims().sub })
    })

    test('time claims: expired (GET and POST), not yet valid, issued in the future, inside the skew', async () => {
      const now = nowSeconds()
      const expired = signToken(key, sessionClaims({ exp: now - 60 }))
      await assertSameAnswer(pair, bearer(expired), { reason: 'session-token-expired-refresh-non-eligible-no-refresh-cookie' })
      await assertSameAnswer(pair, { ...bearer(expired), method: 'POST' }, { reason: 'session-token-expired-refresh-non-eligible-non-get' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ nbf: now + 60 }))), { reason: 'session-token-nbf' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ iat: now + 60 }))), { reason: 'session-token-iat-in-the-future' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ exp: now - 2 }))), { userId: sessionClaims().sub })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ exp: '1' }))), { reason: 'token-verification-failed' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ nbf: null }))), { reason: 'token-verification-failed' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ exp: 1e13 }))), { userId: sessionClaims().sub })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ exp: now + 100.9, iat: now - 0.5 }))))
    })

    test('header checks: typ, alg, and the order typ → alg → signature', async () => {
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { typ: 'jwt' })), { reason: 'token-invalid' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { typ: undefined })), { userId: sessionClaims().sub })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { alg: 'HS256' })), { reason: 'token-invalid-algorithm' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { alg: 'none' })), { reason: 'token-invalid-algorithm' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { typ: 'x', alg: 'none' })), { reason: 'token-invalid' })
      await assertSameAnswer(pair, bearer(signToken(rs384Key, sessionClaims(), { alg: 'RS384' })), { reason: 'token-verification-failed' })
    })

    test('signatures: tampered payload, wrong key, unknown kid', async () => {
      const [h, , s] = signToken(key, sessionClaims()).split('.')
      const tampered = `${h}.${b64url(JSON.stringify(sessionClaims({ sub: 'user_evil' })))}.${s}`
      await assertSameAnswer(pair, bearer(tampered), { reason: 'token-invalid-signature' })
      await assertSameAnswer(pair, bearer(signToken({ ...otherKey, kid: key.kid }, sessionClaims())), { reason: 'token-invalid-signature' })
      await assertSameAnswer(pair, bearer(signToken(otherKey, sessionClaims())), { reason: 'jwk-kid-mismatch' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { kid: undefined })), { reason: 'jwk-kid-mismatch' })
    })

    test('claims: sub required, token categories', async () => {
      const { sub: _sub, ...withoutSub } = sessionClaims()
      await assertSameAnswer(pair, bearer(signToken(key, withoutSub)), { reason: 'token-verification-failed' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ sub: 42 }))), { reason: 'token-verification-failed' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { cat: 'cl_other' })), { reason: 'token-type-mismatch' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { cat: 'cl_B7d4PD333AAA' })), { reason: 'token-type-mismatch' })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { cat: 'cl_B7d4PD111AAA' })), { userId: sessionClaims().sub })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims(), { cat: 'cl_I7d4PD111III' })), { userId: sessionClaims().sub })
    })

    test('organization claims (v1 and v2), actor, pending sessions, reverification', async () => {
      const v2 = sessionClaims({
        o: { id: 'org_1', slg: 'acme', rol: 'admin', per: 'manage,read', fpm: '3,1' },
        fea: 'o:dashboard,o:billing,u:profile',
        pla: 'u:pro',
        act: { sub: 'user_admin' },
        fva: [5, -1],
      })
      await assertSameAnswer(pair, bearer(signToken(key, v2)), { userId: v2.sub })
      const v1 = sessionClaims({ v: undefined, org_id: 'org_2', org_role: 'org:member', org_slug: 'beta', org_permissions: ['org:dashboard:read'] })
      await assertSameAnswer(pair, bearer(signToken(key, v1)), { userId: v1.sub })
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ sts: 'pending' }))))
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ o: { id: 'org_1' }, fea: 'nocolon' }))))
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ fva: [20, 3] }))))
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims({ fva: 'bad' }))))
    })

    test('malformed and hostile tokens are signed out with the same reason, never a crash', async () => {
      const valid = signToken(key, sessionClaims())
      const [h, p, s] = valid.split('.')
      const cases = [
        'a.b.c',
        'a.b',
        'a.b.c.d',
        '...',
        `${h}.${p}`,
        `${h}.${p}.${s}+`,
        `${h}.${p}.${s}==`,
        `${h}.${p}.${s}x`,
        `+${h.slice(1)}.${p}.${s}`,
        `${b64url('null')}.${p}.${s}`,
        `${b64url('"str"')}.${p}.${s}`,
        `${h}.${b64url('null')}.${s}`,
        `${h}.${b64url('[1,2]')}.${s}`,
        `${h}.${b64url('\u00ff\u00fe{')}.${s}`,
        `${b64url('\ufeff{"alg":"RS256","kid":"' + key.kid + '"}')}.${p}.${s}`,
        'x'.repeat(6000),
        `${h}.${'A'.repeat(6000)}.${s}`,
        '\u00e9t\u00e9',
      ]
      for (const token of cases) {
        const request = bearer(token)
        const { reference, native } = await pair.send(request)
        assertSameAnswers(native, reference, `token ${JSON.stringify(token.slice(0, 60))}`)
        // Trailing padding is tolerated: that token is the valid one.
        if (!token.endsWith('==')) assert.notEqual(reference.body?.auth?.json?.isAuthenticated, true, token.slice(0, 80))
      }
    })

    test('getToken with a template goes through the Backend API', async () => {
      // The probe calls getToken() without options; a template call is
      // checked directly on both auth objects.
      await assertSameAnswer(pair, bearer(signToken(key, sessionClaims())))
    })
  })
}
