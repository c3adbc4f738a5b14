'use strict'

// The bridge from a request to the Rust state machine. It resolves the
// effective options, keeps one native `Authenticator` per distinct key set,
// calls it synchronously when the keys are in memory and asynchronously
// otherwise, and wraps the result in a RequestState.

const native = require('./native')
const { signedInState, machineSignedInState, signedOutState, handshakeState } = require('./request-state')
const { warnOnce } = require('./logger')
const { clerkUrlOf, finishSiteOptions } = require('./site-options')
const { parseClaims } = require('./claims')
const { TailKeyedMap } = require('./tail-keyed-map')

const AUTHENTICATOR_LIMIT = 64
const authenticators = new Map()

/** `[value].flat().filter(Boolean)` as strings: audience and issuer options. */
const flatList = (value) => (value ? [value].flat().filter(Boolean).map(String) : [])

function headerTypeList(headerType) {
  if (headerType === undefined) return undefined
  return (Array.isArray(headerType) ? headerType : [headerType]).map(String)
}

/**
 * The native `Authenticator` options for resolved options, with the lists
 * normalized as the reference reads them (`verifyToken` uses them too).
 */
function nativeOptions(options) {
  return {
    secretKey: options.secretKey || undefined,
    publishableKey: options.publishableKey || undefined,
    jwtKey: options.jwtKey || undefined,
    apiUrl: options.apiUrl || undefined,
    apiVersion: options.apiVersion || undefined,
    userAgent: options.apiUserAgent || undefined,
    clientSecretKey: options.apiSecretKey || undefined,
    machineSecretKey: options.machineSecretKey || undefined,
    machineTokenCacheTtlMs: typeof options.machineTokenCacheTtlMs === 'number' ? options.machineTokenCacheTtlMs : undefined,
    skipJwksCache: !!options.skipJwksCache,
    audience: flatList(options.audience),
    authorizedParties: Array.isArray(options.authorizedParties) ? options.authorizedParties.map(String) : [],
    issuer: flatList(options.issuer),
    headerType: headerTypeList(options.headerType),
    clockSkewInMs: typeof options.clockSkewInMs === 'number' && Number.isFinite(options.clockSkewInMs) ? options.clockSkewInMs : 5000,
    sessionTokenCache: options.sessionTokenCache !== false,
  }
}

// The options `nativeOptions` reads: when none changed since the last
// request, the last Authenticator is reused without deriving its key.
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
let lastValues = null
let lastAuthenticator = null
// The options object of the last call: the middleware passes the same,
// never modified, object while the options resolve to the same values, and
// then only arrays (the caller's own, which may be changed in place) need
// comparing.
let lastOptions = null

/** The value as compared next time: arrays by their items, which may be mutated in place. */
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

/** One native Authenticator per distinct option set (the key is derived from them). */
function authenticatorFor(options) {
  if (!sameAsLast(options)) {
    lastAuthenticator = authenticatorForConfig(nativeOptions(options))
    lastValues = NATIVE_OPTION_NAMES.map((name) => snapshot(options[name]))
  }
  lastOptions = options
  return lastAuthenticator
}

/**
 * `{ native, configError, id, tokenCache, leases }`: the Authenticator, its
 * configuration error, its id and whether it caches verified tokens, read
 * once; and its leased cache hits (see `leasedClaims`).
 */
function authenticatorForConfig(config) {
  const key = Object.values(config)
    .map((value) => (Array.isArray(value) ? value.join('\u0001') : (value ?? '\u0002')))
    .join('\u0000')
  let authenticator = authenticators.get(key)
  if (!authenticator) {
    if (authenticators.size >= AUTHENTICATOR_LIMIT) authenticators.clear()
    const instance = new native.Authenticator(config)
    authenticator = {
      native: instance,
      configError: instance.configError,
      id: instance.id,
      tokenCache: config.sessionTokenCache && !config.skipJwksCache,
      leases: new TailKeyedMap(LEASE_TAIL_LENGTH, LEASE_LIMIT),
      cookieLeases: new TailKeyedMap(LEASE_TAIL_LENGTH, LEASE_LIMIT),
    }
    authenticators.set(key, authenticator)
  }
  return authenticator
}

// A cache hit of the verified-token cache can come with a lease: the addon
// promises the same answer for the same token until `until`, unless the
// verification keys change (its keys epoch moves on). Until then the token
// is answered here, without crossing into Rust for the lookup: the lease
// ends before the token's time claims or the cached keys' freshness would,
// so an answer from a lease is the one the addon would give (src/jwt/verify.rs,
// `cached_session_hit`).
const LEASE_LIMIT = 1000
// Leases are found by the token's end, its signature (see TailKeyedMap).
const LEASE_TAIL_LENGTH = 24

// The keys epoch, read from the addon's own counter through a view where
// Node allows it (no call into the addon per request), else by a call.
const keysEpochView = native.keysEpochBuffer ? new Uint32Array(native.keysEpochBuffer) : null
const keysEpoch = keysEpochView ? () => keysEpochView[0] : () => native.keysEpoch()

/** The lease stored under `key` while it is valid, else null. */
function validLease(leases, key) {
  const lease = leases.get(key)
  if (lease === undefined) return null
  if (lease.until > Date.now() && lease.epoch === keysEpoch()) return lease
  leases.delete(key)
  return null
}

/** The claims text of a valid lease on this token, or null. */
function leasedClaims(leases, token) {
  const lease = validLease(leases, token)
  return lease === null ? null : lease.claims
}

/** The claims text of a cache hit (taking the lease it offers), or null. */
function cachedClaims(authenticator, token) {
  const offer = { until: 0, epoch: 0, claims: '' }
  const claims = native.authenticateCachedToken(authenticator.id, token, offer)
  if (claims !== null && offer.until > 0) {
    offer.claims = claims
    authenticator.leases.set(token, offer)
  }
  return claims
}

// Browser sessions get leases too: the addon's cookie fast path answers
// from the method, URL, cookies, `Sec-Fetch-Dest` and `Referer` alone, and
// leases a plain sign-in like a cache hit (src/authenticate/dispatch.rs,
// `cookie_lease`). The lease is stored under all five, so only a request
// with exactly the same facts is answered from it.

// A lease keeps its key: requests with longer facts (a huge cookie header or
// URL) are not leased, which bounds the leases' memory at a few MiB.
const COOKIE_LEASE_KEY_LIMIT = 4096

/**
 * The facts the cookie fast path reads, as one string: no header or URL
 * holds a line break or a NUL, so the parts cannot run into each other;
 * the cookies come last, since leases are found by their key's end. Null
 * when too long to keep.
 */
function cookieLeaseKey(request) {
  const part = (value) => (value === undefined ? '\u0000' : value)
  const key = `${request.method}\n${request.url}\n${part(request.secFetchDest)}\n${part(request.referer)}\n${request.cookie}`
  return key.length <= COOKIE_LEASE_KEY_LIMIT ? key : null
}

/** The cookie fast path's answer, keeping the lease it may offer. */
function authenticateCookie(entry, request, leaseKey) {
  const result = entry.native.authenticateCookie(request.method, request.url, request.cookie, request.secFetchDest, request.referer)
  if (leaseKey !== null && result?.leaseUntil > 0) {
    entry.cookieLeases.set(leaseKey, { until: result.leaseUntil, epoch: result.keysEpoch, claims: result.claims, token: result.token })
  }
  return result
}

/** `Authorization` parsing of the reference: `Bearer x`, a bare `x`, else none. */
function tokenFromAuthorization(value) {
  if (!value) return undefined
  const space = value.indexOf(' ')
  if (space === -1) return value
  const end = value.indexOf(' ', space + 1)
  const token = value.slice(space + 1, end === -1 ? undefined : end)
  if (!token) return value.slice(0, space)
  return value.slice(0, space) === 'Bearer' ? token : undefined
}

function toState(result, context) {
  for (const line of result.errors ?? []) console.error(line)
  if (result.log) console.log(result.log)
  if (result.warnOnce) warnOnce(result.warnOnce)
  if (result.warn) console.warn(result.warn)
  switch (result.status) {
    case 'signed-in':
      if (result.tokenType !== 'session_token') {
        return machineSignedInState(context, result.tokenType, result.token, JSON.parse(result.claims), result.fromJwt)
      }
      return signedInState(context, parseClaims(result.claims), result.token, result.headers ?? [])
    case 'signed-out':
      return signedOutState(context, result.tokenType, result.reason, result.message, result.headers ?? [])
    case 'handshake':
      return handshakeState(context, result.reason, result.message, result.headers)
    default:
      throw new TypeError(result.message)
  }
}

/** The request facts the Rust state machine reads, with the site options. */
function requestInfo(request, options) {
  return {
    proxyUrl: options.proxyUrl || undefined,
    domain: options.domain || undefined,
    isSatellite: !!options.isSatellite,
    signInUrl: options.signInUrl || undefined,
    satelliteAutoSync: options.satelliteAutoSync === true,
    method: request.method,
    url: request.url,
    encrypted: request.encrypted,
    host: request.host,
    forwardedHost: request.forwardedHost,
    forwardedProto: request.forwardedProto,
    secFetchDest: request.secFetchDest,
    accept: request.accept,
    referer: request.referer,
    cookie: request.cookie,
    userAgent: request.userAgent,
  }
}

/** Loaded only by the apps that use `organizationSyncOptions`. */
function organizationTarget(syncOptions, clerkUrl) {
  const organizationSync = require('./organization-sync')
  const matcher = organizationSync.matcherFor(syncOptions)
  return matcher && organizationSync.findTarget(matcher, clerkUrl().pathname)
}

/**
 * @param request the facts of the request (see `requestInfo`), plus
 *   `authorization` and `userAgent`
 * @param options resolved options (keys, verification options, URLs)
 * @param context what request states and auth objects need
 * @returns a RequestState, or a promise of one when the JWKS must be fetched
 */
function authenticate(request, options, context) {
  const entry = authenticatorFor(options)
  const { native: authenticator, configError, tokenCache } = entry
  if (configError) throw new Error(configError)
  const clerkUrl = clerkUrlOf(request)
  const proxyUrl = finishSiteOptions(options, request, clerkUrl)
  if (proxyUrl !== options.proxyUrl) {
    // This request's own proxy URL, in a copy: the options may be shared by many requests.
    options = Object.assign({}, options)
    options.proxyUrl = proxyUrl
    context.options = options
  }
  const syncOptions = options.organizationSyncOptions
  const orgTarget = syncOptions ? organizationTarget(syncOptions, clerkUrl) : null
  const token = tokenFromAuthorization(request.authorization)
  // Fast paths: the token (or the cookies) alone decide a plain sign-in;
  // anything else takes the full path below.
  let fast = null
  if (token) {
    // A token verified before: its claims, from a lease or the cache, the cheapest way.
    const cached = tokenCache ? (leasedClaims(entry.leases, token) ?? cachedClaims(entry, token)) : null
    if (cached !== null) return signedInState(context, parseClaims(cached), token, [])
    fast = authenticator.authenticateToken(token)
    // A bare string: the claims of a signed-in session token.
    if (typeof fast === 'string') return signedInState(context, parseClaims(fast), token, [])
  } else if (request.cookie && !options.isSatellite && !orgTarget) {
    const leaseKey = tokenCache ? cookieLeaseKey(request) : null
    const leased = leaseKey !== null ? validLease(entry.cookieLeases, leaseKey) : null
    if (leased !== null) return signedInState(context, parseClaims(leased.claims), leased.token, [])
    fast = authenticateCookie(entry, request, leaseKey)
  }
  if (fast) return toState(fast, context)
  const info = requestInfo(request, options)
  if (orgTarget) {
    info.orgTargetType = orgTarget.type
    info.orgTargetId = orgTarget.id
    info.orgTargetSlug = orgTarget.slug
  }
  const result = authenticator.authenticateSync(token, info)
  if (result) return toState(result, context)
  // The network is needed (JWKS, handshake, refresh); a refresh forwards
  // every request header, so they cross into Rust only now.
  info.allHeaders = request.allHeaders?.() ?? []
  return authenticator.authenticate(token, info).then((r) => toState(r, context))
}

/** Fetches the JWKS of these options into the process-wide key cache. */
function prefetchKeys(options) {
  return authenticatorFor(options).native.prefetchJwks()
}

module.exports = { authenticate, tokenFromAuthorization, nativeOptions, prefetchKeys }
