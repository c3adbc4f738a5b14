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

// On Bun, @clerk/express runs on JavaScriptCore, whose TypeError texts are
// not V8's ("null is not an object (evaluating 'data.payload.iss')" for
// "Cannot read properties of null (reading 'iss')"). This package writes the
// reference's V8 text on every runtime: a known difference on Bun (README,
// "Supported platforms"), in the 500 answer to a token whose JSON is null.
const JSC_TYPE_ERROR = /is not an object \(evaluating '|from null or undefined value/
const V8_TYPE_ERROR = /^Cannot (read properties|destructure property) /

/**
 * The two answers with a TypeError text masked where only the JavaScript
 * engine's wording differs (Bun's JavaScriptCore on the reference's side).
 */
function maskEngineWording(native, reference) {
  const ours = native?.body?.error
  const theirs = reference?.body?.error
  if (!process.versions.bun || typeof ours !== 'string' || typeof theirs !== 'string') return [native, reference]
  if (!JSC_TYPE_ERROR.test(theirs) || !V8_TYPE_ERROR.test(ours)) return [native, reference]
  const mask = (answer) => ({ ...answer, body: { ...answer.body, error: '<TypeError text: V8 words ours, JavaScriptCore the reference>' } })
  return [mask(native), mask(reference)]
}

/** Asserts that two answers (from startPair's `send`) are the same once normalised. */
function assertSameAnswers(native, reference, message) {
  const [ours, theirs] = maskEngineWording(native, reference)
  assert.deepEqual(normalise(ours), normalise(theirs), message)
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
