'use strict'

// clerk-express-native/testing: a local Clerk instance for an app's own test
// suite (keys, session and machine tokens, an in-memory Backend API on
// 127.0.0.1), offline. It loads neither the native addon nor the middleware,
// so it also serves apps on the real @clerk/express.

module.exports = require('./lib/testing')
