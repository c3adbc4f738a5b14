'use strict'

// The `clerkClient` export: a lazy, env-configured client. Like the
// reference, it is kept for good once CLERK_SECRET_KEY is set, and
// assignments to it are ignored. Without a secret key the reference builds a
// new client on every access from the current environment; we build one per
// distinct environment instead, which is observably the same and avoids a
// client construction per request.

const { createClerkClient } = require('./client')
const { loadApiEnv, loadClientEnv } = require('./env')

const EXPRESS_USER_AGENT = '@clerk/express@2.1.70'

let singleton = null
let lastEnvKey = null
let lastClient = null

/** The environment variables a client's behaviour depends on. */
function envKey() {
  const env = process.env
  return [
    env.CLERK_SECRET_KEY,
    env.CLERK_PUBLISHABLE_KEY,
    env.CLERK_MACHINE_SECRET_KEY,
    env.CLERK_API_URL,
    env.CLERK_API_VERSION,
    env.CLERK_JWT_KEY,
    env.CLERK_DOMAIN,
    env.CLERK_PROXY_URL,
    env.CLERK_SIGN_IN_URL,
    env.CLERK_IS_SATELLITE,
    env.CLERK_TELEMETRY_DISABLED,
    env.CLERK_TELEMETRY_DEBUG,
  ].join('\u0000')
}

function currentClient() {
  if (singleton) return singleton
  const key = envKey()
  if (key === lastEnvKey) return lastClient
  const env = { ...loadApiEnv(), ...loadClientEnv() }
  const client = createClerkClient({ ...env, userAgent: EXPRESS_USER_AGENT })
  if (env.secretKey) singleton = client
  lastEnvKey = key
  lastClient = client
  return client
}

const clerkClient = new Proxy(
  {},
  {
    get(_target, property) {
      return currentClient()[property]
    },
    set() {
      return false
    },
  },
)

module.exports = { clerkClient, EXPRESS_USER_AGENT }
