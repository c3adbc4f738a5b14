'use strict'

// Tests for app.js with Jest, supertest and clerk-express-native/testing: the
// real middleware verifies real tokens against a local Clerk instance, offline.
// Run with `npx jest` (or `npm test`).

const request = require('supertest')
const { createTestInstance } = require('clerk-express-native/testing')

let clerk, app, ada, org

beforeAll(async () => {
  clerk = await createTestInstance()
  // The app reads its keys from the environment, so set them before loading it.
  Object.assign(process.env, clerk.env)
  ada = clerk.users.create({ emailAddress: ['ada@example.com'], firstName: 'Ada' })
  org = clerk.organizations.create({ name: 'Analytical Engines', createdBy: ada.id })
  app = require('./app')
})

afterAll(async () => {
  await clerk.close()
})

const bearer = (token) => `Bearer ${token}`

test('signed out: 401', async () => {
  await request(app).get('/health').expect(200)
  await request(app).get('/me').expect(401)
})

test('requireAuth: a redirect to sign in when signed out, the page when signed in', async () => {
  await request(app).get('/dashboard').expect(302).expect('location', '/sign-in')
  const response = await request(app).get('/dashboard').set('Authorization', bearer(clerk.signSessionToken({ userId: ada.id })))
  expect(response.body).toEqual({ userId: ada.id })
})

test('signed in: the user from the Backend API', async () => {
  const token = clerk.signSessionToken({ userId: ada.id })
  const response = await request(app).get('/me').set('Authorization', bearer(token))
  expect(response.status).toBe(200)
  expect(response.body).toEqual({ id: ada.id, email: 'ada@example.com' })
})

test('expired tokens and tokens from another instance are refused', async () => {
  await request(app).get('/me').set('Authorization', bearer(clerk.expiredSessionToken({ userId: ada.id }))).expect(401)
  await request(app).get('/me').set('Authorization', bearer(clerk.foreignSessionToken({ userId: ada.id }))).expect(401)
})

test('with org:invoices:read, /invoices answers', async () => {
  const token = clerk.signSessionToken({ userId: ada.id, orgId: org.id, orgPermissions: ['org:invoices:read'] })
  const response = await request(app).get('/invoices').set('Authorization', bearer(token))
  expect(response.status).toBe(200)
  expect(response.body).toEqual({ orgId: org.id, invoices: [] })
})

test('without org:invoices:read, /invoices is forbidden', async () => {
  const token = clerk.signSessionToken({ userId: ada.id, orgId: org.id, orgPermissions: ['org:reports:read'] })
  await request(app).get('/invoices').set('Authorization', bearer(token)).expect(403)
})

test('a Clerk rate limit becomes a 503 with Retry-After', async () => {
  clerk.failNext({ status: 429, retryAfter: 2, path: `/users/${ada.id}` })
  const response = await request(app).get('/me').set('Authorization', bearer(clerk.signSessionToken({ userId: ada.id })))
  expect(response.status).toBe(503)
  expect(response.headers['retry-after']).toBe('2')
})
