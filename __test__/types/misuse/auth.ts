// Misuses of auth objects: each marked line must be a type error, with that
// code, against @clerk/express and against this package alike.
import type { Request } from 'express'
import { getAuth } from '@clerk/express'
import type { AuthObject } from '@clerk/express'

declare const req: Request
declare const auth: AuthObject

const userId: number = getAuth(req).userId // error TS2322
const apiKey = getAuth(req, { acceptsToken: 'api_key' })
void apiKey.sessionId // error TS2339
void getAuth(req, { acceptsToken: 'session_tokens' }) // error TS2769
if (auth.tokenType === 'm2m_token' && auth.isAuthenticated) void auth.orgRole // error TS2339
if (auth.tokenType === 'session_token' && !auth.isAuthenticated) auth.userId.toUpperCase() // error TS18047
void userId
