'use strict'

// Reading a token without trusting it: the decoded header and claims and
// where its time claims stand against now. Nothing here decides whether the
// request is signed in; that is the middleware's (./decide.js).

// The reference's default `clockSkewInMs`.
const DEFAULT_CLOCK_SKEW_MS = 5000

const MACHINE_PREFIXES = [
  ['ak_', 'API key'],
  ['mt_', 'M2M token'],
  ['oat_', 'OAuth access token'],
]

function decodePart(part) {
  const text = Buffer.from(part, 'base64url').toString('utf8')
  return JSON.parse(text)
}

/**
 * The token's kind and, for a JWT, its decoded parts; `error` says why it
 * could not be decoded. Machine tokens that are not JWTs are opaque.
 */
function decodeToken(token) {
  const machine = MACHINE_PREFIXES.find(([prefix]) => token.startsWith(prefix))
  const parts = token.split('.')
  if (parts.length !== 3) {
    if (machine) return { kind: `${machine[1]} (opaque; verified by the Backend API)` }
    return { kind: 'unknown', error: `not a JWT: ${parts.length} part${parts.length === 1 ? '' : 's'} where a JWT has 3` }
  }
  let header
  let claims
  try {
    header = decodePart(parts[0])
  } catch (err) {
    return { kind: 'JWT', error: `the header is not base64url JSON (${err.message})` }
  }
  try {
    claims = decodePart(parts[1])
  } catch (err) {
    return { kind: 'JWT', header, error: `the payload is not base64url JSON (${err.message})` }
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    return { kind: 'JWT', header, claims, error: 'the payload is not a JSON object' }
  }
  return { kind: machine ? `${machine[1]} (JWT)` : 'JWT', header, claims }
}

/**
 * Each time claim against `nowMs`, as the reference checks them: exp and
 * nbf with the clock skew allowance, iat in the future with it too.
 */
function timeClaims(claims, nowMs, clockSkewMs = DEFAULT_CLOCK_SKEW_MS) {
  if (!claims || typeof claims !== 'object') return []
  const now = nowMs / 1000
  const skew = clockSkewMs / 1000
  const at = (seconds) => {
    const date = new Date(seconds * 1000)
    return Number.isNaN(date.getTime()) ? 'an invalid date' : date.toISOString()
  }
  const out = []
  for (const name of ['exp', 'nbf', 'iat']) {
    const value = claims[name]
    if (value === undefined) continue
    if (typeof value !== 'number') {
      out.push({ claim: name, value, ok: false, summary: `${name} is ${JSON.stringify(value)}, not a number` })
      continue
    }
    const delta = Math.round(value - now)
    let ok
    let summary
    if (name === 'exp') {
      ok = value + skew > now
      summary = delta > 0 ? `valid for ${delta} s more (until ${at(value)})` : `expired ${-delta} s ago (at ${at(value)})${ok ? ', still accepted within the clock skew' : ''}`
    } else if (name === 'nbf') {
      ok = value - skew <= now
      summary = delta > 0 ? `not valid before ${at(value)}, in ${delta} s${ok ? ' (accepted within the clock skew)' : ''}` : `valid since ${at(value)} (${-delta} s ago)`
    } else {
      ok = value - skew <= now
      summary = delta > 0 ? `issued in the future: ${at(value)}, ${delta} s from now${ok ? ' (accepted within the clock skew)' : ''}` : `issued ${-delta} s ago (at ${at(value)})`
    }
    out.push({ claim: name, value, ok, deltaSeconds: delta, summary })
  }
  return out
}

module.exports = { decodeToken, timeClaims, DEFAULT_CLOCK_SKEW_MS }
