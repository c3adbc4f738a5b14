'use strict'

// `clerkClient.m2m` (M2MTokenApi): no API version in the URL, no secret key
// required, the machine secret key preferred. A per-call `machineSecretKey`
// becomes the Authorization header and is kept out of the query and body.
// `verify` checks JWT-format M2M tokens locally, with the native verifier
// the middleware uses for machine JWTs, and asks the Backend API otherwise.

const native = require('../../native')
const { M2MToken } = require('../../resources')
const { joinPaths } = require('../paths')
const { decodeM2MJwt } = require('./jwt-format')
const { MachineTokenVerificationError } = require('./machine-token-verification-error')

const BASE = '/m2m_tokens'
const M2M_CATEGORY = 'cl_B7d4PD333AAA'
const SET_CLERK_JWT_KEY = 'Set the CLERK_JWT_KEY environment variable.'

// The reference keeps these in private fields: {secretKey, apiUrl, jwtKey}.
const verifyOptionsOf = new WeakMap()
const authenticatorOf = new WeakMap()

function withMachineSecretKey(options, machineSecretKey) {
  if (!machineSecretKey) return options
  return { ...options, headerParams: { ...options.headerParams, Authorization: `Bearer ${machineSecretKey}` } }
}

/** One native verifier per client, built from the keys the client was created with. */
function authenticatorFor(api) {
  let authenticator = authenticatorOf.get(api)
  if (!authenticator) {
    const { secretKey, apiUrl, jwtKey } = verifyOptionsOf.get(api)
    authenticator = new native.Authenticator({
      secretKey: secretKey || undefined,
      apiUrl: apiUrl || undefined,
      jwtKey: jwtKey || undefined,
    })
    authenticatorOf.set(api, authenticator)
  }
  return authenticator
}

/**
 * `verifyM2MJwt`: the category, then the key (PEM or JWKS) and the JWT
 * checks; failures are MachineTokenVerificationErrors, as in the reference.
 */
async function verifyLocally(api, token, decoded) {
  const options = verifyOptionsOf.get(api)
  const cat = decoded.header.cat
  if (cat !== undefined && cat !== M2M_CATEGORY) {
    throw new MachineTokenVerificationError({ code: 'token-invalid', message: 'Invalid M2M JWT category.' })
  }
  // Only this failure carries an action; the native verifier reports none.
  if (!options.jwtKey && !options.secretKey) {
    throw new MachineTokenVerificationError({
      action: SET_CLERK_JWT_KEY,
      message: 'Failed to resolve JWK during verification.',
      code: 'token-verification-failed',
    })
  }
  const result = await authenticatorFor(api).authenticateRequest(token, { method: 'POST', url: '/' })
  // Both sides decode the token the same way, so the native side takes it for an M2M token too.
  if (result.tokenType !== 'm2m_token') throw new Error(`unexpected token type ${result.tokenType}`)
  if (result.status === 'signed-in') return M2MToken.fromJwtPayload(JSON.parse(result.claims), options.clockSkewInMs)
  if (result.status === 'signed-out') {
    // The native message is already `<message> (code=…, status=n/a)`; the error keeps the bare message.
    const suffix = ` (code=${result.reason}, status=n/a)`
    const message = result.message.endsWith(suffix) ? result.message.slice(0, -suffix.length) : result.message
    throw new MachineTokenVerificationError({ code: result.reason, message })
  }
  throw new Error(result.message)
}

const handWritten = {
  // Unset fields are sent as explicit nulls (or the `opaque` format).
  async createToken(params) {
    const {
      claims = null,
      machineSecretKey,
      minRemainingTtlSeconds,
      secondsUntilExpiration = null,
      tokenFormat = 'opaque',
    } = params || {}
    const requestOptions = withMachineSecretKey(
      {
        method: 'POST',
        path: BASE,
        bodyParams: { secondsUntilExpiration, claims, minRemainingTtlSeconds, tokenFormat },
      },
      machineSecretKey,
    )
    return this.request(requestOptions)
  },

  async verify(params) {
    const { token, machineSecretKey } = params
    const decoded = decodeM2MJwt(token)
    if (decoded) return verifyLocally(this, token, decoded)
    const requestOptions = withMachineSecretKey(
      { method: 'POST', path: joinPaths(BASE, 'verify'), bodyParams: { token } },
      machineSecretKey,
    )
    return this.request(requestOptions)
  },
}

module.exports = {
  className: 'M2MTokenApi',
  basePath: BASE,
  requestConfig: { skipApiVersionInUrl: true, requireSecretKey: false, useMachineSecretKey: true },
  // The verifier's options, passed explicitly because the request function hides its own.
  constructorArgs: (options) => [{ secretKey: options.secretKey, apiUrl: options.apiUrl, jwtKey: options.jwtKey }],
  init(api, verifyOptions = {}) {
    verifyOptionsOf.set(api, verifyOptions)
  },
  methods: {
    list: {
      verb: 'GET',
      args: ['queryParams'],
      from: 'queryParams',
      pick: ['machineSecretKey'],
      query: 'rest',
      machineSecretKey: true,
    },
    createToken: { custom: handWritten.createToken },
    revokeToken: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['m2mTokenId', ['revocationReason', null], 'machineSecretKey'],
      requireId: ['m2mTokenId'],
      path: [':m2mTokenId', 'revoke'],
      body: ['revocationReason'],
      machineSecretKey: true,
    },
    verify: { custom: handWritten.verify },
  },
}
