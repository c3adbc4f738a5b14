'use strict'

// `clerkClient.sessions` (SessionAPI). `RequestContext.fetchSessionToken`
// (auth objects' `getToken`) uses `getToken` too.

const { joinPaths } = require('../paths')

const BASE = '/sessions'

const handWritten = {
  // Two paths (with or without a template); a body only when an expiry is given.
  async getToken(sessionId, template, expiresInSeconds) {
    this.requireId(sessionId)
    const path = template ? joinPaths(BASE, sessionId, 'tokens', template) : joinPaths(BASE, sessionId, 'tokens')
    const requestOptions = { method: 'POST', path }
    if (expiresInSeconds !== undefined) {
      requestOptions.bodyParams = { expires_in_seconds: expiresInSeconds }
    }
    return this.request(requestOptions)
  },
}

module.exports = {
  className: 'SessionAPI',
  basePath: BASE,
  methods: {
    getSessionList: { verb: 'GET', args: [['params', {}]], query: 'params', paginated: true },
    getSession: { verb: 'GET', args: ['sessionId'], requireId: ['sessionId'], path: [':sessionId'] },
    createSession: { verb: 'POST', args: ['params'], body: 'params' },
    revokeSession: { verb: 'POST', args: ['sessionId'], requireId: ['sessionId'], path: [':sessionId', 'revoke'] },
    verifySession: {
      verb: 'POST',
      args: ['sessionId', 'token'],
      requireId: ['sessionId'],
      path: [':sessionId', 'verify'],
      body: ['token'],
    },
    getToken: { custom: handWritten.getToken },
    // Params are snake_case already; `suffixed_cookies` moves to the query.
    refreshSession: {
      verb: 'POST',
      args: ['sessionId', 'params'],
      requireId: ['sessionId'],
      from: 'params',
      pick: ['suffixed_cookies'],
      path: [':sessionId', 'refresh'],
      body: 'rest',
      query: ['suffixed_cookies'],
    },
  },
}
