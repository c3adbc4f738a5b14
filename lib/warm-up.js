'use strict'

// What `clerkMiddleware()` does so that the first request does not pay for
// one-time set-ups (none of it makes a network call):
// - when the JWKS will be fetched (no jwtKey), the addon builds its HTTP
//   client (which loads the system's root certificates) and sets up aws-lc
//   on a thread (`warmUpFirstFetch`), and starts its async runtime, settling
//   one promise from it (`warmUpAsyncRuntime`);
// - one synthetic request goes through the new middleware: V8 compiles each
//   function on its first call, which was the larger part of the first
//   request's own time. It is a GET of `/` without credentials, which the
//   addon answers signed-out from memory; it prints nothing and calls none
//   of the app's code, and its outcome is thrown away. What it leaves
//   behind is compiled code and the native Authenticator for the options,
//   which the first real request would have made the same way.
// What each buys and how to re-measure it: benchmark/README.md, "Ablation";
// switches `warm-up-first-fetch`, `warm-up-runtime`, `warm-up-middleware`
// (lib/speed-ups.js).

const native = require('./native')
const { AUTHENTICATE_FACTS } = require('./client')
const { speedUp } = require('./speed-ups')
const { silently } = require('./diagnostics')

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
  if (!speedUp('warm-up-middleware') || !canWarmUp(options)) return
  const ignore = () => {}
  try {
    const pending = silently(() => middleware(syntheticRequest(), discardingResponse(), ignore))
    if (pending && typeof pending.then === 'function') pending.then(ignore, ignore)
  } catch {
    // A configuration error (a missing secret key, say) is the first real
    // request's to report, as it would have been without the warm-up.
  }
}

/** The warm-ups for a new middleware with these (its own) options. */
function warmUp(middleware, options) {
  if (!options.jwtKey && !process.env.CLERK_JWT_KEY) {
    if (speedUp('warm-up-first-fetch')) native.warmUpFirstFetch()
    if (speedUp('warm-up-runtime')) native.warmUpAsyncRuntime().catch(() => {})
  }
  warmUpMiddleware(middleware, options)
}

module.exports = { warmUp }
