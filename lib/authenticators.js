'use strict'

// One native Authenticator per distinct option set, kept across requests.
// The options it reads are passed as the user gave them, in the types the
// addon takes; their defaults are decided in the addon
// (crates/core/src/authenticator.rs).
//
// The Authenticator is remembered per options object, so that a request
// does not derive its key again: what it buys and how to re-measure it,
// benchmark/README.md, "Ablation"; switch `authenticator-memo`
// (lib/speed-ups.js).

const native = require('./native')
const { Leases } = require('./leases')
const { speedUp } = require('./speed-ups')

const AUTHENTICATOR_LIMIT = 64
const MEMO = speedUp('authenticator-memo')

const text = (value) => (value ? value : undefined)
const number = (value) => (typeof value === 'number' ? value : undefined)
/** `[value].flat().filter(Boolean)` as strings: audience and issuer options. */
const flatList = (value) => (value ? [value].flat().filter(Boolean).map(String) : [])
const list = (value) => (Array.isArray(value) ? value.map(String) : [])
const oneOrMore = (value) => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]).map(String))

// Each native option: its name, the resolved option it is read from, and
// how (in the types the addon takes; the defaults are the addon's).
const NATIVE_OPTIONS = [
  ['secretKey', 'secretKey', text],
  ['publishableKey', 'publishableKey', text],
  ['jwtKey', 'jwtKey', text],
  ['apiUrl', 'apiUrl', text],
  ['apiVersion', 'apiVersion', text],
  ['userAgent', 'apiUserAgent', text],
  ['clientSecretKey', 'apiSecretKey', text],
  ['machineSecretKey', 'machineSecretKey', text],
  ['machineTokenCacheTtlMs', 'machineTokenCacheTtlMs', number],
  ['skipJwksCache', 'skipJwksCache', (value) => !!value],
  ['audience', 'audience', flatList],
  ['authorizedParties', 'authorizedParties', list],
  ['issuer', 'issuer', flatList],
  ['headerType', 'headerType', oneOrMore],
  ['clockSkewInMs', 'clockSkewInMs', number],
  ['sessionTokenCache', 'sessionTokenCache', (value) => value !== false],
  ['jwksStaleIfErrorMs', 'jwksStaleIfErrorMs', number],
]
const NATIVE_OPTION_NAMES = NATIVE_OPTIONS.map(([, source]) => source)

/** The native `Authenticator` options of resolved options (`verifyToken` uses them too). */
function nativeOptions(options) {
  const config = {}
  for (const [name, source, read] of NATIVE_OPTIONS) config[name] = read(options[source])
  return config
}

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

// The Authenticator of each options object the middleware hands over: the
// same object, never modified, for as long as its options resolve to the
// same values (lib/request-options.js, lib/client.js). Only arrays (the
// caller's own, which may be changed in place) are compared on each call.
const byOptions = new WeakMap()

/** The value as compared next time: arrays by their items. */
const snapshot = (value) => (Array.isArray(value) ? value.map(snapshot) : value)

function sameValue(previous, value) {
  if (!Array.isArray(value)) return previous === value && !Array.isArray(previous)
  if (!Array.isArray(previous) || previous.length !== value.length) return false
  for (let i = 0; i < value.length; i++) if (!sameValue(previous[i], value[i])) return false
  return true
}

/** The Authenticator entry for these resolved options. */
function authenticatorFor(options) {
  if (!MEMO) return authenticatorForConfig(nativeOptions(options))
  let memo = byOptions.get(options)
  if (memo === undefined || !memo.arrays.every(([name, items]) => sameValue(items, options[name]))) {
    const arrays = []
    for (const name of NATIVE_OPTION_NAMES) if (Array.isArray(options[name])) arrays.push([name, snapshot(options[name])])
    memo = { entry: authenticatorForConfig(nativeOptions(options)), arrays }
    byOptions.set(options, memo)
  }
  return memo.entry
}

module.exports = { authenticatorFor, nativeOptions }
