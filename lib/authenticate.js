'use strict'

// The bridge from a request to the Rust state machine. It resolves the
// effective options, keeps one native `Authenticator` per distinct key set,
// calls it synchronously when the keys are in memory and asynchronously
// otherwise, and wraps the result in a RequestState.

const native = require('./native')
const { signedInState, signedOutState } = require('./request-state')

const AUTHENTICATOR_LIMIT = 64
const authenticators = new Map()

/** `[value].flat().filter(Boolean)` as strings: audience and issuer options. */
const flatList = (value) => (value ? [value].flat().filter(Boolean).map(String) : [])

function headerTypeList(headerType) {
  if (headerType === undefined) return undefined
  return (Array.isArray(headerType) ? headerType : [headerType]).map(String)
}

function authenticatorFor(options) {
  const audience = flatList(options.audience)
  const authorizedParties = Array.isArray(options.authorizedParties) ? options.authorizedParties.map(String) : []
  const issuer = flatList(options.issuer)
  const headerType = headerTypeList(options.headerType)
  const clockSkewInMs = typeof options.clockSkewInMs === 'number' && Number.isFinite(options.clockSkewInMs) ? options.clockSkewInMs : 5000
  const key = [
    options.secretKey || '',
    options.publishableKey || '',
    options.jwtKey || '',
    options.apiUrl || '',
    options.apiVersion || '',
    options.skipJwksCache ? 1 : 0,
    audience.join('\u0001'),
    authorizedParties.join('\u0001'),
    issuer.join('\u0001'),
    headerType ? headerType.join('\u0001') : '\u0002',
    clockSkewInMs,
  ].join('\u0000')
  let authenticator = authenticators.get(key)
  if (!authenticator) {
    if (authenticators.size >= AUTHENTICATOR_LIMIT) authenticators.clear()
    authenticator = new native.Authenticator({
      secretKey: options.secretKey || undefined,
      publishableKey: options.publishableKey || undefined,
      jwtKey: options.jwtKey || undefined,
      apiUrl: options.apiUrl || undefined,
      apiVersion: options.apiVersion || undefined,
      skipJwksCache: !!options.skipJwksCache,
      audience,
      authorizedParties,
      issuer,
      headerType,
      clockSkewInMs,
    })
    authenticators.set(key, authenticator)
  }
  return authenticator
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

/** cookie@1 `parse`: first occurrence wins, values URI-decoded when possible. */
function parseCookies(header) {
  const cookies = new Map()
  if (!header) return cookies
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=')
    if (eq === -1) continue
    const name = pair.slice(0, eq).trim()
    if (!name || cookies.has(name)) continue
    let value = pair.slice(eq + 1).trim()
    if (value.includes('%')) {
      try {
        value = decodeURIComponent(value)
      } catch {
        // the raw value is kept, as cookie@1 does
      }
    }
    cookies.set(name, value)
  }
  return cookies
}

function queryHas(url, name) {
  const q = url.indexOf('?')
  if (q === -1) return false
  return new URLSearchParams(url.slice(q + 1)).get(name) ? true : false
}

function toState(result, context, token) {
  if (result.status === 'signed-in') return signedInState(context, JSON.parse(result.claims), token)
  if (result.status === 'signed-out') return signedOutState(context, result.tokenType, result.reason, result.message)
  throw new TypeError(result.message)
}

/**
 * @param request {method, url, authorization, cookie}
 * @param options resolved options (keys, verification options, URLs)
 * @param context what auth objects need: debugData, fetchSessionToken, URL fields
 * @returns a RequestState, or a promise of one when the JWKS must be fetched
 */
function authenticate(request, options, context) {
  const authenticator = authenticatorFor(options)
  const configError = authenticator.configError
  if (configError) throw new Error(configError)
  const token = tokenFromAuthorization(request.authorization)
  if (token) {
    const isGet = request.method === 'GET'
    const result = authenticator.authenticateHeaderSync(token, isGet, false)
    if (result) return toState(result, context, token)
    return authenticator.authenticateHeader(token, isGet, false).then((r) => toState(r, context, token))
  }
  const cookies = parseCookies(request.cookie)
  const result = authenticator.authenticateCookies({
    sessionCookie: cookies.get('__session'),
    clientUat: cookies.get('__client_uat'),
    devBrowserInQuery: queryHas(request.url || '', '__clerk_db_jwt'),
    devBrowserCookie: cookies.get('__clerk_db_jwt'),
  })
  return toState(result, context, null)
}

module.exports = { authenticate, tokenFromAuthorization, parseCookies }
