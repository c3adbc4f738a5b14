'use strict'

// A plain-language hint for each reason code the middleware gives. The
// x-clerk-auth-reason header carries the request-level reason; for token
// failures its message ends with the verification reason
// ("(reason=token-expired, token-carrier=header)"), which says more.

/** The verification reason inside a message, if any. */
function innerReason(message) {
  const match = /\((?:reason|code)=([a-z0-9-]+)/.exec(message || '')
  return match ? match[1] : null
}

const seconds = (n) => `${n} s`

/**
 * @param context { decision, decoded, times, clockSkewMs, authorizedParties, hasJwtKey }
 * @returns the hint, or null when there is nothing to add
 */
function hintFor(context) {
  const { decision, decoded = {}, times = [], clockSkewMs, authorizedParties } = context
  const claims = decoded.claims || {}
  const header = decoded.header || {}
  const time = (name) => times.find((t) => t.claim === name)
  const skew = `the clock skew allowance is ${clockSkewMs} ms`
  if (decision.skipped) {
    return 'verification skipped: offline, and no PEM key. Pass --jwt-key (or set CLERK_JWT_KEY) with the instance\'s PEM public key (Dashboard → API keys → JWT public key), or --fetch-jwks to let the middleware call the Backend API with the secret key'
  }
  if (decision.status === 'error') {
    if (/Publishable Key/i.test(decision.error || '')) return 'the publishable key is missing or malformed: set CLERK_PUBLISHABLE_KEY or pass --publishable-key (pk_test_… / pk_live_…)'
    if (/Secret Key/i.test(decision.error || '')) return 'the secret key is missing: set CLERK_SECRET_KEY or pass --secret-key'
    return 'the middleware passed an error to next(): Express answers 500'
  }
  if (decision.status === 'signed-in') {
    const who = decision.auth?.userId || decision.auth?.subject || decision.auth?.id
    return `signed in${who ? ` as ${who}` : ''}${decision.auth?.tokenType ? ` (${decision.auth.tokenType})` : ''}`
  }
  const reason = innerReason(decision.message) || decision.reason
  switch (reason) {
    case 'token-expired': {
      const exp = time('exp')
      const ago = exp && typeof exp.deltaSeconds === 'number' ? `the token expired ${seconds(-exp.deltaSeconds)} ago` : 'the token expired'
      return `${ago}; session tokens live 60 s and the frontend (Clerk.js) refreshes them; a token copied by hand goes stale within a minute. If it should be fresh, check the server clock (${skew})`
    }
    case 'token-not-active-yet':
      return `the token's nbf is ${time('nbf') ? `${time('nbf').deltaSeconds} s` : ''} in the future: this server's clock is behind the issuer's (${skew}); sync the clock (NTP)`
    case 'token-iat-in-the-future':
      return `the token was issued ${time('iat') ? `${time('iat').deltaSeconds} s` : ''} in the future by this server's clock: the clock is behind (${skew}); sync it (NTP)`
    case 'token-invalid-signature':
      return `the signature does not match the key for kid ${JSON.stringify(header.kid)}: a token signed by another key, or edited after signing (the payload was changed); or --jwt-key / CLERK_JWT_KEY is another instance's key`
    case 'jwk-kid-mismatch':
      return `the kid ${JSON.stringify(header.kid)} is not in this instance's JWKS: a token from another Clerk instance (check the secret key's instance: pk_test/sk_test vs pk_live/sk_live, and the token's iss ${JSON.stringify(claims.iss)}) or a stale key`
    case 'token-invalid-authorized-parties':
      return `azp ${JSON.stringify(claims.azp)} is not in authorizedParties ${JSON.stringify(authorizedParties || [])}: add the origin of the frontend that got the token (scheme://host[:port], no path)`
    case 'token-invalid-issuer':
      return `iss ${JSON.stringify(claims.iss)} is not the configured issuer`
    case 'token-invalid-algorithm':
      return `alg ${JSON.stringify(header.alg)} is not accepted: Clerk session tokens are RS256`
    case 'token-invalid':
      if (decoded.error) return `the token cannot be decoded: ${decoded.error}; check that it was copied whole (no quotes, no "Bearer " twice, no line breaks)`
      return 'the token is not one the middleware accepts: malformed, a wrong typ header, or a machine token the Backend API does not know'
    case 'token-verification-failed':
      return 'the token decodes but a claim is wrong: see the message (a missing or non-string sub, a non-numeric time claim, an audience mismatch, an unsupported algorithm for the key)'
    case 'token-type-mismatch':
      return 'the token is of a type this request does not accept (its cat header names another kind of token)'
    case 'jwk-remote-failed-to-load':
    case 'jwk-remote-missing':
    case 'jwk-failed-to-resolve':
    case 'jwk-remote-invalid':
      return 'the JWKS could not be fetched or had no matching key: check CLERK_API_URL, the network, and that the secret key belongs to the instance that issued the token'
    case 'secret-key-invalid':
      return 'the Backend API refused the secret key: it is wrong, rotated, or of another instance'
    case 'jwk-local-missing':
      return 'no key to verify with: set CLERK_JWT_KEY (PEM) or CLERK_SECRET_KEY'
    case 'dev-browser-missing':
      return 'no token, and on a development instance (pk_test_) the __clerk_db_jwt dev-browser cookie is missing too: the request did not come from a browser that loaded Clerk.js on this app, or cookies were not sent (credentials: "include" for cross-origin fetch)'
    case 'dev-browser-sync':
      return 'the URL carries __clerk_db_jwt: the middleware redirects to store the dev-browser cookie and remove it from the URL'
    case 'session-token-and-uat-missing':
      return 'no Authorization header and no __session/__client_uat cookies: the request is anonymous. Send the session token as "Authorization: Bearer <token>" (getToken() in the frontend) or send cookies'
    case 'session-token-missing':
      return 'no session token in the request'
    case 'client-uat-but-no-session-token':
      return '__client_uat says a user is signed in but there is no __session cookie: the session cookie expired or was not sent; a document request goes to the handshake to get a fresh one'
    case 'session-token-but-no-client-uat':
      return 'a __session cookie without __client_uat: the cookies are out of sync (a partial copy, or a cookie set on another domain); a document request goes to the handshake'
    case 'session-token-iat-before-client-uat':
      return 'the session cookie was issued before the last sign-in/out (__client_uat): it is stale; the handshake refreshes it'
    case 'satellite-needs-syncing':
      return 'a page load on a satellite domain whose session is not synced yet: the middleware redirects to the primary domain (the sign-in URL in development) to sync it, which comes back here with __clerk_synced=true'
    case 'primary-responds-to-syncing':
      return 'the primary domain answering a satellite\'s sync request (__clerk_redirect_url in the URL): the middleware redirects back to the satellite with the session synced'
    case 'primary-domain-cross-origin-sync':
      return 'a page load on the primary domain coming from another site (its Referer is another origin): the middleware goes through the handshake once to sync the session across domains'
    case 'unexpected-error':
      return 'the middleware hit an unexpected error (an unreadable JWKS answer, say): see the message'
    default:
      break
  }
  if (decision.status === 'handshake') return `a handshake: the middleware answers ${decision.httpStatus} and redirects to Clerk to refresh the session cookies`
  return null
}

module.exports = { hintFor, innerReason }
