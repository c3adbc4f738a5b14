'use strict'

// Every `clerkClient` endpoint method (192 in 36 groups), called through the
// reference @clerk/backend client and through ours against one recording fake
// API on 127.0.0.1: the same requests on the wire (method, path, query,
// headers, body), the same results (classes, keys, values) or errors, the
// same sync/async behaviour and deprecation warnings, and group objects of
// the same shape (class names, method names, `length`s).

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const reference = require('@clerk/backend')
const ours = require('../lib/client')
const { startCaptureServer, comparableHeaders } = require('./helpers/capture-server')
const { createSigningKey, signToken, nowSeconds } = require('./helpers/tokens')
const { CALLS } = require('./fixtures/backend-api-calls')
const { describeValue } = require('./helpers/describe-value')

const USER_AGENT = '@clerk/express@2.1.70'
const SECRET_KEY = 'sk_test_endpoints'
const M2M_CATEGORY = 'cl_B7d4PD333AAA'
// Extra calls made on every method: missing, null and dot-segment arguments.
const EDGE_ARGUMENTS = [[], [null], ['..'], ['%2E%2e', '..']]

const clientsFor = (options) => [reference, ours].map((pkg) => pkg.createClerkClient({ userAgent: USER_AGENT, ...options }))

const [groupOf, methodOf] = [(key) => key.slice(0, key.lastIndexOf('.')), (key) => key.slice(key.lastIndexOf('.') + 1)]

function describeError(err) {
  if (!(err instanceof Error)) return { thrown: describeValue(err) }
  return {
    class: err.constructor.name,
    name: err.name,
    message: err.message,
    ownKeys: Object.getOwnPropertyNames(err).sort(),
    code: err.code,
    status: err.status,
    clerkTraceId: err.clerkTraceId,
    retryAfter: err.retryAfter,
    reason: err.reason,
    action: err.action,
    kind: err.constructor.kind,
    errors: err.errors && describeValue(err.errors),
  }
}

/** Calls one method: a synchronous throw, or what its promise settles to. */
async function outcomeOf(client, key, args) {
  let returned
  try {
    returned = client[groupOf(key)][methodOf(key)](...args)
  } catch (err) {
    return { syncThrow: describeError(err) }
  }
  const promise = returned instanceof Promise
  try {
    return { promise, value: describeValue(await returned) }
  } catch (err) {
    return { promise, error: describeError(err) }
  }
}

function describeRequest(request) {
  const headers = comparableHeaders(request.headers)
  let json
  try {
    json = request.body ? JSON.parse(request.body) : undefined
  } catch {}
  return {
    method: request.method,
    path: request.path,
    search: request.search,
    headers,
    body: request.parts ?? request.body,
    json,
  }
}

/**
 * One call against the capture server: its outcome, requests (sorted: some
 * run in parallel) and warnings. `settleMs` waits for requests still in
 * flight when a parallel one has already failed.
 */
async function exchange(api, client, key, { args, respond, settleMs = 0 }) {
  api.state.respond = respond
  const start = api.state.requests.length
  const warnings = []
  const warn = console.warn
  console.warn = (...parts) => warnings.push(parts.join(' '))
  let outcome
  try {
    outcome = await outcomeOf(client, key, args())
  } finally {
    console.warn = warn
  }
  if (settleMs) await new Promise((resolve) => setTimeout(resolve, settleMs))
  const requests = api.state.requests
    .slice(start)
    .map(describeRequest)
    .sort((a, b) => `${a.method} ${a.path}${a.search}`.localeCompare(`${b.method} ${b.path}${b.search}`))
  return { outcome, requests, warnings }
}

async function assertSameExchange(api, [ref, mine], key, call, label) {
  const expected = await exchange(api, ref, key, call)
  const actual = await exchange(api, mine, key, call)
  assert.deepStrictEqual(actual, expected, `${key} ${label}`)
  return expected
}

describe('clerkClient groups have the reference shape', () => {
  const [ref, mine] = clientsFor({ secretKey: SECRET_KEY })

  test('same client keys, group classes, method names, lengths and async-ness', () => {
    assert.deepStrictEqual(Object.keys(mine), Object.keys(ref))
    const shape = (client) =>
      Object.keys(client)
        .filter((group) => client[group] && typeof client[group] === 'object' && 'request' in client[group])
        .map((group) => {
          const api = client[group]
          const prototype = Object.getPrototypeOf(api)
          const base = Object.getPrototypeOf(prototype)
          return {
            group,
            className: api.constructor.name,
            constructorLength: api.constructor.length,
            baseClass: base.constructor.name,
            baseMethods: Object.getOwnPropertyNames(base),
            ownKeys: Object.keys(api),
            requestIsFunction: typeof api.request === 'function',
            methods: Object.getOwnPropertyNames(prototype).map((name) => {
              const descriptor = Object.getOwnPropertyDescriptor(prototype, name)
              return {
                name,
                enumerable: descriptor.enumerable,
                writable: descriptor.writable,
                functionName: descriptor.value.name,
                length: descriptor.value.length,
                kind: descriptor.value.constructor.name,
              }
            }),
          }
        })
    const expected = shape(ref)
    assert.equal(expected.length, 36)
    assert.equal(
      expected.reduce((count, group) => count + group.methods.length - 1, 0),
      192,
    )
    assert.deepStrictEqual(shape(mine), expected)
    assert.equal(mine.users.constructor.name, 'UserAPI')
    assert.equal(mine.clients.verifyClient.constructor.name, 'Function')
  })

  test('the fixture calls every method', () => {
    const methods = []
    for (const group of Object.keys(ref)) {
      if (!ref[group] || typeof ref[group] !== 'object' || !('request' in ref[group])) continue
      const prototype = Object.getPrototypeOf(ref[group])
      for (const name of Object.getOwnPropertyNames(prototype)) if (name !== 'constructor') methods.push(`${group}.${name}`)
    }
    assert.deepStrictEqual(Object.keys(CALLS).sort(), methods.sort())
  })
})

describe('every method: same requests and same results as @clerk/backend', () => {
  let api
  let clients
  before(async () => {
    api = await startCaptureServer()
    clients = clientsFor({ secretKey: SECRET_KEY, apiUrl: api.url })
  })
  after(() => api.close())

  for (const [key, calls] of Object.entries(CALLS)) {
    test(key, async () => {
      for (const [index, call] of calls.entries()) {
        const { requests } = await assertSameExchange(api, clients, key, call, `call #${index}`)
        if (index === 0) assert.ok(requests.length > 0, `${key}: the first call sends a request`)
      }
    })
    test(`${key}: missing, null and dot-segment arguments`, async () => {
      for (const args of EDGE_ARGUMENTS) {
        await assertSameExchange(api, clients, key, { args: () => args, respond: calls[0].respond }, JSON.stringify(args))
      }
    })
  }
})

describe('client options change every method the same way', () => {
  let api
  before(async () => {
    api = await startCaptureServer()
  })
  after(() => api.close())

  test('no secret key: the same error (or request, for the groups that do not need one)', async () => {
    const clients = clientsFor({ apiUrl: api.url })
    for (const [key, calls] of Object.entries(CALLS)) await assertSameExchange(api, clients, key, calls[0], 'no secret key')
  })

  test('a machine secret key: m2m calls authenticate with it', async () => {
    const clients = clientsFor({ secretKey: SECRET_KEY, machineSecretKey: 'ak_machine_client', apiUrl: api.url })
    const m2mCalls = Object.entries(CALLS).filter(([key]) => key.startsWith('m2m.'))
    for (const [key, calls] of m2mCalls) {
      for (const call of calls) {
        const { requests } = await assertSameExchange(api, clients, key, call, 'machine secret key')
        assert.match(requests[0].headers.authorization, /^Bearer ak_machine_(client|call)$/)
      }
    }
  })

  test('an API URL with a path and another API version', async () => {
    const clients = clientsFor({ secretKey: SECRET_KEY, apiUrl: `${api.url}/proxy/`, apiVersion: 'v9' })
    for (const key of ['users.getUser', 'apiKeys.get', 'm2m.list', 'idPOAuthAccessToken.verify', 'emails.get']) {
      const { requests } = await assertSameExchange(api, clients, key, CALLS[key][0], 'API URL and version')
      assert.ok(requests[0].path.startsWith('/proxy/'))
    }
  })

  test('a Backend API error becomes the same ClerkAPIResponseError', async () => {
    const clients = clientsFor({ secretKey: SECRET_KEY, apiUrl: api.url })
    const respond = () => ({
      status: 422,
      headers: { 'content-type': 'application/json', 'retry-after': '3' },
      body: {
        errors: [{ code: 'form_param_invalid', message: 'bad', long_message: 'Bad param', meta: { param_name: 'name' } }],
        clerk_trace_id: 'trace_1',
      },
    })
    for (const key of ['organizations.createOrganization', 'users.getUserList', 'emails.createBatch']) {
      const call = { ...CALLS[key][0], respond, settleMs: 100 }
      const expected = await assertSameExchange(api, clients, key, call, 'error answer')
      assert.equal(expected.outcome.error.status, 422)
    }
  })
})

describe('m2m.verify verifies M2M JWTs locally, like the reference', () => {
  const key = createSigningKey()
  const otherKey = createSigningKey(key.kid)
  let api
  before(async () => {
    api = await startCaptureServer()
  })
  after(() => api.close())

  const claims = (overrides = {}) => ({
    sub: 'mch_1',
    jti: 'mt_jwt_1',
    iat: nowSeconds() - 10,
    exp: nowSeconds() + 3600,
    scopes: 'mch_2 mch_3',
    iss: 'https://clerk.example.com',
    customClaim: { nestedKey: 1 },
    ...overrides,
  })
  const m2mToken = (payload = claims(), header = { cat: M2M_CATEGORY }, signer = key) => signToken(signer, payload, header)

  // Times in expiry messages are taken a moment apart on each side.
  const withoutDates = (value) => JSON.parse(JSON.stringify(value).replace(/(date|Date): [^,;.]*GMT/g, '$1: <date>'))

  test('valid, expired, foreign, badly signed, uncategorised and non-M2M tokens', async () => {
    api.state.respond = (request) =>
      request.path === '/v1/jwks'
        ? { body: { keys: [key.jwk] } }
        : { body: { object: 'machine_to_machine_token', id: 'mt_opaque', subject: 'mch_1' } }
    const tokens = [
      m2mToken(),
      m2mToken(claims({ aud: ['mch_9'], scopes: undefined })),
      m2mToken(claims({ exp: nowSeconds() - 3600 })),
      m2mToken(claims(), { cat: 'cl_other' }),
      m2mToken(claims(), { cat: undefined }),
      m2mToken(claims(), { cat: M2M_CATEGORY }, otherKey),
      m2mToken(claims(), { cat: M2M_CATEGORY, typ: 'at+jwt' }),
      m2mToken(claims({ sub: 'user_1' })),
      m2mToken(claims(), { cat: M2M_CATEGORY, alg: 'HS256' }),
    ]
    for (const options of [{ jwtKey: key.pem }, { secretKey: SECRET_KEY }, {}]) {
      const clients = clientsFor({ ...options, apiUrl: api.url })
      for (const [index, token] of tokens.entries()) {
        const call = { args: () => [{ token, machineSecretKey: 'ak_machine_call' }], respond: api.state.respond }
        const exchanges = []
        for (const client of clients) {
          const { outcome, warnings, requests } = await exchange(api, client, 'm2m.verify', call)
          // The JWKS is fetched and cached per process on each side; only the verification requests are compared.
          exchanges.push(withoutDates({ outcome, warnings, requests: requests.filter((r) => r.path !== '/v1/jwks') }))
        }
        assert.deepStrictEqual(exchanges[1], exchanges[0], `${JSON.stringify(options)} token #${index}`)
      }
    }
    const [, mine] = clientsFor({ jwtKey: key.pem, apiUrl: api.url })
    const verified = await mine.m2m.verify({ token: m2mToken() })
    assert.equal(verified.constructor.name, '_M2MToken')
    assert.deepStrictEqual(verified.scopes, ['mch_2', 'mch_3'])
    assert.deepStrictEqual(verified.claims, { scopes: 'mch_2 mch_3', customClaim: { nestedKey: 1 } })
    await assert.rejects(mine.m2m.verify({ token: m2mToken(claims(), { cat: 'cl_other' }) }), {
      name: '_MachineTokenVerificationError',
      code: 'token-invalid',
      message: 'Invalid M2M JWT category.',
    })
  })
})
