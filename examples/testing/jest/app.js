'use strict'

// An Express app on clerk-express-native, written as any app is: the keys come
// from the environment (CLERK_SECRET_KEY, CLERK_PUBLISHABLE_KEY, and
// CLERK_API_URL in tests). app.test.js tests it with Jest and supertest
// against a local test instance.

const express = require('express')
const { clerkClient, clerkMiddleware, getAuth, requireAuth } = require('clerk-express-native')

const app = express()

app.use(clerkMiddleware())

app.get('/health', (req, res) => res.json({ ok: true }))

app.get('/me', async (req, res, next) => {
  const { isAuthenticated, userId } = getAuth(req)
  if (!isAuthenticated) return res.status(401).json({ error: 'Sign in first' })
  try {
    const user = await clerkClient.users.getUser(userId)
    res.json({ id: user.id, email: user.primaryEmailAddress?.emailAddress ?? null })
  } catch (err) {
    // Clerk rate limits and outages reach the client as a 503 with a hint when to retry.
    if (err.status === 429) return res.status(503).set('retry-after', String(err.retryAfter ?? 1)).json({ error: 'Try again shortly' })
    next(err)
  }
})

app.get('/invoices', (req, res) => {
  const auth = getAuth(req)
  if (!auth.isAuthenticated) return res.status(401).json({ error: 'Sign in first' })
  if (!auth.has({ permission: 'org:invoices:read' })) return res.status(403).json({ error: 'Not allowed' })
  res.json({ orgId: auth.orgId, invoices: [] })
})

// A page behind requireAuth(): signed-out visitors are redirected to sign in.
app.get('/dashboard', requireAuth({ signInUrl: '/sign-in' }), (req, res) => res.json({ userId: getAuth(req).userId }))

module.exports = app
