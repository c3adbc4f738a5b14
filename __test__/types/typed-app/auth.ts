// Auth objects and middleware options as typed by @clerk/express: narrowing
// by `tokenType` and `isAuthenticated`, `acceptsToken` overloads, the ./types
// subpath.
import express from 'express'
import type { Request } from 'express'
import { clerkMiddleware, getAuth } from '@clerk/express'
import type { AuthObject, ClerkMiddlewareOptions, MachineAuthObject, SessionAuthObject } from '@clerk/express'
import type { ExpressRequestWithAuth, JwtPayload, PendingSessionOptions, UserResource } from '@clerk/express/types'
import type { ClerkMiddlewareOptions as OptionsFromTypes } from '@clerk/express/types'
import { expectType } from './expect-type'
import type { Equal, IsAny } from './expect-type'

expectType<Equal<ClerkMiddlewareOptions, OptionsFromTypes>>(true)
expectType<Equal<IsAny<JwtPayload>, false>>(true)
expectType<Equal<IsAny<UserResource>, false>>(true)

const options: ClerkMiddlewareOptions = {
  publishableKey: 'pk_test_x',
  secretKey: 'sk_test_x',
  authorizedParties: ['https://app.test'],
  acceptsToken: ['session_token', 'api_key'],
  organizationSyncOptions: { organizationPatterns: ['/orgs/:slug', '/orgs/:slug/(.*)'] },
  frontendApiProxy: { enabled: true, path: '/__clerk' },
  debug: false,
}

export function describeAuth(auth: AuthObject): string {
  switch (auth.tokenType) {
    case 'session_token':
      return auth.isAuthenticated ? `user ${auth.userId} in ${auth.orgId ?? 'no org'}` : 'signed out'
    case 'api_key':
      return auth.isAuthenticated ? `api key ${auth.name} for ${auth.subject}` : 'bad api key'
    case 'm2m_token':
      return auth.isAuthenticated ? `machine ${auth.subject} (${auth.scopes.join(' ')})` : 'bad m2m token'
    case 'oauth_token':
      return auth.isAuthenticated ? `oauth ${auth.clientId} for ${auth.userId}` : 'bad oauth token'
    default:
      return auth.isAuthenticated ? 'unreachable' : 'invalid token'
  }
}

export function apiKeyOwner(req: Request): string | null {
  const auth = getAuth(req, { acceptsToken: 'api_key' })
  expectType<Equal<IsAny<typeof auth>, false>>(true)
  const machine: MachineAuthObject<'api_key'> = auth
  expectType<Equal<typeof machine.tokenType, 'api_key'>>(true)
  if (!auth.isAuthenticated) return null
  const claims: Record<string, any> | null = auth.claims
  return `${auth.id} ${auth.subject} ${auth.name} ${claims === null ? '' : 'claims'}`
}

export function sessionOrKey(req: Request): string {
  const auth = getAuth(req, { acceptsToken: ['session_token', 'api_key'] })
  if (auth.tokenType === 'api_key') return auth.isAuthenticated ? auth.subject : ''
  if (auth.tokenType === 'session_token') return auth.userId ?? ''
  return 'invalid'
}

export function session(req: Request, pending: PendingSessionOptions): SessionAuthObject {
  const auth = getAuth(req, pending)
  if (auth.isAuthenticated) {
    const claims: JwtPayload = auth.sessionClaims
    const sid: string = auth.sessionId
    void [claims.sub, claims.exp, sid]
  }
  return auth
}

const app = express()
app.use(clerkMiddleware(options))
app.use(clerkMiddleware(async (req) => ({ ...options, publishableKey: req.hostname === 'a.test' ? 'pk_a' : 'pk_b' })))
app.get('/whoami', (req, res) => {
  const auth = (req as ExpressRequestWithAuth).auth({ treatPendingAsSignedOut: false })
  res.json({ text: describeAuth(auth), any: describeAuth(getAuth(req, { acceptsToken: 'any' })) })
})

export default app
