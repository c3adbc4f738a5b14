'use strict'

// `clerk-express-native inspect` (bin/clerk-express-native.js): run as a
// child process, its decision for a request must be the one the middleware
// of this package gives the same request in an Express app: status, reason
// and message (x-clerk-auth-* headers), the redirect of a handshake, the
// signed-in user. Plus the input forms (token, stdin, raw HTTP, curl), the
// text output, masking of the secret key and tokens, and --fetch-jwks.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const os = require('node:os')
const { execFile } = require('node:child_process')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { buildApp, listen, native } = require('./helpers/apps')
const { normalise } = require('./helpers/same-answer')

const BIN = path.join(__dirname, '..', 'bin', 'clerk-express-native.js')
const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'
const SECRET = `sk_test_inspect_${process.pid}_secretvalue`
const MACHINE_SECRET = `ak_inspect_${process.pid}_machinesecret`
// fetch() does not send a Host header of the caller's; the forwarded host
// names the app's host alike for the app and the CLI.
const DOCUMENT = { 'sec-fetch-dest': 'document', 'x-forwarded-host': 'app.example.com' }

/** The environment of the CLI: this one without any CLERK_ variable, plus `env`. */
function cliEnv(env) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('CLERK_')))
  return { ...base, CLERK_TELEMETRY_DISABLED: '1', ...env }
}

/** Runs the CLI; resolves to { code, stdout, stderr }. */
function cli(args, { env = {}, input } = {}) {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { env: cliEnv(env), timeout: 20000 }, (err, stdout, stderr) => {
      resolve({ code: err ? err.code : 0, stdout, stderr })
    })
    child.stdin.end(input ?? '')
  })
}

async function cliJson(args, options) {
  const result = await cli(['inspect', '--json', ...args], options)
  assert.equal(result.code, 0, result.stderr)
  return JSON.parse(result.stdout)
}

/** The same request through an Express app on this package's middleware: what an app answers. */
async function middlewareAnswer(options, { path: requestPath = '/probe', method = 'GET', headers = {} }) {
  const server = await listen(buildApp(native, express, options))
  try {
    const response = await fetch(server.url + requestPath, { method, headers, redirect: 'manual' })
    const text = await response.text()
    let body = null
    try {
      body = JSON.parse(text)
    } catch {}
    return {
      httpStatus: response.status,
      status: response.headers.get('x-clerk-auth-status'),
      reason: response.headers.get('x-clerk-auth-reason'),
      message: response.headers.get('x-clerk-auth-message'),
      location: response.headers.get('location'),
      // As the CLI reads it: getAuth(req, { acceptsToken: 'any' }).
      userId: body?.any?.json?.userId ?? null,
      tokenType: body?.any?.json?.tokenType ?? null,
    }
  } finally {
    await server.close()
  }
}

/** Asserts the CLI's decision is the app's answer; `reason` pins what the case is about. */
function assertSameDecision(report, answer, expected = {}) {
  const decision = report.decision
  if (answer.status) {
    assert.deepEqual(
      normalise({ status: decision.status, reason: decision.reason, message: decision.message, location: decision.location }),
      normalise({ status: answer.status, reason: answer.reason, message: answer.message, location: answer.location }),
    )
  } else {
    assert.equal(decision.status, 'signed-in')
    assert.equal(decision.auth.userId ?? null, answer.userId)
  }
  assert.equal(decision.httpStatus, answer.httpStatus)
  if (expected.reason !== undefined) assert.equal(answer.reason, expected.reason)
  if (expected.status !== undefined) assert.equal(answer.status, expected.status)
  if (expected.httpStatus !== undefined) assert.equal(answer.httpStatus, expected.httpStatus)
}

describe('clerk-express-native inspect', () => {
  const key = createSigningKey()
  const otherKey = createSigningKey()
  const now = nowSeconds()
  const tokens = {
    valid: signToken(key, sessionClaims()),
    expired: signToken(key, sessionClaims({ exp: now - 60 })),
    notYet: signToken(key, sessionClaims({ nbf: now + 60 })),
    iatFuture: signToken(key, sessionClaims({ iat: now + 60 })),
    otherSigner: signToken({ ...otherKey, kid: key.kid }, sessionClaims()),
    otherKid: signToken(otherKey, sessionClaims()),
    evilAzp: signToken(key, sessionClaims({ azp: 'https://evil.test' })),
    malformed: 'a.b',
    badAlg: signToken(key, sessionClaims(), { alg: 'HS256' }),
    badTyp: signToken(key, sessionClaims(), { typ: 'JWS' }),
    noSub: signToken(key, sessionClaims({ sub: undefined })),
  }
  // Browser requests on a production key, raw HTTP on stdin.
  const cookieRequests = {
    iatBeforeUat: `__session=${signToken(key, sessionClaims({ iat: now - 100 }))}; __client_uat=${now - 10}`,
    sessionWithoutUat: `__session=${tokens.valid}`,
  }
  const pemEnv = { CLERK_SECRET_KEY: SECRET, CLERK_PUBLISHABLE_KEY: PK_TEST, CLERK_JWT_KEY: key.pem }
  const pemOptions = { secretKey: SECRET, publishableKey: PK_TEST, jwtKey: key.pem }
  // Document requests on a development key that are steps of Clerk's browser and domain sync.
  const SATELLITE = { env: { CLERK_IS_SATELLITE: 'true', CLERK_DOMAIN: 'satellite.example.com', CLERK_SIGN_IN_URL: 'https://primary.example.com/sign-in' }, options: { isSatellite: true, domain: 'satellite.example.com', signInUrl: 'https://primary.example.com/sign-in' } }
  const syncSteps = {
    'dev-browser-sync': { path: '/probe?__clerk_db_jwt=dvb_2', cookie: '', hint: /carries __clerk_db_jwt/ },
    'satellite-needs-syncing': { path: '/probe?__clerk_synced=false', cookie: '__clerk_db_jwt=dvb_1', ...SATELLITE, hint: /redirects to the primary domain/ },
    'primary-responds-to-syncing': { path: `/probe?__clerk_redirect_url=${encodeURIComponent('https://satellite.example.com/x')}`, cookie: '__clerk_db_jwt=dvb_1', hint: /redirects back to the satellite/ },
    'primary-domain-cross-origin-sync': { path: '/probe', cookie: `__session=${tokens.valid}; __client_uat=${now - 100}; __clerk_db_jwt=dvb_1`, referer: 'https://other-site.test/page', hint: /coming from another site/ },
  }
  // A Backend API whose JWKS answers 500, and a secret key of its own: the keys the app cached for `api` do not apply.
  const BROKEN_SECRET = `${SECRET}_broken`
  let api, brokenApi, jarDir
  // Every CLI run starts in `before`, all at once, so the file takes as
  // long as the slowest run rather than their sum.
  const runs = {}

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    brokenApi = await startFakeClerkApi({ keys: [key.jwk] })
    brokenApi.state.jwksMode = 'status-500'
    runs.jwksFailure = cliJson(['--fetch-jwks', tokens.valid], { env: { CLERK_SECRET_KEY: BROKEN_SECRET, CLERK_PUBLISHABLE_KEY: PK_TEST, CLERK_API_URL: brokenApi.url } })
    for (const [name, step] of Object.entries(syncSteps)) {
      const input = `GET ${step.path} HTTP/1.1\nHost: localhost\nSec-Fetch-Dest: document\nX-Forwarded-Host: app.example.com\n${step.cookie ? `Cookie: ${step.cookie}\n` : ''}${step.referer ? `Referer: ${step.referer}\n` : ''}\n`
      // A handshake URL carries the session token: --show-token keeps it whole, to compare.
      runs[name] = cliJson(['--show-token', '--request', '-'], { env: { ...pemEnv, ...step.env }, input })
    }
    api.state.machineTokens.set('ak_inspect', [200, { object: 'api_key', id: 'ak_1', type: 'api_key', name: 'ci', subject: 'user_1', scopes: [], claims: null }])
    const fetchEnv = { CLERK_SECRET_KEY: SECRET, CLERK_PUBLISHABLE_KEY: PK_TEST, CLERK_API_URL: api.url }
    const bearerRuns = ['valid', 'expired', 'notYet', 'iatFuture', 'otherSigner', 'malformed', 'badAlg', 'badTyp', 'noSub']
    for (const [name, cookie] of Object.entries(cookieRequests)) {
      // The handshake URL carries the token: --show-token keeps it whole, to compare.
      const input = `GET /probe HTTP/1.1\nHost: localhost\nSec-Fetch-Dest: document\nX-Forwarded-Host: app.example.com\nCookie: ${cookie}\n\n`
      runs[name] = cliJson(['--show-token', '--request', '-'], { env: { ...pemEnv, CLERK_PUBLISHABLE_KEY: PK_LIVE }, input })
    }
    for (const name of bearerRuns) runs[name] = cliJson([tokens[name]], { env: pemEnv })
    runs.azp = cliJson(['--authorized-parties', 'http://localhost:3000,https://app.test', tokens.evilAzp], { env: pemEnv })
    runs.kid = cliJson(['--fetch-jwks', tokens.otherKid], { env: fetchEnv })
    runs.fetchValid = cliJson(['--fetch-jwks', tokens.valid], { env: fetchEnv })
    runs.machine = cliJson(['--fetch-jwks', 'ak_inspect'], { env: fetchEnv })
    api.state.machineTokens.set('mt_inspect', [200, { object: 'machine_to_machine_token', id: 'mt_1', subject: 'mch_1', scopes: [], claims: null, revoked: false, expired: false }])
    runs.m2m = cliJson(['--fetch-jwks', 'mt_inspect'], { env: { ...fetchEnv, CLERK_MACHINE_SECRET_KEY: MACHINE_SECRET } })
    runs.m2mText = cli(['inspect', '--fetch-jwks', '--machine-secret-key', MACHINE_SECRET, 'mt_inspect'], { env: fetchEnv })
    runs.offline = cliJson([tokens.valid], { env: { CLERK_SECRET_KEY: SECRET, CLERK_PUBLISHABLE_KEY: PK_TEST, CLERK_API_URL: api.url } })
    runs.devBrowser = cliJson(['--request', '-'], { env: pemEnv, input: 'GET /probe HTTP/1.1\r\nHost: localhost\r\n\r\n' })
    runs.uatMissing = cliJson([], { env: { ...pemEnv, CLERK_PUBLISHABLE_KEY: PK_LIVE }, input: 'GET /probe HTTP/1.1\nHost: localhost\n\n' })
    runs.handshake = cliJson(['--', 'curl', '-H', 'Sec-Fetch-Dest: document', '-H', 'X-Forwarded-Host: app.example.com', '-b', '__client_uat=5; __clerk_db_jwt=dvb_1', 'http://127.0.0.1:9/probe?x=1'], { env: pemEnv })
    runs.curlBearer = cliJson(['--', 'curl', '-s', '-X', 'POST', '-H', `Authorization: Bearer ${tokens.expired}`, 'https://api.example.com/probe'], { env: pemEnv })
    runs.rawCookie = cliJson(['--request', '-'], {
      env: { ...pemEnv, CLERK_PUBLISHABLE_KEY: PK_LIVE },
      input: `GET /probe HTTP/1.1\nHost: app.example.com\nCookie: __session=${tokens.valid}\nCookie: __client_uat=${now - 100}\n\n`,
    })
    // A Netscape cookie file (curl -c, browser extensions): the cookies that apply to the URL are sent.
    jarDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspect-jar-'))
    const jar = path.join(jarDir, 'cookies.txt')
    fs.writeFileSync(jar, [
      '# Netscape HTTP Cookie File',
      `.example.com\tTRUE\t/\tFALSE\t0\t__session\t${tokens.valid}`,
      `#HttpOnly_app.example.com\tFALSE\t/\tFALSE\t0\t__client_uat\t${now - 100}`,
      'other.test\tFALSE\t/\tFALSE\t0\t__session\tnot-this-one',
      '',
    ].join('\n'))
    runs.curlJar = cliJson(['--', 'curl', '-b', jar, 'http://app.example.com/probe'], { env: { ...pemEnv, CLERK_PUBLISHABLE_KEY: PK_LIVE } })
    runs.textExpired = cli(['inspect', tokens.expired], { env: pemEnv })
    runs.textAzp = cli(['inspect', '--authorized-parties', 'https://app.test', '--show-token', tokens.evilAzp], { env: pemEnv })
    runs.stdinToken = cli(['inspect'], { env: pemEnv, input: `${tokens.valid}\n` })
    runs.noKeys = cliJson([tokens.valid], { env: {} })
    runs.help = cli(['inspect', '--help'])
    runs.badUsage = cli(['inspect', '--nope'])
    // Promise.all would reject early; keep each failure for its own test.
    for (const name of Object.keys(runs)) runs[name].catch(() => {})
  })
  after(async () => {
    await Promise.all([api.close(), brokenApi.close()])
    fs.rmSync(jarDir, { recursive: true, force: true })
  })

  const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } })

  test('signed in: the same user as the app', async () => {
    const report = await runs.valid
    assertSameDecision(report, await middlewareAnswer(pemOptions, bearer(tokens.valid)))
    assert.equal(report.decision.auth.userId, sessionClaims().sub)
    assert.equal(report.config.verification, 'jwt-key')
  })

  for (const [name, reason] of [
    ['expired', 'session-token-expired-refresh-non-eligible-no-refresh-cookie'],
    ['notYet', 'session-token-nbf'],
    ['iatFuture', 'session-token-iat-in-the-future'],
    ['otherSigner', 'token-invalid-signature'],
    ['malformed', 'token-invalid'],
    ['badAlg', 'token-invalid-algorithm'],
    ['badTyp', 'token-invalid'],
    ['noSub', 'token-verification-failed'],
  ]) {
    test(`${reason}: the app's status, reason and message`, async () => {
      assertSameDecision(await runs[name], await middlewareAnswer(pemOptions, bearer(tokens[name])), { reason, status: 'signed-out' })
    })
  }

  for (const name of Object.keys(cookieRequests)) {
    test(`a browser session (${name}): the app's status, reason and message`, async () => {
      const request = { headers: { ...DOCUMENT, cookie: cookieRequests[name] } }
      const report = await runs[name]
      assertSameDecision(report, await middlewareAnswer({ ...pemOptions, publishableKey: PK_LIVE }, request))
      assert.notEqual(report.decision.status, 'signed-in')
      assert.ok(report.hint, 'a hint')
    })
  }

  test('time claims against now, and the hints that use them', async () => {
    const expired = await runs.expired
    const exp = expired.time.claims.find((c) => c.claim === 'exp')
    assert.equal(exp.ok, false)
    assert.ok(exp.deltaSeconds <= -59 && exp.deltaSeconds >= -65, String(exp.deltaSeconds))
    assert.match(expired.hint, /^the token expired \d+ s ago; session tokens live 60 s/)
    assert.equal(expired.time.clockSkewMs, 5000)
    const nbf = (await runs.notYet).time.claims.find((c) => c.claim === 'nbf')
    assert.equal(nbf.ok, false)
    assert.match(nbf.summary, /^not valid before .*, in \d+ s$/)
    assert.match((await runs.iatFuture).time.claims.find((c) => c.claim === 'iat').summary, /^issued in the future/)
    assert.match((await runs.otherSigner).hint, /signature does not match/)
    assert.match((await runs.malformed).hint, /cannot be decoded: not a JWT: 2 parts/)
  })

  test('token-invalid-authorized-parties, with the azp and the list in the hint', async () => {
    const report = await runs.azp
    const options = { ...pemOptions, authorizedParties: ['http://localhost:3000', 'https://app.test'] }
    assertSameDecision(report, await middlewareAnswer(options, bearer(tokens.evilAzp)), { reason: 'token-invalid-authorized-parties' })
    assert.match(report.hint, /azp "https:\/\/evil\.test" is not in authorizedParties \["http:\/\/localhost:3000","https:\/\/app\.test"\]/)
  })

  test('--fetch-jwks: the middleware fetches the JWKS with the secret key (jwk-kid-mismatch, signed in)', async () => {
    const options = { secretKey: SECRET, publishableKey: PK_TEST, apiUrl: api.url }
    const kid = await runs.kid
    assertSameDecision(kid, await middlewareAnswer(options, bearer(tokens.otherKid)), { reason: 'jwk-kid-mismatch' })
    assert.match(kid.hint, /is not in this instance's JWKS/)
    assertSameDecision(await runs.fetchValid, await middlewareAnswer(options, bearer(tokens.valid)))
    const jwksCalls = api.requestsTo('/v1/jwks')
    assert.ok(jwksCalls.some((r) => r.headers.authorization === `Bearer ${SECRET}`), 'the CLI fetched the JWKS with the secret key')
  })

  test('a machine token (opaque API key) through --fetch-jwks', async () => {
    const report = await runs.machine
    const answer = await middlewareAnswer({ secretKey: SECRET, publishableKey: PK_TEST, apiUrl: api.url }, bearer('ak_inspect'))
    assertSameDecision(report, answer)
    assert.equal(report.decision.auth.tokenType, 'api_key')
    assert.equal(answer.tokenType, 'api_key')
  })

  test('an M2M token through --fetch-jwks is verified with CLERK_MACHINE_SECRET_KEY, as the app does', async () => {
    const report = await runs.m2m
    const options = { secretKey: SECRET, machineSecretKey: MACHINE_SECRET, publishableKey: PK_TEST, apiUrl: api.url }
    const answer = await middlewareAnswer(options, bearer('mt_inspect'))
    assertSameDecision(report, answer)
    assert.equal(report.decision.auth.tokenType, 'm2m_token')
    assert.equal(report.config.machineSecretKey, `ak_…${MACHINE_SECRET.slice(-4)}`)
    assert.deepEqual(report.config.sources.machineSecretKey, 'CLERK_MACHINE_SECRET_KEY')
    const verifications = api.state.requests.filter((r) => r.path.endsWith('/m2m_tokens/verify'))
    assert.ok(verifications.length >= 3, 'two CLI runs and the app verified the token')
    for (const request of verifications) assert.equal(request.headers.authorization, `Bearer ${MACHINE_SECRET}`)
    const text = await runs.m2mText
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, new RegExp(`machine secret ak_…${MACHINE_SECRET.slice(-4)} \\(flag\\)`))
  })

  for (const [reason, step] of Object.entries(syncSteps)) {
    test(`${reason}: the same redirect as the app, and a hint`, async () => {
      const report = await runs[reason]
      const headers = { ...DOCUMENT, ...(step.cookie ? { cookie: step.cookie } : {}), ...(step.referer ? { referer: step.referer } : {}) }
      assertSameDecision(report, await middlewareAnswer({ ...pemOptions, ...step.options }, { path: step.path, headers }), { reason })
      assert.ok(report.decision.location, 'a redirect')
      assert.match(report.hint, step.hint)
    })
  }

  test('a JWKS that cannot be fetched (500): the app\'s reason, and a hint that names the JWKS', async () => {
    const report = await runs.jwksFailure
    const answer = await middlewareAnswer({ secretKey: BROKEN_SECRET, publishableKey: PK_TEST, apiUrl: brokenApi.url }, bearer(tokens.valid))
    assertSameDecision(report, answer, { status: 'signed-out' })
    assert.match(report.decision.message, /jwk-remote-failed-to-load/)
    assert.match(report.hint, /JWKS could not be fetched/)
    assert.ok(brokenApi.requestsTo('/v1/jwks').length >= 2, 'the CLI and the app asked the broken API')
  })

  test('offline without a PEM key: decoded, verification skipped, no call to the API', async () => {
    const report = await runs.offline
    assert.equal(report.decision.status, 'skipped')
    assert.deepEqual(report.decision.skipped.calls, ['GET /v1/jwks'])
    assert.equal(report.decoded.claims.sub, sessionClaims().sub)
    assert.equal(report.config.verification, 'offline')
    assert.match(report.hint, /verification skipped/)
  })

  test('no token: dev-browser-missing (development), session-token-and-uat-missing (production), from raw HTTP on stdin', async () => {
    const request = { headers: { host: 'localhost' } }
    assertSameDecision(await runs.devBrowser, await middlewareAnswer(pemOptions, request), { reason: 'dev-browser-missing' })
    assertSameDecision(await runs.uatMissing, await middlewareAnswer({ ...pemOptions, publishableKey: PK_LIVE }, request), {
      reason: 'session-token-and-uat-missing',
    })
    assert.equal((await runs.devBrowser).input.source, 'http')
  })

  test('a handshake from curl arguments: 307 and the same redirect', async () => {
    const report = await runs.handshake
    const answer = await middlewareAnswer(pemOptions, {
      path: '/probe?x=1',
      headers: { ...DOCUMENT, cookie: '__client_uat=5; __clerk_db_jwt=dvb_1' },
    })
    assertSameDecision(report, answer, { status: 'handshake', httpStatus: 307, reason: 'client-uat-but-no-session-token' })
    assert.match(report.decision.location, /^https:\/\/clerk\.example\.com\/v1\/client\/handshake\?redirect_url=http%3A%2F%2Fapp\.example\.com%2Fprobe%3Fx%3D1/)
    assert.equal(report.input.source, 'curl')
  })

  test('curl: -X POST, the Authorization header and the URL', async () => {
    const report = await runs.curlBearer
    assert.equal(report.input.method, 'POST')
    assert.equal(report.input.url, 'https://api.example.com/probe')
    assertSameDecision(report, await middlewareAnswer(pemOptions, { method: 'POST', ...bearer(tokens.expired) }), {
      reason: 'session-token-expired-refresh-non-eligible-non-get',
    })
  })

  for (const [name, run] of [
    ['curl -b with a cookie file: the cookies for the URL, as the app gets them', 'curlJar'],
    ['raw HTTP with repeated Cookie headers: the session cookie is decoded and signs in', 'rawCookie'],
  ]) {
    test(name, async () => {
      const report = await runs[run]
      assert.equal(report.input.tokenFrom, '__session cookie')
      const answer = await middlewareAnswer({ ...pemOptions, publishableKey: PK_LIVE }, { headers: { cookie: `__session=${tokens.valid}; __client_uat=${now - 100}` } })
      assertSameDecision(report, answer)
      assert.equal(report.decision.auth.userId, sessionClaims().sub)
    })
  }

  test('text output: the key lines of an expired token and of a wrong azp', async () => {
    const expired = await runs.textExpired
    assert.equal(expired.code, 0, expired.stderr)
    const out = expired.stdout
    assert.match(out, /^Request {5}GET http:\/\/localhost\/ \(from a bare token\)$/m)
    assert.match(out, new RegExp(`^Token {7}${tokens.expired.slice(0, 10)}…${tokens.expired.slice(-6)} \\(JWT, from the Authorization header\\)$`, 'm'))
    assert.match(out, /^ {12}BAD exp: expired \d+ s ago/m)
    assert.match(out, /^Time {8}now .*, clock skew allowance 5000 ms$/m)
    assert.match(out, /^Decision {4}signed-out \(HTTP 200\)$/m)
    assert.match(out, /^Reason {6}session-token-expired-refresh-non-eligible-no-refresh-cookie$/m)
    assert.match(out, /^Message {5}JWT is expired\. .*\(reason=token-expired, token-carrier=header\)$/m)
    assert.match(out, /^Hint {8}the token expired \d+ s ago/m)
    const azp = await runs.textAzp
    assert.match(azp.stdout, /^Reason {6}token-invalid-authorized-parties$/m)
    assert.match(azp.stdout, /^Hint {8}azp "https:\/\/evil\.test" is not in authorizedParties \["https:\/\/app\.test"\]/m)
    assert.ok(azp.stdout.includes(tokens.evilAzp), '--show-token prints the token whole')
  })

  test('a token on stdin', async () => {
    const result = await runs.stdinToken
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stdout, /^Decision {4}signed-in \(HTTP 200\)$/m)
  })

  test('the secret key never appears, masked as sk_test_…last4; tokens are shortened', async () => {
    for (const name of Object.keys(runs)) {
      const result = await runs[name]
      const text = typeof result.stdout === 'string' ? result.stdout + result.stderr : JSON.stringify(result)
      assert.ok(!text.includes(SECRET), `${name} prints the secret key`)
      assert.ok(!text.includes(MACHINE_SECRET), `${name} prints the machine secret key`)
      // These runs ask for --show-token.
      const shown = name === 'textAzp' || Object.hasOwn(cookieRequests, name) || Object.hasOwn(syncSteps, name)
      if (!shown) for (const token of Object.values(tokens)) if (token.length > 20) assert.ok(!text.includes(token), `${name} prints a whole token`)
    }
    const report = await runs.valid
    assert.equal(report.config.secretKey, `sk_test_…${SECRET.slice(-4)}`)
    assert.equal(report.token, `${tokens.valid.slice(0, 10)}…${tokens.valid.slice(-6)}`)
    assert.match((await runs.textExpired).stdout, new RegExp(`secret sk_test_…${SECRET.slice(-4)} \\(CLERK_SECRET_KEY\\)`))
  })

  test('no keys at all: the middleware\'s own configuration error, as a 500', async () => {
    const report = await runs.noKeys
    assert.equal(report.decision.status, 'error')
    assert.equal(report.decision.httpStatus, 500)
    const answer = await middlewareAnswer({ secretKey: '', publishableKey: '' }, bearer(tokens.valid))
    assert.equal(answer.httpStatus, 500)
    assert.match(report.hint, /publishable key is missing/)
  })

  test('--help, and usage errors exit 2', async () => {
    const help = await runs.help
    assert.equal(help.code, 0)
    assert.match(help.stdout, /^Usage: clerk-express-native inspect/)
    const bad = await runs.badUsage
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /unknown option --nope/)
  })

  test('requiring the package does not load the CLI', () => {
    const loaded = Object.keys(require.cache).filter((file) => file.includes(`${path.sep}lib${path.sep}inspect${path.sep}`))
    assert.deepEqual(loaded, [])
  })
})

// After the describe above, whose last test checks that nothing of the CLI was loaded here.
test('the cookie file\'s rules: domain and subdomains, path, secure, expiry', () => {
  const { cookiesForUrl } = require('../lib/inspect/cookie-jar')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspect-jar-rules-'))
  const file = path.join(dir, 'rules.txt')
  fs.writeFileSync(file, [
    'example.com\tFALSE\t/\tFALSE\t0\texact_only\t1',
    'example.com\tTRUE\t/\tFALSE\t0\twith_subdomains\t2',
    '.example.com\tTRUE\t/api\tFALSE\t0\tapi_path\t3',
    'app.example.com\tFALSE\t/\tTRUE\t0\tsecure\t4',
    'app.example.com\tFALSE\t/\tFALSE\t1000\texpired\t5',
    'app.example.com\tFALSE\t/\tFALSE\t3000\tfresh\ta\tb',
    'malformed line',
  ].join('\r\n'))
  const at = (url) => cookiesForUrl(file, new URL(url), 2000)
  assert.equal(at('http://app.example.com/'), 'with_subdomains=2; fresh=a\tb')
  assert.equal(at('https://app.example.com/api/users'), 'with_subdomains=2; api_path=3; secure=4; fresh=a\tb')
  assert.equal(at('http://example.com/apis'), 'exact_only=1; with_subdomains=2')
  assert.equal(at('http://other.test/'), '')
  assert.throws(() => cookiesForUrl(path.join(dir, 'missing.txt'), new URL('http://x.test/')), /curl -b .*missing\.txt: not a cookie file that can be read \(ENOENT\)/)
  fs.rmSync(dir, { recursive: true, force: true })
})

test("the README's commands run as written (the keys and the token put in)", async () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Inspecting a request'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)[1]
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inspect-readme-'))
  try {
    const key = createSigningKey()
    const token = signToken(key, sessionClaims({ exp: nowSeconds() - 61 }))
    fs.writeFileSync(path.join(dir, 'clerk.pem'), key.pem)
    fs.writeFileSync(path.join(dir, 'request.http'), `GET /dashboard HTTP/1.1\r\nHost: app.example.com\r\nAuthorization: Bearer ${token}\r\n\r\n`)
    const script = block
      .replace('sk_test_...', SECRET)
      .replace('pk_test_...', PK_TEST)
      .replaceAll('npx clerk-express-native', `"${process.execPath}" "${BIN}"`)
    const { stdout, code } = await new Promise((resolve) => {
      execFile('bash', ['-e', '-c', script], { cwd: dir, env: { ...cliEnv({}), TOKEN: token }, timeout: 30000 }, (err, out) =>
        resolve({ stdout: out, code: err ? err.code : 0 }),
      )
    })
    assert.equal(code, 0, stdout)
    // Two text reports and one JSON object, all on the expired token.
    assert.equal(stdout.match(/^Decision {4}signed-out \(HTTP 200\)$/gm)?.length, 2, stdout)
    assert.match(stdout, /"reason": "session-token-expired-refresh-non-eligible-no-refresh-cookie"/)
    assert.ok(!stdout.includes(SECRET) && !stdout.includes(token), 'neither the secret key nor the whole token')
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
