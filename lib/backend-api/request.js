'use strict'

// `buildRequest` of @clerk/backend 3.25.0 (api/request.ts): the request is
// shaped here in the reference's order (what throws before the try block
// rejects with that error; what throws inside becomes `unexpected_error`),
// the HTTP exchange runs in Rust (`sendBackendApiRequest`), and the answer is
// deserialized here into the reference's resource classes.
//
// Beyond the reference (all opt-in or invisible, see the README):
// `requestTimeoutMs`, `maxRetries`/`maxRetryDelayMs` for idempotent requests,
// and `userCacheTtlMs` or `userCache` for `users.getUser` (../client-user-cache.js).

const native = require('../native')
const { ClerkAPIError, ClerkAPIResponseError } = require('../errors')
const { joinPaths } = require('./paths')
const { snakecaseKeys } = require('./snake-case')
const { createUserCache } = require('./user-cache')
const { afterNativeCall } = require('../diagnostics')

const CLERK_API_VERSION = '2026-05-12'
const BACKEND_USER_AGENT = '@clerk/backend@3.25.0'
const MISSING_SECRET_KEY =
  'Missing Clerk Secret Key. Go to https://dashboard.clerk.com and get your key for your instance.'
const DEFAULT_MAX_RETRY_DELAY_MS = 10_000

function assertValidSecretKey(value) {
  if (!value || typeof value !== 'string') throw Error(MISSING_SECRET_KEY)
}

/** `finalUrl.searchParams.append` for every truthy value, arrays as repeated keys. */
function appendQuery(url, queryParams) {
  if (!queryParams) return
  for (const [key, value] of Object.entries(snakecaseKeys({ ...queryParams }))) {
    if (value) [value].flat().forEach((item) => url.searchParams.append(key, item))
  }
}

function jsonBody(method, bodyParams, deep) {
  const hasBody = method !== 'GET' && bodyParams && Object.keys(bodyParams).length > 0
  if (!hasBody) return undefined
  const formatKeys = (object) => snakecaseKeys(object, { deep })
  return JSON.stringify(Array.isArray(bodyParams) ? bodyParams.map(formatKeys) : formatKeys(bodyParams))
}

/** A FormData as fetch would send it: its bytes and the boundary's content type. */
async function multipartBody(formData, headers) {
  const encoded = new Response(formData)
  if (!headers.has('content-type')) headers.set('content-type', encoded.headers.get('content-type'))
  return Buffer.from(await encoded.arrayBuffer())
}

function traceIdOf(body, cfRay) {
  if (body && typeof body === 'object' && 'clerk_trace_id' in body && typeof body.clerk_trace_id === 'string') {
    return body.clerk_trace_id
  }
  return cfRay || ''
}

function retryAfterOf(value) {
  if (!value) return undefined
  const parsed = parseInt(value, 10)
  return isNaN(parsed) ? undefined : parsed
}

function errorsOf(body) {
  if (!!body && typeof body === 'object' && 'errors' in body) {
    const errors = body.errors
    return errors.length > 0 ? errors.map((e) => new ClerkAPIError(e)) : []
  }
  return []
}

/** The reference's `{data, errors, totalCount, ...}` for one native response. */
function outcomeOf(response) {
  if (response.status === 204) return { data: undefined, errors: null }
  const isJson = response.contentType === 'application/json'
  const body = isJson ? JSON.parse(response.body) : response.body
  if (response.status < 200 || response.status > 299) {
    return {
      data: null,
      errors: errorsOf(body),
      status: response.status,
      statusText: response.statusText,
      clerkTraceId: traceIdOf(body, response.cfRay),
      retryAfter: retryAfterOf(response.retryAfter),
    }
  }
  // Loaded on the first answer: the 70 resource classes are most of what
  // `require()` would otherwise load for servers that only authenticate.
  const { deserialize } = require('./deserialize')
  return { ...deserialize(body), errors: null }
}

/** `withLegacyRequestReturn`: errors thrown, `{data, totalCount}` or `data`. */
function legacyReturn({ data, errors, totalCount, status, statusText, clerkTraceId, retryAfter }) {
  if (errors) {
    const error = new ClerkAPIResponseError(statusText || '', { status, clerkTraceId, retryAfter })
    error.errors = errors
    throw error
  }
  return typeof totalCount !== 'undefined' ? { data, totalCount } : data
}

// A Clerk id (`user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr`): a prefix, `_`, then base62.
const CLERK_ID = /^[a-z][a-z0-9]*_[0-9A-Za-z]{20,}$/

/** A hand-written endpoint's path with its Clerk ids as `:id` (generated ones give their row's template). */
function templateOf(path) {
  return path
    .split('/')
    .map((segment) => (CLERK_ID.test(segment) ? ':id' : segment))
    .join('/')
}

const positive = (value) => (typeof value === 'number' && value > 0 ? value : undefined)

/**
 * @param config the reference's `{secretKey, machineSecretKey, useMachineSecretKey,
 *   requireSecretKey, skipApiVersionInUrl, apiUrl, apiVersion, userAgent}`, plus
 *   ours: `requestTimeoutMs`, `maxRetries`, `maxRetryDelayMs`, `maxResponseBytes`,
 *   `userCacheTtlMs`
 * @param userCache the client's user cache (../client-user-cache.js); by default one made of `userCacheTtlMs`
 * @returns an async function taking the reference's request options
 *   `{method, path, queryParams, headerParams, bodyParams, formData, options}`
 */
function buildRequest(config, userCache = createUserCache(config.userCacheTtlMs)) {
  const transport = {
    timeoutMs: positive(config.requestTimeoutMs),
    maxRetries: positive(config.maxRetries) ? Math.floor(config.maxRetries) : 0,
    maxRetryDelayMs: positive(config.maxRetryDelayMs) ?? DEFAULT_MAX_RETRY_DELAY_MS,
    maxResponseBytes: positive(config.maxResponseBytes),
  }
  const send = (nativeRequest) => afterNativeCall(native.sendBackendApiRequest({ ...nativeRequest, ...transport }))

  return async function request(requestOptions) {
    const {
      secretKey,
      machineSecretKey,
      useMachineSecretKey = false,
      requireSecretKey = true,
      apiUrl = 'https://api.clerk.com',
      apiVersion = 'v1',
      userAgent = BACKEND_USER_AGENT,
      skipApiVersionInUrl = false,
    } = config
    const { path, method, queryParams, headerParams, bodyParams, formData, options, pathTemplate } = requestOptions
    const { deepSnakecaseBodyParamKeys = false } = options || {}
    if (requireSecretKey) assertValidSecretKey(secretKey)
    const url = new URL(skipApiVersionInUrl ? joinPaths(apiUrl, path) : joinPaths(apiUrl, apiVersion, path))
    appendQuery(url, queryParams)
    const headers = new Headers({ 'Clerk-API-Version': CLERK_API_VERSION, 'user-agent': userAgent, ...headerParams })
    if (!headers.has('authorization')) {
      if (useMachineSecretKey && machineSecretKey) headers.set('authorization', `Bearer ${machineSecretKey}`)
      else if (secretKey) headers.set('authorization', `Bearer ${secretKey}`)
    }
    let response
    let outcome
    try {
      let body
      if (formData) {
        body = await multipartBody(formData, headers)
      } else {
        headers.set('Content-Type', 'application/json')
        body = jsonBody(method, bodyParams, deepSnakecaseBodyParamKeys)
      }
      const nativeRequest = { method, url: url.href, headers: [...headers], body, pathTemplate: pathTemplate ?? templateOf(path) }
      response = await userCache.send(nativeRequest, path, send)
      outcome = outcomeOf(response)
    } catch (err) {
      outcome =
        err instanceof Error
          ? {
              data: null,
              errors: [{ code: 'unexpected_error', message: err.message || 'Unexpected error' }],
              clerkTraceId: traceIdOf(err, response?.cfRay),
            }
          : {
              data: null,
              errors: errorsOf(err),
              status: response?.status,
              statusText: response?.statusText,
              clerkTraceId: traceIdOf(err, response?.cfRay),
              retryAfter: retryAfterOf(response?.retryAfter),
            }
    }
    return legacyReturn(outcome)
  }
}

module.exports = { buildRequest, CLERK_API_VERSION, BACKEND_USER_AGENT, MISSING_SECRET_KEY }
