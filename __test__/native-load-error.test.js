'use strict'

// When the addon cannot load, require() throws one error that says what was
// detected, which targets exist and what to do, with the loader's error as
// its cause (lib/native-load-error.js). The platform is faked in a child
// process (process.platform / process.arch redefined before the package is
// required), and each kind of failure is also checked on the message alone.
// The real missing-package case (an install with --omit=optional) is in
// pack-install.test.js.

const { test, describe } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { nativeLoadError, targetFor, PREBUILT_TARGETS, GLIBC_FLOOR } = require('../lib/native-load-error')

const ROOT = path.join(__dirname, '..')

/** require() of the package in a child process that reports itself as `platform`/`arch`; returns the error thrown. */
function requireAs(platform, arch) {
  const script = [
    `Object.defineProperty(process, 'platform', { value: ${JSON.stringify(platform)} })`,
    `Object.defineProperty(process, 'arch', { value: ${JSON.stringify(arch)} })`,
    'try {',
    `  require(${JSON.stringify(ROOT)})`,
    "  console.log(JSON.stringify({ loaded: true }))",
    '} catch (error) {',
    '  const causes = []',
    '  for (let cause = error.cause; cause; cause = cause.cause) causes.push(cause.message)',
    '  console.log(JSON.stringify({ code: error.code, message: error.message, detected: error.detected, causes }))',
    '}',
  ].join('\n')
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, CLERK_TELEMETRY_DISABLED: '1' } }))
}

/** A loader error as the generated loader chains it: the generic message, then one cause per attempt. */
function loaderError(...attempts) {
  const error = new Error('Cannot find native binding. npm has a bug related to optional dependencies')
  let last = error
  for (const message of attempts) {
    last.cause = new Error(message)
    last = last.cause
  }
  return error
}

const linuxX64 = { platform: 'linux', arch: 'x64', libc: 'glibc', glibcVersion: '2.31', node: '20.20.0' }

describe('the prebuilt targets', () => {
  test('are the targets of package.json and the npm/ packages, with the same os, cpu and libc', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
    assert.deepEqual(PREBUILT_TARGETS.map((target) => target.triple).sort(), [...pkg.napi.targets].sort())
    assert.deepEqual(PREBUILT_TARGETS.map((target) => target.dir).sort(), fs.readdirSync(path.join(ROOT, 'npm')).sort())
    for (const target of PREBUILT_TARGETS) {
      const platformPkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'npm', target.dir, 'package.json'), 'utf8'))
      assert.equal(platformPkg.name, `${pkg.name}-${target.dir}`)
      assert.equal(platformPkg.version, pkg.version)
      assert.deepEqual(platformPkg.os, [target.platform])
      assert.deepEqual(platformPkg.cpu, [target.arch])
      assert.deepEqual(platformPkg.libc, target.libc ? [target.libc] : undefined)
      assert.equal(platformPkg.main, `${pkg.napi.binaryName}.${target.dir}.node`)
    }
  })

  test('are chosen by os, arch and, on Linux, libc', () => {
    assert.equal(targetFor({ platform: 'linux', arch: 'arm64', libc: 'musl' }).dir, 'linux-arm64-musl')
    assert.equal(targetFor({ platform: 'linux', arch: 'x64', libc: 'glibc' }).dir, 'linux-x64-gnu')
    assert.equal(targetFor({ platform: 'darwin', arch: 'arm64', libc: null }).dir, 'darwin-arm64')
    assert.equal(targetFor({ platform: 'win32', arch: 'x64', libc: null }).dir, 'win32-x64-msvc')
    assert.equal(targetFor({ platform: 'linux', arch: 'x64', libc: null }), undefined)
    assert.equal(targetFor({ platform: 'freebsd', arch: 'x64', libc: null }), undefined)
    assert.equal(targetFor({ platform: 'linux', arch: 'ppc64', libc: 'glibc' }), undefined)
  })
})

describe('require() on a platform with no binary', () => {
  test('an unsupported os: no prebuilt binary, the targets, build from source or use @clerk/express', () => {
    const error = requireAs('freebsd', 'x64')
    assert.equal(error.code, 'ERR_CLERK_NATIVE_BINDING')
    assert.deepEqual({ platform: error.detected.platform, arch: error.detected.arch }, { platform: 'freebsd', arch: 'x64' })
    assert.match(error.message, /could not load its native addon on freebsd x64, Node \d+\.\d+\.\d+\./)
    assert.match(error.message, /There is no prebuilt binary for this platform\./)
    for (const target of PREBUILT_TARGETS) assert.ok(error.message.includes(target.dir), `${target.dir} is listed`)
    assert.match(error.message, new RegExp(`linux-x64-gnu \\(glibc >= ${GLIBC_FLOOR.replace('.', '\\.')}\\)`))
    assert.match(error.message, /build it from source/)
    assert.match(error.message, /keep using @clerk\/express/)
    assert.match(error.causes[0], /Cannot find native binding/)
    assert.ok(error.causes.some((cause) => /freebsd/i.test(cause)), error.causes.join('\n'))
  })

  test('a supported target whose platform package is missing: the package named, with optional dependencies as the fix', () => {
    const error = requireAs('linux', 'arm64')
    assert.equal(error.code, 'ERR_CLERK_NATIVE_BINDING')
    assert.equal(error.detected.arch, 'arm64')
    assert.equal(error.detected.libc, 'glibc')
    assert.match(error.message, new RegExp(`on linux arm64, glibc ${error.detected.glibcVersion.replace('.', '\\.')}, Node`))
    assert.match(error.message, /The platform package clerk-express-native-linux-arm64-gnu is not installed\./)
    assert.match(error.message, /--omit=optional/)
    assert.match(error.message, /npm install clerk-express-native-linux-arm64-gnu@\d+\.\d+\.\d+/)
    assert.ok(error.causes.some((cause) => cause.includes("Cannot find module 'clerk-express-native-linux-arm64-gnu'")))
  })

  test('the real platform still loads', () => {
    assert.deepEqual(requireAs(process.platform, process.arch), { loaded: true })
  })
})

describe('the message for each kind of failure', () => {
  test('a glibc older than the binary needs: both versions, the floor, and the real error kept', () => {
    const dlopenError =
      "/lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.18' not found (required by /app/node_modules/clerk-express-native-linux-x64-gnu/clerk-express-native.linux-x64-gnu.node)"
    const cause = loaderError("Cannot find module './clerk-express-native.linux-x64-gnu.node'", dlopenError)
    const error = nativeLoadError(cause, { ...linuxX64, glibcVersion: '2.12' }, '1.2.3')
    assert.equal(error.code, 'ERR_CLERK_NATIVE_BINDING')
    assert.equal(error.cause, cause)
    assert.match(error.message, /on linux x64, glibc 2\.12, Node 20\.20\.0\./)
    assert.match(error.message, /The binary needs GLIBC_2\.18, and this system has glibc 2\.12/)
    assert.match(error.message, new RegExp(`glibc ${GLIBC_FLOOR.replace('.', '\\.')} or newer`))
  })

  test('a binary that is there but fails to load for another reason: the reason, and reinstalling the same version', () => {
    const cause = loaderError('/app/node_modules/clerk-express-native-linux-x64-gnu/clerk-express-native.linux-x64-gnu.node: invalid ELF header')
    const error = nativeLoadError(cause, linuxX64, '1.2.3')
    assert.match(error.message, /The linux-x64-gnu binary was found but failed to load: .*invalid ELF header/)
    assert.match(error.message, /reinstall clerk-express-native and clerk-express-native-linux-x64-gnu@1\.2\.3/)
  })

  test('a musl Linux is told about the musl package, a Linux with an unknown C library that it could not tell', () => {
    const musl = nativeLoadError(loaderError("Cannot find module 'clerk-express-native-linux-x64-musl'"), {
      ...linuxX64,
      libc: 'musl',
      glibcVersion: null,
    })
    assert.match(musl.message, /on linux x64, musl, Node/)
    assert.match(musl.message, /clerk-express-native-linux-x64-musl is not installed/)

    const unknown = nativeLoadError(loaderError('whatever'), { ...linuxX64, libc: null, glibcVersion: null })
    assert.match(unknown.message, /on linux x64, C library not detected/)
    assert.match(unknown.message, /There is no prebuilt binary for this platform/)
    assert.match(unknown.message, /could not be detected/)
  })

  test('a cycle in the cause chain does not hang the message', () => {
    const cause = new Error('first')
    cause.cause = cause
    const error = nativeLoadError(cause, { platform: 'aix', arch: 'ppc64', libc: null, glibcVersion: null, node: '20.0.0' })
    assert.match(error.message, /on aix ppc64, Node 20\.0\.0/)
  })
})
