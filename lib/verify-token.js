'use strict'

// `verifyToken(token, options)` of @clerk/backend (legacy return): resolves to
// the claims or rejects with a TokenVerificationError. It reads no env vars.

const native = require('./native')
const { nativeOptions } = require('./authenticators')
const { afterNativeCall } = require('./diagnostics')

// Named like the reference's bundled class (`class _TokenVerificationError`).
const TokenVerificationError = class _TokenVerificationError extends Error {
  constructor({ action, message, reason }) {
    super(message)
    this.reason = reason
    this.message = message
    this.action = action
  }

  getFullMessage() {
    return `${[this.message, this.action].filter((m) => m).join(' ')} (reason=${this.reason}, token-carrier=${this.tokenCarrier})`
  }
}

async function verifyToken(token, options) {
  const result = await afterNativeCall(native.verifySessionToken(String(token), nativeOptions(options)))
  if (result.claims !== undefined && result.claims !== null) return JSON.parse(result.claims)
  if (result.unexpected) throw new Error(result.unexpected)
  throw new TokenVerificationError({ action: result.action ?? undefined, message: result.message, reason: result.reason })
}

module.exports = { verifyToken, TokenVerificationError }
