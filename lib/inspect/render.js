'use strict'

// Printing a report (./inspect.js) as text or as one JSON object. Both mask
// the secret keys and, unless asked, shorten the token, wherever they occur.

const { maskSecret, shortenToken } = require('./config')

/** The report's text with the secret keys masked and the token shortened, wherever they occur. */
function scrub(text, report, { showToken = false } = {}) {
  let out = text
  for (const secret of [report.config.secretKey, report.config.machineSecretKey]) {
    if (secret) out = out.split(secret).join(maskSecret(secret))
  }
  if (!showToken && report.token && report.token.length > 20) out = out.split(report.token).join(shortenToken(report.token))
  return out
}

function renderJson(report, { showToken = false } = {}) {
  const shown = {
    ...report,
    token: showToken ? report.token : shortenToken(report.token),
    config: { ...report.config, secretKey: maskSecret(report.config.secretKey), machineSecretKey: maskSecret(report.config.machineSecretKey) },
  }
  return scrub(JSON.stringify(shown, null, 2), report, { showToken })
}

function renderText(report, { showToken = false } = {}) {
  const lines = []
  const row = (label, value) => lines.push(`${label.padEnd(12)}${value}`)
  const more = (value) => lines.push(`${' '.repeat(12)}${value}`)
  const { input, decoded, time, config, decision } = report
  row('Request', `${input.method} ${input.url} (from ${input.source === 'token' ? 'a bare token' : input.source === 'curl' ? 'curl arguments' : 'raw HTTP'})`)
  if (report.token) {
    row('Token', `${showToken ? report.token : shortenToken(report.token)} (${decoded.kind}, from the ${input.tokenFrom})`)
    if (decoded.error) more(`cannot decode: ${decoded.error}`)
    if (decoded.header !== undefined) row('Header', JSON.stringify(decoded.header))
    if (decoded.claims !== undefined) {
      // One claim a line: readable, and each value exactly as JSON has it.
      const entries = decoded.claims && typeof decoded.claims === 'object' && !Array.isArray(decoded.claims) ? Object.entries(decoded.claims) : null
      if (!entries) row('Claims', JSON.stringify(decoded.claims))
      else if (entries.length === 0) row('Claims', '{}')
      else entries.forEach(([name, value], i) => (i === 0 ? row : (_, text) => more(text))('Claims', `${name}: ${JSON.stringify(value)}`))
    }
    more('(decoded, not verified: the decision below is the middleware\'s)')
    if (time.claims.length) {
      row('Time', `now ${time.now}, clock skew allowance ${time.clockSkewMs} ms`)
      for (const claim of time.claims) more(`${claim.ok ? 'ok ' : 'BAD'} ${claim.claim}: ${claim.summary}`)
    }
  } else {
    row('Token', 'none (no Authorization header, no __session cookie)')
  }
  const sourceOf = (name) => (config.sources[name] ? ` (${config.sources[name]})` : '')
  row('Keys', `secret ${config.secretKey ? maskSecret(config.secretKey) + sourceOf('secretKey') : 'not set'}; publishable ${config.publishableKey ? config.publishableKey + sourceOf('publishableKey') : 'not set'}`)
  if (config.machineSecretKey) more(`machine secret ${maskSecret(config.machineSecretKey)}${sourceOf('machineSecretKey')} (verifies M2M tokens)`)
  more(`verification: ${config.verification === 'jwt-key' ? `PEM key${sourceOf('jwtKey')}, no network` : config.verification === 'fetch-jwks' ? `JWKS fetched from ${config.apiUrl}` : 'offline (no PEM key; --fetch-jwks not given)'}`)
  if (config.authorizedParties) more(`authorizedParties: ${config.authorizedParties.join(', ')}`)
  if (decision.status === 'skipped') {
    row('Decision', 'verification skipped')
    more(`${decision.skipped.why} (${decision.skipped.calls.join(', ')})`)
  } else {
    row('Decision', `${decision.status}${decision.httpStatus ? ` (HTTP ${decision.httpStatus})` : ''}`)
    if (decision.reason) row('Reason', decision.reason)
    if (decision.message) row('Message', decision.message)
    if (decision.location) row('Redirect', decision.location)
    if (decision.error) row('Error', decision.error)
    if (decision.auth && decision.status === 'signed-in') row('Auth', JSON.stringify(decision.auth))
  }
  if (report.hint) row('Hint', report.hint)
  return scrub(lines.join('\n'), report, { showToken })
}

module.exports = { renderText, renderJson }
