'use strict'

// examples/testing/jest and examples/testing/vitest: the copy-pasteable Jest
// and Vitest examples of clerk-express-native/testing (with supertest), each
// run as a child process from this repo with the installed runner, must pass
// all their tests on this package, each suite in under 2 s of the runner's own
// reported time, with nothing but 127.0.0.1. Their configs answer the
// package's names with the repo root's files (moduleNameMapper, resolve.alias)
// and collect only their own folder's tests.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn } = require('node:child_process')

const ROOT = path.join(__dirname, '..')
const JEST = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js')
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs')
const EXAMPLES = path.join('examples', 'testing')
const TESTS = 7
const TARGET_MS = 2000

function run(args) {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT (set by the parent's test runner), the child does not report to a parent runner.
    const { NODE_TEST_CONTEXT, ...parentEnv } = process.env
    // NO_COLOR and FORCE_COLOR=0: summaries without escape codes, so that they parse.
    const env = { ...parentEnv, CLERK_TELEMETRY_DISABLED: '1', NO_COLOR: '1', FORCE_COLOR: '0', CI: '1' }
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output: `${stdout}\n${stderr}` })
    })
  })
}

const toMs = (value, unit) => Number(value) * (unit === 's' ? 1000 : 1)

// Both runners pass under --disallow-code-generation-from-strings too (npm
// test's hardened pass, inherited through NODE_OPTIONS): they compile test and
// app modules through node:vm, not eval or new Function, so neither case is
// skipped in that mode.

test('the Jest example passes against clerk-express-native', async (t) => {
  // --no-cache: every run as a first run, so the time holds without a warm cache from an earlier run.
  const result = await run([JEST, '--config', path.join(EXAMPLES, 'jest', 'jest.config.js'), '--ci', '--no-cache', '--no-watchman'])
  assert.equal(result.code, 0, result.output)
  assert.match(result.output, /^PASS examples\/testing\/jest\/app\.test\.js/m, result.output)
  // Only the example's own file ran: one suite, none of __test__ or the other examples.
  assert.match(result.output, /^Test Suites:\s+1 passed, 1 total$/m, result.output)
  assert.equal(Number(/^Tests:\s+(\d+) passed, (\d+) total$/m.exec(result.output)?.[1]), TESTS, result.output)
  // Jest's "Time": the whole run, environment set-up included.
  const [, value, unit] = /^Time:\s+([\d.]+) (s|ms)/m.exec(result.output) ?? []
  const ms = toMs(value, unit)
  t.diagnostic(`jest reported time: ${ms} ms`)
  assert.ok(ms < TARGET_MS, `Jest took ${ms} ms\n${result.output}`)
})

test('the Vitest example passes against clerk-express-native', async (t) => {
  const result = await run([VITEST, 'run', '--root', path.join(EXAMPLES, 'vitest')])
  assert.equal(result.code, 0, result.output)
  // Only the example's own file ran: one file, none of __test__ or the other examples.
  assert.match(result.output, /^\s+Test Files\s+1 passed \(1\)$/m, result.output)
  assert.ok(result.output.includes(`✓ app.test.js (${TESTS} tests)`), result.output)
  assert.equal(Number(/^\s+Tests\s+(\d+) passed \((\d+)\)$/m.exec(result.output)?.[1]), TESTS, result.output)
  // Vitest's "tests": the time in the tests and their hooks; "Duration" adds start-up.
  const [, value, unit] = /^\s+Duration\s.*\btests ([\d.]+)(s|ms)/m.exec(result.output) ?? []
  const ms = toMs(value, unit)
  t.diagnostic(`vitest reported test time: ${ms} ms`)
  assert.ok(ms < TARGET_MS, `Vitest took ${ms} ms\n${result.output}`)
})
