'use strict'

// `frontendApiProxy`: requests under the proxy path go to Clerk's Frontend
// API (forwarded in Rust) instead of being authenticated. Request bodies and
// answers are buffered (Frontend API payloads are small) up to
// `frontendApiProxy.maxBodyBytes`, so that an anonymous client cannot make
// the server hold more; every upstream Set-Cookie reaches the browser
// (@clerk/express keeps only the last one).

const native = require('./native')

const DEFAULT_PROXY_PATH = '/__clerk'
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

const stripTrailingSlashes = (path) => path.replace(/\/+$/, '')

function proxyPathOf(frontendApiProxy) {
  return stripTrailingSlashes(frontendApiProxy?.path ?? DEFAULT_PROXY_PATH) || DEFAULT_PROXY_PATH
}

/** The URL the reference tests `enabled` and the path against; throws when unparsable. */
function proxyRequestUrl(req) {
  return new URL(req.originalUrl || req.url, `http://${req.headers.host}`)
}

function isEnabled(frontendApiProxy, requestUrl) {
  return typeof frontendApiProxy.enabled === 'function' ? frontendApiProxy.enabled(requestUrl) : frontendApiProxy.enabled
}

const matchesPath = (pathname, proxyPath) => pathname === proxyPath || pathname.startsWith(`${proxyPath}/`)

/** The request body, or null once it passes `limit` (the rest is read and dropped). */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = []
    let length = 0
    req.on('data', (chunk) => {
      if (length > limit) return
      length += chunk.length
      if (length > limit) resolve(null)
      else chunks.push(Buffer.from(chunk))
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function tooLarge(res, limit) {
  const message = `Failed to proxy request to Clerk FAPI: the request body is longer than ${limit} bytes`
  res.status(413)
  res.setHeader('cache-control', 'no-store')
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ errors: [{ code: 'proxy_request_too_large', message }] }))
}

/** Forwards `req` and writes the Frontend API's answer to `res`. */
async function forward(req, res, { proxyPath, publishableKey, secretKey, maxBodyBytes }) {
  const limit = typeof maxBodyBytes === 'number' && maxBodyBytes >= 1 ? maxBodyBytes : DEFAULT_MAX_BODY_BYTES
  const headers = []
  for (const [name, value] of Object.entries(req.headers)) {
    if (value) headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)])
  }
  const protocol = req.protocol || (req.secure ? 'https' : 'http')
  const host = (typeof req.get === 'function' ? req.get('host') : req.headers.host) || 'localhost'
  const url = new URL(req.originalUrl || req.url, `${protocol}://${host}`).toString()
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(req.method)
  const body = hasBody ? await readBody(req, limit) : undefined
  if (body === null) return tooLarge(res, limit)
  const response = await native.proxyFrontendApi({
    method: req.method,
    url,
    headers,
    body,
    maxBodyBytes: limit,
    proxyPath,
    publishableKey: publishableKey || undefined,
    secretKey: secretKey || undefined,
    fapiUrl: process.env.CLERK_FAPI_URL || undefined,
  })
  res.status(response.status)
  const cookies = []
  for (const [name, value] of response.headers) {
    if (name === 'set-cookie') cookies.push(value)
    else res.setHeader(name, value)
  }
  if (cookies.length) res.setHeader('set-cookie', cookies)
  res.end(response.body)
}

module.exports = { proxyPathOf, proxyRequestUrl, isEnabled, matchesPath, forward }
