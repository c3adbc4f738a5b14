'use strict'

// The package as users get it: `npm pack`, then `npm install` of the tarball
// under the name @clerk/express into a fresh app outside this repo, with no
// build step; the docs example (examples/docs-app/app.js) then runs in a
// child process in that app, resolving '@clerk/express' through its own
// node_modules, against the fake Backend API. Also imported as ESM.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { execFile, spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { promisify } = require('node:util')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')

const ROOT = path.join(__dirname, '..')
const DOCS_APP = path.join(ROOT, 'examples', 'docs-app', 'app.js')
const BINARY = 'clerk-express-native.linux-x64-gnu.node'
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const INSTALL_TIMEOUT_MS = 180_000

const run = promisify(execFile)

// npm run / npm test export npm_* settings (local prefix, ...) meant for this
// repo; the child npm and node processes must not inherit them.
const cleanEnv = (extra = {}) => {
  const env = {}
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('npm_')) env[name] = value
  return { ...env, ...extra }
}

const npm = (args, cwd, timeout) =>
  run(NPM, args, { cwd, env: cleanEnv(), timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' })

const node = (args, cwd, env) =>
  run(process.execPath, args, { cwd, env: cleanEnv(env), timeout: 30_000, encoding: 'utf8' })

/** `node <file>` invocations in the package's install lifecycle scripts. */
function installScriptFiles(pkg) {
  const files = []
  for (const name of ['preinstall', 'install', 'postinstall']) {
    const script = pkg.scripts?.[name]
    if (!script) continue
    for (const match of script.matchAll(/\bnode\s+([^\s;&|]+)/g)) files.push(path.posix.normalize(match[1]))
  }
  return files
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name)
    return entry.isDirectory() ? walk(full) : [full]
  })
}

/** Starts `node start.js` in the app; resolves once it prints its port. */
function startApp(cwd, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['start.js'], { cwd, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const newline = stdout.indexOf('\n')
      if (newline === -1) return
      const info = JSON.parse(stdout.slice(0, newline))
      resolve({
        info,
        url: `http://127.0.0.1:${info.port}`,
        stderr: () => stderr,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done()
            child.once('exit', () => done())
            child.kill()
          }),
      })
    })
    child.once('error', reject)
    child.once('exit', (code, signal) => reject(new Error(`app exited early (${code ?? signal}): ${stderr}`)))
  })
}

describe('npm pack tarball installed as @clerk/express in a fresh app', () => {
  const key = createSigningKey()
  let packDir
  let appDir
  let packed
  let tarball
  let installed = false
  let api
  let app

  before(async () => {
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerk-native-pack-'))
    appDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clerk-native-app-')))
    const { stdout } = await npm(['pack', '--json', '--pack-destination', packDir], ROOT, 120_000)
    packed = JSON.parse(stdout.slice(stdout.indexOf('[')))[0]
    tarball = path.join(packDir, packed.filename)
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })

  after(async () => {
    await app?.stop()
    await api?.close()
    for (const dir of [packDir, appDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  test('the tarball ships the prebuilt addon, its loader, the entry points and all of lib/', () => {
    assert.ok(fs.statSync(tarball).size > 0)
    const files = new Set(packed.files.map((file) => file.path))
    for (const file of [BINARY, 'binding.js', 'index.js', 'index.mjs', 'index.d.ts', 'package.json']) {
      assert.ok(files.has(file), `${file} is in the tarball`)
    }
    const libFiles = walk(path.join(ROOT, 'lib')).map((file) => path.relative(ROOT, file).split(path.sep).join('/'))
    assert.ok(libFiles.length > 0)
    for (const file of libFiles) assert.ok(files.has(file), `${file} is in the tarball`)
    assert.equal([...files].some((file) => file.startsWith('src/') || file.startsWith('target/')), false)
  })

  test('every file the install lifecycle scripts run is in the tarball', () => {
    const files = new Set(packed.files.map((file) => file.path))
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    const missing = installScriptFiles(pkg).filter((file) => !files.has(file))
    assert.deepEqual(missing, [], `package.json install scripts run files that are not packed: ${missing.join(', ')}`)
  })

  test('npm install of the tarball as @clerk/express, with express 5, needs no build', { timeout: INSTALL_TIMEOUT_MS }, async () => {
    fs.copyFileSync(DOCS_APP, path.join(appDir, 'app.js'))
    fs.writeFileSync(
      path.join(appDir, 'package.json'),
      `${JSON.stringify({ name: 'clerk-native-pack-test-app', version: '1.0.0', private: true }, null, 2)}\n`,
    )
    fs.writeFileSync(
      path.join(appDir, 'start.js'),
      [
        "'use strict'",
        "const app = require('./app')",
        "const server = app.listen(0, '127.0.0.1', () => {",
        '  const info = {',
        '    port: server.address().port,',
        "    resolved: require.resolve('@clerk/express'),",
        '    loaded: Object.keys(require.cache),',
        '  }',
        "  process.stdout.write(JSON.stringify(info) + '\\n')",
        '})',
        '',
      ].join('\n'),
    )
    await npm(
      ['install', '--no-audit', '--no-fund', '--prefer-offline', `@clerk/express@file:${tarball}`, 'express@5.3.0'],
      appDir,
      INSTALL_TIMEOUT_MS - 10_000,
    )
    const installedPkg = JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules/@clerk/express/package.json'), 'utf8'))
    assert.equal(installedPkg.name, 'clerk-express-native')
    assert.ok(fs.existsSync(path.join(appDir, 'node_modules/@clerk/express', BINARY)))
    assert.equal(JSON.parse(fs.readFileSync(path.join(appDir, 'node_modules/express/package.json'), 'utf8')).version, '5.3.0')
    installed = true
  })

  test("require.resolve('@clerk/express') in the app points into the app's node_modules", async () => {
    assert.ok(installed, 'the install above succeeded')
    const { stdout } = await node(['-p', "require.resolve('@clerk/express')"], appDir)
    const resolved = stdout.trim()
    assert.equal(resolved, path.join(appDir, 'node_modules', '@clerk', 'express', 'index.js'))
    assert.equal(resolved.startsWith(ROOT + path.sep), false)
  })

  test('the docs example runs on the installed package: 401 signed out, 200 signed in', async () => {
    assert.ok(installed, 'the install above succeeded')
    app = await startApp(appDir, {
      CLERK_SECRET_KEY: 'sk_test_pack_install',
      CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k',
      CLERK_API_URL: api.url,
      CLERK_TELEMETRY_DISABLED: '1',
    })
    const installedRoot = path.join(appDir, 'node_modules', '@clerk', 'express') + path.sep
    assert.ok(app.info.resolved.startsWith(installedRoot))
    assert.ok(app.info.loaded.includes(path.join(installedRoot, BINARY)), 'the addon is loaded from the installed package')
    assert.deepEqual(app.info.loaded.filter((file) => file.startsWith(ROOT + path.sep)), [])

    const signedOut = await fetch(`${app.url}/user`)
    assert.equal(signedOut.status, 401)
    assert.equal(signedOut.headers.get('x-clerk-auth-status'), 'signed-out')
    assert.deepEqual(await signedOut.json(), { error: 'User not authenticated' })

    const token = signToken(key, sessionClaims({ sub: 'user_1' }))
    const signedIn = await fetch(`${app.url}/user`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(signedIn.status, 200, app.stderr())
    const user = await signedIn.json()
    assert.equal(user.id, 'user_1')
    assert.equal(user.emailAddresses[0].emailAddress, 'ada@example.com')
    const [request] = api.requestsTo('/v1/users/user_1')
    assert.equal(request.headers.authorization, 'Bearer sk_test_pack_install')
  })

  test('the installed package imports as ESM, with the same objects as require()', async () => {
    assert.ok(installed, 'the install above succeeded')
    fs.writeFileSync(
      path.join(appDir, 'esm-check.mjs'),
      [
        "import { createRequire } from 'node:module'",
        "import { clerkMiddleware, getAuth, requireAuth, clerkClient, createClerkClient, verifyToken } from '@clerk/express'",
        '',
        "const cjs = createRequire(import.meta.url)('@clerk/express')",
        'const exports = { clerkMiddleware, getAuth, requireAuth, clerkClient, createClerkClient, verifyToken }',
        'console.log(JSON.stringify({',
        "  url: import.meta.resolve('@clerk/express'),",
        '  types: Object.fromEntries(Object.entries(exports).map(([name, value]) => [name, typeof value])),',
        '  sameAsRequire: Object.entries(exports).every(([name, value]) => cjs[name] === value),',
        '  middleware: typeof clerkMiddleware(),',
        '}))',
        '',
      ].join('\n'),
    )
    const { stdout } = await node(['esm-check.mjs'], appDir, { CLERK_TELEMETRY_DISABLED: '1' })
    const result = JSON.parse(stdout)
    const installedRoot = path.join(appDir, 'node_modules', '@clerk', 'express')
    assert.equal(result.url, require('node:url').pathToFileURL(path.join(installedRoot, 'index.mjs')).href)
    assert.deepEqual(result.types, {
      clerkMiddleware: 'function',
      getAuth: 'function',
      requireAuth: 'function',
      clerkClient: 'object',
      createClerkClient: 'function',
      verifyToken: 'function',
    })
    assert.equal(result.sameAsRequire, true)
    assert.equal(result.middleware, 'function')
  })
})
