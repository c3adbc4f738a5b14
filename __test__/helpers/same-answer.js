'use strict'

// Differential answers: the same request through @clerk/express and through
// this package (apps.js's startPair) must give equal answers once what
// differs by nature is masked:
// - "Current date" in the reference's error messages is printed to the
//   second, and two requests may straddle one;
// - each app of a pair listens on a port of its own, which shows in
//   redirect and handshake URLs.

const assert = require('node:assert/strict')

const CURRENT_DATE = /Current date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT/g
const LOOPBACK_PORT = /127\.0\.0\.1(%3A|:)\d+/g

/** `value` as plain JSON data, with the current date and loopback ports masked. */
function normalise(value) {
  return JSON.parse(
    JSON.stringify(value).replace(CURRENT_DATE, 'Current date: <now>').replace(LOOPBACK_PORT, '127.0.0.1$1<port>'),
  )
}

/** Asserts that two answers (from startPair's `send`) are the same once normalised. */
function assertSameAnswers(native, reference, message) {
  assert.deepEqual(normalise(native), normalise(reference), message)
}

/**
 * Checks the reference's answer against what the test expects of it, so that
 * a test cannot pass by both packages doing something else than intended:
 * `status`, `reason` (the x-clerk-auth-reason header), `userId` and
 * `signedIn` (isAuthenticated), each only when given.
 */
function checkExpected(reference, expect) {
  if (expect.status !== undefined) assert.equal(reference.status, expect.status)
  if (expect.reason !== undefined) assert.equal(reference.clerkHeaders['x-clerk-auth-reason'], expect.reason)
  if (expect.userId !== undefined) assert.equal(reference.body.auth.json.userId, expect.userId)
  if (expect.signedIn !== undefined) assert.equal(reference.body?.auth?.json?.isAuthenticated, expect.signedIn)
}

/**
 * Sends `request` through both apps of `pair`, asserts the same answer and
 * checks `expect` (see checkExpected). Returns the reference's answer.
 */
async function assertSameAnswer(pair, request, expect = {}) {
  const { reference, native } = await pair.send(request)
  assertSameAnswers(native, reference)
  checkExpected(reference, expect)
  return reference
}

module.exports = { normalise, assertSameAnswers, checkExpected, assertSameAnswer }
