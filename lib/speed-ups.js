'use strict'

// Switches for the speed-ups that earned their place (benchmark/README.md,
// "Ablation"), so that each can be measured off (benchmark/ablation.js) and
// the suite can run with all of them off (`npm run test:plain`).
// `CLERK_NATIVE_SPEEDUPS_OFF` lists the ones to turn off (comma-separated,
// or `all`); it is read once, at require().

const NAMES = [
  // lib/leases.js: bearer sign-ins answered in JS while their lease holds.
  'bearer-lease',
  // lib/leases.js: browser-session sign-ins answered in JS while their lease holds.
  'cookie-lease',
  // lib/authenticate.js: the question that takes only the bearer token.
  'bearer-call',
  // lib/authenticate.js: the question that takes a browser session's five facts.
  'browser-session-call',
  // lib/authenticators.js: the last Authenticator reused without deriving its key.
  'authenticator-memo',
  // lib/request-options.js: the middleware's resolved options reused while they resolve the same.
  'options-memo',
  // lib/env.js: process.env re-read only when the addon sees a change.
  'env-watch',
  // lib/warm-up.js: one synthetic request through a new middleware.
  'warm-up-middleware',
  // lib/warm-up.js: the HTTP client and aws-lc set up on a thread when a middleware is created.
  'warm-up-first-fetch',
  // lib/warm-up.js: the async runtime started when a middleware is created.
  'warm-up-runtime',
]

const listed = new Set(
  (process.env.CLERK_NATIVE_SPEEDUPS_OFF || '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean),
)
const allOff = listed.has('all')

/** Whether the speed-up `name` is on. */
function speedUp(name) {
  if (!NAMES.includes(name)) throw new Error(`unknown speed-up ${name}`)
  return !allOff && !listed.has(name)
}

module.exports = { speedUp, SPEED_UP_NAMES: NAMES }
