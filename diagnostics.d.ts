// clerk-express-native/diagnostics: the messages published on Node's
// diagnostics channels (README, "Observability"). No message carries a
// token, a key or personal data.

/**
 * The context object of the `clerk:authenticate` tracing channel: given to
 * `start` with `method` set, then filled in before `end` when the outcome
 * was known synchronously, or before `asyncEnd` when the network was needed.
 * So the outcome is final at `end` when `status` or `error` is set there;
 * otherwise at `asyncEnd`. A thrown error publishes `error` then `end`.
 */
export interface AuthenticateContext {
  /** The request's HTTP method. */
  method: string
  /** `session_token`, `api_key`, `m2m_token`, `oauth_token`, ...; null until known. */
  tokenType: string | null
  /** `signed-in`, `signed-out` or `handshake`; null until known or after an error. */
  status: 'signed-in' | 'signed-out' | 'handshake' | null
  /** Why the request is signed out or handshakes (`token-expired`, `dev-browser-missing`, ...). */
  reason: string | null
  /** What answered without verifying: a lease (JS), the verified-token cache (Rust), or nothing. */
  cached: 'lease' | 'token-cache' | null
  /** The request state, on `end`/`asyncEnd` when there is one. */
  result?: unknown
  /** The error thrown (a configuration error), on `error`. */
  error?: unknown
}

/** One attempt at fetching a JWKS, on `clerk:jwks:fetch`. */
export interface JwksFetchMessage {
  /** The JWKS URL (never the secret key). */
  url: string
  /** 1 for the first attempt; a failing fetch is tried five times. */
  attempt: number
  /** When the attempt started, in ms since the epoch (events are published when the call that caused them returns). */
  startedAt: number
  /** The HTTP status, or null when no answer came. */
  status: number | null
  durationMs: number
  /** The keys in a successful answer; null when the attempt failed. */
  keys: number | null
  /** Why the attempt failed; null when it succeeded. */
  error: string | null
}

/** One attempt of a Backend API request, on `clerk:backend-api:request`. */
export interface BackendApiRequestMessage {
  /** `scheme://host[:port]` of the API. */
  origin: string
  method: string
  /** The endpoint's path with its ids as `:name` (`/users/:userId`), without the API version. */
  path: string
  /** 1 for the first attempt; retries (`maxRetries`) count on. */
  attempt: number
  /** When the attempt started, in ms since the epoch. */
  startedAt: number
  /** The HTTP status, or null when no answer came (see `error`). */
  status: number | null
  durationMs: number
  /** The wait before the next attempt, when one follows. */
  retryDelayMs: number | null
  /** An error answer's `clerk_trace_id`, else its `cf-ray` header (the reference's `clerkTraceId`). */
  clerkTraceId: string | null
  /** When no answer came: `connection`, `terminated` (cut off while read), `timeout` (`requestTimeoutMs`), `too-large` (`maxResponseBytes`); null otherwise. */
  errorType: 'connection' | 'terminated' | 'timeout' | 'too-large' | null
  /** The message of that failure; null otherwise. */
  error: string | null
}

/** A cache event, on `clerk:cache`. */
export interface CacheMessage {
  /** `token` (verified session tokens), `machine-token` (`machineTokenCacheTtlMs`), `user` (`userCacheTtlMs`, `userCache`). */
  cache: 'token' | 'machine-token' | 'user' | (string & {})
  event: 'hit' | 'miss' | 'eviction'
  /** For evictions: `size`, `expired`, `invalidated` (or `write` for the user cache); null otherwise. */
  cause: string | null
}

/** A webhook verification, on `clerk:webhook:verify`. */
export interface WebhookVerifyMessage {
  outcome: 'verified' | 'failed'
  /** The event type (`user.updated`, ...) when verified; null otherwise. */
  type: string | null
  /** Why it failed: `missing-secret`, `missing-headers`, `invalid-secret`, `invalid-signature`, `invalid-body`, `invalid-request`; null when verified. */
  reason: string | null
}

export declare const channelNames: {
  readonly authenticate: 'clerk:authenticate'
  readonly jwksFetch: 'clerk:jwks:fetch'
  readonly backendApiRequest: 'clerk:backend-api:request'
  readonly cache: 'clerk:cache'
  readonly webhookVerify: 'clerk:webhook:verify'
}

/** A `node:diagnostics_channel` channel, as far as subscribers use it (declared here so that any @types/node fits). */
export interface MessageChannel<Message> {
  readonly name: string | symbol
  readonly hasSubscribers: boolean
  subscribe(onMessage: (message: Message, name: string | symbol) => void): void
  unsubscribe(onMessage: (message: Message, name: string | symbol) => void): boolean
}

/** The handlers of a tracing channel's five events, each optional. */
export interface TracingHandlers<Context> {
  start?: (context: Context) => void
  end?: (context: Context) => void
  asyncStart?: (context: Context) => void
  asyncEnd?: (context: Context) => void
  error?: (context: Context) => void
}

/** A `node:diagnostics_channel` tracing channel, as far as subscribers use it. */
export interface MessageTracingChannel<Context> {
  readonly start: MessageChannel<Context>
  readonly end: MessageChannel<Context>
  readonly asyncStart: MessageChannel<Context>
  readonly asyncEnd: MessageChannel<Context>
  readonly error: MessageChannel<Context>
  subscribe(handlers: TracingHandlers<Context>): void
  unsubscribe(handlers: TracingHandlers<Context>): boolean
}

export declare const channels: {
  readonly authenticate: MessageTracingChannel<AuthenticateContext>
  readonly jwksFetch: MessageChannel<JwksFetchMessage>
  readonly backendApiRequest: MessageChannel<BackendApiRequestMessage>
  readonly cache: MessageChannel<CacheMessage>
  readonly webhookVerify: MessageChannel<WebhookVerifyMessage>
}
