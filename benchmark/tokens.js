'use strict'

// The benchmark's key and tokens: the test helpers' RSA-2048 key and session
// claims (user_x, like the baseline measurements), plus a tampered copy for
// the correctness gate.

const { createSigningKey, signToken, sessionClaims: testSessionClaims, b64url } = require('../__test__/helpers/tokens')

/** Claims of a signed-in, active session, valid for the next hour. */
const sessionClaims = () => testSessionClaims({ sid: 'sess_x', sub: 'user_x' })

/**
 * The same token claiming another user: still well-formed and with a known
 * `kid` (so no JWKS refetch), but its signature no longer matches.
 */
function tamperToken(token) {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  claims.sub = 'user_mallory'
  return `${header}.${b64url(JSON.stringify(claims))}.${signature}`
}

module.exports = { createSigningKey, sessionClaims, signToken, tamperToken }
