'use strict'

// The local Clerk Backend API of clerk-express-native/testing: an HTTP server
// on 127.0.0.1 that routes the calls the middleware and `clerkClient` make to
// the in-memory store, checks the secret key as Clerk does, answers errors in
// Clerk's shape (`{errors: [{code, message, long_message, meta}], clerk_trace_id}`),
// and fails calls on request (`failNext`) for testing an app's error handling.

const http = require('node:http')
const crypto = require('node:crypto')

const ERROR_CODES = {
  400: ['form_param_invalid', 'is invalid'],
  401: ['authentication_invalid', 'Unauthorized request'],
  403: ['authorization_invalid', 'Unauthorized request'],
  404: ['resource_not_found', 'not found'],
  422: ['form_param_invalid', 'is invalid'],
  429: ['too_many_requests', 'Too many requests'],
  500: ['internal_clerk_error', 'Oops, something went wrong'],
  502: ['internal_clerk_error', 'Oops, something went wrong'],
  503: ['service_unavailable', 'Service unavailable'],
}

const MACHINE_VERIFY_PATHS = {
  '/api_keys/verify': 'api_key',
  '/m2m_tokens/verify': 'm2m_token',
  '/oauth_applications/access_tokens/verify': 'oauth_token',
}

class HttpError extends Error {
  constructor(status, message, { code, longMessage, meta, headers } = {}) {
    super(message)
    this.status = status
    this.code = code
    this.longMessage = longMessage
    this.meta = meta
    this.headers = headers
  }
}

function errorBody(status, { code, message, longMessage, meta } = {}) {
  const [defaultCode, defaultMessage] = ERROR_CODES[status] ?? ['unexpected_error', 'Unexpected error']
  const error = { code: code ?? defaultCode, message: message ?? defaultMessage, long_message: longMessage ?? message ?? defaultMessage }
  if (meta) error.meta = meta
  return { errors: [error], clerk_trace_id: crypto.randomBytes(16).toString('hex') }
}

/** Whether a failure set by `failNext` applies to this request. */
function failureMatches(failure, method, pathname) {
  if (failure.method && failure.method.toUpperCase() !== method) return false
  if (failure.path === undefined) return true
  if (failure.path instanceof RegExp) return failure.path.test(pathname)
  // `/users/x` and `/v1/users/x` both name the same endpoint.
  return pathname === failure.path || pathname === `/v1${failure.path}`
}

/**
 * @param store from ./store
 * @param keys from ./keys `createInstanceKeys`
 * @param issueToken `(sessionId, template, expiresInSeconds) => jwt`: what
 *   `POST /v1/sessions/:id/tokens[/:template]` answers (`getToken()`)
 * @returns {url, requests, failNext(), close()}
 */
async function startLocalApi(store, keys, issueToken) {
  const failures = []
  const requests = []

  // [method, pattern, handler(match, {query, body})] in order; the first match answers.
  const routes = [
    ['GET', /^\/v1\/jwks$/, () => ({ keys: [keys.jwk] })],
    ['GET', /^\/v1\/users$/, (_, { query }) => store.page(store.listUsers(query), query)],
    ['GET', /^\/v1\/users\/count$/, (_, { query }) => ({ object: 'total_count', total_count: store.listUsers(query).length })],
    ['POST', /^\/v1\/users$/, (_, { body }) => store.createUser(withoutId(body))],
    ['GET', /^\/v1\/users\/([^/]+)$/, ([, id]) => store.getUser(id)],
    ['PATCH', /^\/v1\/users\/([^/]+)$/, ([, id], { body }) => store.updateUser(id, body)],
    ['PATCH', /^\/v1\/users\/([^/]+)\/metadata$/, ([, id], { body }) => store.updateUserMetadata(id, body)],
    ['DELETE', /^\/v1\/users\/([^/]+)$/, ([, id]) => store.deleteUser(id)],
    ['GET', /^\/v1\/users\/([^/]+)\/organization_memberships$/, ([, id], { query }) => paginated(store.listMemberships({ user_id: id }), query)],
    ['POST', /^\/v1\/organizations$/, (_, { body }) => store.createOrganization(withoutId(body))],
    ['GET', /^\/v1\/organizations$/, (_, { query }) => paginated(store.listOrganizations(query), query)],
    ['GET', /^\/v1\/organizations\/([^/]+)$/, ([, idOrSlug]) => store.getOrganization(idOrSlug)],
    ['POST', /^\/v1\/organizations\/([^/]+)\/memberships$/, ([, id], { body }) => store.createMembership({ ...body, organization_id: id })],
    ['GET', /^\/v1\/organizations\/([^/]+)\/memberships$/, ([, id], { query }) => paginated(store.listMemberships({ organization_id: id }), query)],
    ['GET', /^\/v1\/sessions\/([^/]+)$/, ([, id]) => store.getSession(id)],
    ['POST', /^\/v1\/sessions\/([^/]+)\/tokens(?:\/([^/]+))?$/, ([, id, template], { body }) => ({ object: 'token', jwt: issueToken(id, template, body.expires_in_seconds) })],
  ]

  // Ids are the store's to give, as Clerk's are.
  const withoutId = ({ id, ...body } = {}) => body
  const paginated = (items, query) => ({ data: store.page(items, query), total_count: items.length })

  function verifyMachineToken(kind, body) {
    const token = body?.secret ?? body?.token ?? body?.access_token
    const entry = typeof token === 'string' ? store.machineTokens.get(token) : undefined
    if (!entry || entry.kind !== kind) throw new HttpError(404, 'not found', { longMessage: 'Resource not found' })
    // Clerk refuses revoked and expired tokens rather than answering them with a flag set.
    if (entry.json.revoked) throw new HttpError(404, 'not found', { longMessage: 'The token has been revoked' })
    if (entry.json.expiration !== null && entry.json.expiration < Date.now()) throw new HttpError(404, 'not found', { longMessage: 'The token has expired' })
    return entry.json
  }

  function authorized(req, pathname) {
    const header = req.headers.authorization ?? ''
    if (header === `Bearer ${keys.secretKey}`) return true
    // M2M verification may be authorized by a machine secret key instead.
    return pathname === '/m2m_tokens/verify' && header.startsWith('Bearer ak_')
  }

  function answer(req, url, body) {
    const pathname = url.pathname
    const failureIndex = failures.findIndex((failure) => failureMatches(failure, req.method, pathname))
    if (failureIndex !== -1) {
      const failure = failures[failureIndex]
      if (--failure.times <= 0) failures.splice(failureIndex, 1)
      const headers = failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {}
      return [failure.status, failure.body ?? errorBody(failure.status, failure), headers]
    }
    if (!authorized(req, pathname)) {
      return [401, errorBody(401, { longMessage: 'The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct.', code: 'clerk_key_invalid' })]
    }
    let parsed
    try {
      parsed = body ? JSON.parse(body) : undefined
    } catch {
      return [400, errorBody(400, { code: 'malformed_request', message: 'malformed request', longMessage: 'The request body is not valid JSON.' })]
    }
    if (req.method === 'POST' && MACHINE_VERIFY_PATHS[pathname]) return [200, verifyMachineToken(MACHINE_VERIFY_PATHS[pathname], parsed)]
    const query = {}
    for (const [key, value] of url.searchParams) {
      // Clerk's list filters repeat their key (`user_id=a&user_id=b`), as the SDK sends them.
      query[key] = key in query ? [].concat(query[key], value) : value
    }
    let pathMatched = false
    for (const [method, pattern, handler] of routes) {
      const match = pattern.exec(pathname)
      if (!match) continue
      pathMatched = true
      if (method === req.method) return [200, handler(match.map((part) => part && decodeURIComponent(part)), { query, body: parsed ?? {} })]
    }
    if (pathMatched) return [405, errorBody(405, { code: 'method_not_allowed', message: 'method not allowed' })]
    return [404, errorBody(404, { message: 'not found', longMessage: `The local Clerk API has no route for ${req.method} ${pathname}` })]
  }

  function handle(req, res, body) {
    const url = new URL(req.url, 'http://127.0.0.1')
    requests.push({ method: req.method, path: url.pathname, search: url.search, body })
    let status, payload, headers
    try {
      ;[status, payload, headers] = answer(req, url, body)
    } catch (error) {
      if (error instanceof HttpError) {
        ;[status, payload, headers] = [error.status, errorBody(error.status, error), error.headers]
      } else if (error?.paramName) {
        status = 404
        payload = errorBody(404, { message: 'not found', longMessage: error.message, meta: { param_name: error.paramName } })
      } else {
        status = 500
        payload = errorBody(500, { longMessage: String(error?.message ?? error) })
      }
    }
    const text = JSON.stringify(payload)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
    res.end(text)
  }

  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')))
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  // Tests should not be kept alive by a local API they forgot to close.
  server.unref()

  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /**
     * Makes the next call (to `path`, with `method`, if given) fail with
     * `status` in Clerk's error shape; `times` calls in a row if given.
     */
    failNext({ status = 429, retryAfter, path, method, times = 1, code, message, longMessage, body } = {}) {
      if (status === 429 && retryAfter === undefined) retryAfter = 1
      failures.push({ status, retryAfter, path, method, times, code, message, longMessage, body })
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(() => resolve())
      }),
  }
}

module.exports = { startLocalApi, errorBody }
