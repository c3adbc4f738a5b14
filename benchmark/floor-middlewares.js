'use strict'

// Reference points for the side-by-side HTTP benchmark: the least a
// middleware of each kind can do, written in plain JavaScript, so that the
// ratios of this package can be read against what is possible on the same
// machine in the same run. Neither is a Clerk implementation: no options,
// no environment, no cookies, no error reasons; they accept exactly the
// benchmark's token (RS256, the fake API's key, passed as `floorJwk`).
//
// - `verify-every-request`: Node's `crypto.verify` (RSA-2048, the key
//   imported once) and `JSON.parse` of the payload, on every request.
// - `cached-claims`: a token verified once is looked up in a `Map`; each
//   request gets a fresh `JSON.parse` of its claims and an auth object with
//   the reference's fields.
// - `lookup-only`: a token verified once is looked up in a `Map` of auth
//   objects built once, shared by every request. The cost of one Express
//   layer with a token lookup, and nothing else.

const crypto = require('node:crypto')

const AUTH_BRAND = Symbol.for('@clerk/express.auth')

function tokenOf(req) {
  const header = req.headers.authorization
  return header && header.startsWith('Bearer ') ? header.slice(7) : null
}

/** The payload text if the RS256 signature verifies with `key`, else null. */
function verifiedPayload(token, key) {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`)
  const ok = crypto.verify('RSA-SHA256', signed, key, Buffer.from(parts[2], 'base64url'))
  return ok ? Buffer.from(parts[1], 'base64url').toString() : null
}

function brand(req, makeAuth) {
  const auth = () => makeAuth()
  auth[AUTH_BRAND] = true
  req.auth = auth
}

const signedOut = () => ({ userId: null, sessionId: null, sessionClaims: null, isAuthenticated: false })

/** The benchmark's public key, imported once per middleware. */
const publicKeyOf = (options) => crypto.createPublicKey({ key: options.floorJwk, format: 'jwk' })

/**
 * Token → `toValue(payload, token)`, each token verified once and its value
 * remembered; null for a token that does not verify (not remembered).
 */
function onceVerified(options, toValue) {
  const key = publicKeyOf(options)
  const verified = new Map()
  return (token) => {
    let value = verified.get(token)
    if (value === undefined) {
      const payload = verifiedPayload(token, key)
      value = payload ? toValue(payload, token) : null
      if (value !== null) verified.set(token, value)
    }
    return value
  }
}

function verifyEveryRequest(options) {
  const key = publicKeyOf(options)
  return (req, _res, next) => {
    const token = tokenOf(req)
    const payload = token && verifiedPayload(token, key)
    const claims = payload ? JSON.parse(payload) : null
    brand(req, () => (claims ? { userId: claims.sub, sessionId: claims.sid, sessionClaims: claims, isAuthenticated: true } : signedOut()))
    next()
  }
}

function cachedClaims(options) {
  const payloadOf = onceVerified(options, (payload) => payload)
  return (req, _res, next) => {
    const token = tokenOf(req)
    const payload = token ? payloadOf(token) : null
    const claims = payload ? JSON.parse(payload) : null
    brand(req, () => (claims ? signedInAuthObject(claims, token) : signedOut()))
    next()
  }
}

function lookupOnly(options) {
  const authOf = onceVerified(options, (payload, token) => signedInAuthObject(JSON.parse(payload), token))
  const signedOutAuth = signedOut()
  return (req, _res, next) => {
    const token = tokenOf(req)
    const answer = (token && authOf(token)) || signedOutAuth
    brand(req, () => answer)
    next()
  }
}

/** The fields of the reference's signed-in auth object. */
function signedInAuthObject(claims, token) {
  return {
    tokenType: 'session_token',
    actor: claims.act,
    sessionClaims: claims,
    sessionId: claims.sid,
    sessionStatus: claims.sts,
    userId: claims.sub,
    orgId: claims.org_id,
    orgRole: claims.org_role,
    orgSlug: claims.org_slug,
    orgPermissions: claims.org_permissions,
    factorVerificationAge: claims.fva ?? null,
    getToken: () => Promise.resolve(token),
    has: () => false,
    debug: () => ({}),
    isAuthenticated: true,
  }
}

const asPackage = (create) => ({ clerkMiddleware: create, getAuth: (req) => req.auth() })

module.exports = {
  'verify-every-request': asPackage(verifyEveryRequest),
  'cached-claims': asPackage(cachedClaims),
  'lookup-only': asPackage(lookupOnly),
}
