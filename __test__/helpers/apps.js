'use strict'

// Two Express apps, one on @clerk/express and one on this package, given the
// same options, so a test can send one request to both and compare.

const path = require('node:path')
const reference = require('@clerk/express')
const native = require(path.join(__dirname, '..', '..'))

// Questions asked of `has()` in every probe.
const HAS_QUESTIONS = [
  {},
  { role: 'admin' },
  { role: 'org:admin' },
  { permission: 'org:dashboard:read' },
  { permission: 'dashboard:manage' },
  { feature: 'dashboard' },
  { feature: 'o:dashboard' },
  { feature: 'user:profile' },
  { plan: 'pro' },
  { reverification: 'strict' },
  { reverification: 'strict_mfa' },
  { reverification: { level: 'first_factor', afterMinutes: 5 } },
]

function describeAuth(auth) {
  if (!auth) return auth
  let has
  try {
    has = HAS_QUESTIONS.map((q) => auth.has(q))
  } catch (err) {
    has = `throws ${err.message}`
  }
  return { keys: Object.keys(auth), json: JSON.parse(JSON.stringify(auth)), has }
}

function buildApp(pkg, express, options) {
  const app = express()
  app.use(pkg.clerkMiddleware(options))
  // Every path answers with the auth objects (organization patterns need paths).
  app.all(/.*/, async (req, res) => {
    const describe = (getter) => {
      try {
        return describeAuth(getter())
      } catch (err) {
        return `throws ${err.message}`
      }
    }
    res.json({
      auth: describe(() => pkg.getAuth(req)),
      any: describe(() => pkg.getAuth(req, { acceptsToken: 'any' })),
      pendingAllowed: describe(() => pkg.getAuth(req, { treatPendingAsSignedOut: false })),
      apiKeyOnly: describe(() => pkg.getAuth(req, { acceptsToken: 'api_key' })),
      listed: describe(() => pkg.getAuth(req, { acceptsToken: ['api_key', 'm2m_token'] })),
      token: await Promise.resolve()
        .then(() => req.auth().getToken?.())
        .catch((err) => `throws ${err.message}`),
    })
  })
  // Express's default handler would print the stack; keep the status only.
  app.use((err, _req, res, _next) => res.status(500).json({ error: err.message }))
  return app
}

async function listen(app) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }
}

/** Both apps for the same options, and a `send` that compares their answers. */
async function startPair(express, options) {
  const [ref, ours] = await Promise.all([listen(buildApp(reference, express, options)), listen(buildApp(native, express, options))])
  async function sendTo(base, { path: requestPath = '/probe', method = 'GET', headers = {} } = {}) {
    const response = await fetch(base + requestPath, { method, headers, redirect: 'manual' })
    const clerkHeaders = {}
    // The headers authentication may set: debug headers and handshake redirects.
    for (const [name, value] of response.headers) {
      if (name.startsWith('x-clerk-') || ['location', 'cache-control', 'set-cookie', 'access-control-allow-origin'].includes(name)) {
        clerkHeaders[name] = value
      }
    }
    const text = await response.text()
    let body
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
    return { status: response.status, clerkHeaders, body }
  }
  return {
    send: async (request) => ({ reference: await sendTo(ref.url, request), native: await sendTo(ours.url, request) }),
    close: () => Promise.all([ref.close(), ours.close()]),
  }
}

module.exports = { startPair, buildApp, listen, HAS_QUESTIONS, reference, native }
