// ESM entry: the same objects as the CommonJS entry, as named exports.
import cjs from './index.js'

export const { authenticateRequest, clerkClient, clerkMiddleware, getAuth, requireAuth, createClerkClient, verifyToken } =
  cjs
