'use strict'

// The first request through a new middleware runs its JavaScript for the
// first time, and V8 compiles each function on its first call: that was
// about half of the first request's time, the JWKS fetch being the rest
// (benchmark/README.md). So `clerkMiddleware()` sends one synthetic request through
// the middleware it creates: a GET of `/` without any credentials, which the
// addon answers signed-out from memory. It makes no network call, prints
// nothing and calls none of the app's code; its outcome is thrown away.
// What it leaves behind is compiled code and the native Authenticator for
// the options, which the first real request would have made the same way.

const { AUTHENTICATE_FACTS } = require('./client')

/**
 * Whether the synthetic request is sure to have no effect the app could see:
 * no option is a function (a `domain` or `isSatellite` callback would be
 * called with the synthetic URL), no Frontend API proxy (its `enabled` may
 * be a callback too), and the client is this package's own (another
 * client's `authenticateRequest` is not ours to call).
 */
function canWarmUp(options) {
  if (options.frontendApiProxy) return false
  if (options.clerkClient && !options.clerkClient[AUTHENTICATE_FACTS]) return false
  return Object.values(options).every((value) => typeof value !== 'function')
}

function syntheticRequest() {
  return {
    method: 'GET',
    url: '/',
    originalUrl: '/',
    headers: { host: 'localhost' },
    socket: { encrypted: false },
  }
}

/** Takes what the middleware does to a response (headers, a status, an end), and keeps none of it. */
function discardingResponse() {
  const response = {
    finished: false,
    appendHeader: () => response,
    status: () => response,
    end: () => {
      response.finished = true
      return response
    },
  }
  return response
}

/** Runs `middleware` once on the synthetic request when that is safe (see `canWarmUp`). */
function warmUpMiddleware(middleware, options) {
  if (!canWarmUp(options)) return
  const ignore = () => {}
  try {
    const pending = middleware(syntheticRequest(), discardingResponse(), ignore)
    if (pending && typeof pending.then === 'function') pending.then(ignore, ignore)
  } catch {
    // A configuration error (a missing secret key, say) is the first real
    // request's to report, as it would have been without the warm-up.
  }
}

module.exports = { warmUpMiddleware }
