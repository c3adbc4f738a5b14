'use strict'

// RequestState objects as `authenticateRequest` returns them. The response
// headers are kept as sorted [name, value] pairs; a WHATWG `Headers` object is
// only built if someone reads `state.headers` (the middleware never does).

const {
  signedInAuthObject,
  signedOutAuthObject,
  unauthenticatedMachineObject,
  authenticatedMachineObject,
  machineVerificationResult,
  LazyDebugData,
  SESSION_TOKEN,
} = require('./auth-objects')

// Header values `Headers#set` accepts: a ByteString without NUL, CR or LF.
const INVALID_HEADER_VALUE = /[^\x01-\x09\x0b\x0c\x0e-\xff]/

class RequestState {
  // Fields are assigned in the reference's order, in one shape for all states.
  constructor(context, status, reason, message, tokenType, toAuth, headerEntries, token) {
    const isSignedIn = status === 'signed-in'
    this.status = status
    this.reason = reason
    this.message = message
    this.proxyUrl = context.proxyUrl || ''
    this.publishableKey = context.publishableKey || ''
    this.isSatellite = context.isSatellite || false
    this.domain = context.domain || ''
    this.signInUrl = context.signInUrl || ''
    this.signUpUrl = context.signUpUrl || ''
    this.afterSignInUrl = context.afterSignInUrl || ''
    this.afterSignUpUrl = context.afterSignUpUrl || ''
    this.isSignedIn = isSignedIn
    this.isAuthenticated = isSignedIn
    this.tokenType = tokenType
    this.toAuth = toAuth
    this.headerEntries = headerEntries
    this.token = token
  }

  get headers() {
    const headers = new Headers()
    for (const [name, value] of this.headerEntries) headers.append(name, value)
    return headers
  }
}

/** @param headers response headers of the state (handshake resolution), sorted */
function signedInState(context, claims, token, headers = []) {
  const toAuth = ({ treatPendingAsSignedOut = true } = {}) => {
    const authObject = signedInAuthObject(context, token, claims)
    if (treatPendingAsSignedOut && authObject.sessionStatus === 'pending') {
      return signedOutAuthObject(undefined, authObject.sessionStatus)
    }
    return authObject
  }
  return new RequestState(context, 'signed-in', null, null, SESSION_TOKEN, toAuth, headers, token)
}

/** A verified machine token (API key, M2M or OAuth token). */
function machineSignedInState(context, tokenType, token, data, fromJwt) {
  const result = machineVerificationResult(tokenType, data, fromJwt)
  const toAuth = () => authenticatedMachineObject(tokenType, token, result, new LazyDebugData(() => context.debugData))
  return new RequestState(context, 'signed-in', null, null, tokenType, toAuth, [], token)
}

/** The debug headers, in the sorted order `Headers` iterates them. */
function debugHeaderEntries(status, reason, message) {
  const entries = []
  const add = (name, value) => {
    if (value && !INVALID_HEADER_VALUE.test(value)) entries.push([name, value.trim()])
  }
  add('x-clerk-auth-message', message)
  add('x-clerk-auth-reason', reason)
  add('x-clerk-auth-status', status)
  return entries
}

function signedOutState(context, tokenType, reason, message = '', headers = []) {
  const toAuth = () =>
    tokenType === SESSION_TOKEN
      ? signedOutAuthObject(new LazyDebugData(() => ({ ...context.debugData, status: 'signed-out', reason, message })))
      : // The reference's debug data holds the state's own headers, before the debug headers.
        unauthenticatedMachineObject(tokenType, new LazyDebugData(() => ({ reason, message, headers: new Headers(headers) })))
  const headerEntries = headers.concat(debugHeaderEntries('signed-out', reason, message))
  return new RequestState(context, 'signed-out', reason, message, tokenType, toAuth, headerEntries, null)
}

/** A redirect (307) to the handshake: the Rust headers, then the debug headers. */
function handshakeState(context, reason, message, headers) {
  const headerEntries = headers.concat(debugHeaderEntries('handshake', reason, message))
  return new RequestState(context, 'handshake', reason, message, SESSION_TOKEN, () => null, headerEntries, null)
}

function debugRequestState(params) {
  const { isSignedIn, isAuthenticated, proxyUrl, reason, message, publishableKey, isSatellite, domain } = params
  return { isSignedIn, isAuthenticated, proxyUrl, reason, message, publishableKey, isSatellite, domain }
}

module.exports = { RequestState, signedInState, machineSignedInState, signedOutState, handshakeState, debugRequestState }
