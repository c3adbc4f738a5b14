'use strict'

// `npm run example:prometheus`: ./metrics.js in an Express app on this
// package, against the fake Clerk Backend API of the tests and a local
// redis-server on a free loopback port (the shared user cache,
// `userCache: { store, ttlMs }`). The app's `/me` calls
// `clerkClient.users.getUser(userId)` on every request, as the Clerk docs'
// example does; `/webhooks` verifies webhooks; `/metrics` is what Prometheus
// scrapes. Sends requests, scrapes `/metrics`, prints the clerk_* series
// (without the histogram buckets), stops Redis, and exits 1 unless the
// expected series are there.

const crypto = require('node:crypto')
const express = require('express')
const { Registry } = require('prom-client')
const { Keyv } = require('keyv')
const KeyvRedis = require('@keyv/redis').default
const { clerkMiddleware, getAuth, createClerkClient } = require('../..')
const { verifyWebhook } = require('../../webhooks')
const { registerClerkMetrics } = require('./metrics')
const { startFakeClerkApi } = require('../../__test__/helpers/fake-clerk-api')
const { startRedisServer } = require('../../__test__/helpers/redis-server')
const { createSigningKey, signToken, sessionClaims } = require('../../__test__/helpers/tokens')

const PUBLISHABLE_KEY = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

/** `[{name, labels, value}]` of the Prometheus text format's sample lines. */
function parseSamples(text) {
  const samples = []
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match) continue
    const labels = {}
    for (const [, name, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[name] = value
    samples.push({ name: match[1], labels, value: Number(match[3]) })
  }
  return samples
}

/** The value of the sample with exactly these labels, or undefined. */
function valueOf(samples, name, labels) {
  const wanted = Object.entries(labels)
  const sample = samples.find((s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v))
  return sample?.value
}

/** Svix headers signing `body` with a `whsec_` secret, as Clerk sends them. */
function webhookHeaders(secret, body) {
  const [id, timestamp] = ['msg_demo', String(Math.floor(Date.now() / 1000))]
  const signature = crypto.createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')
  return { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` }
}

async function main() {
  process.env.CLERK_TELEMETRY_DISABLED = '1'
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  const redis = await startRedisServer()
  const secretKey = 'sk_test_prometheus_demo'
  // Made up for this run: the demo signs its own webhooks.
  const signingSecret = `whsec_${crypto.randomBytes(24).toString('base64')}`

  const registry = new Registry()
  const unsubscribe = registerClerkMetrics(registry)

  const store = new Keyv(new KeyvRedis(redis.url))
  // Connect before serving, as an app would at start-up: the user cache
  // gives the store 150 ms per call, which a first connection could exceed.
  await store.get('clerk-demo-connect')
  const clerkClient = createClerkClient({ secretKey, apiUrl: api.url, userCache: { store, ttlMs: 10_000 } })

  const app = express()
  // Mounted before clerkMiddleware: neither a scrape nor a webhook is a user's
  // request, so they are not authenticated (nor counted as authentications).
  app.post('/webhooks', express.raw({ type: 'application/json' }), async (req, res) => {
    try {
      const event = await verifyWebhook(req, { signingSecret })
      res.json({ received: event.type })
    } catch {
      res.status(400).json({ error: 'invalid webhook' })
    }
  })
  app.get('/metrics', async (req, res) => {
    res.set('content-type', registry.contentType).send(await registry.metrics())
  })
  app.use(clerkMiddleware({ secretKey, publishableKey: PUBLISHABLE_KEY, apiUrl: api.url }))
  app.get('/me', async (req, res) => {
    const { userId } = getAuth(req)
    if (!userId) return res.status(401).json({ signedIn: false })
    const user = await clerkClient.users.getUser(userId)
    res.json({ id: user.id, firstName: user.firstName })
  })
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s)).on('error', reject)
  })
  const appUrl = `http://127.0.0.1:${server.address().port}`

  let text
  try {
    console.log(`Fake Clerk Backend API: ${api.url}\nRedis: ${redis.url}\nExpress app: ${appUrl}\n`)
    const token = signToken(key, sessionClaims({ sub: 'user_1' }))
    const body = JSON.stringify({ type: 'user.updated', object: 'event', data: { id: 'user_1' } })
    const requests = [
      ['signed in: getUser from the API (JWKS fetched)', 'GET', '/me', { authorization: `Bearer ${token}` }],
      ['signed in again: getUser from Redis', 'GET', '/me', { authorization: `Bearer ${token}` }],
      ['signed out (no credentials)', 'GET', '/me', {}],
      ['a bad token', 'GET', '/me', { authorization: 'Bearer not.a.token' }],
      ['a signed webhook', 'POST', '/webhooks', webhookHeaders(signingSecret, body), body],
      ['a webhook with a bad signature', 'POST', '/webhooks', webhookHeaders(signingSecret, `${body} `), body],
    ]
    for (const [label, method, path, headers, requestBody] of requests) {
      const response = await fetch(`${appUrl}${path}`, { method, headers, body: requestBody })
      await response.arrayBuffer()
      console.log(`${method.padEnd(4)} ${path.padEnd(9)} ${response.status}  ${label}`)
    }
    text = await (await fetch(`${appUrl}/metrics`)).text()
  } finally {
    unsubscribe()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await store.disconnect().catch(() => {})
    await redis.close()
    await api.close()
  }

  console.log('\nGET /metrics (clerk_* series, histogram buckets left out):')
  for (const line of text.split('\n')) if (line.startsWith('clerk_') && !line.includes('_bucket{')) console.log(`  ${line}`)

  const samples = parseSamples(text)
  const authentications = (labels) => valueOf(samples, 'clerk_authentications_total', { reason: '', cached: '', token_type: 'session_token', ...labels })
  const signedInTotal = samples.filter((s) => s.name === 'clerk_authentications_total' && s.labels.status === 'signed-in').reduce((sum, s) => sum + s.value, 0)
  const expected = [
    ['first sign-in verified (not cached)', authentications({ status: 'signed-in' }) === 1],
    ['two sign-ins in all (the second from a cache)', signedInTotal === 2],
    ['signed out without credentials', authentications({ status: 'signed-out', reason: 'dev-browser-missing' }) === 1],
    ['signed out with a bad token', authentications({ status: 'signed-out', reason: 'token-invalid' }) === 1],
    ['authentication durations observed', valueOf(samples, 'clerk_authentication_duration_seconds_count', { status: 'signed-in' }) === 2],
    ['one JWKS fetch, 200', valueOf(samples, 'clerk_jwks_fetches_total', { status: '200', outcome: 'success' }) === 1],
    ['one GET /users/:userId (the second getUser came from Redis)', valueOf(samples, 'clerk_backend_api_requests_total', { method: 'GET', path: '/users/:userId', status: '200' }) === 1],
    ['one webhook verified', valueOf(samples, 'clerk_webhook_verifications_total', { outcome: 'verified', reason: '' }) === 1],
    ['one webhook refused (invalid-signature)', valueOf(samples, 'clerk_webhook_verifications_total', { outcome: 'failed', reason: 'invalid-signature' }) === 1],
    ['token cache miss counted', valueOf(samples, 'clerk_cache_events_total', { cache: 'token', event: 'miss', cause: '' }) >= 1],
  ]
  console.log('')
  for (const [label, ok] of expected) console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}`)
  const ok = expected.every(([, passed]) => passed)
  console.log(ok ? '\nOK: the expected series are there.' : '\nFAILED: some expected series are missing (see above).')
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
