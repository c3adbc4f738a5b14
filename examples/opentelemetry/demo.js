'use strict'

// `npm run example:opentelemetry`: ./instrumentation.js in an Express app on
// this package, against the fake Clerk Backend API of the tests on
// 127.0.0.1. Sends a signed-in request (which fetches the JWKS), a signed-out
// one, one with a bad token, and two that call `clerkClient.users.getUser`
// (a user that exists and one that does not), then prints one line per span.
// `--console` also prints every span in full (ConsoleSpanExporter). Exits 1
// unless the expected spans were seen.

const express = require('express')
const { SpanKind, SpanStatusCode } = require('@opentelemetry/api')
const { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter, ConsoleSpanExporter } = require('@opentelemetry/sdk-trace-base')
const { clerkMiddleware, getAuth, createClerkClient } = require('../..')
const { instrumentClerk } = require('./instrumentation')
const { startFakeClerkApi } = require('../../__test__/helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('../../__test__/helpers/tokens')

const PUBLISHABLE_KEY = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

/**
 * A stand-in for @opentelemetry/sdk-metrics (not installed here): it only
 * adds up each counter by its attributes, so that the demo can print them.
 */
function tallyingMeter() {
  const totals = new Map()
  return {
    totals,
    createCounter: (name) => ({
      add(value, attributes = {}) {
        const key = `${name} ${JSON.stringify(attributes)}`
        totals.set(key, (totals.get(key) ?? 0) + value)
      },
    }),
  }
}

/** One line: name, kind, duration, status, attributes. */
function describeSpan(span) {
  const [seconds, nanos] = span.duration
  const ms = (seconds * 1e3 + nanos / 1e6).toFixed(2)
  const status = span.status.code === SpanStatusCode.ERROR ? `ERROR (${span.status.message})` : 'UNSET'
  const attributes = Object.entries(span.attributes).map(([name, value]) => `${name}=${JSON.stringify(value)}`)
  const exceptions = span.events.filter((event) => event.name === 'exception').length
  return `${span.name.padEnd(22)} ${SpanKind[span.kind].padEnd(8)} ${`${ms} ms`.padStart(10)}  ${status}  ${attributes.join(' ')}${exceptions ? ` (+${exceptions} exception)` : ''}`
}

async function main() {
  process.env.CLERK_TELEMETRY_DISABLED = '1'
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  const secretKey = 'sk_test_opentelemetry_demo'

  // The SDK setup an app would have, with an in-memory exporter so that the
  // demo can check what it got (an app would export over OTLP instead).
  const exporter = new InMemorySpanExporter()
  const spanProcessors = [new SimpleSpanProcessor(exporter)]
  if (process.argv.includes('--console')) spanProcessors.push(new SimpleSpanProcessor(new ConsoleSpanExporter()))
  const provider = new BasicTracerProvider({ spanProcessors })
  const meter = tallyingMeter()
  const unsubscribe = instrumentClerk(provider.getTracer('clerk-express-native'), { meter })

  const clerkClient = createClerkClient({ secretKey, apiUrl: api.url })
  const app = express()
  app.use(clerkMiddleware({ secretKey, publishableKey: PUBLISHABLE_KEY, apiUrl: api.url }))
  app.get('/me', (req, res) => {
    const { userId } = getAuth(req)
    if (!userId) return res.status(401).json({ signedIn: false })
    res.json({ userId })
  })
  app.get('/profile', async (req, res) => {
    const { userId } = getAuth(req)
    if (!userId) return res.status(401).json({ signedIn: false })
    try {
      const user = await clerkClient.users.getUser(userId)
      res.json({ id: user.id, firstName: user.firstName })
    } catch (err) {
      res.status(err.status ?? 500).json({ error: err.message })
    }
  })
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s)).on('error', reject)
  })
  const appUrl = `http://127.0.0.1:${server.address().port}`

  const bearer = (token) => ({ authorization: `Bearer ${token}` })
  const requests = [
    ['signed in (the JWKS is fetched)', '/me', bearer(signToken(key, sessionClaims({ sub: 'user_1' })))],
    ['signed out (no credentials)', '/me', {}],
    ['a bad token', '/me', bearer('not.a.token')],
    ['users.getUser(user_1)', '/profile', bearer(signToken(key, sessionClaims({ sub: 'user_1', sid: 'sess_profile' })))],
    ['users.getUser of a missing user (404)', '/profile', bearer(signToken(key, sessionClaims({ sub: 'user_missing', sid: 'sess_missing' })))],
  ]
  try {
    console.log(`Fake Clerk Backend API: ${api.url}\nExpress app: ${appUrl}\n`)
    for (const [label, path, headers] of requests) {
      const response = await fetch(`${appUrl}${path}`, { headers })
      await response.arrayBuffer()
      console.log(`GET ${path.padEnd(9)} ${response.status}  ${label}`)
    }
  } finally {
    unsubscribe()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await api.close()
  }

  const spans = exporter.getFinishedSpans()
  console.log(`\n${spans.length} spans:`)
  for (const span of spans) console.log(`  ${describeSpan(span)}`)
  console.log('\nCounters (cache events):')
  for (const [name, total] of meter.totals) console.log(`  ${name} ${total}`)
  await provider.shutdown()

  const authentications = spans.filter((span) => span.name === 'clerk.authenticate')
  const outcome = (span) => [span.attributes['clerk.auth.status'], span.attributes['clerk.auth.reason'] ?? null].join(' ')
  const expected = [
    ['one clerk.authenticate span per request', authentications.length === requests.length],
    ['signed in, after the JWKS fetch', outcome(authentications[0] ?? { attributes: {} }) === 'signed-in '],
    ['signed out without credentials', /^signed-out \S+/.test(outcome(authentications[1] ?? { attributes: {} }))],
    ['signed out with a bad token', outcome(authentications[2] ?? { attributes: {} }) === 'signed-out token-invalid'],
    ['one JWKS fetch (GET /v1/jwks 200)', spans.filter((s) => s.name === 'GET /v1/jwks' && s.attributes['http.response.status_code'] === 200).length === 1],
    ['GET /users/:userId 200', spans.some((s) => s.name === 'GET /users/:userId' && s.attributes['http.response.status_code'] === 200 && s.status.code !== SpanStatusCode.ERROR)],
    ['GET /users/:userId 404 with status ERROR', spans.some((s) => s.name === 'GET /users/:userId' && s.attributes['http.response.status_code'] === 404 && s.status.code === SpanStatusCode.ERROR)],
  ]
  console.log('')
  for (const [label, ok] of expected) console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`)
  const ok = expected.every(([, passed]) => passed)
  console.log(ok ? '\nOK: the expected spans were seen.' : '\nFAILED: some expected spans are missing (see above).')
  return ok
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1
  },
  (err) => {
    console.error(err)
    process.exitCode = 1
  },
)
