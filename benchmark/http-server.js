'use strict'

// Child process of the HTTP benchmark: one Express 5 app on 127.0.0.1,
// `GET /me` → `{"userId": ...}` behind the chosen package's clerkMiddleware
// (or behind no middleware at all, the no-auth baseline). Each variant gets
// its own process, so each has its own event loop, heap and peak RSS.
//
// Protocol (IPC): the parent sends `{ pkg, options, expectedUserId }` and
// gets `{ port }`; then `{ stats: true }` answers with this process's CPU
// time, peak RSS, how many answers had another userId than expected (a
// correctness guard: a server that starts signing requests out must not
// look fast) and how long the middleware took on the first request.

const path = require('node:path')
const { performance } = require('node:perf_hooks')

// The parent already cleaned the environment it passes down; do it again so
// this file is safe to start on its own.
// The ablation's switches (lib/speed-ups.js) are the one exception.
for (const name of Object.keys(process.env)) if (name.includes('CLERK_') && name !== 'CLERK_NATIVE_SPEEDUPS_OFF') delete process.env[name]
process.env.CLERK_TELEMETRY_DISABLED = '1'
process.env.NODE_ENV = 'production'

const express = require('express')

const PACKAGES = {
  reference: () => require('@clerk/express'),
  native: () => require(path.join(__dirname, '..')),
}
// The reference points, `floor:<name>` (benchmark/floor-middlewares.js).
const floorOf = (pkgName) => pkgName.startsWith('floor:') && require('./floor-middlewares')[pkgName.slice('floor:'.length)]

let unexpectedAnswers = 0
let firstAuthMs = null
let createMs = null

/** The middleware, timing its first call (the cold path: JWKS fetch, first verification). */
function timeFirstCall(middleware) {
  let first = true
  return (req, res, next) => {
    if (!first) return middleware(req, res, next)
    first = false
    const started = performance.now()
    return middleware(req, res, (err) => {
      firstAuthMs = performance.now() - started
      next(err)
    })
  }
}

function buildApp(pkgName, options, expectedUserId) {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  const answer = (res, userId) => {
    if (userId !== expectedUserId) unexpectedAnswers++
    res.json({ userId })
  }
  if (pkgName === 'none') {
    app.get('/me', (_req, res) => answer(res, expectedUserId))
  } else {
    const pkg = floorOf(pkgName) || PACKAGES[pkgName]()
    const started = performance.now()
    const middleware = pkg.clerkMiddleware(options)
    createMs = performance.now() - started
    app.use(timeFirstCall(middleware))
    app.get('/me', (req, res) => answer(res, pkg.getAuth(req).userId))
  }
  // Keep errors short: the parent treats any non-200 as a failure anyway.
  app.use((err, _req, res, _next) => res.status(500).json({ error: String(err && err.message) }))
  return app
}

/** What an agent costs at least: a handler on every channel (README, "Observability") that does nothing. */
function subscribeToDiagnostics() {
  const diagnosticsChannel = require('node:diagnostics_channel')
  const ignore = () => {}
  for (const name of ['clerk:jwks:fetch', 'clerk:backend-api:request', 'clerk:cache', 'clerk:webhook:verify']) {
    diagnosticsChannel.subscribe(name, ignore)
  }
  diagnosticsChannel
    .tracingChannel('clerk:authenticate')
    .subscribe({ start: ignore, end: ignore, asyncStart: ignore, asyncEnd: ignore, error: ignore })
}

function stats() {
  const cpu = process.cpuUsage()
  return {
    cpuMicros: cpu.user + cpu.system,
    maxRssKiB: process.resourceUsage().maxRSS,
    unexpectedAnswers,
    firstAuthMs,
    createMs,
  }
}

process.on('message', (message) => {
  if (message.stats) {
    process.send({ stats: stats() })
    return
  }
  const { pkg, options, expectedUserId, observe } = message
  if (observe) subscribeToDiagnostics()
  const server = buildApp(pkg, options, expectedUserId).listen(0, '127.0.0.1', () =>
    process.send({ port: server.address().port }),
  )
  // The parent disconnecting the IPC channel means "stop": close the server
  // (and its keep-alive sockets) so this process exits by itself.
  process.once('disconnect', () => {
    server.close()
    server.closeAllConnections()
  })
})
