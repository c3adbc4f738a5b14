// clerk-express-native/env (as @clerk/express/env): `req.auth` on Express requests.
import type { AuthObject, PendingSessionOptions } from './index'

declare global {
  namespace Express {
    interface Request {
      auth: (options?: PendingSessionOptions) => AuthObject
    }
  }
}

export {}
