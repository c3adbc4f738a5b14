'use strict'

// Child process of the BENCH_HTTP=1 mode: one Express 5 app on 127.0.0.1,
// `GET /me` → `{"userId": ...}` behind the chosen package's clerkMiddleware
// (or behind no middleware at all, for the Express-only ceiling). A separate
// process so the server gets its own event loop and core, away from the
// load generator. The parent sends `{ pkg, options }` and gets `{ port }`.

const path = require('node:path')

// The parent already cleaned the environment it passes down; do it again so
// this file is safe to start on its own.
for (const name of Object.keys(process.env)) if (name.includes('CLERK_')) delete process.env[name]
process.env.CLERK_TELEMETRY_DISABLED = '1'
process.env.NODE_ENV = 'production'

const express = require('express')

const PACKAGES = {
  reference: () => require('@clerk/express'),
  native: () => require(path.join(__dirname, '..')),
}

function buildApp(pkgName, options) {
  const app = express()
  app.disable('x-powered-by')
  app.disable('etag')
  if (pkgName === 'none') {
    app.get('/me', (_req, res) => res.json({ userId: 'user_x' }))
  } else {
    const pkg = PACKAGES[pkgName]()
    app.use(pkg.clerkMiddleware(options))
    app.get('/me', (req, res) => res.json({ userId: pkg.getAuth(req).userId }))
  }
  // Keep errors short: the parent treats any non-200 as a failure anyway.
  app.use((err, _req, res, _next) => res.status(500).json({ error: String(err && err.message) }))
  return app
}

process.once('message', ({ pkg, options }) => {
  const server = buildApp(pkg, options).listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  // The parent disconnecting the IPC channel means "stop": close the server
  // (and its keep-alive sockets) so this process exits by itself.
  process.once('disconnect', () => {
    server.close()
    server.closeAllConnections()
  })
})
