'use strict'

// `clerkClient.idPOAuthAccessToken` (IdPOAuthAccessTokenApi): no API version
// in the URL. Hand-written: after the Backend API has verified the token,
// the expected audience is checked locally.

const { joinPaths } = require('../paths')
const { TokenVerificationError } = require('../../verify-token')

const BASE = '/oauth_applications/access_tokens'

const isArrayString = (value) => Array.isArray(value) && value.length > 0 && value.every((a) => typeof a === 'string')

/** `assertOAuthAudienceClaim`: with an expected audience, one of the token's must match. */
function assertOAuthAudienceClaim(aud, audience) {
  const audienceList = [audience].flat().filter((a) => !!a)
  if (audienceList.length === 0) return
  const audFromToken = aud ? [aud].flat() : undefined
  if (!isArrayString(audFromToken) || audFromToken.some((a) => a.length === 0)) {
    throw new TokenVerificationError({
      reason: 'token-verification-failed',
      message: `Invalid OAuth audience claim (aud) ${JSON.stringify(aud)}. Expected a non-empty string or a non-empty array of non-empty strings.`,
    })
  }
  if (!audFromToken.some((a) => audienceList.includes(a))) {
    throw new TokenVerificationError({
      reason: 'token-verification-failed',
      message: `OAuth audience mismatch. Verification expected audience ${JSON.stringify(audienceList)}, but incoming token has aud ${JSON.stringify(aud)}.`,
    })
  }
}

const handWritten = {
  async verify(accessToken, options = {}) {
    const verifiedToken = await this.request({
      method: 'POST',
      path: joinPaths(BASE, 'verify'),
      bodyParams: { access_token: accessToken },
    })
    assertOAuthAudienceClaim(verifiedToken.aud, options.audience)
    return verifiedToken
  },
}

module.exports = {
  className: 'IdPOAuthAccessTokenApi',
  basePath: BASE,
  requestConfig: { skipApiVersionInUrl: true },
  methods: {
    verify: { custom: handWritten.verify },
  },
}
