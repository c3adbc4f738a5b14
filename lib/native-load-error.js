'use strict'

// When the addon cannot be loaded, the generated loader throws a generic
// "Cannot find native binding ... npm has a bug" error with the real causes
// several levels deep. This module turns that into one error that says what
// was detected, which prebuilt targets exist, and what to do, with the
// loader's error kept as `cause`.

const PACKAGE = 'clerk-express-native'

/** The prebuilt targets: one npm package `clerk-express-native-<dir>` each (npm/<dir>/). */
const PREBUILT_TARGETS = [
  { dir: 'linux-x64-gnu', triple: 'x86_64-unknown-linux-gnu', platform: 'linux', arch: 'x64', libc: 'glibc' },
  { dir: 'linux-arm64-gnu', triple: 'aarch64-unknown-linux-gnu', platform: 'linux', arch: 'arm64', libc: 'glibc' },
  { dir: 'linux-x64-musl', triple: 'x86_64-unknown-linux-musl', platform: 'linux', arch: 'x64', libc: 'musl' },
  { dir: 'linux-arm64-musl', triple: 'aarch64-unknown-linux-musl', platform: 'linux', arch: 'arm64', libc: 'musl' },
  { dir: 'darwin-x64', triple: 'x86_64-apple-darwin', platform: 'darwin', arch: 'x64', libc: null },
  { dir: 'darwin-arm64', triple: 'aarch64-apple-darwin', platform: 'darwin', arch: 'arm64', libc: null },
  { dir: 'win32-x64-msvc', triple: 'x86_64-pc-windows-msvc', platform: 'win32', arch: 'x64', libc: null },
  { dir: 'win32-arm64-msvc', triple: 'aarch64-pc-windows-msvc', platform: 'win32', arch: 'arm64', libc: null },
]

/** The oldest glibc the Linux gnu binaries are linked against. */
const GLIBC_FLOOR = '2.17'

/** What this process runs on: os, arch, and on Linux the C library and glibc's version. */
function detectPlatform() {
  const detected = { platform: process.platform, arch: process.arch, libc: null, glibcVersion: null, node: process.versions.node }
  if (process.platform !== 'linux') return detected
  let report = null
  try {
    report = process.report?.getReport()
  } catch {
    // No report (a restricted runtime): the libc stays unknown.
  }
  const glibc = report?.header?.glibcVersionRuntime
  if (glibc) {
    detected.libc = 'glibc'
    detected.glibcVersion = glibc
  } else if (report?.sharedObjects?.some((file) => file.includes('libc.musl-') || file.includes('ld-musl-'))) {
    detected.libc = 'musl'
  }
  return detected
}

/** The prebuilt target for what was detected, or undefined when there is none. */
function targetFor(detected) {
  return PREBUILT_TARGETS.find(
    (target) =>
      target.platform === detected.platform &&
      target.arch === detected.arch &&
      (target.libc === null || target.libc === detected.libc),
  )
}

/** Every message in an error's `cause` chain (the loader chains one error per attempt). */
function causeMessages(error) {
  const messages = []
  for (let current = error, depth = 0; current && depth < 32; current = current.cause, depth++) {
    messages.push(String(current.message ?? current))
  }
  return messages
}

function describePlatform(detected) {
  let libc = ''
  if (detected.libc === 'glibc') libc = `, glibc ${detected.glibcVersion}`
  else if (detected.libc === 'musl') libc = ', musl'
  else if (detected.platform === 'linux') libc = ', C library not detected'
  return `${detected.platform} ${detected.arch}${libc}, Node ${detected.node}`
}

function listTargets() {
  return PREBUILT_TARGETS.map((target) => (target.libc === 'glibc' ? `${target.dir} (glibc >= ${GLIBC_FLOOR})` : target.dir)).join(
    ', ',
  )
}

const BUILD_FROM_SOURCE =
  'build it from source: clone the repository, install Rust (rustup), and run `npm install` there, which builds the addon'
const USE_REFERENCE = 'or keep using @clerk/express, which is plain JavaScript'

/**
 * The one error `require()` throws when the addon cannot be loaded: what was
 * detected, what went wrong, which targets exist, what to do. `loadError` is
 * the generated loader's error; `detected` comes from detectPlatform().
 */
function nativeLoadError(loadError, detected = detectPlatform(), version = require('../package.json').version) {
  const target = targetFor(detected)
  const messages = causeMessages(loadError)
  const missingGlibc = messages.map((message) => /GLIBC_([0-9.]+)'? not found/.exec(message)).find(Boolean)
  const lines = [`${PACKAGE} could not load its native addon on ${describePlatform(detected)}.`]
  const steps = []

  if (!target) {
    lines.push(`There is no prebuilt binary for this platform. Prebuilt targets: ${listTargets()}.`)
    if (detected.platform === 'linux' && detected.libc === null) {
      steps.push('if this is a glibc or musl Linux, the C library could not be detected: check that `process.report` works')
    }
    steps.push(BUILD_FROM_SOURCE, USE_REFERENCE)
  } else if (missingGlibc) {
    lines.push(
      `The binary needs GLIBC_${missingGlibc[1]}, and this system has glibc ${detected.glibcVersion ?? '(unknown)'}; ` +
        `the prebuilt Linux binaries need glibc ${GLIBC_FLOOR} or newer.`,
    )
    steps.push(
      `upgrade the system (or base image) to glibc ${GLIBC_FLOOR} or newer`,
      'make sure no binary built on a newer system is in the package folder or NAPI_RS_NATIVE_LIBRARY_PATH',
      BUILD_FROM_SOURCE,
      USE_REFERENCE,
    )
  } else if (messages.some((message) => message.includes(`Cannot find module '${PACKAGE}-${target.dir}'`))) {
    lines.push(
      `The platform package ${PACKAGE}-${target.dir} is not installed. npm installs it as an optional dependency ` +
        'matching this os, cpu and libc; it is skipped when optional dependencies are turned off, or when the ' +
        'lockfile or node_modules was made on another platform.',
    )
    steps.push(
      'reinstall with optional dependencies enabled: not `--omit=optional` or `--no-optional`, and ' +
        '`npm config get omit` must not list optional',
      `or install it directly: npm install ${PACKAGE}-${target.dir}@${version}`,
      'in Docker, run `npm ci` inside the image rather than copying node_modules from another machine',
      BUILD_FROM_SOURCE,
      USE_REFERENCE,
    )
  } else {
    lines.push(`The ${target.dir} binary was found but failed to load: ${messages[messages.length - 1]}`)
    steps.push(`reinstall ${PACKAGE} and ${PACKAGE}-${target.dir}@${version} (the same version)`, BUILD_FROM_SOURCE, USE_REFERENCE)
  }

  lines.push('What to do:', ...steps.map((step) => `  - ${step}`), 'The loader\'s own error is attached as `cause`.')
  const error = new Error(lines.join('\n'))
  error.code = 'ERR_CLERK_NATIVE_BINDING'
  error.detected = detected
  error.cause = loadError
  return error
}

module.exports = { nativeLoadError, detectPlatform, targetFor, PREBUILT_TARGETS, GLIBC_FLOOR }
