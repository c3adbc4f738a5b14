'use strict'

// `npm run soak`: an Express app with this package's clerkMiddleware, in a
// process of its own, under a steady stream of requests whose credentials
// keep changing: distinct valid session tokens, tampered ones, tokens with
// unknown kids, garbage bearer tokens and cookie sessions, as a busy and
// partly hostile service sees them. The server's RSS is sampled every
// second; the soak passes when it levels off: the highest RSS of the last
// third of the run is within `SOAK_GROWTH_MIB` (default 16) of the highest of
// the middle third. It also fails if the server dies, answers anything but
// 200/401, or the unknown kids make it fetch the JWKS more than once per
// cooldown (5 s).
//
// Environment: SOAK_SECONDS (default 120), SOAK_CONNECTIONS (default 16),
// SOAK_DISTINCT_TOKENS (default 2000), SOAK_GROWTH_MIB.
// Internally, `--server` runs the app (the child process).

const { fork } = require('node:child_process')
const crypto = require('node:crypto')
const http = require('node:http')
const path = require('node:path')

const SECRET_KEY = 'sk_test_soak'
const PUBLISHABLE_KEY = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k' // clerk.example.com

const positive = (value, fallback) => (Number(value) > 0 ? Number(value) : fallback)

if (process.argv.includes('--server')) runServer()
else main().catch((err) => {
  console.error(`soak: ${err.stack || err}`)
  process.exit(1)
})

/** The app: `GET /me` answers 200 with the user id when signed in, else 401. */
function runServer() {
  for (const name of Object.keys(process.env)) if (name.startsWith('CLERK_')) delete process.env[name]
  process.env.CLERK_TELEMETRY_DISABLED = '1'
  const express = require('express')
  const { clerkMiddleware, getAuth } = require(path.join(__dirname, '..'))
  process.once('message', ({ apiUrl }) => {
    const app = express()
    app.use(clerkMiddleware({ secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY, apiUrl }))
    app.get('/me', (req, res) => {
      const { userId } = getAuth(req)
      res.status(userId ? 200 : 401).json({ userId })
    })
    const server = app.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
    process.on('message', (message) => {
      if (message === 'rss') process.send({ rss: process.memoryUsage.rss() })
    })
  })
}

async function main() {
  const seconds = positive(process.env.SOAK_SECONDS, 120)
  const connections = positive(process.env.SOAK_CONNECTIONS, 16)
  const distinct = positive(process.env.SOAK_DISTINCT_TOKENS, 2000)
  const growthLimit = positive(process.env.SOAK_GROWTH_MIB, 16) * 1024 * 1024
  const { createSigningKey, signToken, sessionClaims } = require('../__test__/helpers/tokens')
  const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')

  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  console.log(`soak: signing ${distinct} distinct session tokens ...`)
  const valid = Array.from({ length: distinct }, (_, i) =>
    signToken(key, sessionClaims({ sub: `user_${i}`, sid: `sess_${i}`, jti: crypto.randomBytes(8).toString('hex') })),
  )
  const random = () => crypto.randomBytes(12).toString('base64url')
  // Each request's credential, by kind; the invalid ones are new strings every time.
  const kinds = [
    ['valid', (i) => ({ authorization: `Bearer ${valid[i % valid.length]}` }), 200],
    ['tampered', (i) => ({ authorization: `Bearer ${tamper(valid[i % valid.length], random())}` }), 401],
    ['unknown kid', (i) => ({ authorization: `Bearer ${withKid(valid[i % valid.length], `kid_${random()}`)}` }), 401],
    ['garbage', () => ({ authorization: `Bearer ${random()}.${random()}.${random()}` }), 401],
    ['cookie session', (i) => ({ cookie: `__session=${valid[(i * 7) % valid.length]}; __client_uat=1; __clerk_db_jwt=dvb_soak` }), 200],
  ]

  const server = fork(__filename, ['--server'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  let serverDied = null
  server.on('exit', (code, signal) => (serverDied = `exited with ${signal || code}`))
  const ask = (message, field) =>
    new Promise((resolve) => {
      const onMessage = (reply) => {
        if (reply[field] === undefined) return
        server.off('message', onMessage)
        resolve(reply[field])
      }
      server.on('message', onMessage)
      server.send(message)
    })
  const port = await ask({ apiUrl: api.url }, 'port')
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const counts = Object.fromEntries(kinds.map(([name]) => [name, 0]))
  const wrong = []
  let sent = 0
  let stop = false

  const once = (i) => {
    const [name, headers, expected] = kinds[i % kinds.length]
    return new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/me', agent, headers: { host: 'localhost:3000', ...headers(i) } }, (res) => {
        res.resume()
        res.on('end', () => {
          counts[name]++
          if (res.statusCode !== expected && wrong.length < 10) wrong.push(`${name}: ${res.statusCode}`)
          resolve()
        })
      })
      req.on('error', (err) => {
        if (wrong.length < 10) wrong.push(`${name}: ${err.message}`)
        resolve()
      })
    })
  }
  const loop = async () => {
    while (!stop && !serverDied) await once(sent++)
  }

  console.log(`soak: ${seconds} s, ${connections} connections, credentials: ${kinds.map(([name]) => name).join(', ')}`)
  const samples = []
  const jwksFetchesBefore = api.requestsTo('/v1/jwks').length
  const started = Date.now()
  const loops = Array.from({ length: connections }, loop)
  while (Date.now() - started < seconds * 1000 && !serverDied) {
    await new Promise((resolve) => setTimeout(resolve, 1000))
    samples.push(await ask('rss', 'rss'))
    const elapsed = Math.round((Date.now() - started) / 1000)
    if (elapsed % 10 === 0) console.log(`  ${elapsed} s: ${sent} requests, RSS ${(samples.at(-1) / 1048576).toFixed(1)} MiB`)
  }
  stop = true
  await Promise.all(loops)
  const jwksFetches = api.requestsTo('/v1/jwks').length - jwksFetchesBefore
  server.kill()
  agent.destroy()
  await api.close()

  const third = Math.floor(samples.length / 3)
  const middle = Math.max(...samples.slice(third, 2 * third))
  const last = Math.max(...samples.slice(2 * third))
  const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`
  const maxFetches = Math.ceil(seconds / 5) + 2
  console.log(`\nsoak: ${sent} requests in ${seconds} s (${Math.round(sent / seconds)}/s): ${JSON.stringify(counts)}`)
  console.log(`soak: RSS first ${mib(samples[0])}, highest of the middle third ${mib(middle)}, of the last third ${mib(last)}`)
  console.log(`soak: JWKS fetches ${jwksFetches} (at most ${maxFetches} allowed)`)
  const failures = []
  if (serverDied) failures.push(`the server ${serverDied}`)
  if (wrong.length) failures.push(`unexpected answers: ${wrong.join('; ')}`)
  if (samples.length < 6) failures.push('too few RSS samples')
  else if (last - middle > growthLimit) failures.push(`RSS still growing: +${mib(last - middle)} over the last third`)
  if (jwksFetches > maxFetches) failures.push(`${jwksFetches} JWKS fetches`)
  if (failures.length) {
    console.log(`soak: FAILED: ${failures.join('; ')}`)
    process.exit(1)
  }
  console.log('soak: passed (RSS levelled off)')
}

/** The token with another kid in its header (its signature no longer matches either). */
function withKid(token, kid) {
  const [, payload, signature] = token.split('.')
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url')
  return `${header}.${payload}.${signature}`
}

/** The token with another payload claim (`sub`), its signature unchanged. */
function tamper(token, sub) {
  const [header, payload, signature] = token.split('.')
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  claims.sub = `user_${sub}`
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`
}
