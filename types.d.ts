// clerk-express-native/types (as @clerk/express/types 2.1.70): types only,
// every type of @clerk/shared/types (from the copy in types/shared) and the
// Express-specific ones.

export type * from './types/shared/types/index.js'
export type { AuthenticateRequestParams, ClerkMiddlewareOptions, ExpressRequestWithAuth } from './types/express.js'
