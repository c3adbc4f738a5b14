'use strict'

// Switches for the speed-ups that earned their place (benchmark/README.md,
// "Ablation"), so that each can be measured off (benchmark/ablation.js) and
// the suite can run with all of them off (`npm run test:plain`).
// `CLERK_NATIVE_SPEEDUPS_OFF` lists the ones to turn off (comma-separated,
// or `all`); it is read once, at require().

// Where each lives and what it buys: benchmark/README.md, "Ablation".
const NAMES = [
  'bearer-lease',
  'cookie-lease',
  'bearer-call',
  'browser-session-call',
  'claims-cache',
  'authenticator-memo',
  'options-memo',
  'env-watch',
  'warm-up-middleware',
  'warm-up-first-fetch',
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
