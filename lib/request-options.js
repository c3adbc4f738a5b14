'use strict'

// Express-level option resolution, per request as the reference does it:
// environment fallbacks, option functions (called with the request's
// clerkUrl), and the satellite checks.
//
// While a middleware's options resolve to the same values, every request
// gets the same resolved object, never modified, which lets the layers
// below (lib/authenticators.js) skip copying and comparing them: what it
// buys and how to re-measure it, benchmark/README.md, "Ablation"; switch
// `options-memo` (lib/speed-ups.js).

const { valueOrFn, absoluteProxyUrl, clerkUrlOf, isHttpOrHttps, isDevelopmentSecretKey } = require('./site-options')
const { speedUp } = require('./speed-ups')

const OPTIONS_MEMO = speedUp('options-memo')

const MISSING_DOMAIN_AND_PROXY =
  'Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl'
const SATELLITE_SIGN_IN_URL = `
Invalid signInUrl. A satellite application requires a signInUrl for development instances.
Check if signInUrl is missing from your configuration or if it is not an absolute URL.`

// The options the middleware resolves itself, and those it drops.
const RESOLVED_OPTIONS = new Set([
  'clerkClient',
  'debug',
  'frontendApiProxy',
  'isSatellite',
  'domain',
  'signInUrl',
  'proxyUrl',
  'secretKey',
  'machineSecretKey',
  'publishableKey',
])

// The middleware's last resolved options, by its own options object.
const lastResolved = new WeakMap()

const sameResolved = (last, secretKey, machineSecretKey, publishableKey, proxyUrl, isSatellite, domain, signInUrl) =>
  last.secretKey === secretKey &&
  last.machineSecretKey === machineSecretKey &&
  last.publishableKey === publishableKey &&
  last.proxyUrl === proxyUrl &&
  last.isSatellite === isSatellite &&
  last.domain === domain &&
  last.signInUrl === signInUrl

/**
 * Express-level option resolution (env fallbacks, option functions,
 * satellite checks): the options without the ones resolved here, then the
 * resolved ones, as `{ ...rest, secretKey, ... }` would build them. Built
 * by assignment, not by a spread (a spread object is slow to extend in V8 11).
 * `isPrivate`: the options belong to the middleware (nobody else can change them),
 * so their result may be shared (see `lastResolved`).
 */
function resolveRequestOptions(options, env, request, isPrivate = false) {
  const clerkUrl = clerkUrlOf(request)
  const secretKey = options.secretKey || env.secretKey
  // Environment defaults are read only when no option is given.
  const isSatellite = options.isSatellite === undefined ? env.isSatellite : valueOrFn(options.isSatellite, clerkUrl)
  const domain = valueOrFn(options.domain, clerkUrl) || env.domain
  const signInUrl = options.signInUrl || env.signInUrl
  const proxyUrlInput = options.proxyUrl
  const proxyUrl = absoluteProxyUrl(proxyUrlInput === undefined ? env.proxyUrl : valueOrFn(proxyUrlInput, clerkUrl), clerkUrl)
  if (isSatellite && !proxyUrl && !domain) throw new Error(MISSING_DOMAIN_AND_PROXY)
  if (isSatellite && !isHttpOrHttps(signInUrl) && isDevelopmentSecretKey(secretKey || '')) {
    throw new Error(SATELLITE_SIGN_IN_URL)
  }
  const machineSecretKey = options.machineSecretKey || env.machineSecretKey
  const publishableKey = options.publishableKey || env.publishableKey
  const last = isPrivate && OPTIONS_MEMO ? lastResolved.get(options) : undefined
  const same = last && sameResolved(last, secretKey, machineSecretKey, publishableKey, proxyUrl, isSatellite, domain, signInUrl)
  if (same) return last
  const resolved = {}
  for (const key of Object.keys(options)) if (!RESOLVED_OPTIONS.has(key)) resolved[key] = options[key]
  resolved.secretKey = secretKey
  resolved.machineSecretKey = machineSecretKey
  resolved.publishableKey = publishableKey
  resolved.proxyUrl = proxyUrl
  resolved.isSatellite = isSatellite
  resolved.domain = domain
  resolved.signInUrl = signInUrl
  if (isPrivate) lastResolved.set(options, resolved)
  return resolved
}

module.exports = { resolveRequestOptions }
