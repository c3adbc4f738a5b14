'use strict'

// Satellites, proxy URLs and option functions (checklist items 44-46, 49-51),
// each configuration run through @clerk/express and this package.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { startPair } = require('./helpers/apps')
const { assertSameAnswer } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'
const DOCUMENT = { 'sec-fetch-dest': 'document' }

describe('satellites, proxies and option functions match @clerk/express', () => {
  const key = createSigningKey()
  let api
  let counter = 0
  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(() => api.close())

  async function withPair(options, body) {
    const pair = await startPair(express, { secretKey: `sk_test_sat_${++counter}`, apiUrl: api.url, ...options })
    const silentLog = console.log
    console.log = () => {}
    try {
      await body((request, expect) => assertSameAnswer(pair, request, expect))
    } finally {
      console.log = silentLog
      await pair.close()
    }
  }

  test('production satellite: skip without cookies, sync on request, loop protection', async () => {
    const claims = sessionClaims({ iss: 'https://clerk.sat.test' })
    const jar = `__session=${signToken(key, claims)}; __client_uat=${claims.iat - 5}`
    for (const satelliteAutoSync of [false, true]) {
      const options = { publishableKey: PK_LIVE, secretKey: `sk_live_sat_${satelliteAutoSync}`, isSatellite: true, domain: 'sat.test', satelliteAutoSync }
      await withPair(options, async (same) => {
        await same({ headers: DOCUMENT })
        await same({ path: '/probe?__clerk_synced=false', headers: DOCUMENT }, { reason: 'satellite-needs-syncing', status: 307 })
        await same({ path: '/probe?__clerk_synced=true', headers: DOCUMENT })
        await same({ headers: { ...DOCUMENT, cookie: jar } })
        await same({ path: '/probe?__clerk_synced=false', headers: { ...DOCUMENT, cookie: `${jar}; __clerk_redirect_count=3` } })
        await same({ headers: { cookie: jar } })
      })
    }
  })

  test('development satellite: redirect to the primary sign-in page', async () => {
    const options = { publishableKey: PK_TEST, isSatellite: true, domain: 'sat.test', signInUrl: 'https://primary.test/sign-in?x=1' }
    await withPair(options, async (same) => {
      await same({ path: '/probe?__clerk_synced=false', headers: DOCUMENT }, { reason: 'satellite-needs-syncing' })
      await same({ headers: { ...DOCUMENT, cookie: '__client_uat=5; __clerk_db_jwt=dvb' } })
      await same({ headers: DOCUMENT })
    })
  })

  test('satellite configuration errors answer 500 with the reference messages', async () => {
    for (const [options, headers] of [
      [{ publishableKey: PK_LIVE, isSatellite: true }, {}],
      [{ publishableKey: PK_TEST, isSatellite: true, domain: 'sat.test' }, {}],
      [{ publishableKey: PK_TEST, isSatellite: true, domain: 'sat.test', signInUrl: '/sign-in' }, {}],
      [{ publishableKey: PK_LIVE, isSatellite: true, domain: 'sat.test', signInUrl: '/sign-in' }, { origin: 'https://sat.test' }],
      [{ publishableKey: PK_LIVE, isSatellite: true, domain: 'sat.test', signInUrl: 'https://sat.test/in' }, { origin: 'https://sat.test' }],
    ]) {
      await withPair(options, async (same) => {
        await same({ headers }, { status: 500 })
      })
    }
  })

  test('proxyUrl: absolute and relative; the handshake goes through the proxy', async () => {
    for (const proxyUrl of ['https://app.test/__clerk', '/__clerk', 'https://app.test/__clerk/']) {
      for (const publishableKey of [PK_TEST, PK_LIVE]) {
        await withPair({ publishableKey, proxyUrl }, async (same) => {
          await same({ headers: { ...DOCUMENT, cookie: '__client_uat=5; __clerk_db_jwt=dvb' } }, { reason: 'client-uat-but-no-session-token' })
        })
      }
    }
  })

  test('domain, isSatellite and proxyUrl as functions of the request URL', async () => {
    const options = {
      publishableKey: PK_LIVE,
      secretKey: 'sk_live_functions',
      isSatellite: (url) => url.pathname.startsWith('/probe'),
      domain: (url) => `sat-${url.searchParams.get('d') || 'x'}.test`,
      proxyUrl: (url) => (url.searchParams.get('p') ? '/__clerk' : ''),
    }
    await withPair(options, async (same) => {
      await same({ path: '/probe?__clerk_synced=false&d=one', headers: DOCUMENT })
      await same({ path: '/probe?__clerk_synced=false&p=1', headers: { ...DOCUMENT, 'x-forwarded-host': 'public.test', 'x-forwarded-proto': 'https' } })
    })
  })

  test('Vercel auto-proxy for production keys', async () => {
    process.env.VERCEL_TARGET_ENV = 'production'
    process.env.VERCEL_PROJECT_PRODUCTION_URL = 'my-app.vercel.app'
    try {
      await withPair({ publishableKey: PK_LIVE }, async (same) => {
        await same({ headers: { ...DOCUMENT, cookie: '__client_uat=5' } }, { reason: 'client-uat-but-no-session-token' })
      })
      process.env.CLERK_DISABLE_AUTO_PROXY = 'true'
      await withPair({ publishableKey: PK_LIVE }, async (same) => {
        await same({ headers: { ...DOCUMENT, cookie: '__client_uat=5' } })
      })
    } finally {
      delete process.env.VERCEL_TARGET_ENV
      delete process.env.VERCEL_PROJECT_PRODUCTION_URL
      delete process.env.CLERK_DISABLE_AUTO_PROXY
    }
  })
})
