'use strict'

// clerkClient / createClerkClient: the same requests on the wire and the same
// objects back (User class, getters, _raw, ClerkAPIResponseError fields) as
// @clerk/express, plus getToken templates and verifyToken.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { listen, reference, native } = require('./helpers/apps')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

/** Everything observable about a value returned or thrown by the client. */
function describeUser(user) {
  return {
    constructor: user.constructor.name,
    keys: Object.keys(user),
    json: JSON.parse(JSON.stringify(user)),
    fullName: user.fullName,
    primaryEmail: user.primaryEmailAddress?.emailAddress,
    primaryEmailClass: user.primaryEmailAddress?.constructor.name,
    verificationClass: user.emailAddresses[0]?.verification?.constructor.name,
    primaryPhone: user.primaryPhoneNumber,
    rawIsJson: user.raw === user._raw && typeof user.raw === 'object',
  }
}

function describeError(err) {
  return {
    name: err.name,
    message: err.message,
    code: err.code,
    clerkError: err.clerkError,
    status: err.status,
    clerkTraceId: err.clerkTraceId,
    retryAfter: err.retryAfter,
    errors: err.errors && JSON.parse(JSON.stringify(err.errors)),
    errorClasses: err.errors?.map((e) => e.constructor.name),
    kind: err.constructor.kind,
    text: String(err),
  }
}

async function outcome(promise) {
  try {
    const value = await promise
    return { value }
  } catch (err) {
    return { error: describeError(err) }
  }
}

describe('Backend API client matches @clerk/express', () => {
  let api
  before(async () => {
    api = await startFakeClerkApi()
  })
  after(() => api.close())

  const clients = (extra = {}) =>
    [reference, native].map((pkg) => pkg.createClerkClient({ secretKey: 'sk_test_bapi', apiUrl: api.url, ...extra }))

  test('users.getUser returns the same User object', async () => {
    const [ref, ours] = clients()
    const [a, b] = [await ref.users.getUser('user_1'), await ours.users.getUser('user_1')]
    assert.deepEqual(describeUser(b), describeUser(a))
    assert.equal(b.publicMetadata.role.nested_key, 1)
    assert.equal(b.emailAddresses[0].verification.externalVerificationRedirectURL, null)
  })

  test('both send the same request for getUser', async () => {
    const [ref, ours] = clients({ userAgent: '@clerk/express@2.1.70' })
    const start = api.state.requests.length
    await ref.users.getUser('user_1')
    await ours.users.getUser('user_1')
    const [a, b] = api.state.requests.slice(start)
    for (const field of ['method', 'path', 'search', 'body']) assert.equal(b[field], a[field], field)
    for (const name of ['authorization', 'clerk-api-version', 'content-type', 'user-agent']) {
      assert.equal(b.headers[name], a.headers[name], name)
    }
    assert.equal(b.headers['user-agent'], '@clerk/express@2.1.70')
  })

  test('getUserList: two parallel calls, snake_case query, falsy values dropped, arrays repeated', async () => {
    const [ref, ours] = clients()
    const params = {
      emailAddress: ['a@b.com', 'c@d.com'],
      limit: 10,
      offset: 0,
      orderBy: '-created_at',
      web3Wallet: ['0x1'],
      banned: false,
      lastActiveAtAfter: 5,
      userId: ['user_1'],
    }
    const start = api.state.requests.length
    const a = await ref.users.getUserList(params)
    const middle = api.state.requests.length
    const b = await ours.users.getUserList(params)
    const searches = (list) => list.map((r) => `${r.path}${r.search}`).sort()
    assert.deepEqual(searches(api.state.requests.slice(middle)), searches(api.state.requests.slice(start, middle)))
    assert.equal(b.totalCount, a.totalCount)
    assert.deepEqual(b.data.map(describeUser), a.data.map(describeUser))
    assert.ok(searches(api.state.requests.slice(middle)).includes('/v1/users/count?email_address=a%40b.com&email_address=c%40d.com&web3_wallet=0x1&last_active_at_after=5&user_id=user_1'))
  })

  test('a 404 becomes the same ClerkAPIResponseError', async () => {
    const [ref, ours] = clients()
    const a = await outcome(ref.users.getUser('user_missing'))
    const b = await outcome(ours.users.getUser('user_missing'))
    assert.deepEqual(b, a)
    assert.equal(a.error.status, 404)
    assert.equal(a.error.retryAfter, 7)
  })

  test('invalid ids and paths throw the reference errors before any request', async () => {
    const [ref, ours] = clients()
    for (const id of ['', '..', '%2e%2e']) {
      const a = await outcome(ref.users.getUser(id))
      const b = await outcome(ours.users.getUser(id))
      assert.equal(b.error?.message, a.error?.message, JSON.stringify(id))
    }
    const [noKeyRef, noKeyOurs] = [reference, native].map((pkg) => pkg.createClerkClient({ apiUrl: api.url }))
    const a = await outcome(noKeyRef.users.getUser('user_1'))
    const b = await outcome(noKeyOurs.users.getUser('user_1'))
    assert.equal(b.error.message, a.error.message)
  })

  test('network failures and odd bodies: unexpected_error, charset JSON as text, 204', async () => {
    const odd = http.createServer((req, res) => {
      if (req.url.endsWith('/charset')) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
        return res.end('{"object":"user","id":"user_charset"}')
      }
      if (req.url.endsWith('/empty')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end('')
      }
      if (req.url.endsWith('/nothing')) {
        res.writeHead(204)
        return res.end()
      }
      res.writeHead(500, { 'content-type': 'text/html', 'cf-ray': 'ray_1' })
      res.end('<html>oops</html>')
    })
    await new Promise((r) => odd.listen(0, '127.0.0.1', r))
    const oddUrl = `http://127.0.0.1:${odd.address().port}`
    try {
      const [ref, ours] = clients({ apiUrl: oddUrl })
      for (const id of ['charset', 'empty', 'nothing', 'html']) {
        const a = await outcome(ref.users.getUser(id))
        const b = await outcome(ours.users.getUser(id))
        assert.deepEqual(b, a, id)
      }
    } finally {
      await new Promise((r) => odd.close(r))
    }
    const [ref, ours] = clients({ apiUrl: 'http://127.0.0.1:9' })
    const a = await outcome(ref.users.getUser('user_1'))
    const b = await outcome(ours.users.getUser('user_1'))
    assert.deepEqual(b, a)
    assert.equal(a.error.errors[0].code, 'unexpected_error')
  })
})

describe('getToken and verifyToken match @clerk/express', () => {
  const key = createSigningKey()
  let api
  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })
  after(() => api.close())

  test('getToken(): the raw token; with a template or expiry, a Backend API call', async () => {
    const token = signToken(key, sessionClaims())
    const answers = []
    for (const pkg of [reference, native]) {
      const app = express()
      app.use(pkg.clerkMiddleware({ secretKey: 'sk_test_tokens', publishableKey: PK_TEST, apiUrl: api.url }))
      app.get('/', async (req, res) => {
        const auth = pkg.getAuth(req)
        res.json([await auth.getToken(), await auth.getToken({ template: 'supabase' }), await auth.getToken({ expiresInSeconds: 60 })])
      })
      const server = await listen(app)
      const start = api.state.requests.length
      const response = await fetch(server.url, { headers: { authorization: `Bearer ${token}` } })
      answers.push({ body: await response.json(), requests: api.state.requests.slice(start).map((r) => [r.method, r.path, r.body, r.headers['user-agent']]) })
      await server.close()
    }
    assert.deepEqual(answers[1], answers[0])
    assert.equal(answers[0].body[0], token)
    assert.equal(answers[0].body[1], `template-supabase-${sessionClaims().sid}`)
  })

  test('verifyToken resolves to the claims or rejects with the same TokenVerificationError', async () => {
    const good = signToken(key, sessionClaims())
    const expired = signToken(key, sessionClaims({ exp: 1 }))
    const describe = async (pkg, token, options) => {
      try {
        return { claims: await pkg.verifyToken(token, options) }
      } catch (err) {
        return { reason: err.reason, message: err.message, action: err.action, full: err.getFullMessage?.(), type: err.constructor.name }
      }
    }
    for (const [token, options] of [
      [good, { jwtKey: key.pem }],
      [good, { secretKey: 'sk_test_verify', apiUrl: api.url }],
      [good, {}],
      [expired, { jwtKey: key.pem }],
      ['a.b', { jwtKey: key.pem }],
      [good, { jwtKey: key.pem, authorizedParties: ['https://x.test'] }],
    ]) {
      const a = await describe(reference, token, options)
      const b = await describe(native, token, options)
      if (a.message) {
        a.message = a.message.replace(/Current date: .*GMT/, '')
        b.message = b.message.replace(/Current date: .*GMT/, '')
        a.full = a.full.replace(/Current date: .*GMT/, '')
        b.full = b.full.replace(/Current date: .*GMT/, '')
      }
      assert.deepEqual(b, a, JSON.stringify(options))
    }
  })
})
