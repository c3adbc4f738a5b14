'use strict'

// Backend API errors with the shape, names and duck-typing of @clerk/shared's
// `ClerkAPIResponseError` and `ClerkAPIError`.

class ClerkAPIError {
  static kind = 'ClerkAPIError'

  constructor(json) {
    this.code = json.code
    this.message = json.message
    this.longMessage = json.long_message
    const meta = json.meta
    this.meta = {
      paramName: meta?.param_name,
      sessionId: meta?.session_id,
      emailAddresses: meta?.email_addresses,
      identifiers: meta?.identifiers,
      zxcvbn: meta?.zxcvbn,
      plan: meta?.plan,
      isPlanUpgradePossible: meta?.is_plan_upgrade_possible,
      seatsQuantityToAdd: meta?.seats_quantity_to_add,
      seatsQuantity: meta?.seats_quantity,
      traceId: meta?.trace_id,
      kind: meta?.kind,
      title: meta?.title,
      description: meta?.description,
      linkUrl: meta?.link_url,
      linkText: meta?.link_text,
      data: meta?.data,
    }
  }
}

class ClerkAPIResponseError extends Error {
  static kind = 'ClerkAPIResponseError'

  constructor(message, { status, clerkTraceId, retryAfter, errors = [] } = {}) {
    super(message)
    this.clerkError = true
    this.code = 'api_response_error'
    this.longMessage = undefined
    this.docsUrl = undefined
    this.cause = undefined
    this.status = status
    this.clerkTraceId = clerkTraceId
    this.retryAfter = retryAfter
    this.errors = errors
  }

  get name() {
    return this.constructor.name
  }

  toString() {
    let message = `[${this.name}]\nMessage:${this.message}\nStatus:${this.status}\nSerialized errors: ${this.errors.map((e) =>
      JSON.stringify(e),
    )}`
    if (this.clerkTraceId) message += `\nClerk Trace ID: ${this.clerkTraceId}`
    return message
  }
}

function isClerkAPIResponseError(error) {
  if (!error) throw new TypeError('ClerkAPIResponseError type guard requires an error object')
  return error.constructor?.kind === ClerkAPIResponseError.kind || error instanceof ClerkAPIResponseError
}

module.exports = { ClerkAPIError, ClerkAPIResponseError, isClerkAPIResponseError }
