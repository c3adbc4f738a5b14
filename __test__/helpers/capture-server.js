'use strict'

// A recording HTTP server on 127.0.0.1 for differential Backend API tests:
// it stores every request (method, path, query string, headers, body, and
// the multipart parts if any) and answers with whatever `state.respond`
// returns for it.

const http = require('node:http')

/** `multipart/form-data` parts as `{name, filename, contentType, value}`, boundary-independent. */
function multipartParts(contentType, body) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType)
  if (!boundary) return undefined
  const delimiter = `--${boundary[1] || boundary[2]}`
  return body
    .split(delimiter)
    .slice(1, -1)
    .map((chunk) => {
      const [head, ...rest] = chunk.replace(/^\r\n/, '').split('\r\n\r\n')
      const headers = Object.fromEntries(
        head.split('\r\n').map((line) => {
          const colon = line.indexOf(':')
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
        }),
      )
      const disposition = headers['content-disposition'] || ''
      return {
        name: /\bname="([^"]*)"/.exec(disposition)?.[1],
        filename: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
        contentType: headers['content-type'],
        value: rest.join('\r\n\r\n').replace(/\r\n$/, ''),
      }
    })
}

/**
 * @returns {url, state: {requests, respond}, close()}; `respond(request)` gives
 *   `{status = 200, headers = {content-type: application/json}, body}` (objects
 *   are sent as JSON; no body for 204)
 */
async function startCaptureServer() {
  const state = {
    requests: [],
    respond: () => ({ body: { object: 'unknown_object', id: 'x_1' } }),
  }
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', async () => {
      const url = new URL(req.url, 'http://127.0.0.1')
      const body = Buffer.concat(chunks).toString('utf8')
      const contentType = req.headers['content-type'] || ''
      const request = {
        method: req.method,
        path: url.pathname,
        search: url.search,
        headers: req.headers,
        body,
        parts: contentType.startsWith('multipart/form-data') ? multipartParts(contentType, body) : undefined,
      }
      state.requests.push(request)
      let answer
      try {
        answer = (await state.respond(request)) || {}
      } catch (err) {
        answer = { status: 500, body: { errors: [{ code: 'capture_server', message: String(err) }] } }
      }
      const { status = 200, headers = { 'content-type': 'application/json' }, body: answerBody } = answer
      res.writeHead(status, headers)
      if (status === 204 || answerBody === undefined) return res.end()
      res.end(typeof answerBody === 'string' ? answerBody : JSON.stringify(answerBody))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(resolve)
      }),
  }
}

// Headers each HTTP client sets its own way; every other header is compared.
const TRANSPORT_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'accept',
  'accept-language',
  'accept-encoding',
  'sec-fetch-mode',
  'transfer-encoding',
])

/** A recorded request's headers as two clients' requests are compared: no transport headers, any boundary. */
function comparableHeaders(recorded) {
  const headers = {}
  for (const [name, value] of Object.entries(recorded)) {
    if (!TRANSPORT_HEADERS.has(name)) headers[name] = value
  }
  if (headers['content-type']?.startsWith('multipart/form-data; boundary=')) {
    headers['content-type'] = 'multipart/form-data; boundary=<boundary>'
  }
  return headers
}

module.exports = { startCaptureServer, comparableHeaders }
