'use strict'

// clerk-express-native's diagnostics channels (README, "Observability") as
// prom-client metrics. Copy this file into an app:
//
//   const client = require('prom-client')
//   const { registerClerkMetrics } = require('./metrics')
//   const unsubscribe = registerClerkMetrics(client.register)
//
// Every label comes from a small fixed set: statuses, token types, reasons,
// cache names and endpoint templates (`/users/:userId`, never an id). HTTP
// statuses are strings, a missing value is ''. As a guard against a value
// set growing unexpectedly, each label keeps at most MAX_LABEL_VALUES
// distinct values; later ones are counted as `other`.
//
// `unsubscribe()` stops updating the metrics; they stay in the registry with
// their values (registering them again on the same registry would throw).

const diagnosticsChannel = require('node:diagnostics_channel')
const { Counter, Histogram } = require('prom-client')

const MAX_LABEL_VALUES = 100
// Authentications take microseconds (a lease) to a JWKS fetch's round trip.
const AUTHENTICATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** `value` as a label: '' for null, and `other` once `seen` is full. */
function boundedLabel(seen, value) {
  const text = value === null || value === undefined ? '' : String(value)
  if (seen.has(text)) return text
  if (seen.size >= MAX_LABEL_VALUES) return 'other'
  seen.add(text)
  return text
}

/**
 * Registers the metrics on `registry` (a prom-client Registry) and subscribes
 * to the channels. Returns `unsubscribe()`.
 */
function registerClerkMetrics(registry) {
  const registers = [registry]
  const authentications = new Counter({
    name: 'clerk_authentications_total',
    help: 'Requests the Clerk middleware authenticated, by outcome (status "error" when it threw)',
    labelNames: ['status', 'token_type', 'reason', 'cached'],
    registers,
  })
  const authenticationDuration = new Histogram({
    name: 'clerk_authentication_duration_seconds',
    help: 'Time the Clerk middleware took to authenticate a request',
    labelNames: ['status'],
    buckets: AUTHENTICATION_BUCKETS,
    registers,
  })
  const jwksFetches = new Counter({
    name: 'clerk_jwks_fetches_total',
    help: 'JWKS fetch attempts (a failing fetch is tried five times)',
    labelNames: ['status', 'outcome'],
    registers,
  })
  const jwksFetchDuration = new Histogram({
    name: 'clerk_jwks_fetch_duration_seconds',
    help: 'Duration of JWKS fetch attempts',
    labelNames: ['outcome'],
    buckets: HTTP_BUCKETS,
    registers,
  })
  const backendApiRequests = new Counter({
    name: 'clerk_backend_api_requests_total',
    help: 'Clerk Backend API request attempts, by endpoint template and HTTP status ("" when no answer came)',
    labelNames: ['method', 'path', 'status'],
    registers,
  })
  const backendApiDuration = new Histogram({
    name: 'clerk_backend_api_request_duration_seconds',
    help: 'Duration of Clerk Backend API request attempts',
    labelNames: ['method', 'path'],
    buckets: HTTP_BUCKETS,
    registers,
  })
  const backendApiRetries = new Counter({
    name: 'clerk_backend_api_retries_total',
    help: 'Clerk Backend API attempts followed by a retry (maxRetries)',
    labelNames: ['method', 'path'],
    registers,
  })
  const cacheEvents = new Counter({
    name: 'clerk_cache_events_total',
    help: 'Clerk cache lookups and evictions (token, machine-token and user caches)',
    labelNames: ['cache', 'event', 'cause'],
    registers,
  })
  const webhookVerifications = new Counter({
    name: 'clerk_webhook_verifications_total',
    help: 'verifyWebhook calls, by outcome and failure reason',
    labelNames: ['outcome', 'reason'],
    registers,
  })

  // The distinct values seen per label, for boundedLabel.
  const seen = new Map()
  const label = (name, value) => {
    if (!seen.has(name)) seen.set(name, new Set())
    return boundedLabel(seen.get(name), value)
  }

  // When each authentication started, by its context object: the one thing
  // its `start` and its `end` or `asyncEnd` share.
  const startedAt = new WeakMap()

  function finish(context) {
    const started = startedAt.get(context)
    if (started === undefined) return
    startedAt.delete(context)
    const status = context.error !== undefined ? 'error' : label('status', context.status)
    authentications.inc({
      status,
      token_type: label('token_type', context.tokenType),
      reason: label('reason', context.reason),
      cached: label('cached', context.cached),
    })
    authenticationDuration.observe({ status }, Number(process.hrtime.bigint() - started) / 1e9)
  }

  const authenticateHandlers = {
    start(context) {
      startedAt.set(context, process.hrtime.bigint())
    },
    // `end` comes for every authentication; when the outcome needed the
    // network it comes before the outcome is known (no status, no error) and
    // `asyncEnd` follows with it.
    end(context) {
      if (context.status !== null || context.error !== undefined) finish(context)
    },
    asyncEnd: finish,
  }

  function onJwksFetch(message) {
    const outcome = message.error === null && message.status !== null && message.status < 400 ? 'success' : 'failure'
    jwksFetches.inc({ status: label('http_status', message.status), outcome })
    jwksFetchDuration.observe({ outcome }, message.durationMs / 1000)
  }

  function onBackendApiRequest(message) {
    const method = label('method', message.method)
    const path = label('path', message.path)
    backendApiRequests.inc({ method, path, status: label('http_status', message.status) })
    backendApiDuration.observe({ method, path }, message.durationMs / 1000)
    if (message.retryDelayMs !== null) backendApiRetries.inc({ method, path })
  }

  function onCache(message) {
    cacheEvents.inc({ cache: label('cache', message.cache), event: label('event', message.event), cause: label('cause', message.cause) })
  }

  function onWebhookVerify(message) {
    webhookVerifications.inc({ outcome: label('outcome', message.outcome), reason: label('webhook_reason', message.reason) })
  }

  const authenticate = diagnosticsChannel.tracingChannel('clerk:authenticate')
  authenticate.subscribe(authenticateHandlers)
  const subscriptions = [
    ['clerk:jwks:fetch', onJwksFetch],
    ['clerk:backend-api:request', onBackendApiRequest],
    ['clerk:cache', onCache],
    ['clerk:webhook:verify', onWebhookVerify],
  ]
  for (const [name, handler] of subscriptions) diagnosticsChannel.subscribe(name, handler)

  return function unsubscribe() {
    authenticate.unsubscribe(authenticateHandlers)
    for (const [name, handler] of subscriptions) diagnosticsChannel.unsubscribe(name, handler)
  }
}

module.exports = { registerClerkMetrics }
