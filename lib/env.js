'use strict'

// The environment variables @clerk/express reads, read when it reads them
// (on every request for the keys, when a client is built for the rest).

const native = require('./native')
const { speedUp } = require('./speed-ups')

/** `isTruthy` of @clerk/shared: booleans, "true"/"false", positive integers. */
function isTruthy(value) {
  if (typeof value === 'boolean') return value
  if (value === undefined || value === null) return false
  if (typeof value === 'string') {
    if (value.toLowerCase() === 'true') return true
    if (value.toLowerCase() === 'false') return false
  }
  const number = parseInt(value, 10)
  if (isNaN(number)) return false
  return number > 0
}

function loadApiEnv() {
  const env = process.env
  return {
    secretKey: env.CLERK_SECRET_KEY || '',
    machineSecretKey: env.CLERK_MACHINE_SECRET_KEY || '',
    apiUrl: env.CLERK_API_URL || 'https://api.clerk.com',
    apiVersion: env.CLERK_API_VERSION || 'v1',
    domain: env.CLERK_DOMAIN || '',
    proxyUrl: env.CLERK_PROXY_URL || '',
    signInUrl: env.CLERK_SIGN_IN_URL || '',
    isSatellite: isTruthy(env.CLERK_IS_SATELLITE),
    jwtKey: env.CLERK_JWT_KEY || '',
    sdkMetadata: { name: '@clerk/express', version: '2.1.70', environment: env.NODE_ENV },
    telemetry: { disabled: isTruthy(env.CLERK_TELEMETRY_DISABLED), debug: isTruthy(env.CLERK_TELEMETRY_DEBUG) },
  }
}

function loadClientEnv() {
  const env = process.env
  return {
    publishableKey: env.CLERK_PUBLISHABLE_KEY || '',
    __internal_clerkJSUrl: env.CLERK_JS || env.CLERK_JS_URL || '',
    __internal_clerkJSVersion: env.CLERK_JS_VERSION || '',
    __internal_clerkUIUrl: env.CLERK_UI_URL || '',
    __internal_clerkUIVersion: env.CLERK_UI_VERSION || '',
    prefetchUI: env.CLERK_PREFETCH_UI === 'false' ? false : undefined,
  }
}

// The subset of the environment the middleware re-reads on every request:
// each field, the variable it comes from, and how its value is read.
const REQUEST_ENV_FIELDS = [
  ['secretKey', 'CLERK_SECRET_KEY', (value) => value || ''],
  ['machineSecretKey', 'CLERK_MACHINE_SECRET_KEY', (value) => value || ''],
  ['publishableKey', 'CLERK_PUBLISHABLE_KEY', (value) => value || ''],
  ['domain', 'CLERK_DOMAIN', (value) => value || ''],
  ['proxyUrl', 'CLERK_PROXY_URL', (value) => value || ''],
  ['signInUrl', 'CLERK_SIGN_IN_URL', (value) => value || ''],
  ['isSatellite', 'CLERK_IS_SATELLITE', isTruthy],
  // Read for production keys (Vercel's automatic proxy), raw.
  ['disableAutoProxy', 'CLERK_DISABLE_AUTO_PROXY', (value) => value],
  ['vercelTargetEnv', 'VERCEL_TARGET_ENV', (value) => value],
  ['vercelProductionUrl', 'VERCEL_PROJECT_PRODUCTION_URL', (value) => value],
]

// In a worker thread, each field is a getter that reads its variable when it
// is used (reading `process.env` costs a system lookup), which within one
// request gives the same values as reading them all up front.
const requestEnv = {}
for (const [field, name, read] of REQUEST_ENV_FIELDS) {
  Object.defineProperty(requestEnv, field, { enumerable: true, get: () => read(process.env[name]) })
}
Object.freeze(requestEnv)

// On the main thread `process.env` is the process environment, and the
// addon tells in one call whether any of these variables changed since it
// last looked (crates/core/src/env_watch.rs): their values are read again only then.
// Each `process.env` read is a call into Node's environment code, and these
// reads were a large share of a request's authentication: what the watch
// buys and how to re-measure it, benchmark/README.md, "Ablation"; switch
// `env-watch` (lib/speed-ups.js). A worker thread has
// its own copy of `process.env` by default, which the addon cannot see:
// workers read it on every request.
let mainThread = null
let snapshot = null
let snapshotVersion = -1

/**
 * Decided on first use, not at require(): `node:worker_threads` loads
 * Node's stream modules, about a quarter of this package's require() time,
 * which an app that never authenticates in this process should not pay.
 */
function onMainThread() {
  if (mainThread === null) {
    mainThread = speedUp('env-watch') && require('node:worker_threads').isMainThread
    if (mainThread) native.watchRequestEnv(REQUEST_ENV_FIELDS.map(([, name]) => name))
  }
  return mainThread
}

function loadRequestEnv() {
  if (!onMainThread()) return requestEnv
  const version = native.requestEnvVersion()
  if (version !== snapshotVersion) {
    snapshot = {}
    for (const [field, name, read] of REQUEST_ENV_FIELDS) snapshot[field] = read(process.env[name])
    Object.freeze(snapshot)
    snapshotVersion = version
  }
  return snapshot
}

module.exports = { isTruthy, loadApiEnv, loadClientEnv, loadRequestEnv }
