// Compiled (not run) by types.test.js: the Clerk docs' usage must type-check
// against index.d.ts exactly as it does against @clerk/express, and so must
// this package's own option.
import express from 'express'
import { clerkMiddleware, getAuth, clerkClient, requireAuth, createClerkClient, verifyToken } from 'clerk-express-native'
import type { AuthObject, User } from 'clerk-express-native'
import type { ClerkMiddlewareOptions, ExpressRequestWithAuth } from 'clerk-express-native/types'
import { verifyWebhook } from 'clerk-express-native/webhooks'
import type { WebhookEvent } from 'clerk-express-native/webhooks'
import type {} from 'clerk-express-native/env'
import Keyv from 'keyv'
import KeyvRedis from '@keyv/redis'

const app = express()
app.use(clerkMiddleware())
app.use(clerkMiddleware((req) => ({ publishableKey: req.hostname === 'a.test' ? 'pk_test_a' : 'pk_test_b' })))

app.get('/user', async (req, res) => {
  const { isAuthenticated, userId } = getAuth(req)
  if (!isAuthenticated || !userId) {
    res.status(401).json({ error: 'User not authenticated' })
    return
  }
  const user: User = await clerkClient.users.getUser(String(userId))
  const auth: AuthObject = req.auth({ treatPendingAsSignedOut: false })
  res.json({ user, allowed: auth.has({ role: 'org:admin' }), token: await auth.getToken({ template: 'x' }) })
})

app.get('/private', requireAuth({ signInUrl: '/sign-in' }), (_req, res) => {
  res.send('ok')
})

const client = createClerkClient({ secretKey: 'sk_test_x' })
// This package's own client options (README: known differences).
const tunedClient = createClerkClient({ secretKey: 'sk_test_x', requestTimeoutMs: 5000, maxRetries: 2, maxRetryDelayMs: 2000, userCacheTtlMs: 2000 })
void tunedClient.users.getUser('user_1')
// The shared user cache: a Keyv or a bare Keyv store, and the client's eviction helper.
const sharedClient = createClerkClient({ secretKey: 'sk_test_x', userCache: { store: new Keyv(new KeyvRedis('redis://localhost:6379')), ttlMs: 60_000 } })
void createClerkClient({ secretKey: 'sk_test_x', userCache: { store: new KeyvRedis('redis://localhost:6379'), ttlMs: 60_000, storeTimeoutMs: 100 } })
const evicted: Promise<void> = sharedClient.userCache.evict('user_1')
void evicted
void client.users.getUserList({ limit: 10 }).then(({ data, totalCount }) => data.length + totalCount)
void verifyToken('token', { jwtKey: 'pem', authorizedParties: ['https://a.test'] }).then((claims) => claims.sub)

const options: ClerkMiddlewareOptions = { authorizedParties: ['https://app.test'], clockSkewInMs: 10_000 }
app.use(clerkMiddleware(options))
// This package's own option (not in @clerk/express): reuse machine-token verifications.
app.use(clerkMiddleware({ ...options, machineTokenCacheTtlMs: 30_000 }))
// And the session-token cache switch and the JWKS prefetch, for the middleware and for verifyToken.
app.use(clerkMiddleware({ ...options, sessionTokenCache: false, prefetchJwks: true }))
void verifyToken('token', { jwtKey: 'pem', sessionTokenCache: false }).then((claims) => claims.sid)
app.post('/webhooks', async (req, res) => {
  const event: WebhookEvent = await verifyWebhook(req, { signingSecret: 'whsec_x' })
  const wasUserEvent: boolean = await clerkClient.userCache.evictFromWebhook(event)
  res.json({ type: event.type, wasUserEvent, userId: (req as ExpressRequestWithAuth).auth().isAuthenticated })
})

// Diagnostics channels: the messages are typed.
import { channels, channelNames } from 'clerk-express-native/diagnostics'
import type { AuthenticateContext, BackendApiRequestMessage } from 'clerk-express-native/diagnostics'
const onRequest = (message: BackendApiRequestMessage): number => message.durationMs + (message.status ?? 0)
channels.backendApiRequest.subscribe(onRequest)
channels.authenticate.subscribe({ asyncEnd: (context: AuthenticateContext) => void context.reason })
channels.cache.subscribe((message) => void (message.event === 'hit' && message.cache.length))
const authenticateName: 'clerk:authenticate' = channelNames.authenticate
void authenticateName

// The testing kit: instance, tokens and the local API's store are typed.
import { createTestInstance } from 'clerk-express-native/testing'
async function testingKitUsage(): Promise<void> {
  const clerk = await createTestInstance({ jwtKeyInEnv: true })
  const secret: string = clerk.env.CLERK_SECRET_KEY
  const token: string = clerk.signSessionToken({ userId: 'user_1', orgId: 'org_1', orgPermissions: ['org:invoices:read'], expiresInSeconds: 30 })
  const apiKey: string = clerk.createApiKey({ subject: 'user_1' })
  clerk.failNext({ status: 429, retryAfter: 1, path: '/users/user_1' })
  void [secret, token, apiKey, clerk.jwtKey, clerk.apiUrl]
  await clerk.close()
}
void testingKitUsage
