// An app that builds its client with @clerk/backend's own createClerkClient
// and hands it to the Express middleware, which accepts it.
import express from 'express'
import type { Request } from 'express'
import { createClerkClient } from '@clerk/backend'
import { authenticateRequest, clerkMiddleware, requireAuth } from '@clerk/express'

const backendClient = createClerkClient({ secretKey: 'sk_test_x', publishableKey: 'pk_test_x' })

const app = express()
app.use(clerkMiddleware({ clerkClient: backendClient, authorizedParties: ['https://app.test'] }))
app.use(clerkMiddleware(async () => ({ clerkClient: backendClient })))
app.get('/private', requireAuth({ clerkClient: backendClient, signInUrl: '/sign-in' }), (_req, res) => {
  res.send('ok')
})

export async function check(request: Request) {
  await authenticateRequest({ clerkClient: backendClient, request, options: { clockSkewInMs: 5000 } })
  const user = await backendClient.users.getUser('user_1')
  return user.fullName
}

export default app
