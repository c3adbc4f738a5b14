// An Express app with a public route, a requireAuth() route and a permission
// check, tested offline with the real middleware: `node --test`.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { clerkMiddleware, getAuth, requireAuth } = require('clerk-express-native')
const { createTestInstance } = require('clerk-express-native/testing')

let clerk, server, url

before(async () => {
  clerk = await createTestInstance()
  const app = express()
  app.use(clerkMiddleware({ secretKey: clerk.secretKey, publishableKey: clerk.publishableKey, apiUrl: clerk.apiUrl }))
  app.get('/', (req, res) => res.send('hello'))
  app.get('/dashboard', requireAuth({ signInUrl: '/sign-in' }), (req, res) => res.json({ userId: getAuth(req).userId }))
  app.get('/invoices', (req, res) => {
    const auth = getAuth(req)
    if (!auth.has({ permission: 'org:invoices:read' })) return res.status(403).end()
    res.json({ orgId: auth.orgId })
  })
  server = app.listen(0)
  url = `http://127.0.0.1:${server.address().port}`
})

after(async () => {
  server.close()
  await clerk.close()
})

const get = (path, token) => fetch(url + path, { redirect: 'manual', headers: token ? { authorization: `Bearer ${token}` } : {} })

test('public, protected and permission-checked routes', async () => {
  const ada = clerk.users.create({ emailAddress: ['ada@example.com'] })
  const org = clerk.organizations.create({ name: 'Analytical Engines', createdBy: ada.id })
  assert.equal((await get('/')).status, 200)
  assert.equal((await get('/dashboard')).headers.get('location'), '/sign-in')
  assert.deepEqual(await (await get('/dashboard', clerk.signSessionToken({ userId: ada.id }))).json(), { userId: ada.id })
  assert.equal((await get('/dashboard', clerk.expiredSessionToken({ userId: ada.id }))).status, 302)
  const reader = clerk.signSessionToken({ userId: ada.id, orgId: org.id, orgPermissions: ['org:invoices:read'] })
  assert.deepEqual(await (await get('/invoices', reader)).json(), { orgId: org.id })
  assert.equal((await get('/invoices', clerk.signSessionToken({ userId: ada.id }))).status, 403)
})
