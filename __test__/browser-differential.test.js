'use strict'

// Browser requests (no Authorization header) through @clerk/express and this
// package: the cookie path in its step order, handshake redirects (status,
// location, cache-control, redirect-count cookie), loop protection, suffixed
// cookies and cross-origin referers. Checklist items 31-38, 43, 45, 47, 49.

const { test, describe, before, after } = require('node:test')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { startPair } = require('./helpers/apps')
const { assertSameAnswer } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'
const SUFFIX_TEST = 'l2OS3d9k'

const DOCUMENT = { 'sec-fetch-dest': 'document', host: 'app.example.com' }
const cookie = (pairs) => Object.entries(pairs).map(([k, v]) => `${k}=${v}`).join('; ')

for (const [instance, publishableKey] of [
  ['development', PK_TEST],
  ['production', PK_LIVE],
]) {
  describe(`browser requests on a ${instance} instance match @clerk/express`, () => {
    const key = createSigningKey()
    let api
    let pair
    const dev = instance === 'development' ? { __clerk_db_jwt: 'dvb_123' } : {}

    before(async () => {
      api = await startFakeClerkApi({ keys: [key.jwk] })
      pair = await startPair(express, { secretKey: `sk_test_browser_${instance}`, publishableKey, apiUrl: api.url })
    })
    after(async () => {
      await pair.close()
      await api.close()
    })

    const same = (request, expect) => assertSameAnswer(pair, request, expect)

    test('no cookies: handshake for documents and HTML, signed-out for API calls', async () => {
      const reason = instance === 'development' ? 'dev-browser-missing' : 'session-token-and-uat-missing'
      await same({ headers: DOCUMENT }, { reason })
      await same({ path: '/probe?x=1&y=a%20b', headers: { host: 'app.example.com', accept: 'text/html,application/xhtml+xml' } }, { reason })
      await same({ headers: { ...DOCUMENT, 'sec-fetch-dest': 'empty' } }, { reason })
      await same({ method: 'POST', headers: DOCUMENT }, { reason })
      await same({ method: 'HEAD', headers: DOCUMENT })
      await same({ headers: { 'sec-fetch-dest': 'iframe', 'x-forwarded-host': 'public.example.com, inner', 'x-forwarded-proto': 'https' } })
    })

    test('redirect counts 0-4: only exactly 3 stops the loop', async () => {
      for (const count of ['0', '1', '2', '3', '4', 'x']) {
        await same({ headers: { ...DOCUMENT, cookie: cookie({ __clerk_redirect_count: count, __client_uat: '5', ...dev }) } })
      }
    })

    test('valid session cookie with client_uat signs in; the iat/client_uat rule', async () => {
      const claims = sessionClaims({ iss: 'https://clerk.example.com' })
      const session = signToken(key, claims)
      await same({ headers: { ...DOCUMENT, cookie: cookie({ __session: session, __client_uat: String(claims.iat - 10), ...dev }) } })
      await same({ headers: { ...DOCUMENT, cookie: cookie({ __session: session, __client_uat: String(claims.iat + 10), ...dev }) } }, {
        reason: 'session-token-iat-before-client-uat',
      })
      await same({ headers: { cookie: cookie({ __session: session, __client_uat: String(claims.iat + 10), ...dev }) } })
      await same({ headers: { ...DOCUMENT, cookie: cookie({ __session: session, ...dev }) } }, { reason: 'session-token-but-no-client-uat' })
      await same({ headers: { ...DOCUMENT, cookie: cookie({ __client_uat: '5', ...dev }) } }, { reason: 'client-uat-but-no-session-token' })
      await same({ headers: { ...DOCUMENT, cookie: cookie({ __client_uat: '0', ...dev }) } })
    })

    test('bad session cookies: expired, not yet valid, bad signature, malformed, machine', async () => {
      const now = nowSeconds()
      const base = { __client_uat: String(now - 100), ...dev }
      for (const session of [
        signToken(key, sessionClaims({ exp: now - 60 })),
        signToken(key, sessionClaims({ nbf: now + 60 })),
        signToken(createSigningKey(key.kid), sessionClaims()),
        'not.a.jwt',
        'garbage',
        signToken(key, sessionClaims(), { cat: 'cl_other' }),
        signToken(key, sessionClaims({ sub: 'mch_1' })),
      ]) {
        await same({ headers: { ...DOCUMENT, cookie: cookie({ ...base, __session: session }) } })
        await same({ headers: { cookie: cookie({ ...base, __session: session }) } })
      }
      const expired = signToken(key, sessionClaims({ exp: now - 60 }))
      await same({ method: 'POST', headers: { ...DOCUMENT, cookie: cookie({ ...base, __session: expired }) } })
    })

    test('suffixed cookies are chosen by the reference rules', async () => {
      const claims = sessionClaims({ iss: 'https://clerk.example.com' })
      const session = signToken(key, claims)
      const other = signToken(key, sessionClaims({ iss: 'https://clerk.other.test' }))
      const suffix = instance === 'development' ? SUFFIX_TEST : 'unused'
      const live = instance === 'production'
      for (const jar of [
        { [`__session_${suffix}`]: session, [`__client_uat_${suffix}`]: String(claims.iat - 1) },
        { __session: other, [`__session_${suffix}`]: session, [`__client_uat_${suffix}`]: String(claims.iat - 1) },
        { __session: session, __client_uat: '0', [`__client_uat_${suffix}`]: String(claims.iat - 1) },
        { [`__session_${suffix}`]: session },
        { __session: 'garbage', __client_uat: '5' },
      ]) {
        if (live && jar[`__session_${suffix}`]) continue
        await same({ headers: { ...DOCUMENT, cookie: cookie({ ...jar, ...dev }) } })
      }
    })

    test('cross-origin referers on documents force a handshake unless they are Clerk', async () => {
      const claims = sessionClaims()
      const jar = cookie({ __session: signToken(key, claims), __client_uat: String(claims.iat - 10), ...dev })
      for (const referer of ['https://satellite.test/page', 'https://clerk.example.com/x', 'https://accounts.example.com/sign-in', 'not a url', 'http://app.example.com/same']) {
        await same({ headers: { ...DOCUMENT, referer, cookie: jar } })
      }
      await same({ headers: { ...DOCUMENT, referer: 'https://satellite.test/', cookie: `${jar}; __clerk_redirect_count=1` } })
    })

    test('an expired bearer token on a browser GET is redirected like the reference', async () => {
      const expired = signToken(key, sessionClaims({ exp: nowSeconds() - 60 }))
      await same({ headers: { ...DOCUMENT, authorization: `Bearer ${expired}`, cookie: cookie(dev) } })
      await same({ headers: { accept: 'text/html', authorization: `Bearer ${expired}` } })
    })

    if (instance === 'development') {
      test('development: dev-browser sync and the primary answering a satellite', async () => {
        await same({ path: '/probe?__clerk_db_jwt=dvb_new', headers: DOCUMENT }, { reason: 'dev-browser-sync' })
        await same({ path: '/probe?__clerk_db_jwt=', headers: DOCUMENT })
        await same({ path: '/probe?__clerk_redirect_url=https%3A%2F%2Fsat.test%2Fp%3F__clerk_synced%3Dfalse', headers: { ...DOCUMENT, cookie: cookie(dev) } })
        await same({ path: '/probe?__clerk_redirect_url=https%3A%2F%2Fsat.test%2Fp', headers: { ...DOCUMENT } })
      })

      test('development: hostile __clerk_redirect_url values', async () => {
        for (const target of ['javascript:alert(1)', '//evil.test/x', 'not a url', 'https://evil.test/?__clerk_synced=false&__clerk_synced=x', 'http://[::1]:99999/']) {
          await same({ path: `/probe?__clerk_redirect_url=${encodeURIComponent(target)}`, headers: { ...DOCUMENT, cookie: cookie(dev) } })
          await same({ path: `/probe?__clerk_redirect_url=${encodeURIComponent(target)}`, headers: { cookie: cookie(dev) } })
        }
      })
    }

    test('hostile cookie headers', async () => {
      for (const jar of [
        '__session=a; __session=b; __client_uat=1',
        `__client_uat=${'9'.repeat(400)}; __session=x`,
        '__session=%zz; __client_uat=%31',
        `junk=${'x'.repeat(8000)}; __client_uat=5`,
        ';;;=;__session',
      ]) {
        await same({ headers: { ...DOCUMENT, cookie: `${jar}; ${cookie(dev)}` } })
      }
      // A session cookie whose payload is `null`, with a handshake nonce to resolve: the cookies are read first.
      const nullPayload = 'eyJhbGciOiJSUzI1NiJ9.bnVsbA.c2ln'
      for (const path of ['/probe', '/probe?__clerk_handshake_nonce=n1']) {
        await same({ path, headers: { ...DOCUMENT, cookie: `__session=${nullPayload}; __client_uat=1; ${cookie(dev)}` } }, { status: 500 })
      }
    })

    test('cookie parsing: the first of a name wins, only spaces and tabs are trimmed', async () => {
      const claims = sessionClaims({ iss: 'https://clerk.example.com' })
      const session = signToken(key, claims)
      const uat = String(claims.iat - 10)
      for (const jar of [
        `__session=${session}; __session=x; __client_uat=${uat}`,
        `__session=x; __session=${session}; __client_uat=${uat}`,
        ` \t__session \t= \t${session}\t ; __client_uat=${uat}`,
        `__session=\u00a0${session}; __client_uat=${uat}`,
        `\u00a0__session=${session}; __client_uat=${uat}`,
        `${'x=1;'.repeat(2000)}__session=${session}; __client_uat=${uat}`,
      ]) {
        await same({ headers: { ...DOCUMENT, cookie: `${jar}; ${cookie(dev)}` } })
        await same({ headers: { cookie: `${jar}; ${cookie(dev)}` } })
      }
    })
  })
}
