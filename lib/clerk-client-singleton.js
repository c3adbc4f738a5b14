'use strict'

// The `clerkClient` export: a lazy, env-configured client. Like the
// reference, it is cached only once CLERK_SECRET_KEY is set, and assignments
// to it are ignored.

const { createClerkClient } = require('./client')
const { loadApiEnv, loadClientEnv } = require('./env')

const EXPRESS_USER_AGENT = '@clerk/express@2.1.70'

let singleton = null

const clerkClient = new Proxy(
  {},
  {
    get(_target, property) {
      if (singleton) return singleton[property]
      const env = { ...loadApiEnv(), ...loadClientEnv() }
      const client = createClerkClient({ ...env, userAgent: EXPRESS_USER_AGENT })
      if (env.secretKey) singleton = client
      return client[property]
    },
    set() {
      return false
    },
  },
)

module.exports = { clerkClient, EXPRESS_USER_AGENT }
