'use strict'

// organizationSyncOptions (checklist item 48): the URL names an organization
// or the personal account; a session with another active organization gets
// an `active-organization-mismatch` handshake carrying `organization_id`.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { startPair } = require('./helpers/apps')
const { assertSameAnswer } = require('./helpers/same-answer')

for (const [instance, publishableKey] of [
  ['development', 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'],
  ['production', 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'],
]) {
  describe(`organization sync on a ${instance} instance matches @clerk/express`, () => {
    const key = createSigningKey()
    let api
    let pair
    const dev = instance === 'development' ? '; __clerk_db_jwt=dvb' : ''
    const syncOptions = {
      organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)', '/org-id/:id'],
      personalAccountPatterns: ['/me', '/me/(.*)'],
    }

    before(async () => {
      api = await startFakeClerkApi({ keys: [key.jwk] })
      pair = await startPair(express, { secretKey: `sk_test_org_${instance}`, publishableKey, apiUrl: api.url, organizationSyncOptions: syncOptions })
    })
    after(async () => {
      await pair.close()
      await api.close()
    })

    async function same(request) {
      const warn = console.warn
      const warnings = { count: 0 }
      console.warn = () => warnings.count++
      try {
        return await assertSameAnswer(pair, request)
      } finally {
        console.warn = warn
      }
    }

    const jar = (claims, extra = '') => `__session=${signToken(key, claims)}; __client_uat=${claims.iat - 5}${dev}${extra}`
    const document = (cookie) => ({ 'sec-fetch-dest': 'document', cookie })
    const inAcme = sessionClaims({ o: { id: 'org_1', slg: 'acme', rol: 'admin' } })
    const personal = sessionClaims()

    test('matching organization: signed in; another one: handshake with organization_id', async () => {
      await same({ path: '/orgs/acme/settings', headers: document(jar(inAcme)) })
      const mismatch = await same({ path: '/orgs/other', headers: document(jar(inAcme)) })
      assert.equal(mismatch.status, 307)
      await same({ path: '/org-id/org_2', headers: document(jar(inAcme)) })
      await same({ path: '/orgs/other', headers: { cookie: jar(inAcme) } })
    })

    test('personal-account URLs with an active organization, v1 claims, pending sessions', async () => {
      await same({ path: '/me', headers: document(jar(inAcme)) })
      await same({ path: '/me/profile', headers: document(jar(personal)) })
      const v1 = sessionClaims({ v: undefined, org_id: 'org_9', org_slug: 'nine' })
      await same({ path: '/orgs/other', headers: document(jar(v1)) })
      await same({ path: '/orgs/other', headers: document(jar(sessionClaims({ sts: 'pending', o: { id: 'org_1', slg: 'acme' } }))) })
    })

    test('activation loops stop at three redirects; other handshakes carry organization_id', async () => {
      await same({ path: '/orgs/other', headers: document(jar(inAcme, '; __clerk_redirect_count=3')) })
      await same({ path: '/orgs/acme', headers: document(`__client_uat=5${dev}`) })
    })

    test('a session without azp in an activation loop: both warnings, the azp one first (once per process)', async () => {
      const warn = console.warn
      const warnings = []
      console.warn = (...args) => warnings.push(args.join(' '))
      const noAzp = jar(sessionClaims({ azp: undefined, o: { id: 'org_1', slg: 'acme', rol: 'admin' } }), '; __clerk_redirect_count=3')
      try {
        await assertSameAnswer(pair, { path: '/orgs/other', headers: document(noAzp) })
        await assertSameAnswer(pair, { path: '/orgs/other', headers: document(noAzp) })
      } finally {
        console.warn = warn
      }
      const kinds = warnings.map((text) => (text.includes('missing the azp claim') ? 'azp' : text.includes('handshake loop detected') ? 'loop' : text))
      // Each pair of requests goes to @clerk/express, then to this package; the azp warning is printed
      // once per process, and this describe runs first for the development instance.
      const firstRequest = instance === 'development' ? ['azp', 'loop'] : ['loop']
      assert.deepEqual(kinds, [...firstRequest, ...firstRequest, 'loop', 'loop'])
    })

    test('a malformed fea claim breaks toAuth as in the reference', async () => {
      await same({ path: '/orgs/acme', headers: document(jar(sessionClaims({ o: { id: 'org_1', slg: 'acme' }, fea: 'nocolon' }))) })
    })

    test('sync runs on every cookie sign-in: iframes, HTML requests and POSTs too, and a malformed fea breaks fetches', async () => {
      const iframe = await same({ path: '/orgs/other', headers: { 'sec-fetch-dest': 'iframe', cookie: jar(inAcme) } })
      assert.equal(iframe.status, 307, 'an iframe is eligible for the handshake')
      await same({ path: '/orgs/other', headers: { accept: 'text/html', cookie: jar(inAcme) } })
      await same({ method: 'POST', path: '/orgs/other', headers: document(jar(inAcme)) })
      const fetchRequest = await same({ path: '/api', headers: { cookie: jar(sessionClaims({ o: { id: 'org_1', slg: 'acme' }, fea: 'nocolon' })) } })
      assert.equal(fetchRequest.clerkHeaders['x-clerk-auth-reason'], 'unexpected-error')
    })
  })
}

test('an invalid pattern answers 500 with the reference message', async () => {
  const api = await startFakeClerkApi({ keys: [] })
  const pair = await startPair(express, {
    secretKey: 'sk_test_badpattern',
    publishableKey: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k',
    apiUrl: api.url,
    organizationSyncOptions: { organizationPatterns: ['/orgs/(', '/x'] },
  })
  try {
    const { reference, native } = await pair.send({})
    assert.deepEqual(native, reference)
    assert.equal(reference.status, 500)
  } finally {
    await pair.close()
    await api.close()
  }
})

test('patterns match as @clerk/shared matches them, invalid ones included', () => {
  // The reference's `match`, from the @clerk/shared it depends on.
  const reference = require('@clerk/shared/pathToRegexp')
  const { matcherFor } = require('../lib/organization-sync')
  const patterns = [
    '/orgs/:slug',
    '/orgs/:slug/(.*)',
    '/orgs/:id{-:rest}?',
    '/me/(.*)',
    '/:a?/:b?',
    '/:a*',
    '/:a+',
    '/x/:id([0-9]+)',
    '/file.:slug',
    '/users/:id/:rest*',
    '/ORG/:slug',
    '/*',
    '/{:slug}-{:id}?',
    '(',
    '/:',
    '/(?x)',
    '/((a))',
    '/{a',
  ]
  const paths = ['/orgs/acme', '/orgs/acme/x/y', '/orgs/a-b', '/me/x', '/', '/a/b/c', '/x/12', '/x/ab', '/file.txt']
  paths.push('/users/1/a/b', '/org/ACME', '/a-b', '%2F', '/orgs/%61')
  const outcome = (run) => {
    try {
      return JSON.stringify(run())
    } catch (e) {
      return `throws ${e.message}`
    }
  }
  for (const pattern of patterns) {
    const expected = outcome(() => {
      const match = reference.match([pattern])
      return paths.map((path) => match(path))
    })
    const actual = outcome(() => {
      const { organization } = matcherFor({ organizationPatterns: [pattern] })
      return paths.map((path) => organization(path))
    })
    if (expected.startsWith('throws')) assert.match(actual, /^throws Invalid pattern/, pattern)
    else assert.equal(actual, expected, pattern)
  }
})
