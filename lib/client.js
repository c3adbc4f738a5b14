'use strict'

// `createClerkClient`: Backend API namespaces plus `authenticateRequest`,
// with @clerk/backend's rules for merging build-time and per-call options.

const { buildRequest } = require('./backend-api/request')
const { UserAPI } = require('./backend-api/users')
const { SessionAPI } = require('./backend-api/sessions')
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

function createBackendApiClient(options) {
  const request = buildRequest(options)
  return {
    sessions: new SessionAPI(request),
    users: new UserAPI(request),
  }
}

function createClerkClient(options) {
  const buildTimeOptions = mergeKnown(DEFAULTS, options)
  const apiClient = createBackendApiClient(options)

  /** Effective options for one request: per-call values win unless empty. */
  function runtimeOptions(callOptions) {
    return {
      ...callOptions,
      ...mergeKnown(buildTimeOptions, callOptions),
      apiUrl: buildTimeOptions.apiUrl,
      apiVersion: buildTimeOptions.apiVersion,
    }
  }

  function contextFor(effective, request) {
    return {
      ...effective,
      debugData: { ...effective, tokenInHeader: request.authorization },
      fetchSessionToken: async (sessionId, template, expiresInSeconds) => {
        // The reference builds this client from its authenticate context,
        // whose `userAgent` is the incoming request's User-Agent header.
        const sessions = new SessionAPI(
          buildRequest({
            secretKey: effective.secretKey,
            apiUrl: effective.apiUrl,
            apiVersion: effective.apiVersion,
            userAgent: request.userAgent,
          }),
        )
        return (await sessions.getToken(sessionId, template, expiresInSeconds)).jwt
      },
    }
  }

  /** The middleware's entry: facts already extracted, may answer synchronously. */
  function authenticateFacts(request, callOptions = {}) {
    const effective = runtimeOptions(callOptions)
    return authenticate(request, effective, contextFor(effective, request))
  }

  async function authenticateRequest(request, callOptions = {}) {
    const facts = {
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization') || undefined,
      cookie: request.headers.get('cookie') || undefined,
      userAgent: request.headers.get('user-agent') || undefined,
    }
    return authenticateFacts(facts, callOptions)
  }

  return {
    ...apiClient,
    authenticateRequest,
    debugRequestState,
    telemetry: { isEnabled: false, isDebug: false, record() {} },
    [AUTHENTICATE_FACTS]: authenticateFacts,
  }
}

module.exports = { createClerkClient, createBackendApiClient, AUTHENTICATE_FACTS }
