'use strict'

// The package as users get it: the release tarballs (`npm run pack:release`:
// the main package, with optionalDependencies on every platform package, and
// this machine's platform package) installed into fresh apps outside this repo:
// - from the tarballs, under the name @clerk/express, with express 5: no npm
//   warning, no build step; the docs example (examples/docs-app/app.js) then
//   runs in a child process in that app against the fake Backend API, and the
//   package also imports as ESM; @clerk/backend kept beside the alias;
// - the same with `--omit=optional`: require() throws the clear error;
// - with the README's alias line, from a stand-in registry on 127.0.0.1 that
//   serves the packages as they will be published.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { execFile, spawn } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { promisify } = require('node:util')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { startFakeNpmRegistry } = require('./helpers/fake-npm-registry')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { detectPlatform, targetFor, PREBUILT_TARGETS } = require('../lib/native-load-error')

const ROOT = path.join(__dirname, '..')
const DOCS_APP = path.join(ROOT, 'examples', 'docs-app', 'app.js')
const HOST_TARGET = targetFor(detectPlatform())
const PLATFORM_PACKAGE = HOST_TARGET && `clerk-express-native-${HOST_TARGET.dir}`
const BINARY = HOST_TARGET && `clerk-express-native.${HOST_TARGET.dir}.node`
const VERSION = require('../package.json').version
const LIFECYCLE_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare']
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

const tarballFiles = async (tarball) => (await run('tar', ['-tzf', tarball], { encoding: 'utf8' })).stdout.split('\n').filter(Boolean)
const tarballManifest = async (tarball) =>
  JSON.parse((await run('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })).stdout)

/** A fresh app folder with a package.json, outside this repo. */
function freshApp(name) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `clerk-native-${name}-`)))
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true }, null, 2)}\n`)
  return dir
}

/** npm's warnings and errors in an install's output (npm prints them with these prefixes). */
const npmComplaints = (output) => output.split('\n').filter((line) => /^npm (warn|WARN|error|ERR)/.test(line))

const START_JS = [
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
].join('\n')

const skip = HOST_TARGET ? false : `no prebuilt target for ${process.platform} ${process.arch}`

describe('release tarballs installed in fresh apps', { skip }, () => {
  const key = createSigningKey()
  const dirs = []
  let release
  let appDir
  let installed = false
  let api
  let app

  before(async () => {
    const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clerk-native-pack-'))
    dirs.push(packDir)
    const { stdout } = await run(process.execPath, [path.join(ROOT, 'scripts', 'pack-release.js'), packDir], {
      cwd: ROOT,
      env: cleanEnv(),
      timeout: 120_000,
      encoding: 'utf8',
    })
    release = JSON.parse(stdout.trim().split('\n').pop())
    appDir = freshApp('clerk-native-pack-test-app')
    dirs.push(appDir)
    api = await startFakeClerkApi({ keys: [key.jwk] })
  })

  after(async () => {
    await app?.stop()
    await api?.close()
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  })

  test('the main tarball has the JavaScript, types and loader, no binary, no install script, and every platform package as optional', async () => {
    const files = new Set((await tarballFiles(release.main)).map((file) => file.replace(/^package\//, '')))
    for (const file of ['binding.js', 'index.js', 'index.mjs', 'index.d.ts', 'webhooks.js', 'package.json']) {
      assert.ok(files.has(file), `${file} is in the tarball`)
    }
    const libFiles = walk(path.join(ROOT, 'lib')).map((file) => path.relative(ROOT, file).split(path.sep).join('/'))
    assert.ok(libFiles.length > 0)
    for (const file of libFiles) assert.ok(files.has(file), `${file} is in the tarball`)
    assert.deepEqual([...files].filter((file) => file.endsWith('.node') || /^(src|target|npm|scripts)\//.test(file)), [])

    const manifest = await tarballManifest(release.main)
    assert.deepEqual(LIFECYCLE_SCRIPTS.filter((name) => manifest.scripts?.[name]), [])
    assert.deepEqual(
      manifest.optionalDependencies,
      Object.fromEntries(PREBUILT_TARGETS.map(({ dir }) => [`clerk-express-native-${dir}`, VERSION])),
    )
  })

  test("this machine's platform package holds only the binary, for its os, cpu and libc", async () => {
    const tarball = release.platforms[HOST_TARGET.dir]
    assert.ok(tarball, `pack:release made ${PLATFORM_PACKAGE}`)
    assert.deepEqual((await tarballFiles(tarball)).sort(), ['package/README.md', `package/${BINARY}`, 'package/package.json'])
    const manifest = await tarballManifest(tarball)
    assert.equal(manifest.name, PLATFORM_PACKAGE)
    assert.equal(manifest.version, VERSION)
    assert.equal(manifest.main, BINARY)
    assert.deepEqual(manifest.os, [HOST_TARGET.platform])
    assert.deepEqual(manifest.cpu, [HOST_TARGET.arch])
    assert.deepEqual(manifest.libc, HOST_TARGET.libc ? [HOST_TARGET.libc] : undefined)
    assert.equal(manifest.scripts, undefined)
  })

  test('npm install of both tarballs, the main one as @clerk/express, with express 5: no warning, no build', { timeout: INSTALL_TIMEOUT_MS }, async () => {
    fs.copyFileSync(DOCS_APP, path.join(appDir, 'app.js'))
    fs.writeFileSync(path.join(appDir, 'start.js'), START_JS)
    const { stdout, stderr } = await npm(
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        `@clerk/express@file:${release.main}`,
        release.platforms[HOST_TARGET.dir],
        'express@5.3.0',
      ],
      appDir,
      INSTALL_TIMEOUT_MS - 10_000,
    )
    assert.deepEqual(npmComplaints(stdout + stderr), [])
    const modules = path.join(appDir, 'node_modules')
    assert.equal(JSON.parse(fs.readFileSync(path.join(modules, '@clerk/express/package.json'), 'utf8')).name, 'clerk-express-native')
    assert.ok(fs.existsSync(path.join(modules, PLATFORM_PACKAGE, BINARY)))
    assert.equal(fs.readdirSync(path.join(modules, '@clerk/express')).some((file) => file.endsWith('.node')), false)
    assert.equal(JSON.parse(fs.readFileSync(path.join(modules, 'express/package.json'), 'utf8')).version, '5.3.0')
    installed = true
  })

  test("require.resolve('@clerk/express') in the app points into the app's node_modules", async () => {
    assert.ok(installed, 'the install above succeeded')
    const { stdout } = await node(['-p', "require.resolve('@clerk/express')"], appDir)
    const resolved = stdout.trim()
    assert.equal(resolved, path.join(appDir, 'node_modules', '@clerk', 'express', 'index.js'))
    assert.equal(resolved.startsWith(ROOT + path.sep), false)
  })

  test('the docs example runs on the installed packages: 401 signed out, 200 signed in', async () => {
    assert.ok(installed, 'the install above succeeded')
    app = await startApp(appDir, {
      CLERK_SECRET_KEY: 'sk_test_pack_install',
      CLERK_PUBLISHABLE_KEY: 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k',
      CLERK_API_URL: api.url,
      CLERK_TELEMETRY_DISABLED: '1',
    })
    const modules = path.join(appDir, 'node_modules') + path.sep
    assert.ok(app.info.resolved.startsWith(path.join(modules, '@clerk', 'express') + path.sep))
    assert.ok(app.info.loaded.includes(path.join(modules, PLATFORM_PACKAGE, BINARY)), 'the addon is loaded from the platform package')
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

  // An app that imports @clerk/backend itself got it as @clerk/express's
  // dependency; with the alias it must install it. Its types then come from
  // two declarations (classes with private members do not mix), which a
  // tsconfig `paths` entry maps back to this package's copy.
  test('@clerk/backend beside the alias: gone until installed, then both work, and a paths entry types them as one', { timeout: INSTALL_TIMEOUT_MS }, async () => {
    assert.ok(installed, 'the install above succeeded')
    await assert.rejects(node(['-e', "require('@clerk/backend')"], appDir), /Cannot find module '@clerk\/backend'/)

    const { stdout, stderr } = await npm(
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '@clerk/backend@3.25.0', '@types/express@5.0.3'],
      appDir,
      INSTALL_TIMEOUT_MS - 10_000,
    )
    assert.deepEqual(npmComplaints(stdout + stderr), [])
    const check = await node(
      [
        '-p',
        "JSON.stringify([require('@clerk/express/package.json').name, require('@clerk/backend/package.json').name, typeof require('@clerk/backend').createClerkClient])",
      ],
      appDir,
    )
    assert.deepEqual(JSON.parse(check.stdout), ['clerk-express-native', '@clerk/backend', 'function'])

    fs.writeFileSync(
      path.join(appDir, 'check.ts'),
      [
        "import { clerkClient, getAuth } from '@clerk/express'",
        "import { createClerkClient, type User } from '@clerk/backend'",
        "import type { Request } from 'express'",
        '',
        'export async function load(req: Request): Promise<User> {',
        '  const { userId } = getAuth(req)',
        '  const user: User = await clerkClient.users.getUser(userId!)',
        "  const other = createClerkClient({ secretKey: 'sk_test_types' })",
        '  return other.users.getUser(user.id)',
        '}',
        '',
      ].join('\n'),
    )
    const tsconfig = (paths) => ({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: true, noEmit: true, paths },
      files: ['check.ts'],
    })
    const tsc = () => node([require.resolve('typescript/bin/tsc'), '-p', '.'], appDir)

    fs.writeFileSync(path.join(appDir, 'tsconfig.json'), JSON.stringify(tsconfig(undefined)))
    await assert.rejects(tsc(), (error) => /separate declarations of a private property/.test(error.stdout))

    fs.writeFileSync(
      path.join(appDir, 'tsconfig.json'),
      JSON.stringify(tsconfig({ '@clerk/backend': ['./node_modules/@clerk/express/types/backend/index.d.ts'] })),
    )
    await tsc()
  })

  test('installed with --omit=optional, require() throws one clear error naming the missing package', { timeout: INSTALL_TIMEOUT_MS }, async () => {
    const omitDir = freshApp('clerk-native-omit-optional-app')
    dirs.push(omitDir)
    await npm(
      ['install', '--omit=optional', '--no-audit', '--no-fund', '--prefer-offline', `@clerk/express@file:${release.main}`],
      omitDir,
      INSTALL_TIMEOUT_MS - 10_000,
    )
    assert.equal(fs.existsSync(path.join(omitDir, 'node_modules', PLATFORM_PACKAGE)), false)
    const { stdout } = await node(
      [
        '-e',
        [
          "try { require('@clerk/express') } catch (error) {",
          '  console.log(JSON.stringify({ code: error.code, message: error.message, detected: error.detected, cause: error.cause?.message }))',
          '}',
        ].join('\n'),
      ],
      omitDir,
    )
    const error = JSON.parse(stdout)
    assert.equal(error.code, 'ERR_CLERK_NATIVE_BINDING')
    assert.equal(error.detected.platform, process.platform)
    assert.equal(error.detected.arch, process.arch)
    assert.match(error.message, new RegExp(`on ${process.platform} ${process.arch}`))
    assert.match(error.message, new RegExp(`The platform package ${PLATFORM_PACKAGE} is not installed`))
    assert.match(error.message, /--omit=optional/)
    assert.match(error.message, new RegExp(`npm install ${PLATFORM_PACKAGE}@${VERSION.replace(/\./g, '\\.')}`))
    assert.match(error.cause, /Cannot find native binding/)
  })

  test("the README's alias line installs the published layout from a registry: the platform package only, no warning", { timeout: INSTALL_TIMEOUT_MS }, async () => {
    const upstream = (await npm(['config', 'get', 'registry'], ROOT, 30_000)).stdout.trim()
    const packages = [{ tarball: release.main }]
    for (const { dir } of PREBUILT_TARGETS) {
      const tarball = release.platforms[dir]
      packages.push(tarball ? { tarball } : { manifest: JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', dir, 'package.json'), 'utf8')) })
    }
    const registry = await startFakeNpmRegistry({ packages, upstream })
    const aliasDir = freshApp('clerk-native-alias-app')
    dirs.push(aliasDir)
    try {
      const { stdout, stderr } = await npm(
        ['install', '--no-audit', '--no-fund', '--prefer-offline', '--registry', registry.url, '@clerk/express@npm:clerk-express-native', 'express@5.3.0'],
        aliasDir,
        INSTALL_TIMEOUT_MS - 10_000,
      )
      assert.deepEqual(npmComplaints(stdout + stderr), [])
      const installedNames = fs.readdirSync(path.join(aliasDir, 'node_modules')).filter((name) => name.startsWith('clerk-express-native'))
      assert.deepEqual(installedNames, [PLATFORM_PACKAGE])
      // The packuments came from the stand-in registry (tarballs may come from npm's cache),
      // and no other platform's tarball was asked for.
      assert.ok(registry.requests.includes('/clerk-express-native'))
      assert.ok(registry.requests.includes(`/${PLATFORM_PACKAGE}`))
      const otherTarballs = registry.requests.filter(
        (request) => request.includes('/-/') && !request.startsWith(`/${PLATFORM_PACKAGE}/`) && !request.startsWith('/clerk-express-native/'),
      )
      assert.deepEqual(otherTarballs, [])
      const dependency = JSON.parse(fs.readFileSync(path.join(aliasDir, 'package.json'), 'utf8')).dependencies['@clerk/express']
      assert.equal(dependency, `npm:clerk-express-native@^${VERSION}`)
      const { stdout: loaded } = await node(
        ['-e', "require('@clerk/express'); console.log(Object.keys(require.cache).find((file) => file.endsWith('.node')))"],
        aliasDir,
      )
      assert.equal(loaded.trim(), path.join(aliasDir, 'node_modules', PLATFORM_PACKAGE, BINARY))
    } finally {
      await registry.close()
    }
  })
})
