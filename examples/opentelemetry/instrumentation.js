'use strict'

// clerk-express-native's diagnostics channels (README, "Observability") as
// OpenTelemetry spans, through @opentelemetry/api only, so that whatever SDK
// and exporter the app registers receives them. Copy this file into an app:
//
//   const { trace } = require('@opentelemetry/api')
//   const { instrumentClerk } = require('./instrumentation')
//   const unsubscribe = instrumentClerk(trace.getTracer('clerk-express-native'))
//
// What it makes:
// - `clerk.authenticate` (INTERNAL), one per request the middleware
//   authenticates: started on the tracing channel's `start`, ended on `end`
//   when the outcome was known synchronously, else on `asyncEnd`.
// - One HTTP client span (CLIENT) per JWKS fetch attempt (`GET /v1/jwks`)
//   and per Backend API attempt (`GET /users/:userId`), named and attributed
//   after the HTTP client semantic conventions. Those events happen in Rust
//   and are published after the fact, with their `startedAt` and
//   `durationMs`, so each span is made at publish time with those times.
// - Cache events and webhook verifications as counters on `meter`, not as
//   span events: their messages do not say which request they belong to (the
//   addon's events are drained in batches, possibly by another request's
//   call), so a span event could land on the wrong span. Whether a request
//   was answered from a cache is on its span anyway (`clerk.auth.cached`).
//   The default meter is the global one, which records nothing until the app
//   registers a MeterProvider (@opentelemetry/sdk-metrics).

const diagnosticsChannel = require('node:diagnostics_channel')
const { metrics, SpanKind, SpanStatusCode } = require('@opentelemetry/api')

const AUTHENTICATE = 'clerk:authenticate'
const JWKS_FETCH = 'clerk:jwks:fetch'
const BACKEND_API_REQUEST = 'clerk:backend-api:request'
const CACHE = 'clerk:cache'
const WEBHOOK_VERIFY = 'clerk:webhook:verify'

/** Sets the attributes whose value is known: OpenTelemetry attributes cannot be null. */
function setKnown(span, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) span.setAttribute(name, value)
  }
}

/**
 * Status ERROR for a failed attempt: an HTTP error status (client spans: 4xx
 * and 5xx) or no usable answer (`errorType`: the Backend API's transport
 * failures; a failed JWKS attempt has only its message).
 */
function setAttemptOutcome(span, status, error, errorType = null) {
  if (status !== null && status >= 400) {
    span.setAttribute('error.type', String(status))
    span.setStatus({ code: SpanStatusCode.ERROR, message: error ?? `HTTP ${status}` })
  } else if (error) {
    span.setAttribute('error.type', errorType ?? '_OTHER')
    span.setStatus({ code: SpanStatusCode.ERROR, message: error })
  }
}

/** A span for an attempt that already ended: from `startedAt`, `durationMs` long. */
function attemptSpan(tracer, name, message, attributes) {
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: message.startedAt, attributes })
  return { span, endTime: message.startedAt + message.durationMs }
}

/** `server.address` and `server.port` of a URL or origin. */
function serverOf(text) {
  try {
    const url = new URL(text)
    return { 'server.address': url.hostname, 'server.port': Number(url.port) || (url.protocol === 'https:' ? 443 : 80) }
  } catch {
    return {}
  }
}

/**
 * Subscribes to the channels. `tracer`: where the spans go; `options.meter`:
 * where the counters go (by default the global meter). Returns
 * `unsubscribe()`.
 */
function instrumentClerk(tracer, { meter = metrics.getMeter('clerk-express-native') } = {}) {
  const cacheEvents = meter.createCounter('clerk.cache.events', { description: 'Token, machine-token and user cache lookups and evictions' })
  const webhookVerifications = meter.createCounter('clerk.webhook.verifications', { description: 'verifyWebhook calls' })

  // The span of each authentication, by its context object: the context is
  // the one thing all five events of one authentication share.
  const spans = new WeakMap()

  function finish(context) {
    const span = spans.get(context)
    if (!span) return
    spans.delete(context)
    setKnown(span, {
      'clerk.auth.status': context.status,
      'clerk.auth.token_type': context.tokenType,
      'clerk.auth.reason': context.reason,
      'clerk.auth.cached': context.cached,
    })
    span.end()
  }

  const authenticateHandlers = {
    start(context) {
      spans.set(context, tracer.startSpan('clerk.authenticate', { kind: SpanKind.INTERNAL, attributes: { 'http.request.method': context.method } }))
    },
    // `end` comes for every authentication; when the outcome needed the
    // network it comes before the outcome is known (no status, no error) and
    // `asyncEnd` follows with it.
    end(context) {
      if (context.status !== null || context.error !== undefined) finish(context)
    },
    asyncEnd: finish,
    error(context) {
      const span = spans.get(context)
      if (!span) return
      const { error } = context
      if (error instanceof Error) {
        span.recordException(error)
        span.setAttribute('error.type', error.name)
      } else {
        span.recordException(String(error))
        span.setAttribute('error.type', '_OTHER')
      }
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) })
    },
  }

  function onJwksFetch(message) {
    let url = null
    try {
      url = new URL(message.url)
    } catch {}
    const path = url ? url.pathname : '/'
    const { span, endTime } = attemptSpan(tracer, `GET ${path}`, message, {
      'http.request.method': 'GET',
      'url.full': message.url,
      // The JWKS path has no ids: it is its own template.
      'url.template': path,
      'clerk.attempt': message.attempt,
    })
    setKnown(span, {
      ...serverOf(message.url),
      'http.request.resend_count': message.attempt > 1 ? message.attempt - 1 : null,
      'http.response.status_code': message.status,
      'clerk.jwks.keys': message.keys,
    })
    setAttemptOutcome(span, message.status, message.error)
    span.end(endTime)
  }

  function onBackendApiRequest(message) {
    // `path` is the endpoint's template (`/users/:userId`): no ids, so it fits a span name.
    const { span, endTime } = attemptSpan(tracer, `${message.method} ${message.path}`, message, {
      'http.request.method': message.method,
      'url.template': message.path,
      'clerk.attempt': message.attempt,
    })
    setKnown(span, {
      ...serverOf(message.origin),
      'http.request.resend_count': message.attempt > 1 ? message.attempt - 1 : null,
      'http.response.status_code': message.status,
      'clerk.retry_delay_ms': message.retryDelayMs,
      'clerk.trace_id': message.clerkTraceId,
    })
    setAttemptOutcome(span, message.status, message.error, message.errorType)
    span.end(endTime)
  }

  function onCache(message) {
    const attributes = { 'clerk.cache.name': message.cache, 'clerk.cache.event': message.event }
    if (message.cause) attributes['clerk.cache.cause'] = message.cause
    cacheEvents.add(1, attributes)
  }

  function onWebhookVerify(message) {
    const attributes = { 'clerk.webhook.outcome': message.outcome }
    if (message.reason) attributes['clerk.webhook.reason'] = message.reason
    webhookVerifications.add(1, attributes)
  }

  const authenticate = diagnosticsChannel.tracingChannel(AUTHENTICATE)
  authenticate.subscribe(authenticateHandlers)
  const subscriptions = [
    [JWKS_FETCH, onJwksFetch],
    [BACKEND_API_REQUEST, onBackendApiRequest],
    [CACHE, onCache],
    [WEBHOOK_VERIFY, onWebhookVerify],
  ]
  for (const [name, handler] of subscriptions) diagnosticsChannel.subscribe(name, handler)

  return function unsubscribe() {
    authenticate.unsubscribe(authenticateHandlers)
    for (const [name, handler] of subscriptions) diagnosticsChannel.unsubscribe(name, handler)
  }
}

module.exports = { instrumentClerk }
