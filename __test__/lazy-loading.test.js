'use strict'

// `require()` loads only what authenticating a request needs: the Backend API
// groups, the request layer and the resource classes load the first time a
// client's group is read, and the frontend API proxy and organization sync
// only for the apps that use them. What users see of a client stays the
// reference's: the same keys in the same order, the same group classes, and
// plain data properties once read.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const reference = require('@clerk/backend')
const { startCaptureServer } = require('./helpers/capture-server')
const { speedUp } = require('../lib/speed-ups')

const ROOT = path.join(__dirname, '..')

/** The package's own modules (relative to its root) that a script loaded, in a fresh process. */
function modulesLoadedBy(script) {
  const code = `${script}; process.stdout.write(JSON.stringify(Object.keys(require.cache)))`
  const result = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env } })
  assert.equal(result.status, 0, result.stderr)
  return JSON.parse(result.stdout)
    .filter((file) => file.startsWith(ROOT) && !file.includes(`${path.sep}node_modules${path.sep}`))
    .map((file) => path.relative(ROOT, file).split(path.sep).join('/'))
}

test('require() alone does not load node:worker_threads (and with it Node\'s streams); creating the middleware does', () => {
  const builtinsLoadedBy = (script) => {
    const code = `${script}; process.stdout.write(JSON.stringify(process.moduleLoadList))`
    const result = spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' })
    assert.equal(result.status, 0, result.stderr)
    return JSON.parse(result.stdout)
  }
  assert.ok(!builtinsLoadedBy("require('./')").includes('NativeModule worker_threads'))
  const created = builtinsLoadedBy("require('./').clerkMiddleware({ secretKey: 'sk_test_x', publishableKey: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k' })")
  // With the environment watch off, every thread reads `process.env` and never asks which thread it is.
  if (speedUp('env-watch')) {
    assert.ok(created.includes('NativeModule worker_threads'), 'the middleware decides how to read the environment when it is created')
  }
})

const LAZY_MODULES = [
  'lib/backend-api/request.js',
  'lib/backend-api/deserialize.js',
  'lib/resources/index.js',
  'lib/backend-api/endpoints/users.js',
  'lib/backend-api/endpoints/define-api.js',
  'lib/frontend-api-proxy.js',
  'lib/organization-sync.js',
]

test('require() and creating the middleware load none of the Backend API, proxy or organization-sync modules', () => {
  const loaded = modulesLoadedBy(
    "const { clerkMiddleware, createClerkClient } = require('./'); clerkMiddleware({ secretKey: 'sk_test_x', " +
      "publishableKey: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k' }); createClerkClient({ secretKey: 'sk_test_x' })",
  )
  assert.ok(loaded.includes('lib/authenticate.js'), 'the authentication modules are loaded')
  for (const file of LAZY_MODULES) assert.ok(!loaded.includes(file), `${file} is not loaded`)
})

test('reading one group loads that group and the request layer, not the other groups', () => {
  const loaded = modulesLoadedBy("require('./').createClerkClient({ secretKey: 'sk_test_x' }).sessions")
  assert.ok(loaded.includes('lib/backend-api/endpoints/sessions.js'))
  assert.ok(loaded.includes('lib/backend-api/request.js'))
  assert.ok(!loaded.includes('lib/backend-api/endpoints/users.js'))
  assert.ok(!loaded.includes('lib/resources/index.js'), 'resources load with the first answer')
})

test('the frontend API proxy loads when an app uses it', () => {
  const loaded = modulesLoadedBy(
    "require('./').clerkMiddleware({ secretKey: 'sk_test_x', frontendApiProxy: { enabled: true } })",
  )
  assert.ok(loaded.includes('lib/frontend-api-proxy.js'))
})

test('a client has the reference keys in order, and each group becomes a data property of its class', () => {
  const options = { secretKey: 'sk_test_x', publishableKey: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k' }
  const theirs = reference.createClerkClient(options)
  const ours = require('../lib/client').createClerkClient(options)
  assert.deepEqual(Object.keys(ours), Object.keys(theirs))

  const groups = Object.keys(theirs).filter((key) => theirs[key]?.constructor?.name?.match(/A[Pp][Ii]$/))
  assert.equal(groups.length, 36)
  for (const key of groups) {
    const group = ours[key]
    assert.equal(group.constructor.name, theirs[key].constructor.name, key)
    assert.equal(ours[key], group, `${key} is built once`)
    const { value, writable, enumerable, configurable } = Object.getOwnPropertyDescriptor(ours, key)
    const expected = { value: group, writable: true, enumerable: true, configurable: true }
    assert.deepEqual({ value, writable, enumerable, configurable }, expected)
  }
  assert.deepEqual(Object.keys(ours), Object.keys(theirs), 'reading the groups keeps the key order')
})

test('a group can be replaced before it is read, as on a plain object', () => {
  const ours = require('../lib/client').createClerkClient({ secretKey: 'sk_test_x' })
  const replacement = { getUser: () => 'mine' }
  ours.users = replacement
  assert.equal(ours.users, replacement)
  assert.equal(ours.users.getUser(), 'mine')
})

test('spreading a client copies every group, as the reference does', () => {
  const client = require('../lib/client').createClerkClient({ secretKey: 'sk_test_x' })
  const copy = { ...client }
  assert.equal(copy.users.constructor.name, 'UserAPI')
  assert.equal(copy.users, client.users)
  assert.equal(typeof copy.m2m.verify, 'function')
})

test('a client keeps the options of the moment it was built, whenever a group is first read', async () => {
  // The reference copies the caller's options when it builds a client, so a
  // later change to the caller's object reaches no group.
  const server = await startCaptureServer()
  try {
    const authorizations = []
    for (const pkg of [reference, require('../lib/client')]) {
      const options = { secretKey: 'sk_test_before', apiUrl: server.url }
      const client = pkg.createClerkClient(options)
      options.secretKey = 'sk_test_after'
      server.state.requests.length = 0
      await client.m2m.createToken({ secondsUntilExpiration: 60 }).catch(() => {})
      await client.users.getUser('user_1').catch(() => {})
      authorizations.push(server.state.requests.map((request) => request.headers.authorization))
    }
    assert.deepEqual(authorizations[0], ['Bearer sk_test_before', 'Bearer sk_test_before'])
    assert.deepEqual(authorizations[1], authorizations[0])
  } finally {
    await server.close()
  }
})
