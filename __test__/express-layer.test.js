'use strict'

// The Express surface beyond token verification, each behaviour checked on
// @clerk/express and on this package: req.auth branding, getAuth without the
// middleware, requireAuth, unconvertible requests, the callback form, and
// panics surfacing as JS errors.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { listen, reference, native } = require('./helpers/apps')
const binding = require('../binding.js')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PACKAGES = [
  ['@clerk/express', reference],
  ['clerk-express-native', native],
]

async function request(app, { path = '/', method = 'GET', headers = {} } = {}) {
  const server = await listen(app)
  try {
    const response = await fetch(server.url + path, { method, headers, redirect: 'manual' })
    return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() }
  } finally {
    await server.close()
  }
}

describe('Express layer, same behaviour as @clerk/express', () => {
  const key = createSigningKey()
  let api
  let options
  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    options = { secretKey: 'sk_test_layer', publishableKey: PK_TEST, apiUrl: api.url }
  })
  after(() => api.close())

  test('req.auth is a branded function; a branded req.auth skips authentication', async () => {
    const outcomes = []
    for (const [, pkg] of PACKAGES) {
      const app = express()
      let calls = 0
      app.use((req, _res, next) => {
        const fake = () => ({ userId: 'user_from_upstream' })
        fake[Symbol.for('@clerk/express.auth')] = true
        if (req.headers['x-prebrand']) req.auth = fake
        next()
      })
      app.use(pkg.clerkMiddleware(options))
      app.get('/', (req, res) => {
        calls++
        res.json({ type: typeof req.auth, brand: req.auth[Symbol.for('@clerk/express.auth')], userId: req.auth().userId })
      })
      const token = signToken(key, sessionClaims())
      outcomes.push([
        await request(app, { headers: { authorization: `Bearer ${token}` } }),
        await request(app, { headers: { authorization: `Bearer ${token}`, 'x-prebrand': '1' } }),
      ])
      assert.equal(calls, 2)
    }
    const [ref, ours] = outcomes
    assert.deepEqual(ours.map((r) => r.body), ref.map((r) => r.body))
    assert.match(ref[1].body, /user_from_upstream/)
  })

  test('a foreign req.auth is overwritten, with one console.warn of the reference text', async () => {
    const warnings = { '@clerk/express': [], 'clerk-express-native': [] }
    const originalWarn = console.warn
    try {
      for (const [name, pkg] of PACKAGES) {
        console.warn = (message) => warnings[name].push(message)
        const app = express()
        app.use((req, _res, next) => {
          req.auth = { userId: 'forged' }
          next()
        })
        app.use(pkg.clerkMiddleware(options))
        app.get('/', (req, res) => res.json({ userId: pkg.getAuth(req).userId }))
        assert.equal((await request(app)).body, '{"userId":null}')
        await request(app)
      }
    } finally {
      console.warn = originalWarn
    }
    assert.equal(warnings['clerk-express-native'].length, 1)
    assert.deepEqual(warnings['clerk-express-native'], warnings['@clerk/express'])
  })

  test('getAuth without the middleware throws the reference message', () => {
    const messages = PACKAGES.map(([, pkg]) => {
      try {
        pkg.getAuth({})
        return 'no throw'
      } catch (err) {
        return err.message
      }
    })
    assert.equal(messages[1], messages[0])
    assert.match(messages[0], /^🔒 Clerk: The "clerkMiddleware" should be registered before using "getAuth"/)
  })

  test('requests the reference cannot convert get an empty 400', async () => {
    for (const [path, method] of [
      ['//', 'GET'],
      ['/ok', 'TRACE'],
    ]) {
      const answers = []
      for (const [, pkg] of PACKAGES) {
        const app = express()
        app.use(pkg.clerkMiddleware(options))
        app.all(/.*/, (_req, res) => res.send('reached'))
        const server = await listen(app)
        // fetch refuses both, so send the raw request line.
        const raw = await new Promise((resolve, reject) => {
          const socket = require('node:net').connect(Number(new URL(server.url).port), '127.0.0.1')
          let data = ''
          socket.on('data', (chunk) => (data += chunk))
          socket.on('end', () => resolve(data))
          socket.on('error', reject)
          socket.write(`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`)
        })
        await server.close()
        answers.push(raw.split('\r\n')[0] + ' ' + (raw.includes('reached') ? 'reached' : 'stopped'))
      }
      assert.equal(answers[1], answers[0], `${method} ${path}`)
      assert.equal(answers[0], 'HTTP/1.1 400 Bad Request stopped')
    }
  })

  test('requireAuth redirects signed-out requests with 302 and keeps the debug headers', async () => {
    const answers = []
    for (const [, pkg] of PACKAGES) {
      const app = express()
      app.get('/private', pkg.requireAuth({ ...options, signInUrl: '/sign-in' }), (_req, res) => res.send('secret'))
      const signedOut = await request(app, { path: '/private' })
      const signedIn = await request(app, { path: '/private', headers: { authorization: `Bearer ${signToken(key, sessionClaims())}` } })
      answers.push([
        signedOut.status,
        signedOut.headers.location,
        signedOut.headers['x-clerk-auth-reason'],
        signedOut.body,
        signedIn.status,
        signedIn.body,
      ])
    }
    assert.deepEqual(answers[1], answers[0])
    assert.deepEqual(answers[0].slice(0, 3), [302, '/sign-in', 'dev-browser-missing'])
  })

  test('the callback form receives the request; a throwing callback goes to next(err)', async () => {
    const answers = []
    for (const [, pkg] of PACKAGES) {
      const app = express()
      app.use(
        pkg.clerkMiddleware(async (req) => {
          if (req.headers['x-fail']) throw new Error('options failed')
          return options
        }),
      )
      app.get('/', (req, res) => res.json({ userId: pkg.getAuth(req).userId }))
      app.use((err, _req, res, _next) => res.status(500).send(err.message))
      answers.push([
        (await request(app, { headers: { authorization: `Bearer ${signToken(key, sessionClaims())}` } })).body,
        (await request(app, { headers: { 'x-fail': '1' } })).body,
      ])
    }
    assert.deepEqual(answers[1], answers[0])
    assert.equal(answers[0][1], 'options failed')
  })

  test('clerkMiddleware ignores a user acceptsToken: machine tokens still reach getAuth as any', async () => {
    const answers = []
    for (const [, pkg] of PACKAGES) {
      const app = express()
      app.use(pkg.clerkMiddleware({ ...options, acceptsToken: 'api_key' }))
      app.get('/', (req, res) => res.json(pkg.getAuth(req, { acceptsToken: 'any' }).tokenType))
      answers.push((await request(app, { headers: { authorization: `Bearer ${signToken(key, sessionClaims())}` } })).body)
    }
    assert.deepEqual(answers[1], answers[0])
    assert.equal(answers[0], '"session_token"')
  })
})

describe('robustness', () => {
  test('a panic in Rust surfaces as a JS error, synchronously and as a rejection', async () => {
    assert.throws(() => binding.__panicForTests('sync boom'), /sync boom/)
    await assert.rejects(binding.__panicAsyncForTests('async boom'), /internal error \(panic\): async boom/)
    await binding.__panicAsyncForTests('')
  })
})

test('debug() never shows a full secret key, whichever way the key was given', async () => {
  const secret = 'sk_test_do_not_log_this_secret'
  const previous = process.env.CLERK_SECRET_KEY
  process.env.CLERK_SECRET_KEY = secret
  try {
    for (const [name, pkg] of PACKAGES) {
      for (const options of [{}, { secretKey: secret }, { secretKey: 'sk_test_other_secret_value' }]) {
        const app = express()
        app.use(pkg.clerkMiddleware({ publishableKey: PK_TEST, ...options }))
        app.get('/', (req, res) => res.json(pkg.getAuth(req).debug()))
        const server = await listen(app)
        try {
          const text = await (await fetch(server.url)).text()
          assert.ok(!text.includes('do_not_log'), `${name} ${JSON.stringify(options)}: ${text}`)
          assert.ok(!text.includes('other_secret'), text)
        } finally {
          await server.close()
        }
      }
    }
  } finally {
    if (previous === undefined) delete process.env.CLERK_SECRET_KEY
    else process.env.CLERK_SECRET_KEY = previous
  }
})
