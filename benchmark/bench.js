'use strict'

// `npm run bench`: the per-request cost of authenticating a request that
// carries a valid bearer session token, through @clerk/express and through
// this package, in one process and one run.
//
// Each request goes through the middleware exactly as Express would call it
// (req, res, next), with minimal fake req/res objects and no HTTP, and the
// `next` callback reads `getAuth(req).userId` as a route would. What is timed
// is therefore the middleware plus getAuth, nothing of Express or sockets.
//
// Environment: BENCH_ROUNDS (default 10) rounds. BENCH_HTTP=1 adds an
// end-to-end run through real Express servers, tuned by BENCH_HTTP_ROUNDS
// (default 5) and BENCH_HTTP_CONCURRENCY (default 8); see http-mode.js.
// Results also go to .bench-results/micro.json, backend-api.json (and http.json).

// Both packages read CLERK_* variables (on every request) and NODE_ENV, so
// fix the environment before either is loaded: nothing from the caller's
// shell may change what is measured.
for (const name of Object.keys(process.env)) if (name.includes('CLERK_')) delete process.env[name]
process.env.CLERK_TELEMETRY_DISABLED = '1'
process.env.NODE_ENV = 'production'

const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const reference = require('@clerk/express')
const native = require(path.join(__dirname, '..'))
const { createSigningKey, sessionClaims, signToken, tamperToken } = require('./tokens')
const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')
const { BenchError, positiveInteger, calibrate, runRounds, summarize, quantile } = require('./harness')

const SECRET_KEY = 'sk_test_bench'
const PUBLISHABLE_KEY = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k' // clerk.example.com
const USER_ID = 'user_x'
const BATCH_MS = 200
const ROUNDS = positiveInteger(process.env.BENCH_ROUNDS, 10)
const RESULTS_DIR = path.join(__dirname, '..', '.bench-results')

const REFERENCE_LABEL = '@clerk/express'
const NATIVE_LABEL = 'clerk-express-native'

const log = (message) => process.stderr.write(`${message}\n`)

/** What Express hands the middleware, cut to the fields both packages read. */
/**
 * `carrier`: `header` sends the token as a bearer token; `cookie` as a
 * browser would, in `__session` with a client_uat and a dev-browser cookie.
 */
function fakeRequest(token, carrier = 'header') {
  const headers =
    carrier === 'cookie'
      ? { host: 'localhost:3000', cookie: `__session=${token}; __client_uat=1; __clerk_db_jwt=dvb_bench` }
      : { host: 'localhost:3000', authorization: `Bearer ${token}` }
  return { method: 'GET', url: '/me', originalUrl: '/me', headers, connection: {} }
}

/**
 * A response the middleware should leave alone for a bearer token. If it
 * ends it instead (400 for an unconvertible request, 307 for a handshake),
 * `next` is never called, so report that rather than wait forever.
 */
function fakeResponse(onEnd) {
  return {
    statusCode: 200,
    writableEnded: false,
    appendHeader() {},
    setHeader() {},
    status(code) {
      this.statusCode = code
      return this
    },
    end() {
      this.writableEnded = true
      onEnd(this.statusCode)
    },
  }
}

/**
 * One request through `middleware`, resolving to `getAuth(req).userId`.
 * A fresh req per call, because both middlewares skip a request that
 * already carries their `req.auth`. @clerk/express calls `next` after an
 * await (its middleware returns undefined first); ours may call it before
 * returning. Wrapping both in a Promise and awaiting it handles either.
 */
function authenticateOnce(pkg, middleware, token, carrier) {
  return new Promise((resolve, reject) => {
    const req = fakeRequest(token, carrier)
    const res = fakeResponse((status) => {
      reject(new BenchError(`the middleware ended the response with ${status} instead of calling next()`))
    })
    const next = (err) => {
      if (err) return reject(err)
      try {
        resolve(pkg.getAuth(req).userId)
      } catch (err) {
        reject(err)
      }
    }
    try {
      middleware(req, res, next)
    } catch (err) {
      reject(err)
    }
  })
}

/** A competitor timing n sequential authenticated requests. */
function middlewareCompetitor(name, pkg, middleware, token, carrier) {
  return {
    name,
    async run(n) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < n; i++) {
        const userId = await authenticateOnce(pkg, middleware, token, carrier)
        // Not a speed check: it keeps the result live, and stops the run if
        // a variant silently starts signing requests out (say a cache
        // expiring into a failing refetch) instead of timing the failure.
        if (userId !== USER_ID) throw new BenchError(`${name}: a timed request came back with userId ${userId}`)
      }
      return Number(process.hrtime.bigint() - start)
    },
  }
}

/** The floor: the RSA-2048 signature check alone, key already parsed. */
function verifyFloorCompetitor(key, token) {
  const dot = token.lastIndexOf('.')
  const data = Buffer.from(token.slice(0, dot))
  const signature = Buffer.from(token.slice(dot + 1), 'base64url')
  if (!crypto.verify('RSA-SHA256', data, key.publicKey, signature)) {
    throw new BenchError('floor: the token signature does not verify')
  }
  return {
    name: 'floor',
    async run(n) {
      let valid = 0
      const start = process.hrtime.bigint()
      for (let i = 0; i < n; i++) if (crypto.verify('RSA-SHA256', data, key.publicKey, signature)) valid++
      const elapsed = Number(process.hrtime.bigint() - start)
      if (valid !== n) throw new BenchError('floor: a signature check failed')
      return elapsed
    },
  }
}

/**
 * The harness alone: a no-op middleware through the same fake req/res,
 * Promise and await, i.e. the fixed cost included in every µs/req figure.
 */
function harnessCompetitor() {
  const noop = {
    getAuth: (req) => ({ userId: req.userId }),
    middleware: (req, _res, next) => {
      req.userId = USER_ID
      next()
    },
  }
  return middlewareCompetitor('harness', noop, noop.middleware, '')
}

/**
 * Before anything is timed: every variant must sign in the good token and
 * sign out the tampered one, or the numbers would be about something else.
 * The first good request also fills the JWKS caches (one fetch each).
 */
async function checkCorrectness(variants, goodToken, badToken) {
  const problems = []
  for (const variant of variants) {
    for (const side of [variant.reference, variant.native]) {
      for (const [label, token, expected] of [
        ['valid token', goodToken, USER_ID],
        ['tampered token', badToken, null],
      ]) {
        try {
          const userId = await authenticateOnce(side.pkg, side.middleware, token, variant.carrier)
          if (userId !== expected) {
            problems.push(`${variant.name} / ${side.label} / ${label}: userId ${JSON.stringify(userId)}, expected ${JSON.stringify(expected)}`)
          }
        } catch (err) {
          problems.push(`${variant.name} / ${side.label} / ${label}: ${err && err.message}`)
        }
      }
    }
  }
  if (problems.length) {
    throw new BenchError(`Correctness check failed, nothing was timed:\n  - ${problems.join('\n  - ')}`)
  }
}

const formatMicros = (us) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2))
const formatSummary = (s) => `${formatMicros(s.median)} (IQR ${formatMicros(s.q1)}–${formatMicros(s.q3)})`

function packageVersion(name) {
  try {
    return require(`${name}/package.json`).version
  } catch {
    return 'unknown'
  }
}

function environmentFacts() {
  const cpus = os.cpus()
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus.length,
    cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
    date: new Date().toISOString(),
    clerkExpress: packageVersion('@clerk/express'),
    clerkBackend: packageVersion('@clerk/backend'),
  }
}

function renderMarkdown({ rows, floor, harness, facts, rounds, jwksFetchesDuringTiming }) {
  const lines = [
    `## Bearer session token, per request (median of ${rounds} rounds)`,
    '',
    `| variant | ${REFERENCE_LABEL} µs/req | ${NATIVE_LABEL} µs/req | speed-up |`,
    '|---|--:|--:|--:|',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.variant} | ${formatSummary(row.reference)} | ${formatSummary(row.native)} | ` +
        `**${row.speedup.toFixed(2)}×** (${row.pairedSpeedup.q1.toFixed(2)}–${row.pairedSpeedup.q3.toFixed(2)}) |`,
    )
  }
  lines.push(
    '',
    `- Floor, \`crypto.verify('RSA-SHA256')\` with a cached KeyObject (RSA-2048): ${formatSummary(floor)} µs/op`,
    `- Harness overhead (no-op middleware, same fake req/res and Promise): ${formatSummary(harness)} µs/req, included above`,
    `- JWKS fetches during timing: ${jwksFetchesDuringTiming} (both JWKS caches were warmed by the correctness check)`,
    `- speed-up = ${REFERENCE_LABEL} median / ${NATIVE_LABEL} median; in brackets the IQR of the per-round ratios.`,
    `  Each round runs one ~${BATCH_MS} ms batch of every competitor, in rotated order, sequential requests.`,
    `- ${facts.node}, ${facts.platform}, ${facts.cpus} × ${facts.cpuModel}; ` +
      `@clerk/express ${facts.clerkExpress}, @clerk/backend ${facts.clerkBackend}; ${facts.date}`,
  )
  return lines.join('\n')
}

/** The Backend API client (backend-api.js): ms per operation, both packages, ratios. */
async function runBackendApiBench() {
  log('\nBackend API client ...')
  const rows = await require('./backend-api').run({
    clients: { [REFERENCE_LABEL]: reference.createClerkClient, [NATIVE_LABEL]: native.createClerkClient },
    rounds: ROUNDS,
    log,
  })
  const lines = [
    `| Backend API call (ms per operation, median of ${ROUNDS}) | ${REFERENCE_LABEL} | ${NATIVE_LABEL} | speed-up |`,
    '|---|--:|--:|--:|',
  ]
  for (const { name, results } of rows) {
    const ref = results[REFERENCE_LABEL].median
    const nat = results[NATIVE_LABEL].median
    lines.push(`| ${name} | ${ref.toFixed(2)} | ${nat.toFixed(2)} | **${(ref / nat).toFixed(2)}×** |`)
  }
  process.stdout.write(`\n${lines.join('\n')}\n`)
  fs.mkdirSync(RESULTS_DIR, { recursive: true })
  fs.writeFileSync(path.join(RESULTS_DIR, 'backend-api.json'), `${JSON.stringify(rows, null, 2)}\n`)
}

async function main() {
  log(`Generating an RSA-2048 key and tokens; ${ROUNDS} rounds (BENCH_ROUNDS) of ~${BATCH_MS} ms batches.`)
  const key = createSigningKey()
  const token = signToken(key, sessionClaims())
  const tamperedToken = tamperToken(token)

  const api = await startFakeClerkApi({ keys: [key.jwk] })
  try {
    const jwksOptions = { secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY, apiUrl: api.url }
    const pemOptions = { secretKey: SECRET_KEY, publishableKey: PUBLISHABLE_KEY, jwtKey: key.pem }
    const side = (label, pkg, options) => ({ label, pkg, middleware: pkg.clerkMiddleware(options) })
    const variants = [
      {
        name: 'JWKS (keys cached)',
        reference: side(REFERENCE_LABEL, reference, jwksOptions),
        native: side(NATIVE_LABEL, native, jwksOptions),
      },
      {
        name: 'jwtKey (PEM, no network)',
        reference: side(REFERENCE_LABEL, reference, pemOptions),
        native: side(NATIVE_LABEL, native, pemOptions),
      },
      {
        name: 'cookie session (JWKS cached)',
        carrier: 'cookie',
        reference: side(REFERENCE_LABEL, reference, jwksOptions),
        native: side(NATIVE_LABEL, native, jwksOptions),
      },
    ]

    log('Correctness check (valid token → userId, tampered token → null) ...')
    await checkCorrectness(variants, token, tamperedToken)
    const jwksFetchesBefore = api.requestsTo('/v1/jwks').length

    const competitors = []
    for (const variant of variants) {
      for (const s of [variant.reference, variant.native]) {
        competitors.push(middlewareCompetitor(`${variant.name} / ${s.label}`, s.pkg, s.middleware, token, variant.carrier))
      }
    }
    competitors.push(verifyFloorCompetitor(key, token), harnessCompetitor())

    log('Calibrating batch sizes ...')
    const batchSizes = []
    for (const competitor of competitors) {
      batchSizes.push(await calibrate(competitor, BATCH_MS))
      log(`  ${competitor.name}: ${batchSizes[batchSizes.length - 1]} ops per batch`)
    }

    const samples = await runRounds(competitors, batchSizes, ROUNDS, (round) => log(`  round ${round}/${ROUNDS} done`))
    const jwksFetchesDuringTiming = api.requestsTo('/v1/jwks').length - jwksFetchesBefore

    const rows = variants.map((variant, v) => {
      const referenceSamples = samples[2 * v]
      const nativeSamples = samples[2 * v + 1]
      const ref = summarize(referenceSamples)
      const nat = summarize(nativeSamples)
      // Same-round ratios: both batches ran within about a second of each
      // other, so their spread shows how stable the speed-up itself is.
      const paired = referenceSamples.map((us, i) => us / nativeSamples[i])
      return {
        variant: variant.name,
        reference: { ...ref, batchSize: batchSizes[2 * v] },
        native: { ...nat, batchSize: batchSizes[2 * v + 1] },
        speedup: ref.median / nat.median,
        pairedSpeedup: { median: quantile(paired, 0.5), q1: quantile(paired, 0.25), q3: quantile(paired, 0.75), samples: paired },
      }
    })
    const floor = { ...summarize(samples[competitors.length - 2]), batchSize: batchSizes[competitors.length - 2] }
    const harness = { ...summarize(samples[competitors.length - 1]), batchSize: batchSizes[competitors.length - 1] }
    const facts = environmentFacts()
    const results = { facts, rounds: ROUNDS, batchMs: BATCH_MS, unit: 'µs', rows, floor, harness, jwksFetchesDuringTiming }

    process.stdout.write(`\n${renderMarkdown(results)}\n`)

    fs.mkdirSync(RESULTS_DIR, { recursive: true })
    const jsonPath = path.join(RESULTS_DIR, 'micro.json')
    fs.writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`)
    log(`\nWrote ${path.relative(process.cwd(), jsonPath) || jsonPath}`)
  } finally {
    await api.close()
  }

  await runBackendApiBench()

  if (process.env.BENCH_HTTP === '1') {
    await require('./http-mode').run({
      key,
      token,
      tamperedToken,
      secretKey: SECRET_KEY,
      publishableKey: PUBLISHABLE_KEY,
      labels: { reference: REFERENCE_LABEL, native: NATIVE_LABEL },
      facts: environmentFacts(),
      resultsDir: RESULTS_DIR,
    })
  }
}

main().catch((err) => {
  if (err instanceof BenchError) log(`\nbench: ${err.message}`)
  else log(`\nbench: unexpected failure\n${(err && err.stack) || err}`)
  process.exitCode = 1
})
