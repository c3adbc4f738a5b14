'use strict'

// `buildRequest` of @clerk/backend: parameters are shaped here, the HTTP
// exchange runs in Rust (`sendBackendApiRequest`), the result is
// deserialized here into the reference's resource classes.

const native = require('../native')
const { ClerkAPIError, ClerkAPIResponseError } = require('../errors')
const { deserialize } = require('./deserialize')

const CLERK_API_VERSION = '2026-05-12'
const BACKEND_USER_AGENT = '@clerk/backend@3.25.0'
const MISSING_SECRET_KEY =
  'Missing Clerk Secret Key. Go to https://dashboard.clerk.com and get your key for your instance.'

/** change-case `snakeCase` for the identifier shapes Clerk uses. */
function snakeCase(key) {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase()
}

/** Query pairs: snake_case keys, falsy values dropped, arrays repeated. */
function toQueryPairs(queryParams) {
  const pairs = []
  if (!queryParams) return pairs
  for (const [key, value] of Object.entries(queryParams)) {
    if (!value) continue
    for (const item of [value].flat()) pairs.push([snakeCase(key), String(item)])
  }
  return pairs
}

/** Top-level keys snake_cased (nested metadata keys are kept as they are). */
function toBody(bodyParams, deep) {
  const convert = (value) => {
    if (Array.isArray(value)) return value.map(convert)
    if (value === null || typeof value !== 'object' || value instanceof Date) return value
    const result = {}
    for (const [key, item] of Object.entries(value)) result[snakeCase(key)] = deep ? convert(item) : item
    return result
  }
  return JSON.stringify(Array.isArray(bodyParams) ? bodyParams.map((item) => convert(item)) : convert(bodyParams))
}

function traceIdOf(body, cfRay) {
  if (body && typeof body === 'object' && typeof body.clerk_trace_id === 'string') return body.clerk_trace_id
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

/**
 * @param config {secretKey, machineSecretKey, apiUrl, apiVersion, userAgent,
 *   requireSecretKey, skipApiVersionInUrl, useMachineSecretKey}
 * @returns an async function taking {method, path, queryParams, headerParams, bodyParams, options}
 */
function buildRequest(config) {
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
  return async function request({ method, path, queryParams, headerParams, bodyParams, options }) {
    if (requireSecretKey && (!secretKey || typeof secretKey !== 'string')) throw Error(MISSING_SECRET_KEY)
    const headers = { 'Clerk-API-Version': CLERK_API_VERSION, 'User-Agent': userAgent, ...headerParams }
    const hasAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization')
    if (!hasAuthorization) {
      if (useMachineSecretKey && machineSecretKey) headers.Authorization = `Bearer ${machineSecretKey}`
      else if (secretKey) headers.Authorization = `Bearer ${secretKey}`
    }
    headers['Content-Type'] = 'application/json'
    const hasBody = method !== 'GET' && bodyParams && Object.keys(bodyParams).length > 0
    const nativeRequest = {
      method,
      apiUrl,
      apiVersion: skipApiVersionInUrl ? undefined : apiVersion,
      path,
      query: toQueryPairs(queryParams),
      headers: Object.entries(headers).map(([name, value]) => [name, String(value)]),
      body: hasBody ? toBody(bodyParams, options?.deepSnakecaseBodyParamKeys ?? false) : undefined,
    }
    // URL errors (dot segments, invalid URL) are thrown, not wrapped.
    native.buildBackendApiUrl(nativeRequest.apiUrl, nativeRequest.apiVersion, path, nativeRequest.query)
    let response
    let outcome
    try {
      response = await native.sendBackendApiRequest(nativeRequest)
      if (response.status === 204) return undefined
      const isJson = response.contentType === 'application/json'
      const body = isJson ? JSON.parse(response.body) : response.body
      if (response.status < 200 || response.status > 299) {
        outcome = {
          errors: errorsOf(body),
          status: response.status,
          statusText: response.statusText,
          clerkTraceId: traceIdOf(body, response.cfRay),
          retryAfter: retryAfterOf(response.retryAfter),
        }
      } else {
        outcome = deserialize(body)
      }
    } catch (err) {
      outcome = {
        errors: [{ code: 'unexpected_error', message: (err && err.message) || 'Unexpected error' }],
        clerkTraceId: traceIdOf(err, response?.cfRay),
      }
    }
    if (outcome.errors) {
      const error = new ClerkAPIResponseError(outcome.statusText || '', {
        status: outcome.status,
        clerkTraceId: outcome.clerkTraceId,
        retryAfter: outcome.retryAfter,
      })
      error.errors = outcome.errors
      throw error
    }
    return outcome.totalCount !== undefined ? { data: outcome.data, totalCount: outcome.totalCount } : outcome.data
  }
}

module.exports = { buildRequest, snakeCase, toQueryPairs, CLERK_API_VERSION, BACKEND_USER_AGENT, MISSING_SECRET_KEY }
