// A typed Express app written against @clerk/express. types.test.js compiles
// it against @clerk/express itself and, unchanged, against this package.
import express from 'express'
import {
  clerkMiddleware,
  getAuth,
  requireAuth,
  clerkClient,
  createClerkClient,
  verifyToken,
} from '@clerk/express'
import type { AuthObject, ClerkMiddlewareOptions, User } from '@clerk/express'
import { verifyWebhook } from '@clerk/express/webhooks'
import type { WebhookEvent } from '@clerk/express/webhooks'
import type {} from '@clerk/express/env'

const app = express()
const options: ClerkMiddlewareOptions = {
  authorizedParties: ['https://app.test'],
  signInUrl: '/sign-in',
  clockSkewInMs: 10_000,
}
app.use(clerkMiddleware(options))

app.get('/me', async (req, res) => {
  const auth = getAuth(req)
  if (!auth.isAuthenticated) {
    res.status(401).json({ error: 'signed out' })
    return
  }
  const userId: string = auth.userId
  const sessionId: string = auth.sessionId
  const user: User = await clerkClient.users.getUser(userId)
  const email = user.primaryEmailAddress?.emailAddress
  const canManage = auth.has({ permission: 'org:billing:manage' }) || auth.has({ role: 'org:admin' })
  const template = await auth.getToken({ template: 'supabase' })
  res.json({ userId, sessionId, email, name: user.fullName, canManage, template, org: auth.orgId ?? null })
})

app.get('/any', (req, res) => {
  const auth: AuthObject = req.auth()
  res.json({ type: auth.tokenType, ok: auth.isAuthenticated })
})

app.get('/machine', (req, res) => {
  const apiKey = getAuth(req, { acceptsToken: 'api_key' })
  if (apiKey.isAuthenticated) {
    res.json({ name: apiKey.name, scopes: apiKey.scopes, subject: apiKey.subject })
    return
  }
  const any = getAuth(req, { acceptsToken: 'any' })
  res.json({ type: any.tokenType })
})

app.get('/users', async (_req, res) => {
  const { data, totalCount } = await clerkClient.users.getUserList({ limit: 10, orderBy: '-created_at' })
  res.json({ ids: data.map((u) => u.id), totalCount })
})

app.get('/private', requireAuth({ signInUrl: '/sign-in' }), (_req, res) => {
  res.send('ok')
})

app.post('/webhooks', express.raw({ type: 'application/json' }), async (req, res) => {
  const event: WebhookEvent = await verifyWebhook(req, { signingSecret: 'whsec_x' })
  if (event.type === 'user.created') {
    const id: string = event.data.id
    res.json({ id })
    return
  }
  res.json({ type: event.type })
})

const client = createClerkClient({ secretKey: 'sk_test_x' })
void client.users.getUser('user_1').then((u) => u.firstName)
void verifyToken('token', { jwtKey: 'pem' }).then((claims) => claims.sub)

export default app
