'use strict'

// The environment variables @clerk/express reads, read when it reads them
// (on every request for the keys, when a client is built for the rest).

const { isMainThread } = require('node:worker_threads')
const native = require('./native')

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

// The subset of the environment the middleware re-reads on every request.
// Each variable is read when it is used (reading `process.env` costs a
// system lookup), which within one request gives the same values as
// reading them all up front.
const requestEnv = Object.freeze({
  get secretKey() {
    return process.env.CLERK_SECRET_KEY || ''
  },
  get machineSecretKey() {
    return process.env.CLERK_MACHINE_SECRET_KEY || ''
  },
  get publishableKey() {
    return process.env.CLERK_PUBLISHABLE_KEY || ''
  },
  get domain() {
    return process.env.CLERK_DOMAIN || ''
  },
  get proxyUrl() {
    return process.env.CLERK_PROXY_URL || ''
  },
  get signInUrl() {
    return process.env.CLERK_SIGN_IN_URL || ''
  },
  get isSatellite() {
    return isTruthy(process.env.CLERK_IS_SATELLITE)
  },
  // Read for production keys (Vercel's automatic proxy), raw.
  get disableAutoProxy() {
    return process.env.CLERK_DISABLE_AUTO_PROXY
  },
  get vercelTargetEnv() {
    return process.env.VERCEL_TARGET_ENV
  },
  get vercelProductionUrl() {
    return process.env.VERCEL_PROJECT_PRODUCTION_URL
  },
})

// On the main thread `process.env` is the process environment, and the
// addon tells in one call whether any of these variables changed since it
// last looked (src/env_watch.rs): their values are read again only then.
// Each `process.env` read costs about 1.5 µs in a busy server, which made
// these reads a fifth of a request's authentication. A worker thread has
// its own copy of `process.env` by default, which the addon cannot see:
// workers read it on every request.
let snapshot = null
let snapshotVersion = -1

function loadRequestEnv() {
  if (!isMainThread) return requestEnv
  const version = native.requestEnvVersion()
  if (version !== snapshotVersion) {
    snapshot = Object.freeze({
      secretKey: requestEnv.secretKey,
      machineSecretKey: requestEnv.machineSecretKey,
      publishableKey: requestEnv.publishableKey,
      domain: requestEnv.domain,
      proxyUrl: requestEnv.proxyUrl,
      signInUrl: requestEnv.signInUrl,
      isSatellite: requestEnv.isSatellite,
      disableAutoProxy: requestEnv.disableAutoProxy,
      vercelTargetEnv: requestEnv.vercelTargetEnv,
      vercelProductionUrl: requestEnv.vercelProductionUrl,
    })
    snapshotVersion = version
  }
  return snapshot
}

module.exports = { isTruthy, loadApiEnv, loadClientEnv, loadRequestEnv }
