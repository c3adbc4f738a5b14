'use strict'

// The Clerk docs' Express example (examples/docs-app/app.js), unmodified, run
// in-process on this package through the same `@clerk/express` alias as
// `npm run demo`, against the fake Backend API; and the same app on the real
// @clerk/express, which must answer the same.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { loadDocsApp, NATIVE_ENTRY } = require('../examples/load-docs-app')

const ENV = {
  CLERK_SECRET_KEY: 'sk_test_docs_example',
  CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k',
  CLERK_TELEMETRY_DISABLED: '1',
}

async function listen(app) {
  const server = await new Promise((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s)).on('error', reject)
  })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(resolve)
      }),
  }
}

async function get(base, headers = {}) {
  const response = await fetch(`${base}/user`, { headers, redirect: 'manual' })
  const clerkHeaders = {}
  for (const [name, value] of response.headers) if (name.startsWith('x-clerk-')) clerkHeaders[name] = value
  const text = await response.text()
  const isJson = (response.headers.get('content-type') || '').startsWith('application/json')
  return { status: response.status, clerkHeaders, body: isJson ? JSON.parse(text) : text }
}

/**
 * Runs `fn` with console.error muted: Express's final handler logs the error
 * it answers, from a setImmediate it may not have run when the response is
 * read, hence the wait.
 */
async function withoutErrorLog(fn) {
  const original = console.error
  console.error = () => {}
  try {
    return await fn()
  } finally {
    await new Promise((resolve) => setTimeout(resolve, 20))
    console.error = original
  }
}

describe('docs example app on clerk-express-native', () => {
  const key = createSigningKey()
  const savedEnv = {}
  let api
  let ours
  let reference
  const bearer = (sub) => ({ authorization: `Bearer ${signToken(key, sessionClaims({ sub }))}` })

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    for (const [name, value] of Object.entries({ ...ENV, CLERK_API_URL: api.url })) {
      savedEnv[name] = process.env[name]
      process.env[name] = value
    }
    ours = await listen(loadDocsApp())
    reference = await listen(loadDocsApp({ packageEntry: require.resolve('@clerk/express') }))
  })

  after(async () => {
    await Promise.all([ours?.close(), reference?.close(), api?.close()])
    for (const [name, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  test('the alias gives the example this package, not the real @clerk/express', () => {
    assert.equal(require.cache[NATIVE_ENTRY]?.loaded, true)
    assert.notEqual(require.resolve('@clerk/express'), NATIVE_ENTRY)
  })

  test('signed out: 401 with the signed-out headers and the example\'s error body', async () => {
    const response = await get(ours.url)
    assert.equal(response.status, 401)
    assert.equal(response.clerkHeaders['x-clerk-auth-status'], 'signed-out')
    assert.ok(response.clerkHeaders['x-clerk-auth-reason'])
    assert.deepEqual(response.body, { error: 'User not authenticated' })
  })

  test('signed in: 200 with the user from GET /v1/users/:id', async () => {
    const before = api.requestsTo('/v1/users/user_1').length
    const response = await get(ours.url, bearer('user_1'))
    assert.equal(response.status, 200)
    assert.equal(response.body.id, 'user_1')
    assert.equal(response.body.firstName, 'Ada')
    assert.equal(response.body.lastName, 'Lovelace')
    assert.equal(response.body.emailAddresses[0].emailAddress, 'ada@example.com')
    assert.equal(response.body.primaryEmailAddressId, 'idn_1')
    assert.deepEqual(response.body.publicMetadata, { role: { nested_key: 1 } })
    assert.equal('first_name' in response.body, false)
    assert.equal(api.requestsTo('/v1/users/user_1').length, before + 1)
  })

  test('unknown user: the uncaught ClerkAPIResponseError reaches Express, which answers its status (404)', async () => {
    // The example does not catch errors, so Express 5's final handler
    // answers. It uses `err.status` when it is 4xx/5xx, and
    // ClerkAPIResponseError carries the Backend API's status, so the answer
    // is 404, not 500, on @clerk/express as well (checked below).
    const response = await withoutErrorLog(() => get(ours.url, bearer('user_missing')))
    assert.equal(response.status, 404)
    // Express prints err.stack. On Bun, JavaScriptCore starts it with the
    // built-in "Error" rather than the class's name getter; the reference's
    // page is the same there (the last test compares the two).
    assert.match(response.body, process.versions.bun ? /Error: Not Found/ : /ClerkAPIResponseError/)
    const [request] = api.requestsTo('/v1/users/user_missing')
    assert.ok(request, 'the fake API received GET /v1/users/user_missing')
    assert.equal(request.method, 'GET')
    assert.equal(request.headers.authorization, `Bearer ${ENV.CLERK_SECRET_KEY}`)
    assert.match(request.headers.authorization, /^Bearer sk_test_/)
    assert.equal(request.headers['clerk-api-version'], '2026-05-12')
    assert.equal(request.headers['user-agent'], '@clerk/express@2.1.70')
  })

  test('the same app on the real @clerk/express answers the same', async () => {
    const cases = [{}, bearer('user_1'), bearer('user_missing')]
    for (const headers of cases) {
      const [mine, theirs] = await withoutErrorLog(() => Promise.all([get(ours.url, headers), get(reference.url, headers)]))
      assert.equal(mine.status, theirs.status)
      assert.deepEqual(mine.clerkHeaders, theirs.clerkHeaders)
      // Error pages hold a stack trace, which names different files.
      if (typeof theirs.body !== 'string') assert.deepEqual(mine.body, theirs.body)
    }
    const missing = api.requestsTo('/v1/users/user_missing')
    assert.equal(missing.length, 3)
    const sentHeaders = (r) => [r.headers.authorization, r.headers['clerk-api-version'], r.headers['user-agent']]
    assert.deepEqual(sentHeaders(missing[1]), sentHeaders(missing[2]))
  })
})
