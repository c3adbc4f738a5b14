// Misuses of middleware options and of the ./types subpath.
import { clerkMiddleware, requireAuth } from '@clerk/express'
import type { ClerkMiddlewareOptions } from '@clerk/express/types'
import type { NoSuchType } from '@clerk/express/types' // error TS2305

const options: ClerkMiddlewareOptions = { authorizedParties: 'https://app.test' } // error TS2322
clerkMiddleware({ frontendApiProxy: { path: '/__clerk' } }) // error TS2741
clerkMiddleware({ clockSkewInMs: '5s' }) // error TS2322
requireAuth({ signInUrl: 42 }) // error TS2322
clerkMiddleware({ clerkClient: 'sk_test_x' }) // error TS2322
void [options, {} as NoSuchType]
