'use strict'

// Tests for app.js with node:test and clerk-express-native/testing: the real
// middleware verifies real tokens against a local Clerk instance, offline.
// Run with `node --test`.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { createTestInstance } = require('clerk-express-native/testing')

let clerk, server, baseUrl, ada, org

before(async () => {
  clerk = await createTestInstance()
  // The app reads its keys from the environment, so set them before loading it.
  Object.assign(process.env, clerk.env)
  ada = clerk.users.create({ emailAddress: ['ada@example.com'], firstName: 'Ada' })
  org = clerk.organizations.create({ name: 'Analytical Engines', createdBy: ada.id })
  const app = require('./app')
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  baseUrl = `http://127.0.0.1:${server.address().port}`
})

after(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await clerk.close()
})

const get = (path, token) => fetch(baseUrl + path, { headers: token ? { authorization: `Bearer ${token}` } : {} })

test('signed out: 401', async () => {
  assert.equal((await get('/health')).status, 200)
  assert.equal((await get('/me')).status, 401)
})

test('requireAuth: a redirect to sign in when signed out, the page when signed in', async () => {
  const signedOut = await fetch(`${baseUrl}/dashboard`, { redirect: 'manual' })
  assert.equal(signedOut.status, 302)
  assert.equal(signedOut.headers.get('location'), '/sign-in')
  const signedIn = await get('/dashboard', clerk.signSessionToken({ userId: ada.id }))
  assert.deepEqual(await signedIn.json(), { userId: ada.id })
})

test('signed in: the user from the Backend API', async () => {
  const response = await get('/me', clerk.signSessionToken({ userId: ada.id }))
  assert.equal(response.status, 200)
  assert.deepEqual(await response.json(), { id: ada.id, email: 'ada@example.com' })
})

test('expired tokens and tokens from another instance are refused', async () => {
  assert.equal((await get('/me', clerk.expiredSessionToken({ userId: ada.id }))).status, 401)
  assert.equal((await get('/me', clerk.foreignSessionToken({ userId: ada.id }))).status, 401)
})

test('org permissions decide /invoices', async () => {
  const reader = clerk.signSessionToken({ userId: ada.id, orgId: org.id, orgPermissions: ['org:invoices:read'] })
  assert.deepEqual(await (await get('/invoices', reader)).json(), { orgId: org.id, invoices: [] })
  const other = clerk.signSessionToken({ userId: ada.id, orgId: org.id, orgPermissions: ['org:reports:read'] })
  assert.equal((await get('/invoices', other)).status, 403)
})

test('a Clerk rate limit becomes a 503 with Retry-After', async () => {
  clerk.failNext({ status: 429, retryAfter: 2, path: `/users/${ada.id}` })
  const response = await get('/me', clerk.signSessionToken({ userId: ada.id }))
  assert.equal(response.status, 503)
  assert.equal(response.headers.get('retry-after'), '2')
})
