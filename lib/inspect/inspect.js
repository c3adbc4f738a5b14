'use strict'

// `inspect` from parsed input to a report: the token decoded and its time
// claims (./decode.js), the middleware's decision (./decide.js), and a hint
// (./hints.js). The report holds the full token and secret; ./render.js
// masks them when printing.

const { tokenOf } = require('./request')
const { decodeToken, timeClaims } = require('./decode')
const { decide } = require('./decide')
const { hintFor } = require('./hints')
const { resolveConfig } = require('./config')

/**
 * @param request from ./request.js
 * @param flags parsed flags: the keys and options (see ./config.js), `fetchJwks`
 * @param env the environment to read keys from
 */
async function inspect(request, flags = {}, env = process.env) {
  const { options, sources, clockSkewMs } = resolveConfig(flags, env)
  const fetchJwks = !!flags.fetchJwks
  const found = tokenOf(request)
  const decoded = found ? decodeToken(found.token) : null
  const nowMs = Date.now()
  const times = decoded ? timeClaims(decoded.claims, nowMs, clockSkewMs) : []
  const raw = await decide(request, options, { fetchJwks })
  const decision = raw.skipped
    ? { status: 'skipped', httpStatus: null, reason: null, message: null, location: null, auth: null, error: null, skipped: raw.skipped }
    : { status: raw.status, httpStatus: raw.httpStatus, reason: raw.reason, message: raw.message, location: raw.location, auth: raw.auth, error: raw.error, skipped: null }
  const hint = hintFor({ decision, decoded: decoded || {}, times, clockSkewMs, authorizedParties: options.authorizedParties })
  return {
    input: { source: request.source, method: request.method, url: `${request.protocol}//${request.headers.host}${request.path}`, tokenFrom: found?.from || null },
    token: found ? found.token : null,
    decoded,
    time: { now: new Date(nowMs).toISOString(), clockSkewMs, claims: times },
    config: {
      secretKey: options.secretKey || null,
      machineSecretKey: options.machineSecretKey || null,
      publishableKey: options.publishableKey || null,
      jwtKey: options.jwtKey ? 'PEM' : null,
      apiUrl: fetchJwks ? options.apiUrl || 'https://api.clerk.com' : null,
      authorizedParties: options.authorizedParties || null,
      verification: options.jwtKey ? 'jwt-key' : fetchJwks ? 'fetch-jwks' : 'offline',
      sources,
    },
    decision,
    hint,
  }
}

module.exports = { inspect }
