'use strict'

// examples/testing/node-test: the copy-pasteable node:test example of
// clerk-express-native/testing, run as a child process from this repo (its
// package names answered by examples/testing/resolve-package.js), must pass
// all its tests on this package.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn } = require('node:child_process')

const ROOT = path.join(__dirname, '..')
const EXAMPLE = path.join(ROOT, 'examples', 'testing', 'node-test')

function run(args, env) {
  return new Promise((resolve, reject) => {
    // Without NODE_TEST_CONTEXT (set by the parent's test runner), the child reports in TAP, not to a parent runner.
    const { NODE_TEST_CONTEXT, ...parentEnv } = process.env
    const child = spawn(process.execPath, args, { cwd: EXAMPLE, env: { ...parentEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000)
    child.once('error', reject)
    child.once('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

test('the node:test example passes against clerk-express-native', async () => {
  const result = await run(
    ['--require', path.join(ROOT, 'examples', 'testing', 'resolve-package.js'), '--test-reporter=tap', path.join(EXAMPLE, 'app.test.js')],
    { CLERK_EXAMPLE_ALIAS_REPORT: '1', CLERK_TELEMETRY_DISABLED: '1' },
  )
  const report = `${result.stdout}\n${result.stderr}`
  assert.equal(result.code, 0, report)
  assert.match(result.stdout, /^# pass 6$/m, report)
  assert.match(result.stdout, /^# fail 0$/m, report)
  // Both names came from this repo, not from an installed copy.
  const aliased = JSON.parse(/aliased: (.*)/.exec(result.stderr)[1])
  assert.deepEqual(Object.keys(aliased).sort(), ['clerk-express-native', 'clerk-express-native/testing'])
})

test("the README's testing example is examples/testing/readme/protected-routes.test.js, and it passes", async () => {
  const file = path.join(ROOT, 'examples', 'testing', 'readme', 'protected-routes.test.js')
  const readme = require('node:fs').readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  assert.ok(readme.includes(`\`\`\`js\n${require('node:fs').readFileSync(file, 'utf8')}\`\`\``), 'the README shows the file as it is')
  const result = await run(['--require', path.join(ROOT, 'examples', 'testing', 'resolve-package.js'), '--test-reporter=tap', file], {
    CLERK_TELEMETRY_DISABLED: '1',
  })
  const report = `${result.stdout}\n${result.stderr}`
  assert.equal(result.code, 0, report)
  assert.match(result.stdout, /^# pass 1$/m, report)
  assert.match(result.stdout, /^# fail 0$/m, report)
})
