'use strict'

// The bridge from a request to the Rust state machine, in the reference's
// order: the configuration error, the site options (proxy URL, satellite,
// organization sync), then the request's credentials. A bearer token, or a
// browser session's cookies, is first put to the addon's question for it
// (answered from a lease when one holds, lib/leases.js); whatever those
// cannot decide, and every other request, goes to the general question,
// which answers synchronously when everything is in memory and with a
// promise when the network is needed. The answer becomes a RequestState.

const { signedInState, machineSignedInState, signedOutState, handshakeState } = require('./request-state')
const { warnOnce } = require('./logger')
const { clerkUrlOf, finishSiteOptions } = require('./site-options')
const { authenticatorFor } = require('./authenticators')
const { parseClaims } = require('./claims')
const { speedUp } = require('./speed-ups')
const { authenticationObserved, traceAuthentication, publishCallEvents, afterNativeCall } = require('./diagnostics')

// The two narrow questions, each with a switch to measure what it buys
// (benchmark/README.md, "Ablation"): without them every request takes the
// general question.
const BEARER_CALL = speedUp('bearer-call')
const BROWSER_SESSION_CALL = speedUp('browser-session-call')

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

const leasedState = (lease, context) => signedInState(context, parseClaims(lease.claims), lease.token, [])

/** The request facts the Rust state machine reads, with the site options. */
function requestInfo(request, options, orgTarget) {
  return {
    proxyUrl: options.proxyUrl || undefined,
    domain: options.domain || undefined,
    isSatellite: !!options.isSatellite,
    signInUrl: options.signInUrl || undefined,
    satelliteAutoSync: options.satelliteAutoSync === true,
    orgTargetType: orgTarget?.type,
    orgTargetId: orgTarget?.id,
    orgTargetSlug: orgTarget?.slug,
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

// Where the bearer question writes the lease of a plain sign-in: [until, keysEpoch].
const bearerLease = new Float64Array(2)

/**
 * A bearer token's answer from its lease or the bearer question; null: ask
 * the general question. `trace`: the diagnostics context, or null.
 */
function bearerAnswer(entry, token, context, trace) {
  const leased = entry.tokenCache ? entry.leases.bearerSignIn(token) : null
  if (leased !== null) {
    if (trace !== null) trace.cached = 'lease'
    return leasedState(leased, context)
  }
  bearerLease[0] = 0
  const result = entry.native.authenticateBearer(token, bearerLease)
  if (result === null) return null
  if (typeof result !== 'string') {
    result.token = token
    return toState(result, context)
  }
  if (entry.tokenCache) entry.leases.keepBearer(token, result, bearerLease[0], bearerLease[1])
  return signedInState(context, parseClaims(result), token, [])
}

/** A browser session's plain sign-in from its lease or the browser-session question; else null. */
function browserSessionAnswer(entry, request, context, trace) {
  const leaseKey = entry.tokenCache ? entry.leases.browserKeyOf(request) : null
  const leased = entry.leases.browserSignIn(leaseKey)
  if (leased !== null) {
    if (trace !== null) trace.cached = 'lease'
    return leasedState(leased, context)
  }
  const { method, url, cookie, secFetchDest, referer } = request
  const result = entry.native.authenticateBrowserSession(method, url, cookie, secFetchDest, referer)
  if (result === null) return null
  entry.leases.keepBrowser(leaseKey, result)
  return toState(result, context)
}

/**
 * @param request the facts of the request (see `requestInfo`), plus
 *   `authorization`, `userAgent` and `allHeaders()`
 * @param options resolved options (keys, verification options, URLs)
 * @param context what request states and auth objects need
 * @returns a RequestState, or a promise of one when the network is needed
 */
function authenticate(request, options, context) {
  if (!authenticationObserved()) return authenticateUntraced(request, options, context, null)
  return traceAuthentication(request.method, (trace) => authenticateUntraced(request, options, context, trace))
}

/** `authenticate`, telling `trace` (when not null) whether a lease answered. */
function authenticateUntraced(request, options, context, trace) {
  const entry = authenticatorFor(options)
  if (entry.configError) throw new Error(entry.configError)
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
  let answer = null
  if (token && BEARER_CALL) {
    answer = bearerAnswer(entry, token, context, trace)
  } else if (!token && BROWSER_SESSION_CALL && request.cookie && !options.isSatellite && !orgTarget) {
    answer = browserSessionAnswer(entry, request, context, trace)
  }
  if (answer !== null) return answer
  // Every header crosses into Rust only when the network is needed (a
  // session refresh forwards them).
  const allHeaders = () => request.allHeaders?.() ?? []
  const result = entry.native.authenticateRequest(token, requestInfo(request, options, orgTarget), allHeaders)
  if (typeof result.then === 'function') {
    return result.then((r) => {
      publishCallEvents(trace, r.events)
      return toState(r, context)
    })
  }
  return toState(result, context)
}

/** Fetches the JWKS of these options into the process-wide key cache. */
function prefetchKeys(options) {
  return afterNativeCall(authenticatorFor(options).native.prefetchJwks())
}

module.exports = { authenticate, tokenFromAuthorization, prefetchKeys, requestInfo }
