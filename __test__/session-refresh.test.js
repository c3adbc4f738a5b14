'use strict'

// Session refresh (checklist item 39): an expired session, a
// `__refresh_<suffix>` cookie and a GET make both packages call
// POST /v1/sessions/{sid}/refresh with the same body, and agree on the
// outcome for every answer the Backend API can give.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { listen, reference, native } = require('./helpers/apps')
const { normalise } = require('./helpers/same-answer')


for (const [instance, publishableKey, suffix] of [
  ['development', 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k', 'l2OS3d9k'],
  ['production', 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k', 'naoXFJnI'],
]) {
  describe(`session refresh on a ${instance} instance`, () => {
    const key = createSigningKey()
    let api
    const dev = instance === 'development' ? '; __clerk_db_jwt=dvb_1' : ''

    before(async () => {
      api = await startFakeClerkApi({ keys: [key.jwk] })
    })
    after(() => api.close())

    async function probe(pkg, { withClient = true, headers }) {
      const options = { secretKey: `sk_test_refresh_${instance}`, publishableKey, apiUrl: api.url }
      if (withClient) options.clerkClient = pkg.createClerkClient({ secretKey: options.secretKey, apiUrl: api.url })
      const app = express()
      app.use(pkg.clerkMiddleware(options))
      app.get('/probe', (req, res) => res.json({ userId: pkg.getAuth(req).userId }))
      app.use((err, _req, res, _next) => res.status(500).json({ error: err.message }))
      const server = await listen(app)
      const start = api.state.requests.length
      try {
        const response = await fetch(`${server.url}/probe`, { headers, redirect: 'manual' })
        const picked = {}
        for (const [name, value] of response.headers) {
          if (name.startsWith('x-clerk') || ['location', 'set-cookie', 'cache-control'].includes(name)) picked[name] = value
        }
        const refreshCalls = api.state.requests
          .slice(start)
          .filter((r) => r.path.endsWith('/refresh'))
          .map((r) => ({ path: r.path, search: r.search, body: JSON.parse(r.body), ua: r.headers['user-agent'] }))
        return normalise({ status: response.status, headers: picked, body: await response.text(), refreshCalls })
      } finally {
        await server.close()
      }
    }

    async function same(request) {
      const a = await probe(reference, request)
      const b = await probe(native, request)
      assert.deepEqual(b, a)
      return a
    }

    const expiredJar = (extra = '') => {
      const now = nowSeconds()
      const expired = signToken(key, sessionClaims({ exp: now - 60, iat: now - 120, nbf: now - 120 }))
      return `__session=${expired}; __client_uat=${now - 500}; __refresh_${suffix}=rt_123${dev}${extra}`
    }
    const fresh = () => signToken(key, sessionClaims())

    test('a successful refresh signs in with the new cookies', async () => {
      api.state.refreshResponse = [200, { object: 'cookies', cookies: [`__session=${fresh()}; Path=/`, '__client_uat=1; Path=/'] }]
      const answer = await same({ headers: { cookie: expiredJar(), accept: 'application/json' } })
      assert.equal(answer.refreshCalls.length, 1)
      assert.match(answer.body, /"userId":"user_/)
      assert.equal(answer.refreshCalls[0].body.format, 'cookie')
    })

    test('refresh failures become the reason suffix', async () => {
      for (const response of [
        [404, { errors: [{ code: 'session_not_found', message: 'gone' }] }],
        [200, { object: 'cookies', cookies: [] }],
        [200, { object: 'cookies', cookies: ['__session=not-a-token; Path=/'] }],
        [500, '<html>'],
      ]) {
        api.state.refreshResponse = response
        await same({ headers: { cookie: expiredJar(), accept: 'application/json' } })
        await same({ headers: { cookie: expiredJar(), 'sec-fetch-dest': 'document' } })
      }
    })

    test('a client without a secret key cannot refresh', async () => {
      api.state.refreshResponse = [200, { object: 'cookies', cookies: [`__session=${fresh()}; Path=/`] }]
      await same({ withClient: false, headers: { cookie: expiredJar() } })
    })

    test('an expired bearer token with a refresh cookie is refreshed too', async () => {
      api.state.refreshResponse = [200, { object: 'cookies', cookies: [`__session=${fresh()}; Path=/`] }]
      const now = nowSeconds()
      const expired = signToken(key, sessionClaims({ exp: now - 60 }))
      await same({ headers: { authorization: `Bearer ${expired}`, cookie: `__refresh_${suffix}=rt_9${dev}` } })
    })
  })
}
