'use strict'

// clerk-express-native: the @clerk/express 2.1.70 API, backed by Rust.

const { clerkMiddleware, getAuth, requireAuth, authenticateRequest, clerkClient } = require('./lib/express')
const { createClerkClient } = require('./lib/client')
const { verifyToken } = require('./lib/verify-token')

module.exports = {
  authenticateRequest,
  clerkClient,
  clerkMiddleware,
  getAuth,
  requireAuth,
  createClerkClient,
  verifyToken,
}
