'use strict'

// `MachineTokenVerificationError` of @clerk/backend, which `m2m.verify`
// throws for JWT-format tokens. Same shape as the reference's: a
// `ClerkError` subclass named `_MachineTokenVerificationError` (so is `name`),
// its message unformatted, own properties in the same order.

class ClerkError extends Error {
  static kind = 'ClerkError'
  clerkError = true
  code
  longMessage
  docsUrl
  cause

  get name() {
    return this.constructor.name
  }

  constructor(opts) {
    super(new.target.formatMessage(new.target.kind, opts.message, opts.code, opts.docsUrl), { cause: opts.cause })
    this.code = opts.code
    this.docsUrl = opts.docsUrl
    this.longMessage = opts.longMessage
    this.cause = opts.cause
  }

  toString() {
    return `[${this.name}]\nMessage:${this.message}`
  }
}

const MachineTokenVerificationError = class _MachineTokenVerificationError extends ClerkError {
  static kind = 'MachineTokenVerificationError'

  constructor({ message, code, status, action }) {
    super({ message, code })
    this.status = status
    this.action = action
  }

  // Like ClerkAPIResponseError, the message is kept as given.
  static formatMessage(_name, message) {
    return message
  }

  getFullMessage() {
    return `${this.message} (code=${this.code}, status=${this.status || 'n/a'})`
  }
}

module.exports = { MachineTokenVerificationError }
