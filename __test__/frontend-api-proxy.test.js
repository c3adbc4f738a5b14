'use strict'

// frontendApiProxy (checklist items 68-69): requests under the proxy path are
// forwarded to a fake Frontend API by both packages; the upstream sees the
// same headers and body, the browser gets the same answer, except that this
// package keeps every Set-Cookie (the reference keeps the last one).

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const express = require('express')
const { listen, reference, native } = require('./helpers/apps')
const { normalise } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
// Transport details that legitimately differ between HTTP clients.
const TRANSPORT = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'date'])

describe('frontendApiProxy', () => {
  let fapi
  const seen = []
  before(async () => {
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([n]) => !TRANSPORT.has(n)))
        seen.push({ method: req.method, url: req.url, headers, body })
        if (req.url.startsWith('/v1/redirect')) {
          res.writeHead(302, { location: `http://127.0.0.1:${server.address().port}/v1/landing?y=2#frag` })
          return res.end()
        }
        res.writeHead(req.url.includes('missing') ? 404 : 200, {
          'content-type': 'application/json',
          'set-cookie': ['__client=abc; Path=/; HttpOnly', '__client_uat=123; Path=/'],
          'x-upstream': 'fapi',
        })
        res.end(JSON.stringify({ path: req.url, method: req.method }))
      })
    })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    fapi = { server, url: `http://127.0.0.1:${server.address().port}` }
    process.env.CLERK_FAPI_URL = fapi.url
  })
  after(async () => {
    delete process.env.CLERK_FAPI_URL
    await new Promise((r) => fapi.server.close(r))
  })

  async function through(pkg, options, { path, method = 'GET', headers = {}, body } = {}) {
    const app = express()
    app.use(pkg.clerkMiddleware(options))
    app.all(/.*/, (req, res) => res.json({ app: true, status: req.auth().isAuthenticated }))
    const server = await listen(app)
    const start = seen.length
    try {
      const response = await fetch(server.url + path, { method, headers, body, redirect: 'manual' })
      const responseHeaders = {}
      for (const [name, value] of response.headers) if (!TRANSPORT.has(name) && name !== 'set-cookie') responseHeaders[name] = value
      return normalise({
        status: response.status,
        headers: responseHeaders,
        cookies: response.headers.getSetCookie(),
        body: await response.text(),
        upstream: seen.slice(start),
      })
    } finally {
      await server.close()
    }
  }

  const options = { secretKey: 'sk_test_proxy', publishableKey: PK_TEST, frontendApiProxy: { enabled: true } }

  test('GET and POST under the proxy path reach the Frontend API with the same headers', async () => {
    for (const request of [
      { path: '/__clerk/v1/client?_clerk_js_version=5&x=a%20b', headers: { 'x-custom': 'yes', 'x-forwarded-for': '10.0.0.1, 10.0.0.2' } },
      { path: '/__clerk', headers: { 'x-forwarded-host': 'public.test', 'x-forwarded-proto': 'https' } },
      // Present but empty: both packages drop them on the way in, so the URL's host and scheme are forwarded.
      { path: '/__clerk/v1/client', headers: { 'x-forwarded-host': '', 'x-forwarded-proto': '', 'x-forwarded-for': '', 'x-real-ip': '' } },
      { path: '/__clerk/v1/client/sessions', method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': '1.2.3.4' }, body: '{"a":1}' },
      { path: '/__clerk/v1/missing' },
    ]) {
      const a = await through(reference, options, request)
      const b = await through(native, options, request)
      assert.deepEqual({ ...b, cookies: undefined }, { ...a, cookies: undefined }, request.path)
      assert.equal(a.upstream.length, 1)
      assert.equal(a.upstream[0].headers['clerk-secret-key'], 'sk_test_proxy')
      // The documented difference: every Set-Cookie survives.
      assert.deepEqual(a.cookies, ['__client_uat=123; Path=/'])
      assert.deepEqual(b.cookies, ['__client=abc; Path=/; HttpOnly', '__client_uat=123; Path=/'])
    }
  })

  test('a Location on the Frontend API host is rewritten to the proxy', async () => {
    const a = await through(reference, options, { path: '/__clerk/v1/redirect' })
    const b = await through(native, options, { path: '/__clerk/v1/redirect' })
    assert.deepEqual(b, a)
    assert.match(a.headers.location, /\/__clerk\/v1\/landing\?y=2#frag$/)
  })

  test('other paths are authenticated, with the proxy as proxyUrl; custom path and enabled()', async () => {
    const browser = { 'sec-fetch-dest': 'document' }
    for (const [opts, path] of [
      [options, '/dashboard'],
      [{ ...options, frontendApiProxy: { enabled: true, path: '/clerk-proxy/' } }, '/clerk-proxy/v1/client'],
      [{ ...options, frontendApiProxy: { enabled: (url) => url.searchParams.has('proxy') } }, '/__clerk/v1/client'],
      [{ ...options, frontendApiProxy: { enabled: (url) => url.searchParams.has('proxy') } }, '/__clerk/v1/client?proxy=1'],
      [{ ...options, frontendApiProxy: { enabled: true, path: '/' } }, '/__clerk/v1/client'],
    ]) {
      const a = await through(reference, opts, { path, headers: browser })
      const b = await through(native, opts, { path, headers: browser })
      assert.deepEqual({ ...b, cookies: undefined }, { ...a, cookies: undefined }, path)
    }
  })

  test('configuration and network errors are JSON answers', async () => {
    for (const [opts, env] of [
      [{ ...options, publishableKey: '', secretKey: 'sk_test_x' }, {}],
      [{ ...options, secretKey: '' }, {}],
      [options, { CLERK_FAPI_URL: 'ftp://fapi.test' }],
      [options, { CLERK_FAPI_URL: 'http://127.0.0.1:9' }],
    ]) {
      const saved = process.env.CLERK_FAPI_URL
      Object.assign(process.env, env)
      try {
        const a = await through(reference, opts, { path: '/__clerk/v1/client' })
        const b = await through(native, opts, { path: '/__clerk/v1/client' })
        if (env.CLERK_FAPI_URL?.endsWith(':9')) {
          // Node's fetch and reqwest word a refused connection differently.
          assert.equal(b.status, a.status)
          assert.equal(JSON.parse(b.body).errors[0].code, JSON.parse(a.body).errors[0].code)
        } else {
          assert.deepEqual(b, a)
        }
      } finally {
        process.env.CLERK_FAPI_URL = saved
      }
    }
  })

  test('bodies past maxBodyBytes: a request is answered 413 unsent, an answer 502', async () => {
    const limited = { ...options, frontendApiProxy: { enabled: true, maxBodyBytes: 20 } }
    const post = { path: '/__clerk/v1/client/sessions', method: 'POST', headers: { 'content-type': 'application/json' } }
    const over = await through(native, limited, { ...post, body: `{"a":"${'x'.repeat(20)}"}` })
    assert.equal(over.status, 413)
    assert.equal(JSON.parse(over.body).errors[0].code, 'proxy_request_too_large')
    assert.equal(over.upstream.length, 0, 'nothing reached the Frontend API')
    // The fake's answers are over 20 bytes: forwarded, refused on the way back.
    const answer = await through(native, limited, { ...post, body: '{"a":1}' })
    assert.equal(answer.upstream.length, 1)
    assert.equal(answer.status, 502)
    assert.deepEqual(JSON.parse(answer.body).errors[0], {
      code: 'proxy_request_failed',
      message: 'Failed to proxy request to Clerk FAPI: the answer is longer than 20 bytes',
    })
    // Within the default limit the same requests go through.
    assert.equal((await through(native, options, { ...post, body: `{"a":"${'x'.repeat(20)}"}` })).status, 200)
  })
})
