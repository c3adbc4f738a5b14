'use strict'

// Throughput against the no-auth app, measured side by side: the no-auth
// app and one other variant run at the same time, both pinned to the same
// CPU, each loaded by its own autocannon (both pinned to the other CPU).
// The scheduler gives two always-busy processes on one CPU equal shares, so
// the ratio of the requests they complete is the ratio of their speeds, and
// whatever the shared VM does to the CPU's speed meanwhile (this machine's
// no-auth app varies by half from one run to the next) affects both alike.
// The sequential rounds of http-mode.js cannot separate a few percent from
// that drift; this can.
//
// The check that both servers were the bottleneck: together they must have
// used nearly the whole CPU they share, otherwise the load generators were
// too slow and the ratio would flatter the slower server.

const { startServer, checkAnswers, load, startLoad, variants, WARMUP_SECONDS, SECONDS, CONNECTIONS } = require('./http-mode')
const { startFakeClerkApi } = require('../__test__/helpers/fake-clerk-api')
const { BenchError, positiveInteger, quantile } = require('./harness')

const ROUNDS = positiveInteger(process.env.BENCH_SIDE_BY_SIDE_ROUNDS, 7)
// A comma-separated list of variant ids to measure (default: all), to rerun a few.
const ONLY = process.env.BENCH_SIDE_BY_SIDE_ONLY ? new Set(process.env.BENCH_SIDE_BY_SIDE_ONLY.split(',').map((id) => id.trim())) : null
// Below this share of one CPU used by the two servers together, the round is reported as load-bound.
const MIN_BUSY = 0.9

const log = (message) => process.stderr.write(`${message}\n`)

/**
 * Loads both servers for the same `seconds`: the two generators start when
 * both are ready, so neither server has the CPU to itself for a moment.
 */
function loadTogether(servers, token, seconds, pinning) {
  const generators = servers.map((server) => {
    const { child, done } = startLoad(server, token, seconds, pinning, true)
    const ready = new Promise((resolve) => {
      child.stderr.setEncoding('utf8')
      child.stderr.on('data', (chunk) => {
        if (chunk.includes('ready')) resolve()
        else process.stderr.write(chunk)
      })
    })
    return { child, ready, done }
  })
  return Promise.all(generators.map((g) => g.ready)).then(() => {
    for (const g of generators) g.child.stdin.end('go\n')
    return Promise.all(generators.map((g) => g.done))
  })
}

/** One round: the no-auth app and `variant` side by side; their request counts and CPU use. */
async function sideBySide(baseline, variant, context) {
  const servers = []
  try {
    // Started in either order, alternating by round.
    const order = context.round % 2 === 0 ? [baseline, variant] : [variant, baseline]
    for (const v of order) servers.push(await startServer(v, context.baseOptions, context.pinning))
    const [base, other] = order[0] === baseline ? servers : [servers[1], servers[0]]
    for (const server of servers) await checkAnswers(server, context.token, context.tamperedToken)
    await Promise.all(servers.map((server) => load(server, context.token, WARMUP_SECONDS, context.pinning)))
    const before = await Promise.all(servers.map((server) => server.stats()))
    const [baseResult, otherResult] = await loadTogether([base, other], context.token, SECONDS, context.pinning)
    // The servers use CPU only while they are loaded.
    const loadedMicros = Math.max(baseResult.durationSeconds, otherResult.durationSeconds) * 1e6
    const after = await Promise.all(servers.map((server) => server.stats()))
    const cpuOf = (server) => after[servers.indexOf(server)].cpuMicros - before[servers.indexOf(server)].cpuMicros
    const cpuMicros = cpuOf(base) + cpuOf(other)
    const expectedUnexpected = (server) => (server.variant.pkg === 'none' ? 0 : 1)
    servers.forEach((server, i) => {
      if (after[i].unexpectedAnswers !== expectedUnexpected(server)) {
        throw new BenchError(`${server.variant.label}: timed requests were not signed in (side by side)`)
      }
    })
    return {
      ratio: otherResult.requests / baseResult.requests,
      // Each server's CPU per request, in the same seconds on the same CPU.
      addedCpuMicros: cpuOf(other) / otherResult.requests - cpuOf(base) / baseResult.requests,
      busy: cpuMicros / loadedMicros,
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
  }
}

function renderMarkdown(rows) {
  const fixed = (value, digits) => value.toFixed(digits)
  const lines = [
    `## HTTP side by side: each variant and the no-auth app at the same time on one CPU (median of ${ROUNDS} rounds)`,
    '',
    '| variant | × no auth, side by side (IQR) | auth CPU µs/req | rounds | CPU used by the two servers |',
    '|---|--:|--:|--:|--:|',
  ]
  for (const row of rows) {
    lines.push(
      `| ${row.label} | **${fixed(row.ratio, 3)}** (${fixed(row.ratioIqr[0], 3)}–${fixed(row.ratioIqr[1], 3)}) | ` +
        `${fixed(row.addedCpuMicros, 1)} | ${row.rounds.length} | ` +
        `${fixed(100 * row.busyMin, 0)}–${fixed(100 * row.busyMax, 0)} % |`,
    )
  }
  lines.push(
    '',
    `- Both apps pinned to one CPU, ${CONNECTIONS} connections each from two autocannon processes on the other CPU, ` +
      `${WARMUP_SECONDS} s of warm-up then ${SECONDS} s; fresh processes every round, checked as in the sequential rounds.`,
    '- "× no auth, side by side": requests the variant completed over those the no-auth app completed in the same seconds on ' +
      'the same CPU. The two apps share the CPU equally, so this is the ratio of their throughputs, free of the VM\'s drift. ' +
      '"auth CPU µs/req": the variant\'s CPU time per request minus the no-auth app\'s, in the same seconds.',
    '- "reference point" rows (benchmark/floor-middlewares.js) are not Clerk implementations: plain JavaScript that does ' +
      'the least a middleware of that kind can (check the RSA signature on every request; look a verified token up in a ' +
      '`Map` and build an auth object; or only look it up), with no options, environment, cookies or error reasons.',
    `- "CPU used": the two servers' CPU time over the time they were loaded, per round (at least ${100 * MIN_BUSY} % means the servers, not ` +
      'the load generators, set the pace).',
  )
  return lines.join('\n')
}

/**
 * Reference points (benchmark/floor-middlewares.js): the least a middleware
 * of each kind does, in plain JavaScript, measured the same way.
 */
function floorVariants(jwk) {
  return [
    ['verify-every-request', 'a bare `crypto.verify` middleware, every request'],
    ['cached-claims', 'a plain JS token → claims `Map`, no options or environment'],
    ['lookup-only', 'a plain JS token → auth object `Map`, nothing per request but the lookup'],
  ].map(([name, description]) => ({
    id: `floor-${name}`,
    label: `reference point: ${description}`,
    pkg: `floor:${name}`,
    options: { floorJwk: jwk },
  }))
}

async function run({ key, token, tamperedToken, secretKey, publishableKey, labels }) {
  const { cpuPinning } = require('./http-mode')
  const pinning = cpuPinning()
  if (!pinning) {
    log('\nHTTP side by side: skipped (needs taskset and two CPUs).')
    return null
  }
  const [baseline, ...variantsToMeasure] = variants(labels)
  const others = [...variantsToMeasure, ...floorVariants(key.jwk)].filter((variant) => !ONLY || ONLY.has(variant.id))
  log(`\nHTTP side by side: ${ROUNDS} rounds (BENCH_SIDE_BY_SIDE_ROUNDS) × ${others.length} variants against the no-auth app.`)
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  try {
    const baseOptions = { secretKey, publishableKey, apiUrl: api.url }
    const samples = others.map(() => [])
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < others.length; k++) {
        const index = (k + round) % others.length
        samples[index].push(await sideBySide(baseline, others[index], { token, tamperedToken, pinning, baseOptions, round }))
      }
      log(`  side-by-side round ${round + 1}/${ROUNDS} done`)
    }
    const rows = others.map((variant, v) => {
      const ratios = samples[v].map((s) => s.ratio)
      const busy = samples[v].map((s) => s.busy)
      return {
        id: variant.id,
        label: variant.label,
        rounds: samples[v],
        ratio: quantile(ratios, 0.5),
        ratioIqr: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
        addedCpuMicros: quantile(samples[v].map((s) => s.addedCpuMicros), 0.5),
        busyMin: Math.min(...busy),
        busyMax: Math.max(...busy),
        loadBound: busy.some((b) => b < MIN_BUSY),
      }
    })
    return { setup: { rounds: ROUNDS, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS, connections: CONNECTIONS }, rows, markdown: renderMarkdown(rows) }
  } finally {
    await api.close()
  }
}

module.exports = { run, sideBySide, MIN_BUSY }
