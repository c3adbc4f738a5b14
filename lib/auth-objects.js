'use strict'

// The auth objects `req.auth()` and `getAuth(req)` return, with the
// reference's fields, key order, null/undefined choices and methods.

const { createCheckAuthorization, splitByScope } = require('./authorization')

const SESSION_TOKEN = 'session_token'
const MACHINE_TOKEN_TYPES = new Set(['api_key', 'm2m_token', 'oauth_token'])

/** Debug data that is only built if `debug()` is called. */
class LazyDebugData {
  constructor(produce) {
    this.produce = produce
  }
}

/** `debug()`: a copy of `data` (or of what a LazyDebugData produces) with secrets cut to 7 characters. */
function createDebug(data) {
  return createLazyDebug(() => (data instanceof LazyDebugData ? data.produce() : data))
}

/** `debug()` whose data is only built when it is called. */
function createLazyDebug(produceData) {
  return () => {
    const result = { ...produceData() }
    for (const key of [
      'secretKey',
      'jwtKey',
      'sessionToken',
      'tokenInHeader',
      'sessionTokenInCookie',
      'refreshTokenInCookie',
      'devBrowserToken',
      'handshakeToken',
    ]) {
      result[key] = (result[key] || '').substring(0, 7)
    }
    return { ...result }
  }
}

/** Little-endian bits of a decimal string, padded to `minimumLength`. */
function decimalToBits(decimal, minimumLength) {
  if (!/^\d+$/.test(decimal)) return undefined
  let remaining = decimal.replace(/^0+/, '') || '0'
  const bits = []
  while (remaining !== '0') {
    let quotient = ''
    let remainder = 0
    for (let i = 0; i < remaining.length; i++) {
      const value = remainder * 10 + remaining.charCodeAt(i) - 48
      const digit = Math.floor(value / 2)
      if (quotient || digit !== 0) quotient += digit
      remainder = value % 2
    }
    bits.push(remainder)
    remaining = quotient || '0'
  }
  if (bits.length === 0) bits.push(0)
  while (bits.length < minimumLength) bits.push(0)
  return bits
}

/** v2 `o.per` × `o.fpm` × org-scoped features → `org:<feature>:<permission>`. */
function organizationPermissions(features, per, fpm) {
  if (!per || !fpm) return []
  const permissions = per.split(',').map((p) => p.trim())
  const featureBits = fpm.split(',').map((entry) => decimalToBits(entry.trim(), permissions.length) ?? [])
  const result = []
  for (let f = 0; f < features.length; f++) {
    const bits = featureBits[f]
    if (!bits) continue
    for (let p = 0; p < bits.length && p < permissions.length; p++) {
      if (bits[p] === 1) result.push(`org:${features[f]}:${permissions[p]}`)
    }
  }
  return result
}

/** Session claims → auth object properties (v1 `org_*` and v2 `o` claims). */
function claimsToAuthProperties(claims) {
  let orgId, orgRole, orgSlug, orgPermissions
  if (claims.v === 2) {
    if (claims.o) {
      orgId = claims.o?.id
      orgSlug = claims.o?.slg
      if (claims.o?.rol) orgRole = `org:${claims.o?.rol}`
      const { org } = splitByScope(claims.fea)
      orgPermissions = organizationPermissions(org, claims.o?.per, claims.o?.fpm)
    }
  } else {
    orgId = claims.org_id
    orgRole = claims.org_role
    orgSlug = claims.org_slug
    orgPermissions = claims.org_permissions
  }
  return {
    sessionId: claims.sid,
    sessionStatus: claims.sts ?? null,
    actor: claims.act,
    userId: claims.sub,
    orgId,
    orgRole,
    orgSlug,
    orgPermissions,
    factorVerificationAge: claims.fva ?? null,
  }
}

/**
 * @param context what `debug()` shows and `getToken()` uses (`fetchToken`).
 */
function signedInAuthObject(context, sessionToken, sessionClaims) {
  const { actor, sessionId, sessionStatus, userId, orgId, orgRole, orgSlug, orgPermissions, factorVerificationAge } =
    claimsToAuthProperties(sessionClaims)
  const getToken = async (options = {}) => {
    if (!sessionId) return null
    if (options.template || options.expiresInSeconds !== undefined) {
      return context.fetchSessionToken(sessionId, options.template || '', options.expiresInSeconds)
    }
    return sessionToken
  }
  return {
    tokenType: SESSION_TOKEN,
    actor,
    sessionClaims,
    sessionId,
    sessionStatus,
    userId,
    orgId,
    orgRole,
    orgSlug,
    orgPermissions,
    factorVerificationAge,
    getToken,
    has: createCheckAuthorization({
      orgId,
      orgRole,
      orgPermissions,
      userId,
      factorVerificationAge,
      features: sessionClaims.fea || '',
      plans: sessionClaims.pla || '',
    }),
    debug: createLazyDebug(() => ({ ...context.debugData, sessionToken })),
    isAuthenticated: true,
  }
}

function signedOutAuthObject(debugData, initialSessionStatus) {
  return {
    tokenType: SESSION_TOKEN,
    sessionClaims: null,
    sessionId: null,
    sessionStatus: initialSessionStatus ?? null,
    userId: null,
    actor: null,
    orgId: null,
    orgRole: null,
    orgSlug: null,
    orgPermissions: null,
    factorVerificationAge: null,
    getToken: () => Promise.resolve(null),
    has: () => false,
    debug: createDebug(debugData),
    isAuthenticated: false,
  }
}

// The Backend API objects whose classes the reference deserializes into.
const MACHINE_OBJECTS = new Set(['api_key', 'machine_to_machine_token', 'clerk_idp_oauth_access_token'])

/**
 * The fields of a machine verification result that auth objects read, as
 * the reference's resource classes expose them: `fromJSON` for Backend API
 * answers (an unknown `object` stays raw JSON), `fromJwtPayload` for JWTs.
 */
function machineVerificationResult(tokenType, data, fromJwt) {
  if (fromJwt) {
    // Loaded here: only apps that accept machine-token JWTs need the resource classes.
    const { M2MToken, IdPOAuthAccessToken } = require('./resources/machine')
    return tokenType === 'm2m_token' ? M2MToken.fromJwtPayload(data) : IdPOAuthAccessToken.fromJwtPayload(data)
  }
  if (!MACHINE_OBJECTS.has(data.object)) return data
  return { id: data.id, subject: data.subject, name: data.name, claims: data.claims, scopes: data.scopes, clientId: data.client_id }
}

function authenticatedMachineObject(tokenType, token, result, debugData) {
  const base = {
    id: result.id,
    subject: result.subject,
    getToken: () => Promise.resolve(token),
    has: () => false,
    debug: createDebug(debugData),
    isAuthenticated: true,
  }
  switch (tokenType) {
    case 'api_key':
      return {
        ...base,
        tokenType,
        name: result.name,
        claims: result.claims,
        scopes: result.scopes,
        userId: result.subject.startsWith('user_') ? result.subject : null,
        orgId: result.subject.startsWith('org_') ? result.subject : null,
      }
    case 'm2m_token':
      return { ...base, tokenType, claims: result.claims, scopes: result.scopes, machineId: result.subject }
    case 'oauth_token':
      return { ...base, tokenType, scopes: result.scopes, userId: result.subject, clientId: result.clientId }
    default:
      throw new Error(`Invalid token type: ${tokenType}`)
  }
}

function unauthenticatedMachineObject(tokenType, debugData) {
  const base = {
    id: null,
    subject: null,
    scopes: null,
    has: () => false,
    getToken: () => Promise.resolve(null),
    debug: createDebug(debugData),
    isAuthenticated: false,
  }
  switch (tokenType) {
    case 'api_key':
      return { ...base, tokenType, name: null, claims: null, scopes: null, userId: null, orgId: null }
    case 'm2m_token':
      return { ...base, tokenType, claims: null, scopes: null, machineId: null }
    case 'oauth_token':
      return { ...base, tokenType, scopes: null, userId: null, clientId: null }
    default:
      throw new Error(`Invalid token type: ${tokenType}`)
  }
}

function invalidTokenAuthObject() {
  return {
    isAuthenticated: false,
    tokenType: null,
    getToken: () => Promise.resolve(null),
    has: () => false,
    debug: () => ({}),
  }
}

function isTokenTypeAccepted(tokenType, acceptsToken) {
  if (!tokenType) return false
  if (acceptsToken === 'any') return true
  const accepted = Array.isArray(acceptsToken) ? acceptsToken : [acceptsToken]
  return accepted.includes(tokenType)
}

/** `getAuth`'s filter: the object if its type is accepted, else a stand-in. */
function getAuthObjectForAcceptedToken({ authObject, acceptsToken = SESSION_TOKEN }) {
  if (acceptsToken === 'any') return authObject
  if (Array.isArray(acceptsToken)) {
    return isTokenTypeAccepted(authObject.tokenType, acceptsToken) ? authObject : invalidTokenAuthObject()
  }
  if (!isTokenTypeAccepted(authObject.tokenType, acceptsToken)) {
    if (MACHINE_TOKEN_TYPES.has(acceptsToken)) return unauthenticatedMachineObject(acceptsToken, authObject.debug)
    return signedOutAuthObject(authObject.debug)
  }
  return authObject
}

module.exports = {
  SESSION_TOKEN,
  LazyDebugData,
  machineVerificationResult,
  authenticatedMachineObject,
  signedInAuthObject,
  signedOutAuthObject,
  unauthenticatedMachineObject,
  invalidTokenAuthObject,
  getAuthObjectForAcceptedToken,
}
