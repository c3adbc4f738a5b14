'use strict'

// `createClerkClient`: Backend API namespaces plus `authenticateRequest`,
// with @clerk/backend's rules for merging build-time and per-call options.

const { createBackendApiClient, defineBackendApiGroups, loadApi } = require('./backend-api/endpoints')
const { authenticate } = require('./authenticate')
const { debugRequestState } = require('./request-state')

const MERGED_KEYS = [
  'secretKey',
  'machineSecretKey',
  'jwtKey',
  'apiUrl',
  'apiVersion',
  'proxyUrl',
  'publishableKey',
  'isSatellite',
  'domain',
  'audience',
]
const DEFAULTS = {
  secretKey: '',
  machineSecretKey: '',
  jwtKey: '',
  apiUrl: undefined,
  apiVersion: undefined,
  proxyUrl: '',
  publishableKey: '',
  isSatellite: false,
  domain: '',
  audience: '',
}

/** `mergePreDefinedOptions`: for each known key, `options[key] || base[key]`. */
function mergeKnown(base, options) {
  const merged = { ...base }
  for (const key of MERGED_KEYS) merged[key] = options[key] || base[key]
  return merged
}

const AUTHENTICATE_FACTS = Symbol.for('clerk-express-native.authenticateFacts')

/** What request states and auth objects need to know about one request. */
class RequestContext {
  /** @param apiClientOf the client's Backend API groups, made on first use */
  constructor(options, request, apiClientOf) {
    this.options = options
    this.request = request
    this.apiClientOf = apiClientOf
  }

  // Read when the request state is built, after the site options are final.
  get proxyUrl() {
    return this.options.proxyUrl
  }

  get publishableKey() {
    return this.options.publishableKey
  }

  get isSatellite() {
    return this.options.isSatellite
  }

  get domain() {
    return this.options.domain
  }

  get signInUrl() {
    return this.options.signInUrl
  }

  get signUpUrl() {
    return this.options.signUpUrl
  }

  get afterSignInUrl() {
    return this.options.afterSignInUrl
  }

  get afterSignUpUrl() {
    return this.options.afterSignUpUrl
  }

  /** The reference's AuthenticateContext, which `debug()` shows; built only when someone calls it. */
  get debugData() {
    // Loaded on first use: its classes extend `Request`, whose first use loads Node's fetch.
    const { authenticateContextOf } = require('./debug-context')
    return authenticateContextOf(this.options, this.request, this.apiClientOf())
  }

  /** `getToken({template, expiresInSeconds})`: a Backend API call. */
  async fetchSessionToken(sessionId, template, expiresInSeconds) {
    const { secretKey, apiUrl, apiVersion } = this.options
    // The reference builds this client from its authenticate context, whose
    // `userAgent` is the incoming request's User-Agent header.
    const { buildRequest } = require('./backend-api/request')
    const request = buildRequest({ secretKey, apiUrl, apiVersion, userAgent: this.request.userAgent })
    const SessionAPI = loadApi('sessions')
    const sessions = new SessionAPI(request)
    return (await sessions.getToken(sessionId, template, expiresInSeconds)).jwt
  }
}

function createClerkClient(callerOptions) {
  // A copy, as in the reference: later changes to the caller's object do not
  // reach the client.
  const options = { ...callerOptions }
  const buildTimeOptions = mergeKnown(DEFAULTS, options)

  /** Effective options for one request: per-call values win unless empty. */
  function runtimeOptions(callOptions) {
    // `{...callOptions, ...mergeKnown(...), apiUrl, ...}` by assignment: in
    // V8 11 (Node 20) adding keys to an object made by a spread is slow
    // enough to have been most of a request's authentication.
    const effective = Object.assign({}, callOptions)
    for (const key of MERGED_KEYS) effective[key] = callOptions[key] || buildTimeOptions[key]
    effective.apiUrl = buildTimeOptions.apiUrl
    effective.apiVersion = buildTimeOptions.apiVersion
    // The client's own Backend API calls (handshake payloads) use the key and
    // User-Agent it was built with, not the per-request ones.
    effective.apiUserAgent = options.userAgent
    effective.apiSecretKey = options.secretKey
    return effective
  }

  // The reference's `authenticateRequest` gets the client's `createBackendApiClient(options)`; debug() shows it.
  let apiClient
  const apiClientOf = () => (apiClient ??= createBackendApiClient(options))

  function authenticateFacts(request, callOptions = {}) {
    const effective = runtimeOptions(callOptions)
    return authenticate(request, effective, new RequestContext(effective, request, apiClientOf))
  }

  // The middleware hands the same options object for as long as its options
  // resolve to the same values, and never modifies it; so the effective
  // options made from it are the same too, and are made once.
  let lastSharedOptions = null
  let lastSharedEffective = null

  /** The middleware's entry: facts already extracted, may answer synchronously. */
  function authenticateSharedOptions(request, sharedOptions) {
    if (sharedOptions !== lastSharedOptions) {
      lastSharedEffective = runtimeOptions(sharedOptions)
      lastSharedOptions = sharedOptions
    }
    return authenticate(request, lastSharedEffective, new RequestContext(lastSharedEffective, request, apiClientOf))
  }

  async function authenticateRequest(request, callOptions = {}) {
    const header = (name) => request.headers.get(name) || undefined
    const facts = {
      method: request.method,
      url: request.url,
      encrypted: request.url.startsWith('https:'),
      authorization: header('authorization'),
      userAgent: header('user-agent'),
      origin: header('origin'),
      host: header('host'),
      forwardedHost: header('x-forwarded-host'),
      forwardedProto: header('x-forwarded-proto'),
      secFetchDest: header('sec-fetch-dest'),
      accept: header('accept'),
      referer: header('referer'),
      cookie: header('cookie'),
      allHeaders: () => [...request.headers],
    }
    return authenticateFacts(facts, callOptions)
  }

  // `{...createBackendApiClient(options), authenticateRequest, ...}` in the
  // reference; the groups are defined in place so that none is built early.
  const client = defineBackendApiGroups({}, options)
  client.authenticateRequest = authenticateRequest
  client.debugRequestState = debugRequestState
  client.telemetry = { isEnabled: false, isDebug: false, record() {}, recordLog() {} }
  client[AUTHENTICATE_FACTS] = authenticateSharedOptions
  return client
}

module.exports = { createClerkClient, createBackendApiClient, AUTHENTICATE_FACTS }
