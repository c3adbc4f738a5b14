'use strict'

// `clerkClient.emails` (EmailApi): an experimental, internal endpoint. Its
// two senders are hand-written: they validate idempotency keys, reshape the
// recipient, and `createBatch` maps each result itself.

const { Email } = require('../../resources')
const { ClerkAPIError } = require('../../errors')

const BASE = '/email'
const IDEMPOTENCY_KEY = /^[a-zA-Z0-9_-]{1,255}$/

function validateIdempotencyKey(idempotencyKey) {
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey))) {
    throw new Error(
      'Idempotency key must contain only ASCII letters, digits, underscores, and hyphens and cannot exceed 255 characters.',
    )
  }
}

/** `to.userId` and `replyTo` get their snake_case names here: the body is snake_cased only at the top level. */
function emailBody(params) {
  const { to, replyTo, ...rest } = params
  const { userId, ...recipient } = to
  return {
    ...rest,
    to: { ...recipient, ...(userId !== undefined ? { user_id: userId } : {}) },
    ...(replyTo !== undefined ? { reply_to: replyTo } : {}),
  }
}

const handWritten = {
  // The idempotency key travels as a header.
  async create(params, options = {}) {
    const { idempotencyKey } = options
    validateIdempotencyKey(idempotencyKey)
    return this.request({
      method: 'POST',
      path: BASE,
      bodyParams: emailBody(params),
      ...(idempotencyKey !== undefined ? { headerParams: { 'Idempotency-Key': idempotencyKey } } : {}),
    })
  },

  // 1 to 100 messages, each key on its message; item errors are returned, not thrown.
  async createBatch(messages) {
    if (messages.length < 1 || messages.length > 100) {
      throw new Error('A batch must contain between 1 and 100 messages.')
    }
    for (const message of messages) {
      validateIdempotencyKey(message.idempotencyKey)
    }
    const results = await this.request({
      method: 'POST',
      path: `${BASE}/batch`,
      bodyParams: {
        messages: messages.map(({ idempotencyKey, ...params }) => ({
          ...emailBody(params),
          ...(idempotencyKey !== undefined ? { idempotency_key: idempotencyKey } : {}),
        })),
      },
    })
    return results.map((result) =>
      result.email
        ? { index: result.index, email: Email.fromJSON(result.email), statusCode: result.status_code }
        : {
            index: result.index,
            errors: (result.errors || []).map((error) => new ClerkAPIError(error)),
            statusCode: result.status_code,
            retryAfterSeconds: result.retry_after_seconds,
          },
    )
  },
}

module.exports = {
  className: 'EmailApi',
  basePath: BASE,
  methods: {
    create: { custom: handWritten.create },
    createBatch: { custom: handWritten.createBatch },
    get: { verb: 'GET', args: ['emailId'], requireId: ['emailId'], path: [':emailId'], rawPath: true },
  },
}
