'use strict'

// Contract test against Clerk's own Backend API spec: every `clerkClient`
// endpoint method (192 in 36 groups) is called with realistic arguments
// through the reference @clerk/backend client and through ours, both talking
// to the Prism mock server for the OpenAPI spec through a recording proxy.
// Both must send the same requests (method, path, query, headers, body) and
// return the same results, and Prism must accept the requests: the spec, not
// only the reference, says they are right. Each call runs twice: once against
// the spec's static examples (where lists have an item) and once against data
// Prism generates from the response schemas (every optional field filled, and
// the `object` type the static SAML connection examples lack), seeded so both
// clients get the same answer.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const reference = require('@clerk/backend')
const ours = require('../lib/client')
const { startPrism } = require('./helpers/prism-server')
const { startRecordingProxy } = require('./helpers/recording-proxy')
const { comparableHeaders } = require('./helpers/capture-server')
const { CONTRACT_CALLS } = require('./fixtures/contract-calls')
const { describeValue } = require('./helpers/describe-value')

const SPEC = path.join(__dirname, 'fixtures', 'openapi', 'bapi-2026-05-12.mock-v1.yml')
const USER_AGENT = '@clerk/express@2.1.70'
const SECRET_KEY = 'sk_test_contract_9f8e7d6c5b4a'
const CALL_TIMEOUT_MS = 15000
// Prism answers with static examples by default; `Prefer` switches one request to generated data.
const MOCK_MODES = [
  { name: 'static examples', upstreamHeaders: {} },
  { name: 'generated data', upstreamHeaders: { prefer: 'dynamic=true, seed=clerk-contract' } },
]

// Methods whose endpoint is not in the 2026-05-12 spec. The capture-server
// test (backend-api-endpoints.test.js) covers their requests in detail; here
// both clients must still get identical outcomes, and Prism must still not
// know the endpoint (a spec update that adds it fails here, so it can move out
// of this list and get the full contract check).
const NOT_IN_SPEC = {
  'sessions.verifySession': 'removed from the spec after 2024-10-01',
  'invitations.deleteInvitation': 'DELETE /invitations/{id} is newer than the spec',
  'betaFeatures.changeDomain': 'the spec has POST /instance/change_domain instead',
  'emails.create': 'the /email API is internal and experimental',
  'emails.createBatch': 'the /email API is internal and experimental',
  'emails.get': 'the /email API is internal and experimental',
  '__experimental_accountlessApplications.createAccountlessApplication': 'a hidden, empty path item',
  '__experimental_accountlessApplications.completeAccountlessApplicationOnboarding': 'a hidden, empty path item',
  // Hidden too, but Prism routes GET /v1/clients/handshake_payload to GetClient and answers 200.
  'clients.getHandshakePayload': 'a hidden, empty path item',
}
const PRISM_STATUS_NOT_IN_SPEC = { 'clients.getHandshakePayload': 200 }

// Known mismatches between the reference and the spec: the reference's own
// request is rejected, so ours must be rejected in exactly the same way.
const SPEC_REJECTS_REFERENCE = {
  // The SDK types `status` as an array and repeats the key; the spec allows a single enum value.
  'organizations.getOrganizationInvitationList': { violationAt: 'request.query.status' },
}

// Differences from the reference found by this test, for the lead to fix in lib/.
const TODO = {}


const [groupOf, methodOf] = [(key) => key.slice(0, key.lastIndexOf('.')), (key) => key.slice(key.lastIndexOf('.') + 1)]

/** `group.method` for every endpoint method of a client. */
function endpointMethods(client) {
  const methods = []
  for (const group of Object.keys(client)) {
    if (!client[group] || typeof client[group] !== 'object' || !('request' in client[group])) continue
    const prototype = Object.getPrototypeOf(client[group])
    for (const name of Object.getOwnPropertyNames(prototype)) {
      if (name !== 'constructor') methods.push(`${group}.${name}`)
    }
  }
  return methods.sort()
}

function describeError(err) {
  if (!(err instanceof Error)) return { thrown: describeValue(err) }
  return {
    class: err.constructor.name,
    message: err.message,
    status: err.status,
    clerkTraceId: err.clerkTraceId,
    retryAfter: err.retryAfter,
    errors: err.errors && describeValue(err.errors),
  }
}

/** A recorded request as the spec sees it, plus Prism's verdict. */
function describeRequest(request) {
  const contentType = request.headers['content-type'] || ''
  const headers = comparableHeaders(request.headers)
  let body = request.parts ?? request.body
  if (!request.parts && request.body && contentType === 'application/json') {
    try {
      body = { json: JSON.parse(request.body) }
    } catch {}
  }
  return {
    method: request.method,
    path: request.path,
    search: request.search,
    query: request.query,
    headers,
    body,
    prism: {
      status: request.status,
      requestViolations: request.violations?.filter((violation) => violation.location[0] === 'request'),
    },
  }
}

function withTimeout(promise, label) {
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: no answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * One call through one client: its outcome, its requests (sorted: some run in
 * parallel) with Prism's verdicts, Prism's answers, and the warnings logged.
 */
async function exchange(proxy, client, key, args, label) {
  const start = proxy.requests.length
  const warnings = []
  const warn = console.warn
  console.warn = (...parts) => warnings.push(parts.join(' '))
  let outcome
  try {
    const value = await withTimeout(Promise.resolve().then(() => client[groupOf(key)][methodOf(key)](...args)), label)
    outcome = { value: describeValue(value), json: JSON.stringify(value) }
  } catch (err) {
    outcome = { error: describeError(err) }
  } finally {
    console.warn = warn
  }
  const recorded = proxy.requests
    .slice(start)
    .sort((a, b) => `${a.method} ${a.path}${a.search}`.localeCompare(`${b.method} ${b.path}${b.search}`))
  return { outcome, requests: recorded.map(describeRequest), answers: recorded.map((r) => r.answer), warnings }
}

/** Prism's verdict on the reference's requests for one call. */
function assertSpecVerdict(key, { outcome, requests }, label) {
  // The compared headers are there at all (equal on both sides is not enough).
  for (const { headers } of requests) {
    assert.equal(headers.authorization, `Bearer ${SECRET_KEY}`, label)
    assert.equal(headers['clerk-api-version'], '2026-05-12', label)
    assert.equal(headers['user-agent'], USER_AGENT, label)
  }
  const verdicts = requests.map(
    (r) => `${r.method} ${r.path} → ${r.prism.status} ${JSON.stringify(r.prism.requestViolations)}`,
  )
  if (key in NOT_IN_SPEC) {
    const status = PRISM_STATUS_NOT_IN_SPEC[key] ?? 404
    for (const request of requests) {
      assert.equal(request.prism.status, status, `${label}: Prism still answers ${status}: ${verdicts}`)
    }
  } else if (key in SPEC_REJECTS_REFERENCE) {
    assert.equal(outcome.error?.status, 422, `${label}: the reference is still rejected: ${verdicts}`)
    const locations = requests.flatMap((r) => r.prism.requestViolations.map((v) => v.location.join('.')))
    assert.ok(locations.length > 0, `${label}: Prism reports violations: ${verdicts}`)
    for (const location of locations) {
      assert.equal(location, SPEC_REJECTS_REFERENCE[key].violationAt, `${label}: only the known violation: ${verdicts}`)
    }
  } else {
    for (const request of requests) {
      assert.ok(request.prism.status >= 200 && request.prism.status < 300, `${label}: Prism accepts it: ${verdicts}`)
      assert.deepStrictEqual(request.prism.requestViolations, [], `${label}: no request violations: ${verdicts}`)
    }
    assert.ok(!outcome.error, `${label}: the reference gets a result: ${JSON.stringify(outcome.error)}`)
  }
}

describe('every method against the Backend API spec (Prism): same requests and results as @clerk/backend', () => {
  let prism
  let proxy
  let clients
  const exercised = new Set()

  before(
    async () => {
      prism = await startPrism(SPEC)
      proxy = await startRecordingProxy(prism.url)
      const options = { secretKey: SECRET_KEY, apiUrl: proxy.url, userAgent: USER_AGENT }
      clients = [reference, ours].map((pkg) => pkg.createClerkClient(options))
    },
    { timeout: 60000 },
  )
  after(async () => {
    await proxy?.close()
    await prism?.stop()
  })

  for (const [key, calls] of Object.entries(CONTRACT_CALLS)) {
    test(key, { todo: TODO[key], timeout: 2 * MOCK_MODES.length * CALL_TIMEOUT_MS * calls.length }, async () => {
      assert.ok(clients, 'Prism and the recording proxy are running')
      exercised.add(key)
      for (const mode of MOCK_MODES) {
        proxy.upstreamHeaders = mode.upstreamHeaders
        for (const [index, args] of calls.entries()) {
          const label = `${key} call #${index} (${mode.name})`
          const expected = await exchange(proxy, clients[0], key, args(), `${label} reference`)
          const actual = await exchange(proxy, clients[1], key, args(), `${label} ours`)
          assert.ok(expected.requests.length > 0, `${label}: the reference sends a request`)
          assert.deepStrictEqual(actual.requests, expected.requests, `${label}: the same requests and Prism verdicts`)
          assert.deepStrictEqual(actual.answers, expected.answers, `${label}: the mock answers both clients the same`)
          assert.deepStrictEqual(actual.outcome, expected.outcome, `${label}: the same result`)
          assert.deepStrictEqual(actual.warnings, expected.warnings, `${label}: the same warnings`)
          assertSpecVerdict(key, expected, label)
        }
      }
    })
  }

  test('the calls exercised every endpoint method of the reference client, and the lists name real methods', () => {
    const methods = endpointMethods(reference.createClerkClient({ secretKey: SECRET_KEY }))
    assert.equal(methods.length, 192)
    assert.deepStrictEqual([...exercised].sort(), methods)
    for (const key of [...Object.keys(NOT_IN_SPEC), ...Object.keys(SPEC_REJECTS_REFERENCE), ...Object.keys(TODO)]) {
      assert.ok(methods.includes(key), `${key} is a method of the reference client`)
    }
  })
})
