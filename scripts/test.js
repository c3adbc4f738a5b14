'use strict'

// `npm test`: formatting and clippy, the Rust unit tests, then the Node tests
// (node's test runner), each printing its own summary; then the Node tests
// of the request path again with every speed-up off (lib/speed-ups.js), so
// that the plain path is held to the same outcomes; then the whole Node
// suite again as hardened deployments run Node, with code generation from
// strings refused. Fails if any fails.
// `npm run test:plain` (`--plain`): only the whole Node suite with every
// speed-up off.

const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')
const run = (command, args, env = {}) => {
  console.log(`\n$ ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status === 0
}
const nodeTests = (files, env = {}) =>
  run(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], { CLERK_TELEMETRY_DISABLED: '1', ...env })
const PLAIN = { CLERK_NATIVE_SPEEDUPS_OFF: 'all' }
const HARDENED = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --disallow-code-generation-from-strings`.trim() }

// The suites whose requests go through the middleware's request path.
const REQUEST_PATH_SUITES = [
  'bearer-differential',
  'browser-differential',
  'token-cache',
  'cookie-leases',
  'repeated-requests',
  'env-configuration',
  'session-refresh',
  'warm-up',
].map((name) => `__test__/${name}.test.js`)

if (process.argv.includes('--plain')) process.exit(nodeTests(['__test__/'], PLAIN) ? 0 : 1)

const lintOk = run('cargo', ['fmt', '--all', '--', '--check']) && run('cargo', ['clippy', '--workspace', '--all-targets', '--quiet', '--', '-D', 'warnings'])
const rustOk = run('cargo', ['test', '--workspace', '--quiet'])
const nodeOk = nodeTests(['__test__/'])
const plainOk = nodeTests(REQUEST_PATH_SUITES, PLAIN)
const hardenedOk = nodeTests(['__test__/'], HARDENED)
process.exit(lintOk && rustOk && nodeOk && plainOk && hardenedOk ? 0 : 1)
