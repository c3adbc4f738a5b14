'use strict'

// `isM2MJwt` of @clerk/backend: whether `m2m.verify` verifies a token locally
// (a JWT whose subject is a machine) or asks the Backend API. The decoding is
// the reference's own (`decodeJwt` with its loose base64url parser, which
// still refuses leftover bits), so both sides take the same branch.

const JWT_FORMAT = /^[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+$/
const M2M_SUBJECT_PREFIX = 'mch_'
const CODES = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].map((c, i) => [c, i]))

/** `base64url.parse(string, {loose: true})` (rfc4648.js). */
function parseBase64url(string) {
  let end = string.length
  while (string[end - 1] === '=') --end
  const out = new Uint8Array(((end * 6) / 8) | 0)
  let bits = 0
  let buffer = 0
  let written = 0
  for (let i = 0; i < end; ++i) {
    const value = CODES.get(string[i])
    if (value === undefined) throw new SyntaxError('Invalid character ' + string[i])
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[written++] = 255 & (buffer >> bits)
    }
  }
  if (bits >= 6 || 255 & (buffer << (8 - bits))) throw new SyntaxError('Unexpected end of data')
  return out
}

/** The decoded header and payload, or `null` where the reference's `decodeJwt` reports errors. */
function decodeJwt(token) {
  const parts = (token || '').toString().split('.')
  if (parts.length !== 3) return null
  const decoder = new TextDecoder()
  try {
    const header = JSON.parse(decoder.decode(parseBase64url(parts[0])))
    const payload = JSON.parse(decoder.decode(parseBase64url(parts[1])))
    parseBase64url(parts[2])
    return { header, payload }
  } catch {
    return null
  }
}

/** The decoded token when it is an M2M JWT (its `sub` starts with `mch_`), else `null`. */
function decodeM2MJwt(token) {
  if (!JWT_FORMAT.test(token)) return null
  try {
    const decoded = decodeJwt(token)
    const sub = decoded && decoded.payload.sub
    return typeof sub === 'string' && sub.startsWith(M2M_SUBJECT_PREFIX) ? decoded : null
  } catch {
    return null
  }
}

module.exports = { decodeM2MJwt }
