'use strict'

// One middleware, many requests, with what they depend on changing between
// them: environment variables (read on every request), an options array
// changed in place, and a relative proxy URL made absolute against each
// request's host. The middleware reuses its resolved options while they
// resolve to the same values, so each change must still show on the very
// next request, exactly as with @clerk/express. This file runs in its own
// process (node --test), so changing process.env here affects nothing else.

const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { listen, reference, native } = require('./helpers/apps')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const CLERK_VARIABLES = [
  'CLERK_SECRET_KEY',
  'CLERK_PUBLISHABLE_KEY',
  'CLERK_API_URL',
  'CLERK_PROXY_URL',
  'CLERK_DOMAIN',
]

let api
let key

before(async () => {
  key = createSigningKey()
  api = await startFakeClerkApi({ keys: [key.jwk] })
})

after(async () => {
  await api.close()
  for (const name of CLERK_VARIABLES) delete process.env[name]
})

/** A GET with exactly these headers (fetch would not send a Host header of ours). */
function get(url, headers) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => (body += chunk))
      response.on('end', () => {
        const reason = response.headers['x-clerk-auth-reason'] ?? null
        resolve({ status: response.statusCode, reason, body: JSON.parse(body) })
      })
    })
    request.on('error', reject)
  })
}

/** One app per package with the same middleware options; `send` asks both. */
async function startBoth(middlewareOptions) {
  const servers = []
  for (const pkg of [reference, native]) {
    const app = express()
    app.use(pkg.clerkMiddleware(middlewareOptions))
    app.get('/', (req, res) => {
      const auth = pkg.getAuth(req)
      // The fields of `debug()` that these requests change (its other fields are internal).
      const debug = auth.userId ? {} : auth.debug()
      res.json({ userId: auth.userId, domain: debug.domain, proxyUrl: debug.proxyUrl })
    })
    app.use((err, _req, res, _next) => res.status(500).json({ error: err.message.split('\n')[0] }))
    servers.push(await listen(app))
  }
  return {
    async send(headers) {
      const answers = []
      for (const server of servers) answers.push(await get(server.url, headers))
      assert.deepEqual(answers[1], answers[0])
      return answers[0]
    },
    close: () => Promise.all(servers.map((server) => server.close())),
  }
}

test('keys from the environment: a change shows on the next request of the same middleware', async () => {
  process.env.CLERK_SECRET_KEY = 'sk_test_repeated'
  process.env.CLERK_PUBLISHABLE_KEY = PK_TEST
  process.env.CLERK_API_URL = api.url
  const token = signToken(key, sessionClaims({ sub: 'user_env' }))
  const both = await startBoth({ apiUrl: api.url })
  try {
    const bearer = { authorization: `Bearer ${token}` }
    assert.equal((await both.send(bearer)).body.userId, 'user_env')
    assert.equal((await both.send(bearer)).body.userId, 'user_env')
    process.env.CLERK_DOMAIN = 'satellite.example.com'
    assert.equal((await both.send({})).body.domain, 'satellite.example.com')
    delete process.env.CLERK_DOMAIN
    assert.equal((await both.send({})).body.domain, '')
    // The request's keys come from the environment; without one, the client's (built with the first) answers.
    process.env.CLERK_SECRET_KEY = 'sk_test_other'
    assert.equal((await both.send(bearer)).body.userId, 'user_env')
    delete process.env.CLERK_SECRET_KEY
    assert.equal((await both.send(bearer)).body.userId, 'user_env')
  } finally {
    await both.close()
    for (const name of CLERK_VARIABLES) delete process.env[name]
  }
})

test('authorizedParties changed in place between requests', async () => {
  const parties = ['https://other.example.com']
  const token = signToken(key, sessionClaims({ sub: 'user_azp', azp: 'https://app.example.com' }))
  const options = { secretKey: 'sk_test_azp', publishableKey: PK_TEST, apiUrl: api.url, authorizedParties: parties }
  const both = await startBoth(options)
  try {
    const bearer = { authorization: `Bearer ${token}` }
    assert.equal((await both.send(bearer)).body.userId, null)
    parties.push('https://app.example.com')
    assert.equal((await both.send(bearer)).body.userId, 'user_azp')
    parties.length = 0
    parties.push('https://third.example.com')
    assert.equal((await both.send(bearer)).body.userId, null)
  } finally {
    await both.close()
  }
})

test('a relative proxy URL is made absolute for each request, not once', async () => {
  process.env.CLERK_PROXY_URL = '/__clerk'
  const both = await startBoth({ secretKey: 'sk_test_proxy', publishableKey: PK_TEST, apiUrl: api.url })
  try {
    const first = await both.send({ host: 'one.example.com' })
    assert.equal(first.body.proxyUrl, 'http://one.example.com/__clerk')
    const second = await both.send({ host: 'two.example.com' })
    assert.equal(second.body.proxyUrl, 'http://two.example.com/__clerk')
    // Without the variable, the client (built with it) still supplies it.
    delete process.env.CLERK_PROXY_URL
    assert.equal((await both.send({ host: 'three.example.com' })).body.proxyUrl, 'http://three.example.com/__clerk')
  } finally {
    await both.close()
    delete process.env.CLERK_PROXY_URL
  }
})

test("production keys: Vercel's automatic proxy follows its variables from one request to the next", async () => {
  const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'
  const both = await startBoth({ secretKey: 'sk_live_vercel', publishableKey: PK_LIVE, apiUrl: api.url })
  const host = { host: 'my-app.example.com' }
  try {
    assert.equal((await both.send(host)).body.proxyUrl, '')
    process.env.VERCEL_TARGET_ENV = 'production'
    process.env.VERCEL_PROJECT_PRODUCTION_URL = 'my-app.vercel.app'
    assert.equal((await both.send(host)).body.proxyUrl, 'http://my-app.example.com/__clerk')
    process.env.CLERK_DISABLE_AUTO_PROXY = 'true'
    assert.equal((await both.send(host)).body.proxyUrl, '')
    delete process.env.CLERK_DISABLE_AUTO_PROXY
    process.env.VERCEL_PROJECT_PRODUCTION_URL = 'https://my-app.example.org'
    assert.equal((await both.send(host)).body.proxyUrl, '')
  } finally {
    await both.close()
    delete process.env.VERCEL_TARGET_ENV
    delete process.env.VERCEL_PROJECT_PRODUCTION_URL
    delete process.env.CLERK_DISABLE_AUTO_PROXY
  }
})

test('in a worker thread (its own process.env), a change shows on the next request too', async () => {
  const { Worker } = require('node:worker_threads')
  // The worker changes its own copy of the environment between requests; the
  // main thread's environment, which the addon watches, never changes.
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const pkg = require(workerData.packagePath)
    const { pk, apiUrl } = workerData
    const middleware = pkg.clerkMiddleware({ secretKey: 'sk_test_worker', publishableKey: pk, apiUrl })
    const domainOf = () => new Promise((resolve, reject) => {
      const req = { method: 'GET', url: '/', originalUrl: '/', headers: { host: 'localhost' }, connection: {} }
      const res = { writableEnded: false, appendHeader() {}, status: () => res, end: () => reject(new Error('ended')) }
      middleware(req, res, (err) => (err ? reject(err) : resolve(pkg.getAuth(req).debug().domain)))
    })
    ;(async () => {
      const domains = [await domainOf()]
      process.env.CLERK_DOMAIN = 'one.example.com'
      domains.push(await domainOf())
      process.env.CLERK_DOMAIN = 'two.example.com'
      domains.push(await domainOf())
      delete process.env.CLERK_DOMAIN
      domains.push(await domainOf())
      parentPort.postMessage(domains)
    })().catch((err) => parentPort.postMessage(String(err)))
  `
  const worker = new Worker(code, {
    eval: true,
    workerData: { packagePath: require('node:path').join(__dirname, '..'), pk: PK_TEST, apiUrl: api.url },
  })
  const domains = await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  await worker.terminate()
  assert.deepEqual(domains, ['', 'one.example.com', 'two.example.com', ''])
  assert.equal(process.env.CLERK_DOMAIN, undefined)
})
