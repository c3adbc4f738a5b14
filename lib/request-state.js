'use strict'

// RequestState objects as `authenticateRequest` returns them. The response
// headers are kept as sorted [name, value] pairs; a WHATWG `Headers` object is
// only built if someone reads `state.headers` (the middleware never does).

const { signedInAuthObject, signedOutAuthObject, unauthenticatedMachineObject, SESSION_TOKEN } = require('./auth-objects')

// Header values `Headers#set` accepts: a ByteString without NUL, CR or LF.
const INVALID_HEADER_VALUE = /[^\x01-\x09\x0b\x0c\x0e-\xff]/

class RequestState {
  constructor(fields) {
    Object.assign(this, fields)
  }

  get headers() {
    const headers = new Headers()
    for (const [name, value] of this.headerEntries) headers.append(name, value)
    return headers
  }
}

function stateFields(context, status, reason, message) {
  return {
    status,
    reason,
    message,
    proxyUrl: context.proxyUrl || '',
    publishableKey: context.publishableKey || '',
    isSatellite: context.isSatellite || false,
    domain: context.domain || '',
    signInUrl: context.signInUrl || '',
    signUpUrl: context.signUpUrl || '',
    afterSignInUrl: context.afterSignInUrl || '',
    afterSignUpUrl: context.afterSignUpUrl || '',
  }
}

function signedInState(context, claims, token) {
  return new RequestState({
    ...stateFields(context, 'signed-in', null, null),
    isSignedIn: true,
    isAuthenticated: true,
    tokenType: SESSION_TOKEN,
    toAuth: ({ treatPendingAsSignedOut = true } = {}) => {
      const authObject = signedInAuthObject(context, token, claims)
      if (treatPendingAsSignedOut && authObject.sessionStatus === 'pending') {
        return signedOutAuthObject(undefined, authObject.sessionStatus)
      }
      return authObject
    },
    headerEntries: [],
    token,
  })
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

function signedOutState(context, tokenType, reason, message = '') {
  return new RequestState({
    ...stateFields(context, 'signed-out', reason, message),
    isSignedIn: false,
    isAuthenticated: false,
    tokenType,
    toAuth: () =>
      tokenType === SESSION_TOKEN
        ? signedOutAuthObject({ ...context.debugData, status: 'signed-out', reason, message })
        : unauthenticatedMachineObject(tokenType, { reason, message }),
    headerEntries: debugHeaderEntries('signed-out', reason, message),
    token: null,
  })
}

function debugRequestState(params) {
  const { isSignedIn, isAuthenticated, proxyUrl, reason, message, publishableKey, isSatellite, domain } = params
  return { isSignedIn, isAuthenticated, proxyUrl, reason, message, publishableKey, isSatellite, domain }
}

module.exports = { RequestState, signedInState, signedOutState, debugRequestState }
