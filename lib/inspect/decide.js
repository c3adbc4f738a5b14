'use strict'

// The decision, taken by the real middleware of this package on a synthetic
// Express-like request built from the input, and read back as an app would
// see it: the x-clerk-auth-* headers it sets, a redirect, `getAuth(req)`, or
// the error it passes to `next`.
//
// Offline by default: unless `fetchJwks` is set, the Backend API URL is a
// local stand-in that answers every call at once with an empty key set and
// records that it was called. A decision that needed the network (the JWKS,
// a machine token's verification) is then reported as skipped instead of
// the stand-in's outcome.

const http = require('node:http')
const path = require('node:path')

/** The local stand-in for the Backend API in offline mode. */
async function startOfflineApi() {
  const calls = []
  const server = http.createServer((req, res) => {
    calls.push(`${req.method} ${req.url.split('?')[0]}`)
    req.resume()
    // An empty key set for the JWKS, a 404 for machine-token verification:
    // both end the request at once, without retries.
    const jwks = req.url.split('?')[0].endsWith('/jwks')
    res.writeHead(jwks ? 200 : 404, { 'content-type': 'application/json' })
    res.end(jwks ? '{"keys":[]}' : '{"errors":[{"code":"resource_not_found","message":"offline"}]}')
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(resolve)
      }),
  }
}

/** The shape the middleware reads (see lib/warm-up.js `syntheticRequest`). */
function syntheticRequest(request) {
  return {
    method: request.method,
    url: request.path,
    originalUrl: request.path,
    headers: { ...request.headers },
    socket: { encrypted: request.protocol === 'https:' },
  }
}

/** Records what the middleware does to the response (see lib/warm-up.js `discardingResponse`). */
function recordingResponse(onEnd) {
  const response = {
    finished: false,
    statusCode: 200,
    headers: [],
    appendHeader: (name, value) => {
      response.headers.push([String(name).toLowerCase(), String(value)])
      return response
    },
    setHeader: (name, value) => response.appendHeader(name, value),
    status: (code) => {
      response.statusCode = code
      return response
    },
    end: () => {
      response.finished = true
      onEnd()
      return response
    },
  }
  return response
}

function summariseAuth(auth) {
  if (!auth) return null
  const pick = ['tokenType', 'isAuthenticated', 'userId', 'sessionId', 'sessionStatus', 'orgId', 'orgRole', 'orgSlug', 'actor', 'id', 'subject', 'scopes', 'name']
  const out = {}
  for (const name of pick) if (auth[name] !== undefined && auth[name] !== null) out[name] = auth[name]
  return out
}

/**
 * Runs the middleware once. `options` are the middleware's options; with
 * `fetchJwks` false the API URL is replaced by the offline stand-in.
 * Returns { status, httpStatus, reason, message, location, headers, auth, error, skipped }.
 */
async function decide(request, options, { fetchJwks = false } = {}) {
  const pkg = require(path.join(__dirname, '..', '..'))
  const offline = fetchJwks ? null : await startOfflineApi()
  try {
    const middleware = pkg.clerkMiddleware(offline ? { ...options, apiUrl: offline.url } : options)
    const req = syntheticRequest(request)
    let res
    const outcome = await new Promise((resolve) => {
      res = recordingResponse(() => resolve({ ended: true }))
      try {
        middleware(req, res, (err) => resolve({ err }))
      } catch (err) {
        resolve({ err })
      }
    })
    const header = (name) => res.headers.find(([n]) => n === name)?.[1] ?? null
    const decision = {
      status: header('x-clerk-auth-status'),
      httpStatus: res.statusCode,
      reason: header('x-clerk-auth-reason'),
      message: header('x-clerk-auth-message'),
      location: header('location'),
      headers: res.headers,
      auth: null,
      error: null,
      skipped: null,
    }
    if (outcome.err) {
      // What Express's error handler would answer: a 500 with the message.
      decision.httpStatus = outcome.err.status || outcome.err.statusCode || 500
      decision.status = 'error'
      decision.error = outcome.err.message
    } else if (!outcome.ended) {
      let auth = null
      try {
        auth = pkg.getAuth(req, { acceptsToken: 'any' })
      } catch (err) {
        decision.error = `getAuth(req) throws: ${err.message}`
      }
      decision.auth = summariseAuth(auth)
      if (!decision.status) decision.status = auth?.isAuthenticated ? 'signed-in' : 'signed-out'
    } else if (!decision.status) {
      decision.status = res.statusCode === 307 ? 'handshake' : 'answered'
    }
    if (offline && offline.calls.length) {
      decision.skipped = {
        why: 'the decision needs the Backend API (the JWKS, or a machine token\'s verification); offline mode does not call it',
        calls: [...new Set(offline.calls)],
      }
    }
    return decision
  } finally {
    if (offline) await offline.close()
  }
}

module.exports = { decide, syntheticRequest }
