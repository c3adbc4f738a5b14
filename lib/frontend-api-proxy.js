'use strict'

// `frontendApiProxy`: requests under the proxy path go to Clerk's Frontend
// API (forwarded in Rust) instead of being authenticated. Request bodies are
// buffered (Frontend API payloads are small), and every upstream Set-Cookie
// reaches the browser (@clerk/express keeps only the last one).

const native = require('./native')

const DEFAULT_PROXY_PATH = '/__clerk'

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

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(Buffer.from(chunk)))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Forwards `req` and writes the Frontend API's answer to `res`. */
async function forward(req, res, { proxyPath, publishableKey, secretKey }) {
  const headers = []
  for (const [name, value] of Object.entries(req.headers)) {
    if (value) headers.push([name, Array.isArray(value) ? value.join(', ') : String(value)])
  }
  const protocol = req.protocol || (req.secure ? 'https' : 'http')
  const host = (typeof req.get === 'function' ? req.get('host') : req.headers.host) || 'localhost'
  const url = new URL(req.originalUrl || req.url, `${protocol}://${host}`).toString()
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(req.method)
  const response = await native.proxyFrontendApi({
    method: req.method,
    url,
    headers,
    body: hasBody ? await readBody(req) : undefined,
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
