'use strict'

const { joinPaths, requireId } = require('./paths')

const BASE = '/sessions'

class SessionAPI {
  constructor(request) {
    this.request = request
  }

  /** A session token from a JWT template (or a fresh default token). */
  async getToken(sessionId, template, expiresInSeconds) {
    requireId(sessionId)
    const path = template ? joinPaths(BASE, sessionId, 'tokens', template) : joinPaths(BASE, sessionId, 'tokens')
    const requestOptions = { method: 'POST', path }
    if (expiresInSeconds !== undefined) requestOptions.bodyParams = { expires_in_seconds: expiresInSeconds }
    return this.request(requestOptions)
  }
}

module.exports = { SessionAPI }
