'use strict'

// Node's diagnostics channels (`node:diagnostics_channel`), the convention by
// which libraries let tracing and metrics agents see inside them without a
// dependency. Nothing is built or published while no one subscribes: each
// call site asks `observed()` (a few `hasSubscribers` getters) first.
//
// The channels and their messages are listed in the README ("Observability").
// Events that happen in Rust (JWKS fetches, Backend API attempts, token and
// machine-token cache events) are recorded there only while one of their
// channels has a subscriber, and published here when a call into the addon
// ends (`publishNativeEvents`), or at the next call for those that happen in
// the background. An awaited call (a Backend API request, an authentication
// that needed the network) returns its own events with its result, and they
// are published in that call's continuation, so that a tracer that parents
// spans to the active context parents them to the right request however
// many are in flight. No message carries a token, a key or personal data.

const diagnosticsChannel = require('node:diagnostics_channel')
const native = require('./native')
const { warnOnce } = require('./logger')

// The addon's bound on events waiting to be published (clerk_core::events::MAX_QUEUED).
const MAX_QUEUED = 4096

const CHANNEL_NAMES = Object.freeze({
  authenticate: 'clerk:authenticate',
  jwksFetch: 'clerk:jwks:fetch',
  backendApiRequest: 'clerk:backend-api:request',
  cache: 'clerk:cache',
  webhookVerify: 'clerk:webhook:verify',
})

const authenticateChannel = diagnosticsChannel.tracingChannel(CHANNEL_NAMES.authenticate)
const jwksChannel = diagnosticsChannel.channel(CHANNEL_NAMES.jwksFetch)
const backendApiChannel = diagnosticsChannel.channel(CHANNEL_NAMES.backendApiRequest)
const cacheChannel = diagnosticsChannel.channel(CHANNEL_NAMES.cache)
const webhookChannel = diagnosticsChannel.channel(CHANNEL_NAMES.webhookVerify)

// True while the middleware's synthetic warm-up request runs (lib/warm-up.js):
// it is not the app's, so it is not published.
let silenced = false

// Whether the addon is recording: mirrors its flag, so that it is set only
// when a subscriber comes or the last goes.
let recording = false

/** Someone listens to a channel the addon's events go to; recording follows. */
function nativeObserved() {
  const observed = jwksChannel.hasSubscribers || backendApiChannel.hasSubscribers || cacheChannel.hasSubscribers
  if (observed !== recording) {
    recording = observed
    native.setDiagnosticsRecording(observed)
  }
  return observed
}

/** Someone listens to the `clerk:authenticate` tracing channel (any of its five). */
function tracingObserved() {
  // TracingChannel#hasSubscribers came in Node 20.13; 20.9 is supported.
  const { start, end, asyncStart, asyncEnd, error } = authenticateChannel
  return start.hasSubscribers || end.hasSubscribers || asyncStart.hasSubscribers || asyncEnd.hasSubscribers || error.hasSubscribers
}

/** Someone listens to any channel an authentication publishes on. */
function authenticationObserved() {
  if (silenced) return false
  // Both are evaluated: the first keeps the addon's recording flag current.
  const native = nativeObserved()
  return tracingObserved() || native
}

/**
 * Publishes a call's own events (`own`, from its result), then what the addon
 * recorded elsewhere since the last call. Returns whether a token-cache hit
 * was among them (for the authentication being traced).
 */
function publishNativeEvents(own) {
  if (!recording) return false
  const ownHit = own ? publishEvents(own) : false
  const { events, dropped } = native.drainDiagnosticEvents()
  const hit = publishEvents(events)
  if (dropped > 0) {
    // Once per process: the count would make every line new.
    warnOnce(`Clerk: diagnostics events were dropped: more than ${MAX_QUEUED} waited between two calls into the addon.`)
  }
  return ownHit || hit
}

/** Publishes recorded events on their channels; returns whether a token-cache hit was among them. */
function publishEvents(events) {
  let tokenCacheHit = false
  for (const event of events) {
    switch (event.kind) {
      case 'jwks-fetch':
        if (jwksChannel.hasSubscribers) {
          jwksChannel.publish({
            url: event.url,
            attempt: event.attempt,
            startedAt: event.startedAt,
            status: event.status ?? null,
            durationMs: event.durationMs,
            keys: event.keys ?? null,
            error: event.error ?? null,
          })
        }
        break
      case 'backend-api-attempt':
        if (backendApiChannel.hasSubscribers) {
          backendApiChannel.publish({
            origin: event.origin,
            method: event.method,
            path: event.path,
            attempt: event.attempt,
            startedAt: event.startedAt,
            status: event.status ?? null,
            durationMs: event.durationMs,
            retryDelayMs: event.retryDelayMs ?? null,
            clerkTraceId: event.traceId ?? null,
            errorType: event.errorType ?? null,
            error: event.error ?? null,
          })
        }
        break
      case 'cache':
        if (event.cache === 'token' && event.event === 'hit') tokenCacheHit = true
        publishCacheEvent(event.cache, event.event, event.cause ?? null)
        break
    }
  }
  return tokenCacheHit
}

/**
 * A traced authentication's own events, from its result, published in its
 * continuation; a token-cache hit among them marks the trace.
 */
function publishCallEvents(trace, events) {
  if (trace === null || !events) return
  if (publishNativeEvents(events) && trace.cached === null) trace.cached = 'token-cache'
}

/** `{ cache, event, cause }` on `clerk:cache`; `cause` only for evictions. */
function publishCacheEvent(cache, event, cause = null) {
  if (cacheChannel.hasSubscribers) cacheChannel.publish({ cache, event, cause })
}

/**
 * Runs `authenticate(trace)` inside the `clerk:authenticate` tracing channel.
 * `authenticate` returns a request state or a promise of one, and may set
 * `trace.cached = 'lease'`. The context object published gets, once the
 * outcome is known: `tokenType`, `status` (`signed-in`, `signed-out`,
 * `handshake`), `reason` and `cached` (`lease`, `token-cache` or null).
 */
function traceAuthentication(method, authenticate) {
  const context = { method, tokenType: null, status: null, reason: null, cached: null }
  const settle = (state) => {
    // A lease answers without the addon: nothing of this request to drain
    // (background events wait for the next call that crosses into it).
    const tokenCacheHit = context.cached !== 'lease' && publishNativeEvents()
    if (state) {
      context.tokenType = state.tokenType ?? null
      context.status = state.status ?? null
      context.reason = state.reason ?? null
      if (context.cached === null && tokenCacheHit) context.cached = 'token-cache'
      // A lease is the token cache's answer, kept in JS (lib/leases.js).
      if (context.cached === 'lease') publishCacheEvent('token', 'hit')
    }
    return state
  }
  const traced = tracingObserved()
  if (traced) authenticateChannel.start.publish(context)
  let result
  try {
    result = authenticate(context)
  } catch (error) {
    settle(null)
    if (traced) {
      context.error = error
      authenticateChannel.error.publish(context)
      authenticateChannel.end.publish(context)
    }
    throw error
  }
  if (typeof result?.then !== 'function') {
    settle(result)
    if (traced) {
      context.result = result
      authenticateChannel.end.publish(context)
    }
    return result
  }
  if (traced) authenticateChannel.end.publish(context)
  return result.then(
    (state) => {
      settle(state)
      if (traced) {
        context.result = state
        authenticateChannel.asyncStart.publish(context)
        authenticateChannel.asyncEnd.publish(context)
      }
      return state
    },
    (error) => {
      settle(null)
      if (traced) {
        context.error = error
        authenticateChannel.error.publish(context)
        authenticateChannel.asyncStart.publish(context)
        authenticateChannel.asyncEnd.publish(context)
      }
      throw error
    },
  )
}

/** Runs `fn` with authentications unpublished (the warm-up request). */
function silently(fn) {
  silenced = true
  try {
    return fn()
  } finally {
    silenced = false
  }
}

/** Publishes the addon's events once `promise` settles, the call's own (`result.events`) first, if anyone listens. */
function afterNativeCall(promise) {
  if (!nativeObserved()) return promise
  return promise.then(
    (result) => {
      publishNativeEvents(result?.events)
      return result
    },
    (error) => {
      publishNativeEvents()
      throw error
    },
  )
}

/** `{ outcome: 'verified' | 'failed', type, reason }` on `clerk:webhook:verify`. */
function publishWebhookVerification(outcome, type, reason) {
  if (webhookChannel.hasSubscribers) webhookChannel.publish({ outcome, type: type ?? null, reason: reason ?? null })
}

module.exports = {
  authenticationObserved,
  nativeObserved,
  traceAuthentication,
  publishCallEvents,
  afterNativeCall,
  silently,
  publishCacheEvent,
  publishWebhookVerification,
  CHANNEL_NAMES,
  channels: Object.freeze({
    authenticate: authenticateChannel,
    jwksFetch: jwksChannel,
    backendApiRequest: backendApiChannel,
    cache: cacheChannel,
    webhookVerify: webhookChannel,
  }),
}
