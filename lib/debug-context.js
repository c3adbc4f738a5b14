'use strict'

// What `debug()` on a session auth object shows: the reference's
// AuthenticateContext for the request, field for field and in its order.
// The request's facts come from the addon (read by the state machine's own
// rules: suffixed or unsuffixed cookies, a query parameter before its
// cookie), then come the options, the Backend API client and `clerkUrl`.
// It is built only when `debug()` is called: nothing here runs per request.

const { authenticatorFor } = require('./authenticators')
const { requestInfo, tokenFromAuthorization } = require('./authenticate')

// For these the reference reads the request's headers only (no keys, no cookies).
const HEADER_ONLY_TOKEN_TYPES = new Set(['m2m_token', 'api_key'])

/** The reference's `ClerkUrl`: a URL that can tell another origin. */
class ClerkUrl extends URL {
  isCrossOrigin(other) {
    return this.origin !== new URL(other.toString()).origin
  }
}

/** The reference's `ClerkRequest`: the request, its rebuilt URL and its cookies. */
class ClerkRequest extends Request {
  constructor(url, init, clerkUrl, cookies) {
    super(url, init)
    this.clerkUrl = clerkUrl
    this.cookies = cookies
  }

  toJSON() {
    return {
      url: this.clerkUrl.href,
      method: this.method,
      headers: JSON.stringify(Object.fromEntries(this.headers)),
      clerkUrl: this.clerkUrl.toString(),
      cookies: JSON.stringify(Object.fromEntries(this.cookies)),
    }
  }
}

/** cookie@1.1.1 `parse` as a Map: the first pair of a name wins, in its object's key order. */
function cookieMap(pairs) {
  const record = Object.create(null)
  for (const [name, value] of pairs) if (record[name] === undefined) record[name] = value
  return new Map(Object.entries(record))
}

/**
 * @param options the request's effective options (as the state machine got them)
 * @param request the request's facts (lib/express.js RequestFacts, or those of a WHATWG Request)
 * @param apiClient the client's Backend API groups
 */
function authenticateContextOf(options, request, apiClient) {
  const facts = authenticatorFor(options).native.debugContext(requestInfo(request, options))
  const protocol = request.encrypted ? 'https' : 'http'
  const headers = new Headers(request.allHeaders())
  const header = (name) => headers.get(name) || undefined
  // A URL or a method `Request` refuses (CONNECT, TRACE): the reference fails
  // such a request before anyone can call debug(); here it was authenticated
  // as usual, and debug() shows null for what cannot be built.
  const clerkUrl = facts.clerkUrl ? new ClerkUrl(facts.clerkUrl) : null
  let clerkRequest = null
  if (clerkUrl) {
    try {
      clerkRequest = new ClerkRequest(new URL(request.url, `${protocol}://clerk-dummy`), { method: request.method, headers }, clerkUrl, cookieMap(facts.cookies))
    } catch {}
  }
  const context = { cookieSuffix: options.publishableKey ? facts.cookieSuffix : '', clerkRequest, originalFrontendApi: '' }
  const headerOnly = HEADER_ONLY_TOKEN_TYPES.has(options.acceptsToken)
  if (!headerOnly) {
    context.publishableKey = options.publishableKey
    context.originalFrontendApi = facts.originalFrontendApi
    context.instanceType = facts.instanceType
    context.frontendApi = facts.frontendApi
  }
  context.method = request.method
  context.tokenInHeader = tokenFromAuthorization(header('authorization'))
  context.origin = header('origin')
  context.host = header('host')
  context.forwardedHost = header('x-forwarded-host')
  context.forwardedProto = header('cloudfront-forwarded-proto') || header('x-forwarded-proto')
  context.referrer = header('referer')
  context.userAgent = header('user-agent')
  context.secFetchDest = header('sec-fetch-dest')
  context.accept = header('accept')
  if (!headerOnly) {
    context.sessionTokenInCookie = facts.sessionTokenInCookie ?? undefined
    context.refreshTokenInCookie = facts.refreshTokenInCookie ?? undefined
    context.clientUat = facts.clientUat
    context.devBrowserToken = facts.devBrowserToken ?? undefined
    context.handshakeToken = facts.handshakeToken ?? undefined
    context.handshakeRedirectLoopCounter = facts.handshakeRedirectLoopCounter
    context.handshakeNonce = facts.handshakeNonce ?? undefined
  }
  // The options the reference spreads in; the client's own User-Agent and secret key are ours.
  const { apiUserAgent, apiSecretKey, ...given } = options
  Object.assign(context, given)
  context.apiClient = apiClient
  context.clerkUrl = clerkUrl
  return context
}

module.exports = { authenticateContextOf }
