'use strict'

// `npm test`: formatting and clippy, the Rust unit tests, then the Node tests
// (node's test runner), each printing its own summary. Fails if any fails.

const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')
const run = (command, args, env = {}) => {
  console.log(`\n$ ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status === 0
}

const lintOk = run('cargo', ['fmt', '--', '--check']) && run('cargo', ['clippy', '--all-targets', '--quiet', '--', '-D', 'warnings'])
const rustOk = run('cargo', ['test', '--quiet'])
const nodeOk = run(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', '__test__/'], {
  CLERK_TELEMETRY_DISABLED: '1',
})
process.exit(lintOk && rustOk && nodeOk ? 0 : 1)
