'use strict'

// The Express surface: clerkMiddleware, requireAuth, getAuth and the
// Express-level authenticateRequest, with @clerk/express 2.1.70 semantics.

const { clerkClient, EXPRESS_USER_AGENT } = require('./clerk-client-singleton')
const { createClerkClient, AUTHENTICATE_FACTS } = require('./client')
const { loadApiEnv, loadClientEnv, loadRequestEnv } = require('./env')
const { getAuthObjectForAcceptedToken } = require('./auth-objects')
const { warnOnce, deprecated } = require('./logger')
const { valueOrFn, absoluteProxyUrl, clerkUrlOf, isHttpOrHttps, isDevelopmentSecretKey } = require('./site-options')
const frontendApiProxy = require('./frontend-api-proxy')

const AUTH_BRAND = Symbol.for('@clerk/express.auth')

const FOREIGN_AUTH_WARNING =
  'Clerk: another middleware has already set `req.auth` on this request. Clerk authentication will run anyway and overwrite it. To use another auth library alongside Clerk, configure it to store its state on a different request property.'
const MISSING_DOMAIN_AND_PROXY =
  'Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl'
const SATELLITE_SIGN_IN_URL = `
Invalid signInUrl. A satellite application requires a signInUrl for development instances.
Check if signInUrl is missing from your configuration or if it is not an absolute URL.`

const middlewareRequired = (fnName) => `🔒 Clerk: The "clerkMiddleware" should be registered before using "${fnName}".
Example:

import express from 'express';
import { clerkMiddleware } from '@clerk/express';

const app = express();
app.use(clerkMiddleware());

  For more info, check out the docs: https://clerk.com/docs,
  or come say hi in our discord server: https://clerk.com/discord
  `

const requestHasAuthObject = (req) => typeof req.auth === 'function' && req.auth[AUTH_BRAND] === true

// Methods the Fetch `Request` constructor refuses.
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * Whether the reference could turn this request into a WHATWG Request; if
 * not it answers 400. Relative paths (the normal case) are checked without
 * building a URL.
 */
function isConvertible(req) {
  if (FORBIDDEN_METHODS.has(String(req.method).toUpperCase())) return false
  const url = req.originalUrl || req.url || ''
  if (url.charCodeAt(0) === 47 /* / */) {
    const second = url.charCodeAt(1)
    if (second !== 47 && second !== 92 /* \ */) return true
  }
  try {
    const parsed = new URL(url, `${req.connection?.encrypted ? 'https' : 'http'}://clerk-dummy`)
    return !parsed.username && !parsed.password
  } catch {
    return false
  }
}

/** Express-level option resolution (env fallbacks, option functions, satellite checks). */
function resolveRequestOptions(options, env, request) {
  const {
    clerkClient: _client,
    debug: _debug,
    frontendApiProxy: _proxy,
    isSatellite: isSatelliteInput,
    domain: domainInput,
    signInUrl: signInUrlInput,
    proxyUrl: proxyUrlInput,
    secretKey: secretKeyInput,
    machineSecretKey: machineSecretKeyInput,
    publishableKey: publishableKeyInput,
    ...rest
  } = options
  const clerkUrl = clerkUrlOf(request)
  const secretKey = secretKeyInput || env.secretKey
  const isSatellite = valueOrFn(isSatelliteInput, clerkUrl, env.isSatellite)
  const domain = valueOrFn(domainInput, clerkUrl) || env.domain
  const signInUrl = signInUrlInput || env.signInUrl
  const proxyUrl = absoluteProxyUrl(valueOrFn(proxyUrlInput, clerkUrl, env.proxyUrl), clerkUrl)
  if (isSatellite && !proxyUrl && !domain) throw new Error(MISSING_DOMAIN_AND_PROXY)
  if (isSatellite && !isHttpOrHttps(signInUrl) && isDevelopmentSecretKey(secretKey || '')) {
    throw new Error(SATELLITE_SIGN_IN_URL)
  }
  return {
    ...rest,
    secretKey,
    machineSecretKey: machineSecretKeyInput || env.machineSecretKey,
    publishableKey: publishableKeyInput || env.publishableKey,
    proxyUrl,
    isSatellite,
    domain,
    signInUrl,
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

/** The headers and URL the state machine reads, without building a Request. */
function requestFacts(req) {
  const headers = req.headers
  return {
    method: req.method,
    url: req.originalUrl || req.url || '',
    encrypted: !!req.connection?.encrypted,
    authorization: headers.authorization,
    userAgent: headers['user-agent'] || undefined,
    origin: headers.origin || undefined,
    host: headers.host,
    forwardedHost: headers['x-forwarded-host'],
    forwardedProto: headers['x-forwarded-proto'],
    secFetchDest: headers['sec-fetch-dest'],
    accept: headers.accept,
    referer: headers.referer,
    cookie: headers.cookie,
    // As the reference's `new Headers(req.headers)` iterates them: sorted,
    // array values joined with ','.
    allHeaders: () =>
      Object.keys(headers)
        .sort()
        .map((name) => [name, String(headers[name])]),
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

function authenticateAndDecorateRequest(options = {}) {
  const client = options.clerkClient || resolveDefaultClerkClient(options)
  const proxy = options.frontendApiProxy
  const proxyPath = frontendApiProxy.proxyPathOf(proxy)

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
      })
    }
    return enabled && !options.proxyUrl ? { ...options, proxyUrl: proxyPath } : options
  }

  const finish = (state, req, res, next) => {
    const err = applyRequestState(state, res)
    if (err) return next(err)
    if (res.writableEnded) return undefined
    decorate(req, state)
    return next()
  }

  return function clerkExpressMiddleware(req, res, next) {
    if (requestHasAuthObject(req)) return next()
    if ('auth' in req) warnOnce(FOREIGN_AUTH_WARNING)
    if (!isConvertible(req)) {
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
      const facts = requestFacts(req)
      const resolved = resolveRequestOptions(requestOptions, loadRequestEnv(), facts)
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
  const base = `${req.connection?.encrypted ? 'https' : 'http'}://clerk-dummy`
  return new Request(new URL(req.originalUrl || req.url || '', base), { method: req.method, headers })
}

function clerkMiddleware(options = {}) {
  if (typeof options !== 'function') {
    const middleware = authenticateAndDecorateRequest({ ...options, acceptsToken: 'any' })
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
  if (!requestHasAuthObject(req)) throw new Error(middlewareRequired('getAuth'))
  return getAuthObjectForAcceptedToken({ authObject: req.auth(options), acceptsToken: options?.acceptsToken })
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
  const facts = requestFacts(request)
  const resolved = resolveRequestOptions(options || {}, loadRequestEnv(), facts)
  const authenticateFacts = client[AUTHENTICATE_FACTS]
  if (authenticateFacts) return Promise.resolve().then(() => authenticateFacts(facts, resolved))
  return client.authenticateRequest(toWebRequest(request), resolved)
}

module.exports = { clerkMiddleware, getAuth, requireAuth, authenticateRequest, clerkClient }
