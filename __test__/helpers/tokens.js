'use strict'

// RSA keys generated at test time, and JWT minting with node:crypto.

const crypto = require('node:crypto')

const b64url = (input) => Buffer.from(input).toString('base64url')

function createSigningKey(kid = `ins_${crypto.randomBytes(6).toString('hex')}`, modulusLength = 2048) {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }
  const pem = publicKey.export({ format: 'pem', type: 'spki' })
  return { kid, privateKey, publicKey, jwk, pem }
}

const HASHES = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' }

/** Signs `payload` with `key`; `header` overrides the default header fields. */
function signToken(key, payload, header = {}) {
  const fullHeader = { alg: 'RS256', kid: key.kid, typ: 'JWT', ...header }
  for (const [name, value] of Object.entries(fullHeader)) if (value === undefined) delete fullHeader[name]
  const signedPart = `${b64url(JSON.stringify(fullHeader))}.${b64url(JSON.stringify(payload))}`
  const hash = HASHES[fullHeader.alg] || 'RSA-SHA256'
  const signature = crypto.sign(hash, Buffer.from(signedPart), key.privateKey)
  return `${signedPart}.${signature.toString('base64url')}`
}

/**
 * Signs a header and a payload given as raw JSON text or bytes (for
 * duplicate keys, invalid UTF-8 and numbers JSON.stringify cannot write).
 */
function signRaw(key, headerBytes, payloadBytes, hash = 'RSA-SHA256') {
  const signedPart = `${b64url(headerBytes)}.${b64url(payloadBytes)}`
  const signature = crypto.sign(hash, Buffer.from(signedPart), key.privateKey)
  return `${signedPart}.${signature.toString('base64url')}`
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** Standard session claims, valid for an hour. */
function sessionClaims(overrides = {}) {
  const now = nowSeconds()
  return {
    azp: 'http://localhost:3000',
    exp: now + 3600,
    fva: [0, -1],
    iat: now - 10,
    iss: 'https://clerk.example.com',
    nbf: now - 10,
    sid: 'sess_2GbDB4enNdCa5vS1zpC3Xzg9tK9',
    sts: 'active',
    sub: 'user_2GIpXOEpVyJw51rkZn9Kmnc6Sxr',
    v: 2,
    ...overrides,
  }
}

module.exports = { createSigningKey, signToken, signRaw, sessionClaims, nowSeconds, b64url }
