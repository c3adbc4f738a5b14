'use strict'

// One native Authenticator per distinct option set, kept across requests.
// The options it reads are passed as the user gave them, in the types the
// addon takes; their defaults are decided in the addon
// (crates/core/src/authenticator.rs).
//
// The last Authenticator is reused without deriving its key while none of
// the options it reads changed: what it buys and how to re-measure it,
// benchmark/README.md, "Ablation"; switch `authenticator-memo`
// (lib/speed-ups.js).

const native = require('./native')
const { Leases } = require('./leases')
const { speedUp } = require('./speed-ups')

const AUTHENTICATOR_LIMIT = 64
const MEMO = speedUp('authenticator-memo')

/** `[value].flat().filter(Boolean)` as strings: audience and issuer options. */
const flatList = (value) => (value ? [value].flat().filter(Boolean).map(String) : [])

const stringOrUndefined = (value) => (value ? value : undefined)

/** The native `Authenticator` options of resolved options (`verifyToken` uses them too). */
function nativeOptions(options) {
  return {
    secretKey: stringOrUndefined(options.secretKey),
    publishableKey: stringOrUndefined(options.publishableKey),
    jwtKey: stringOrUndefined(options.jwtKey),
    apiUrl: stringOrUndefined(options.apiUrl),
    apiVersion: stringOrUndefined(options.apiVersion),
    userAgent: stringOrUndefined(options.apiUserAgent),
    clientSecretKey: stringOrUndefined(options.apiSecretKey),
    machineSecretKey: stringOrUndefined(options.machineSecretKey),
    machineTokenCacheTtlMs: typeof options.machineTokenCacheTtlMs === 'number' ? options.machineTokenCacheTtlMs : undefined,
    skipJwksCache: !!options.skipJwksCache,
    audience: flatList(options.audience),
    authorizedParties: Array.isArray(options.authorizedParties) ? options.authorizedParties.map(String) : [],
    issuer: flatList(options.issuer),
    headerType: options.headerType === undefined ? undefined : (Array.isArray(options.headerType) ? options.headerType : [options.headerType]).map(String),
    clockSkewInMs: typeof options.clockSkewInMs === 'number' ? options.clockSkewInMs : undefined,
    sessionTokenCache: options.sessionTokenCache !== false,
  }
}

// The options `nativeOptions` reads.
const NATIVE_OPTION_NAMES = [
  'secretKey',
  'publishableKey',
  'jwtKey',
  'apiUrl',
  'apiVersion',
  'apiUserAgent',
  'apiSecretKey',
  'machineSecretKey',
  'machineTokenCacheTtlMs',
  'skipJwksCache',
  'audience',
  'authorizedParties',
  'issuer',
  'headerType',
  'clockSkewInMs',
  'sessionTokenCache',
]

const authenticators = new Map()

/**
 * `{ native, configError, tokenCache, leases }`: the Authenticator, its
 * configuration error, whether it caches verified tokens (read once), and
 * its leased sign-ins.
 */
function authenticatorForConfig(config) {
  const key = Object.values(config)
    .map((value) => (Array.isArray(value) ? value.join('\u0001') : (value ?? '\u0002')))
    .join('\u0000')
  let entry = authenticators.get(key)
  if (!entry) {
    if (authenticators.size >= AUTHENTICATOR_LIMIT) authenticators.clear()
    const authenticator = new native.Authenticator(config)
    entry = {
      native: authenticator,
      configError: authenticator.configError,
      tokenCache: config.sessionTokenCache && !config.skipJwksCache,
      leases: new Leases(),
    }
    authenticators.set(key, entry)
  }
  return entry
}

// The last call's options object and values: the middleware passes the same,
// never modified, object while the options resolve to the same values
// (lib/request-options.js), and then only arrays (the caller's own, which
// may be changed in place) need comparing.
let lastOptions = null
let lastValues = null
let lastEntry = null

/** The value as compared next time: arrays by their items. */
const snapshot = (value) => (Array.isArray(value) ? value.map(snapshot) : value)

function sameValue(previous, value) {
  if (!Array.isArray(value)) return previous === value && !Array.isArray(previous)
  if (!Array.isArray(previous) || previous.length !== value.length) return false
  for (let i = 0; i < value.length; i++) if (!sameValue(previous[i], value[i])) return false
  return true
}

function sameAsLast(options) {
  if (lastValues === null) return false
  const sameObject = options === lastOptions
  for (let i = 0; i < NATIVE_OPTION_NAMES.length; i++) {
    if (sameObject && !Array.isArray(lastValues[i])) continue
    if (!sameValue(lastValues[i], options[NATIVE_OPTION_NAMES[i]])) return false
  }
  return true
}

/** The Authenticator entry for these resolved options. */
function authenticatorFor(options) {
  if (!MEMO) return authenticatorForConfig(nativeOptions(options))
  if (!sameAsLast(options)) {
    lastEntry = authenticatorForConfig(nativeOptions(options))
    lastValues = NATIVE_OPTION_NAMES.map((name) => snapshot(options[name]))
  }
  lastOptions = options
  return lastEntry
}

module.exports = { authenticatorFor, nativeOptions }
