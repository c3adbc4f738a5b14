'use strict'

// clerk-express-native/webhooks: `verifyWebhook(req, options)` with the
// behaviour of @clerk/express/webhooks 2.1.70; the signature check runs in
// Rust. Beyond the reference, the Standard Webhooks header names
// (`webhook-id`, `webhook-timestamp`, `webhook-signature`) are accepted when
// the `svix-*` ones are absent.

const native = require('./lib/native')
const { publishWebhookVerification } = require('./lib/diagnostics')

const PREFIX = '@clerk/backend: '
const HEADER_NAMES = [
  ['svix-id', 'webhook-id'],
  ['svix-timestamp', 'webhook-timestamp'],
  ['svix-signature', 'webhook-signature'],
]

/** The body as the reference serializes it before verifying. */
function serializedBody(req) {
  if (typeof req.body === 'string') return req.body
  if (Buffer.isBuffer(req.body)) return req.body.toString('utf8')
  if (req.body === undefined || req.body === null) return ''
  try {
    return JSON.stringify(req.body)
  } catch (error) {
    throw new Error(`Failed to serialize request body: ${error instanceof Error ? error.message : 'Unknown error'}`)
  }
}

/** A header as `Headers#get` reads it (arrays joined), trimmed; '' when absent. */
function header(req, name) {
  const value = req.headers[name]
  if (value === undefined) return ''
  return (Array.isArray(value) ? value.join(', ') : String(value)).trim()
}

async function verifyWebhook(req, options = {}) {
  try {
    const event = await verifyWebhookUnpublished(req, options)
    publishWebhookVerification('verified', event.type, null)
    return event
  } catch (error) {
    publishWebhookVerification('failed', null, failureReasons.get(error) ?? 'invalid-request')
    throw error
  }
}

// The reason published on `clerk:webhook:verify` for each error thrown, kept
// off the error so that it looks exactly like the reference's.
const failureReasons = new WeakMap()

function failure(reason, message) {
  const error = new Error(message)
  failureReasons.set(error, reason)
  return error
}

async function verifyWebhookUnpublished(req, options) {
  const body = serializedBody(req)
  if (req.method === 'GET' || req.method === 'HEAD') {
    throw new TypeError('Request with GET/HEAD method cannot have body.')
  }
  const secret = options.signingSecret ?? process.env.CLERK_WEBHOOK_SIGNING_SECRET
  if (!secret) {
    throw failure(
      'missing-secret',
      `${PREFIX}Missing webhook signing secret. Set the CLERK_WEBHOOK_SIGNING_SECRET environment variable with the webhook secret from the Clerk Dashboard.`,
    )
  }
  const [id, timestamp, signature] = HEADER_NAMES.map(([svix, standard]) => header(req, svix) || header(req, standard))
  if (!id || !timestamp || !signature) {
    const missing = HEADER_NAMES.filter((_, i) => ![id, timestamp, signature][i]).map(([svix]) => svix)
    throw failure('missing-headers', `${PREFIX}Missing required webhook headers: ${missing.join(', ')}`)
  }
  const refused = native.verifyWebhookSignature(String(secret), id, timestamp, signature, body)
  if (refused?.secret) throw failure('invalid-secret', refused.secret)
  try {
    if (refused) throw failure('invalid-signature', refused.verification)
    const payload = body === '' ? undefined : JSON.parse(body)
    return {
      type: payload.type,
      object: 'event',
      data: payload.data,
      event_attributes: payload.event_attributes,
      timestamp: payload.timestamp,
      instance_id: payload.instance_id,
    }
  } catch (e) {
    throw failure(
      failureReasons.get(e) ?? 'invalid-body',
      `${PREFIX}Unable to verify incoming webhook: ${e instanceof Error ? e.message : 'Unknown error'}`,
    )
  }
}

module.exports = { verifyWebhook }
