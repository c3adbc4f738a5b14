'use strict'

// Smoke test of one built package root (the project's JS files beside a
// .node), in whatever Node runs this script: the native Node, or another
// architecture's Node under qemu. It answers "does this binary load and do its
// job here", not "is it the same as @clerk/express" (the test suite does that).
//
//   node scripts/smoke-test.js [packageRoot] [--expect <file.node>]
//
// packageRoot defaults to the repository root. --expect fails the run unless
// the addon that got loaded has that file name, so that a staged copy cannot
// pass on some other binary found along the way. Dependencies (express) are
// resolved from packageRoot first, then from this repository.

const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')

const repoRoot = path.join(__dirname, '..')
const { startFakeClerkApi } = require(path.join(repoRoot, '__test__', 'helpers', 'fake-clerk-api.js'))
const { createSigningKey, signToken, sessionClaims, b64url } = require(
  path.join(repoRoot, '__test__', 'helpers', 'tokens.js'),
)

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const USER_ID = 'user_1'
const WEBHOOK_SECRET = `whsec_${crypto.randomBytes(24).toString('base64')}`
// Emulated runs are tens of times slower than native ones.
const TIMEOUT_MS = Number(process.env.SMOKE_TIMEOUT_MS) || 240000

function parseArgs(argv) {
  const args = { root: repoRoot, expect: null }
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--expect') args.expect = argv[++i]
    else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log('usage: node scripts/smoke-test.js [packageRoot] [--expect <file.node>]')
      process.exit(0)
    } else args.root = path.resolve(argv[i])
  }
  return args
}

const results = []

async function check(name, fn) {
  const started = process.hrtime.bigint()
  try {
    const detail = await fn()
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    results.push({ name, ok: true })
    console.log(`ok   ${name} (${ms.toFixed(0)} ms)${detail ? `: ${detail}` : ''}`)
  } catch (err) {
    results.push({ name, ok: false })
    console.log(`FAIL ${name}: ${err && err.stack ? err.stack : err}`)
    // The loader's own error (which file, which symbol) is the useful part.
    if (err && err.cause) console.log(`     cause: ${err.cause.stack || err.cause}`)
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message)
}

function requireFrom(root, name) {
  return require(require.resolve(name, { paths: [root, repoRoot] }))
}

/** The .node files this process has loaded, from the module cache and the diagnostic report. */
function loadedAddons() {
  const fromCache = Object.keys(require.cache).filter((file) => file.endsWith('.node'))
  let fromReport = []
  try {
    process.report.excludeNetwork = true
    fromReport = (process.report.getReport().sharedObjects || []).filter((file) => file.endsWith('.node'))
  } catch {}
  return [...new Set([...fromCache, ...fromReport])]
}

function libcOf() {
  try {
    const header = process.report.getReport().header
    if (header.glibcVersionRuntime) return `glibc ${header.glibcVersionRuntime}`
  } catch {}
  return 'not glibc (or unknown)'
}

async function listen(app) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.()
        server.close(resolve)
      }),
  }
}

function webhookSignature(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`
}

async function main() {
  const { root, expect } = parseArgs(process.argv.slice(2))
  console.log(`smoke test of ${root}`)
  console.log(`node ${process.version} ${process.platform}-${process.arch}, libc: ${libcOf()}`)
  assert(fs.existsSync(path.join(root, 'package.json')), `no package.json in ${root}`)

  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  // clerkClient is configured from the environment, like in a user's app.
  Object.assign(process.env, {
    CLERK_SECRET_KEY: 'sk_test_smoke',
    CLERK_PUBLISHABLE_KEY: PK_TEST,
    CLERK_API_URL: api.url,
    CLERK_TELEMETRY_DISABLED: '1',
  })

  let pkg
  let webhooks
  let express
  let app
  let server
  try {
    await check('require() of the package', () => {
      pkg = require(root)
      webhooks = require(path.join(root, 'webhooks'))
      const addons = loadedAddons()
      assert(addons.length === 1, `expected one loaded .node, got ${JSON.stringify(addons)}`)
      if (expect) assert(path.basename(addons[0]) === expect, `loaded ${addons[0]}, expected ${expect}`)
      for (const name of ['clerkMiddleware', 'getAuth', 'clerkClient']) assert(pkg[name], `no export ${name}`)
      assert(typeof webhooks.verifyWebhook === 'function', 'no verifyWebhook in ./webhooks')
      return `loaded ${path.relative(process.cwd(), addons[0]) || addons[0]}`
    })
    if (!pkg) throw new Error('the package did not load; nothing else to check')

    express = requireFrom(root, 'express')
    app = express()
    app.use(pkg.clerkMiddleware({ publishableKey: PK_TEST, secretKey: 'sk_test_smoke', apiUrl: api.url }))
    app.get('/me', async (req, res) => {
      const auth = pkg.getAuth(req)
      if (!auth.userId) return res.status(401).json({ signedOut: true, isAuthenticated: auth.isAuthenticated })
      const user = await pkg.clerkClient.users.getUser(auth.userId)
      res.json({ userId: auth.userId, sessionId: auth.sessionId, firstName: user.firstName })
    })
    app.post('/webhook', express.raw({ type: '*/*' }), async (req, res) => {
      try {
        res.json({ event: await webhooks.verifyWebhook(req, { signingSecret: WEBHOOK_SECRET }) })
      } catch (err) {
        res.status(400).json({ error: err.message })
      }
    })
    app.use((err, _req, res, _next) => res.status(500).json({ error: err.message }))
    server = await listen(app)

    const get = async (token) => {
      const headers = token ? { authorization: `Bearer ${token}` } : {}
      const response = await fetch(`${server.url}/me`, { headers })
      return {
        status: response.status,
        authStatus: response.headers.get('x-clerk-auth-status'),
        reason: response.headers.get('x-clerk-auth-reason'),
        body: await response.json(),
      }
    }
    const token = signToken(key, sessionClaims({ sub: USER_ID }))

    await check('signed-in request (200, users.getUser answered by the fake API)', async () => {
      const answer = await get(token)
      assert(answer.status === 200, `status ${answer.status}: ${JSON.stringify(answer)}`)
      assert(answer.body.userId === USER_ID && answer.body.firstName === 'Ada', `body ${JSON.stringify(answer.body)}`)
      assert(api.requestsTo(`/v1/users/${USER_ID}`).length === 1, 'the fake API saw no GET /v1/users/user_1')
      return `userId ${answer.body.userId}, firstName ${answer.body.firstName}`
    })

    await check('JWKS fetched from the fake Clerk API', () => {
      const fetches = api.requestsTo('/v1/jwks')
      assert(fetches.length >= 1, 'no request to /v1/jwks')
      const auth = fetches[0].headers.authorization
      assert(auth === 'Bearer sk_test_smoke', `JWKS request authorization ${auth}`)
      return `${fetches.length} request(s) to /v1/jwks`
    })

    await check('signed-out request without a token (401, signed-out)', async () => {
      const answer = await get(null)
      assert(answer.status === 401, `status ${answer.status}`)
      assert(answer.body.isAuthenticated === false, `body ${JSON.stringify(answer.body)}`)
      assert(answer.authStatus === 'signed-out', `x-clerk-auth-status ${answer.authStatus}`)
      return `status ${answer.status}, x-clerk-auth-status ${answer.authStatus}, reason ${answer.reason}`
    })

    await check('tampered token signed out with token-invalid-signature', async () => {
      const [header, , signature] = token.split('.')
      const tampered = `${header}.${b64url(JSON.stringify(sessionClaims({ sub: 'user_evil' })))}.${signature}`
      const answer = await get(tampered)
      assert(answer.status === 401, `status ${answer.status}`)
      assert(answer.authStatus === 'signed-out', `x-clerk-auth-status ${answer.authStatus}`)
      assert(answer.reason === 'token-invalid-signature', `x-clerk-auth-reason ${answer.reason}`)
      return `status ${answer.status}, reason ${answer.reason}`
    })

    const body = JSON.stringify({
      type: 'user.created',
      object: 'event',
      data: { id: USER_ID },
      timestamp: 1,
      instance_id: 'ins_1',
    })
    const sendWebhook = async (secret) => {
      const id = 'msg_smoke'
      const timestamp = String(Math.floor(Date.now() / 1000))
      const headers = {
        'content-type': 'application/json',
        'svix-id': id,
        'svix-timestamp': timestamp,
        'svix-signature': webhookSignature(secret, id, timestamp, body),
      }
      const response = await fetch(`${server.url}/webhook`, { method: 'POST', headers, body })
      return { status: response.status, body: await response.json() }
    }

    await check('verifyWebhook accepts a correctly signed svix webhook', async () => {
      const answer = await sendWebhook(WEBHOOK_SECRET)
      assert(answer.status === 200, `status ${answer.status}: ${JSON.stringify(answer.body)}`)
      assert(
        answer.body.event.type === 'user.created' && answer.body.event.data.id === USER_ID,
        JSON.stringify(answer.body),
      )
      return `event ${answer.body.event.type}`
    })

    await check('verifyWebhook refuses a wrongly signed svix webhook', async () => {
      const answer = await sendWebhook(`whsec_${crypto.randomBytes(24).toString('base64')}`)
      assert(answer.status === 400, `status ${answer.status}: ${JSON.stringify(answer.body)}`)
      assert(/Unable to verify incoming webhook/.test(answer.body.error), `error ${answer.body.error}`)
      return answer.body.error
    })
  } finally {
    if (server) await server.close()
    await api.close()
  }
}

const watchdog = setTimeout(() => {
  console.log(`FAIL smoke test still running after ${TIMEOUT_MS} ms`)
  process.exit(2)
}, TIMEOUT_MS)
watchdog.unref()

main()
  .catch((err) => {
    results.push({ name: 'smoke test', ok: false })
    console.log(`FAIL ${err && err.stack ? err.stack : err}`)
  })
  .finally(() => {
    const failed = results.filter((r) => !r.ok).length
    console.log(`smoke: ${results.length - failed} passed, ${failed} failed`)
    // The addon's runtime threads must not keep a finished run alive.
    process.exit(failed ? 1 : 0)
  })
