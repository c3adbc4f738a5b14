'use strict'

// Keys and tokens for clerk-express-native/testing: an instance's key pair and
// API keys, and session tokens shaped as Clerk issues them (v2 claims). Only
// node:crypto: this file must not load the native addon or the rest of the
// package, so that the kit also works with the real @clerk/express.

const crypto = require('node:crypto')

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** A Clerk-looking id: `<prefix>_` and 27 base62 characters. */
function clerkId(prefix) {
  const bytes = crypto.randomBytes(27)
  let id = ''
  for (const byte of bytes) id += BASE62[byte % 62]
  return `${prefix}_${id}`
}

const b64url = (input) => Buffer.from(input).toString('base64url')
const nowSeconds = () => Math.floor(Date.now() / 1000)

/**
 * An instance's keys: an RSA-2048 pair (its public half as SPKI PEM for
 * `jwtKey`, and as a JWK with a kid for the JWKS endpoint), a secret key and a
 * publishable key for `frontendApi`.
 */
function createInstanceKeys({ frontendApi = 'clerk.example.com' } = {}) {
  const instanceId = clerkId('ins')
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = instanceId
  return {
    instanceId,
    kid,
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
    jwtKey: publicKey.export({ format: 'pem', type: 'spki' }),
    // A fresh secret key per instance: JWKS caches (ours and the reference's) are keyed by it.
    secretKey: `sk_test_${crypto.randomBytes(24).toString('base64url')}`,
    // Clerk's format: `pk_test_` + base64 of `<frontend api host>$`.
    publishableKey: `pk_test_${Buffer.from(`${frontendApi}$`).toString('base64')}`,
    issuer: `https://${frontendApi}`,
  }
}

/** An RS256 JWT with Clerk's header (`alg`, `kid`, `typ`). */
function signJwt({ privateKey, kid }, payload, header = {}) {
  const fullHeader = { alg: 'RS256', kid, typ: 'JWT', ...header }
  const signedPart = `${b64url(JSON.stringify(fullHeader))}.${b64url(JSON.stringify(payload))}`
  const signature = crypto.sign('RSA-SHA256', Buffer.from(signedPart), privateKey)
  return `${signedPart}.${signature.toString('base64url')}`
}

const toSeconds = (value) => (value instanceof Date ? Math.floor(value.getTime() / 1000) : value)

/**
 * `orgPermissions` (`org:<feature>:<permission>`) as Clerk's v2 claims carry
 * them: the org-scoped features in `fea` (`o:<feature>`), the permission names
 * in `o.per`, and for each feature (in `fea` order) a decimal bitmask over
 * `o.per` in `o.fpm`. `extraFeatures` (from a `fea` the caller gave) keep
 * their place after the ones the permissions need.
 */
function encodeOrgPermissions(orgPermissions, extraFea) {
  const features = []
  const permissions = []
  const granted = []
  for (const permission of orgPermissions) {
    const match = /^org:([^:,]+):([^:,]+)$/.exec(permission)
    if (!match) throw new TypeError(`orgPermissions: "${permission}" is not of the form org:<feature>:<permission>, which v2 session tokens cannot carry otherwise`)
    if (match[1].startsWith('sys_')) continue // Clerk leaves system permissions out of session tokens.
    if (!features.includes(match[1])) features.push(match[1])
    if (!permissions.includes(match[2])) permissions.push(match[2])
    granted.push([features.indexOf(match[1]), permissions.indexOf(match[2])])
  }
  const fea = features.map((feature) => `o:${feature}`)
  const masks = features.map(() => 0n)
  // The caller's own `fea` entries; org-scoped ones get an empty mask so the indices stay aligned.
  for (const entry of extraFea ? extraFea.split(',').map((e) => e.trim()).filter(Boolean) : []) {
    const [scope, name] = entry.split(':')
    if (scope.includes('o') && features.includes(name)) continue
    fea.push(entry)
    if (scope.includes('o')) masks.push(0n)
  }
  for (const [f, p] of granted) masks[f] |= 1n << BigInt(p)
  return { fea: fea.join(','), per: permissions.join(','), fpm: masks.map(String).join(',') }
}

/**
 * The claims of a v2 session token as Clerk issues them. `claims` is merged
 * last (custom session claims, or any claim overridden).
 */
function sessionTokenClaims(options, { issuer }) {
  const now = nowSeconds()
  const exp = now + (options.expiresInSeconds ?? 60)
  const iat = Math.min(now - 5, exp - 60)
  const payload = {
    azp: options.azp ?? 'http://localhost:3000',
    exp,
    fva: [0, -1],
    iat,
    iss: issuer,
    jti: crypto.randomBytes(10).toString('hex'),
    nbf: options.notBefore !== undefined ? toSeconds(options.notBefore) : iat,
    sid: options.sessionId,
    sts: 'active',
    sub: options.userId,
    v: 2,
  }
  const extra = { ...options.claims }
  if (options.orgId) {
    const { fea, per, fpm } = encodeOrgPermissions(options.orgPermissions ?? [], extra.fea)
    const o = { id: options.orgId }
    if (options.orgSlug) o.slg = options.orgSlug
    // `rol` carries the role without its `org:` prefix; the SDKs add it back.
    if (options.orgRole) o.rol = options.orgRole.replace(/^org:/, '')
    if (per) Object.assign(o, { per, fpm })
    payload.o = o
    if (fea) payload.fea = fea
    delete extra.fea
  }
  return { ...payload, ...extra }
}

module.exports = { clerkId, createInstanceKeys, signJwt, sessionTokenClaims, encodeOrgPermissions, nowSeconds }
