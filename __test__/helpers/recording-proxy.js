'use strict'

// A recording HTTP proxy on 127.0.0.1 in front of a mock server (Prism): it
// stores every request (method, path, query, headers, body, multipart parts),
// forwards it (with `upstreamHeaders` added, for example Prism's `Prefer`),
// stores the upstream status, body and Prism's `sl-violations` header, and
// hands the upstream answer back unchanged.

const http = require('node:http')

// Hop-by-hop headers are per connection; Node sets its own.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])

/** `multipart/form-data` parts as `{name, value}` or `{name, filename, type, base64}`, whatever the boundary. */
async function multipartParts(contentType, body) {
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData()
  const parts = []
  for (const [name, value] of form) {
    if (typeof value === 'string') parts.push({ name, value })
    else {
      const base64 = Buffer.from(await value.arrayBuffer()).toString('base64')
      parts.push({ name, filename: value.name, type: value.type, base64 })
    }
  }
  return parts
}

const TRUNCATED = 'Too many violations! '

/** The complete top-level objects at the start of a JSON array that was cut off. */
function completeObjects(truncatedArray) {
  const objects = []
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < truncatedArray.length; i++) {
    const char = truncatedArray[i]
    if (inString) {
      if (char === '\\') i++
      else if (char === '"') inString = false
    } else if (char === '"') inString = true
    else if (char === '{' && depth++ === 0) start = i
    else if (char === '}' && --depth === 0) objects.push(JSON.parse(truncatedArray.slice(start, i + 1)))
  }
  return objects
}

/**
 * Prism's `sl-violations` header: a JSON array of `{location, severity, code,
 * message}`, request violations first. Prism cuts a header longer than 8 KB and
 * prefixes it with "Too many violations! "; the complete entries are kept then,
 * and the last one says whether any request violation may be missing.
 */
function parseViolations(header) {
  if (!header) return []
  if (header.startsWith(TRUNCATED)) {
    const violations = completeObjects(header.slice(TRUNCATED.length))
    if (!violations.length || violations[violations.length - 1].location[0] === 'request') {
      violations.push({ location: ['request', '<truncated>'], message: 'Prism cut off its list of violations' })
    }
    return violations
  }
  try {
    return JSON.parse(header)
  } catch {
    return [{ location: ['request', '<unparsable>'], message: header }]
  }
}

/**
 * @param target upstream base URL (`http://127.0.0.1:port`)
 * @param options.timeoutMs upstream timeout; Prism never answers some malformed requests
 * @returns {url, requests, upstreamHeaders, close()}; each request is `{method, path, search, query,
 *   headers, body, parts, status, violations, answer}` (the last three arrive with the answer);
 *   `upstreamHeaders` can be changed between requests
 */
async function startRecordingProxy(target, { timeoutMs = 10000 } = {}) {
  const upstream = new URL(target)
  const requests = []
  const proxy = { url: undefined, requests, upstreamHeaders: {}, close: undefined }
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', async () => {
      const url = new URL(req.url, 'http://127.0.0.1')
      const body = Buffer.concat(chunks)
      const contentType = req.headers['content-type'] || ''
      const record = {
        method: req.method,
        path: url.pathname,
        search: url.search,
        query: [...url.searchParams],
        headers: { ...req.headers },
        body: body.toString('utf8'),
        parts: undefined,
        status: undefined,
        violations: undefined,
        answer: undefined,
      }
      requests.push(record)
      if (contentType.startsWith('multipart/form-data')) {
        record.parts = await multipartParts(contentType, body).catch((err) => [{ unparsable: err.message }])
      }
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, ...proxy.upstreamHeaders, host: upstream.host },
          timeout: timeoutMs,
        },
        (answer) => {
          record.status = answer.statusCode
          record.violations = parseViolations(answer.headers['sl-violations'])
          const headers = {}
          for (const [name, value] of Object.entries(answer.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value
          const answerChunks = []
          answer.on('data', (chunk) => answerChunks.push(chunk))
          answer.on('end', () => {
            const answerBody = Buffer.concat(answerChunks)
            record.answer = answerBody.toString('utf8')
            res.writeHead(answer.statusCode, answer.statusMessage, headers)
            res.end(answerBody)
          })
        },
      )
      forward.on('timeout', () => forward.destroy(new Error(`no answer from ${target} within ${timeoutMs} ms`)))
      forward.on('error', (err) => {
        record.status = 'proxy-error'
        record.violations = [{ location: ['proxy'], message: err.message }]
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
        res.end(err.message)
      })
      forward.end(body)
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  proxy.url = `http://127.0.0.1:${server.address().port}`
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections()
      server.close(resolve)
    })
  return proxy
}

module.exports = { startRecordingProxy }
