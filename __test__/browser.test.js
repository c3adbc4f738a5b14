'use strict'

// A real browser (headless Chromium) against an Express app protected by this
// package, with a fake Frontend API and Backend API on 127.0.0.1. The first
// load has no cookies and goes through the handshake; the Frontend API sends
// the browser back with a nonce; the app resolves it (Set-Cookie, 307); the
// next load is signed in from cookies. A screenshot is saved for the output.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { execFile } = require('node:child_process')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')
const { listen, native } = require('./helpers/apps')

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p))
const OUTPUT_DIR = path.join(__dirname, '..', '.test-output')

/** Headless Chromium with the flags this closed network needs; resolves with stdout. */
function chromium(args) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cen-chromium-'))
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    ...args,
  ]
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, flags, { timeout: 60_000, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      fs.rmSync(profile, { recursive: true, force: true })
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr}`))
      else resolve(stdout)
    })
  })
}

const skip = !CHROMIUM && !process.env.CI ? 'chromium is not installed (.ci/run installs it)' : false

test('a browser goes through the handshake once, then is signed in from cookies', { skip, timeout: 120_000 }, async () => {
  assert.ok(CHROMIUM, 'CI must provide /usr/bin/chromium')
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })

  // The fake Frontend API: its handshake endpoint issues cookie directives
  // under a nonce and sends the browser back to redirect_url.
  const handshakes = []
  let nonceCounter = 0
  const fapi = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    if (url.pathname !== '/v1/client/handshake') {
      res.writeHead(404)
      return res.end()
    }
    handshakes.push(Object.fromEntries(url.searchParams))
    const nonce = `nonce_${++nonceCounter}`
    const claims = sessionClaims({ sub: 'user_1', iat: nowSeconds() - 5 })
    api.state.handshakePayloads.set(nonce, [
      `__session=${signToken(key, claims)}; Path=/; SameSite=Lax`,
      `__client_uat=${claims.iat - 1}; Path=/; SameSite=Lax`,
      '__clerk_db_jwt=dvb_browser; Path=/; SameSite=Lax',
    ])
    const back = new URL(url.searchParams.get('redirect_url'))
    back.searchParams.set('__clerk_handshake_nonce', nonce)
    res.writeHead(307, { location: back.toString() })
    res.end()
  })
  await new Promise((r) => fapi.listen(0, '127.0.0.1', r))
  const fapiUrl = `http://127.0.0.1:${fapi.address().port}`

  const seen = []
  const app = express()
  app.use((req, _res, next) => {
    seen.push({ url: req.url, cookies: req.headers.cookie || '' })
    next()
  })
  app.use(
    native.clerkMiddleware({
      publishableKey: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k',
      secretKey: 'sk_test_browser',
      apiUrl: api.url,
      proxyUrl: fapiUrl,
      clerkClient: native.createClerkClient({ secretKey: 'sk_test_browser', apiUrl: api.url }),
    }),
  )
  app.get('/', (req, res) => {
    const { userId, isAuthenticated } = native.getAuth(req)
    res.type('html').send(
      `<!doctype html><html><body style="font:24px sans-serif;padding:40px"><h1 id="state">${
        isAuthenticated ? `signed in as ${userId}` : 'signed out'
      }</h1><p>clerk-express-native browser test</p></body></html>`,
    )
  })
  const server = await listen(app)

  try {
    const dom = await chromium(['--dump-dom', `${server.url}/`])
    assert.match(dom, /<h1 id="state">signed in as user_1<\/h1>/)

    // First load: no cookies, sent to the handshake (dev-browser-missing).
    assert.equal(seen[0].cookies, '')
    assert.equal(handshakes.length, 1)
    assert.equal(handshakes[0].__clerk_hs_reason, 'dev-browser-missing')
    // Back with the nonce: resolved (cookies set, 307 to the clean URL).
    assert.match(seen[1].url, /__clerk_handshake_nonce=nonce_1/)
    // Next load: signed in from the cookies, no second handshake.
    assert.equal(seen[2].url, '/')
    assert.match(seen[2].cookies, /__session=/)
    assert.match(seen[2].cookies, /__clerk_db_jwt=dvb_browser/)

    fs.mkdirSync(OUTPUT_DIR, { recursive: true })
    const screenshot = path.join(OUTPUT_DIR, 'browser-signed-in.png')
    await chromium([`--screenshot=${screenshot}`, '--window-size=800,300', `${server.url}/`])
    assert.ok(fs.statSync(screenshot).size > 1000)
    console.log(`screenshot: ${path.relative(process.cwd(), screenshot)} (${fs.statSync(screenshot).size} bytes)`)
  } finally {
    await server.close()
    await new Promise((r) => fapi.close(r))
    await api.close()
  }
})
