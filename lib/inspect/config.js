'use strict'

// The app's keys and verification options for `inspect`: flags first, then
// the environment variables the middleware itself reads (lib/env.js). There
// is no CLERK_AUTHORIZED_PARTIES: the middleware takes authorizedParties
// only as an option, so here only as a flag.

const fs = require('node:fs')
const { DEFAULT_CLOCK_SKEW_MS } = require('./decode')

const ENV = {
  secretKey: 'CLERK_SECRET_KEY',
  machineSecretKey: 'CLERK_MACHINE_SECRET_KEY',
  publishableKey: 'CLERK_PUBLISHABLE_KEY',
  jwtKey: 'CLERK_JWT_KEY',
  apiUrl: 'CLERK_API_URL',
  apiVersion: 'CLERK_API_VERSION',
  domain: 'CLERK_DOMAIN',
  proxyUrl: 'CLERK_PROXY_URL',
  signInUrl: 'CLERK_SIGN_IN_URL',
  isSatellite: 'CLERK_IS_SATELLITE',
}

const list = (value) => (value === undefined ? undefined : String(value).split(',').map((s) => s.trim()).filter(Boolean))

/** A PEM given inline, or the path of a file holding one. */
function readPem(value) {
  if (!value || value.includes('-----BEGIN')) return value
  try {
    return fs.readFileSync(value, 'utf8')
  } catch {
    // Not a file: the middleware gets it as given and reports what is wrong with it.
    return value
  }
}

/**
 * @param flags parsed flags (camelCase names)
 * @param env the environment (process.env)
 * @returns { options (for clerkMiddleware), sources (where each came from), clockSkewMs }
 */
function resolveConfig(flags = {}, env = process.env) {
  const options = {}
  const sources = {}
  for (const [name, variable] of Object.entries(ENV)) {
    if (flags[name] !== undefined) {
      options[name] = flags[name]
      sources[name] = 'flag'
    } else if (env[variable]) {
      options[name] = env[variable]
      sources[name] = variable
    }
  }
  if (options.jwtKey) options.jwtKey = readPem(options.jwtKey)
  if (options.isSatellite !== undefined) options.isSatellite = ['true', '1'].includes(String(options.isSatellite).toLowerCase())
  if (flags.authorizedParties !== undefined) options.authorizedParties = list(flags.authorizedParties)
  if (flags.audience !== undefined) options.audience = list(flags.audience)
  if (flags.clockSkewInMs !== undefined) options.clockSkewInMs = Number(flags.clockSkewInMs)
  const clockSkewMs = Number.isFinite(options.clockSkewInMs) ? options.clockSkewInMs : DEFAULT_CLOCK_SKEW_MS
  return { options, sources, clockSkewMs }
}

/** `sk_test_…abcd` (`ak_…abcd` for a machine secret key): the prefix and the last 4 characters, never more. */
function maskSecret(value) {
  if (!value) return value
  const prefix = /^(sk_(?:test|live)_|ak_)/.exec(value)?.[1] || ''
  return `${prefix}…${value.length > prefix.length + 8 ? value.slice(-4) : ''}`
}

/** `eyJhbGciOi…abcdef`: the first 10 and last 6 characters. */
function shortenToken(token) {
  if (!token || token.length <= 20) return token
  return `${token.slice(0, 10)}…${token.slice(-6)}`
}

module.exports = { resolveConfig, maskSecret, shortenToken }
