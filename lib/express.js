'use strict'

// The Express surface: clerkMiddleware, requireAuth, getAuth and the
// Express-level authenticateRequest, with @clerk/express 2.1.70 semantics.

const { clerkClient, EXPRESS_USER_AGENT } = require('./clerk-client-singleton')
const { createClerkClient, AUTHENTICATE_FACTS } = require('./client')
const { loadApiEnv, loadClientEnv, loadRequestEnv } = require('./env')
const { getAuthObjectForAcceptedToken } = require('./auth-objects')
const { warnOnce, deprecated } = require('./logger')
const { prefetchKeys } = require('./authenticate')
const { resolveRequestOptions } = require('./request-options')

const AUTH_BRAND = Symbol.for('@clerk/express.auth')

const FOREIGN_AUTH_WARNING =
  'Clerk: another middleware has already set `req.auth` on this request. Clerk authentication will run anyway and overwrite it. To use another auth library alongside Clerk, configure it to store its state on a different request property.'

const middlewareRequired = (fnName) => `🔒 Clerk: The "clerkMiddleware" should be registered before using "${fnName}".
Example:

import express from 'express';
import { clerkMiddleware } from '@clerk/express';

const app = express();
app.use(clerkMiddleware());

  For more info, check out the docs: https://clerk.com/docs,
  or come say hi in our discord server: https://clerk.com/discord
  `

const isBrandedAuth = (auth) => typeof auth === 'function' && auth[AUTH_BRAND] === true
const requestHasAuthObject = (req) => isBrandedAuth(req.auth)

// Methods the Fetch `Request` constructor refuses, and common ones it takes.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])
const COMMON_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])

// Express 5 gives every request and response object a hidden class of its
// own (it swaps their prototypes), so each property read on them misses V8's
// inline caches and costs a lookup through the prototype chain. The hot path
// below reads each property once.

/** The socket, for `req.connection?.encrypted`: `connection` is a getter returning `socket`. */
const socketOf = (req) => (req.socket !== undefined ? req.socket : req.connection)

/**
 * Whether the reference could turn this request into a WHATWG Request; if
 * not it answers 400. Relative paths (the normal case) are checked without
 * building a URL.
 */
function isConvertible(method, url, req) {
  if (!COMMON_METHODS.has(method) && FORBIDDEN_METHODS.has(String(method).toUpperCase())) return false
  if (url.charCodeAt(0) === 47 /* / */) {
    const second = url.charCodeAt(1)
    if (second !== 47 && second !== 92 /* \ */) return true
  }
  try {
    const parsed = new URL(url, `${socketOf(req)?.encrypted ? 'https' : 'http'}://clerk-dummy`)
    return !parsed.username && !parsed.password
  } catch {
    return false
  }
}

function resolveDefaultClerkClient(options) {
  if (!options.apiUrl && !options.apiVersion) return clerkClient
  return createClerkClient({
    ...loadApiEnv(),
    ...loadClientEnv(),
    ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    ...(options.apiVersion ? { apiVersion: options.apiVersion } : {}),
    userAgent: EXPRESS_USER_AGENT,
  })
}

/**
 * The headers and URL the state machine reads, without building a Request.
 * `env` is the environment the request is authenticated with
 * (`loadRequestEnv`), read once per request: the layers below use it
 * instead of asking again.
 */
class RequestFacts {
  constructor(req, method = req.method, url = req.originalUrl || req.url || '', env = loadRequestEnv()) {
    const headers = req.headers
    this.headers = headers
    this.method = method
    this.url = url
    this.env = env
    this.encrypted = !!socketOf(req)?.encrypted
    this.authorization = headers.authorization
    this.userAgent = headers['user-agent'] || undefined
    this.origin = headers.origin || undefined
    this.host = headers.host
    this.forwardedHost = headers['x-forwarded-host']
    this.forwardedProto = headers['x-forwarded-proto']
    this.secFetchDest = headers['sec-fetch-dest']
    this.accept = headers.accept
    this.referer = headers.referer
    this.cookie = headers.cookie
  }

  /** As the reference's `new Headers(req.headers)` iterates them: sorted, array values joined with ','. */
  allHeaders() {
    const headers = this.headers
    return Object.keys(headers)
      .sort()
      .map((name) => [name, String(headers[name])])
  }
}

/** Copies the state's headers; 307 ends handshake redirects. */
function applyRequestState(state, res) {
  for (const [name, value] of state.headerEntries) res.appendHeader(name, value)
  if (state.headerEntries.some(([name]) => name === 'location')) {
    res.status(307).end()
    return undefined
  }
  if (state.status === 'handshake') return new Error('Clerk: unexpected handshake without redirect')
  return undefined
}

function decorate(req, state) {
  const auth = (opts) => state.toAuth(opts)
  auth[AUTH_BRAND] = true
  req.auth = auth
}

/**
 * `prefetchJwks: true`: fetch the JWKS when the middleware is created, so
 * that the first request finds the keys in memory. Only for the default
 * client, whose key source is known here; a failure is left to the first
 * request, which fetches and reports as usual.
 */
function prefetchJwks(options) {
  const env = process.env
  if (!options.prefetchJwks || options.clerkClient) return
  const keys = {
    secretKey: options.secretKey || env.CLERK_SECRET_KEY,
    publishableKey: options.publishableKey || env.CLERK_PUBLISHABLE_KEY,
    jwtKey: options.jwtKey || env.CLERK_JWT_KEY,
    apiUrl: options.apiUrl || env.CLERK_API_URL,
    apiVersion: options.apiVersion || env.CLERK_API_VERSION,
  }
  if (keys.jwtKey || !keys.secretKey) return
  prefetchKeys(keys).catch(() => {})
}

function authenticateAndDecorateRequest(options = {}) {
  const client = options.clerkClient || resolveDefaultClerkClient(options)
  const proxy = options.frontendApiProxy
  // Loaded only by the apps that use the proxy.
  const frontendApiProxy = proxy ? require('./frontend-api-proxy') : null
  const proxyPath = proxy ? frontendApiProxy.proxyPathOf(proxy) : null

  /**
   * `frontendApiProxy`: a matching request is forwarded (returns a promise);
   * otherwise, when enabled, the proxy becomes the `proxyUrl`. `null` means
   * the request already got its 400.
   */
  function applyProxy(req, res) {
    if (!proxy) return options
    let requestUrl
    try {
      requestUrl = frontendApiProxy.proxyRequestUrl(req)
    } catch {
      res.status(400).end()
      return null
    }
    const enabled = frontendApiProxy.isEnabled(proxy, requestUrl)
    if (enabled && frontendApiProxy.matchesPath(requestUrl.pathname, proxyPath)) {
      const env = loadRequestEnv()
      return frontendApiProxy.forward(req, res, {
        proxyPath,
        publishableKey: options.publishableKey || env.publishableKey,
        secretKey: options.secretKey || env.secretKey,
        maxBodyBytes: proxy.maxBodyBytes,
      })
    }
    return enabled && !options.proxyUrl ? { ...options, proxyUrl: proxyPath } : options
  }

  const finish = (state, req, res, next) => {
    const err = applyRequestState(state, res)
    if (err) return next(err)
    // `writableEnded` is a getter returning the own `finished` of a ServerResponse.
    if (typeof res.finished === 'boolean' ? res.finished : res.writableEnded) return undefined
    decorate(req, state)
    return next()
  }

  return function clerkExpressMiddleware(req, res, next) {
    if (requestHasAuthObject(req)) return next()
    if ('auth' in req) warnOnce(FOREIGN_AUTH_WARNING)
    const method = req.method
    const url = req.originalUrl || req.url || ''
    if (!isConvertible(method, url, req)) {
      res.status(400).end()
      return undefined
    }
    let requestOptions
    try {
      requestOptions = applyProxy(req, res)
    } catch (err) {
      return next(err)
    }
    if (requestOptions === null) return undefined
    if (typeof requestOptions.then === 'function') {
      // Forwarded to the Frontend API; the proxy answered the request.
      return requestOptions.catch((err) => next(err))
    }
    let pending
    try {
      const facts = new RequestFacts(req, method, url)
      const resolved = resolveRequestOptions(requestOptions, facts.env, facts, requestOptions === options)
      const authenticateFacts = client[AUTHENTICATE_FACTS]
      const state = authenticateFacts
        ? authenticateFacts(facts, resolved)
        : client.authenticateRequest(toWebRequest(req), resolved)
      if (typeof state.then !== 'function') return finish(state, req, res, next)
      pending = state
    } catch (err) {
      return next(err)
    }
    return pending.then(
      (state) => {
        try {
          return finish(state, req, res, next)
        } catch (err) {
          return next(err)
        }
      },
      (err) => next(err),
    )
  }
}

/** For a foreign `clerkClient` (from @clerk/backend): a WHATWG Request. */
function toWebRequest(req) {
  const headers = new Headers()
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value)
  }
  const base = `${socketOf(req)?.encrypted ? 'https' : 'http'}://clerk-dummy`
  return new Request(new URL(req.originalUrl || req.url || '', base), { method: req.method, headers })
}

function clerkMiddleware(options = {}) {
  // The first look at the environment (how this thread reads it, and the
  // snapshot) happens now, so the first request does not pay for it.
  loadRequestEnv()
  if (typeof options !== 'function') {
    // Everything below reads the middleware's own copy of the options: a
    // getter on the caller's object runs once, as with @clerk/express's spread.
    const ownOptions = { ...options, acceptsToken: 'any' }
    prefetchJwks(ownOptions)
    const middleware = authenticateAndDecorateRequest(ownOptions)
    // Loaded here, not at require(): only a created middleware needs it.
    require('./warm-up').warmUp(middleware, ownOptions)
    return (req, res, next) => {
      middleware(req, res, next)
    }
  }
  return async (req, res, next) => {
    try {
      authenticateAndDecorateRequest({ ...(await options(req)), acceptsToken: 'any' })(req, res, next)
    } catch (err) {
      next(err)
    }
  }
}

function getAuth(req, options) {
  const auth = req.auth
  if (!isBrandedAuth(auth)) throw new Error(middlewareRequired('getAuth'))
  return getAuthObjectForAcceptedToken({ authObject: auth.call(req, options), acceptsToken: options?.acceptsToken })
}

function requireAuth(options = {}) {
  const middleware = authenticateAndDecorateRequest({ ...options, acceptsToken: 'any' })
  return (req, res, next) => {
    deprecated(
      'requireAuth',
      'Use `clerkMiddleware()` with `getAuth()` instead. `requireAuth` will be removed in the next major version.',
    )
    middleware(req, res, (err) => {
      if (err) return next(err)
      const signInUrl = options.signInUrl || process.env.CLERK_SIGN_IN_URL || '/'
      if (!req.auth()?.userId) return res.redirect(signInUrl)
      return next()
    })
  }
}

/** The exported `authenticateRequest({clerkClient, request, options})`. */
function authenticateRequest({ clerkClient: client, request, options }) {
  const facts = new RequestFacts(request)
  const resolved = resolveRequestOptions(options || {}, facts.env, facts)
  const authenticateFacts = client[AUTHENTICATE_FACTS]
  if (authenticateFacts) return Promise.resolve().then(() => authenticateFacts(facts, resolved))
  return client.authenticateRequest(toWebRequest(request), resolved)
}

module.exports = { clerkMiddleware, getAuth, requireAuth, authenticateRequest, clerkClient }
