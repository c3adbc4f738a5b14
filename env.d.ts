// clerk-express-native/env (as @clerk/express/env 2.1.70): types `req.auth` on
// every Express request.
import type { AuthObject } from './types/backend/index.js'
import type { PendingSessionOptions } from './types/shared/types/index.js'

declare global {
  namespace Express {
    interface Request {
      auth: (options?: PendingSessionOptions) => AuthObject
    }
  }
}

export {}
