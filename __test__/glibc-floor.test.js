'use strict'

// The Linux x64 glibc binary that the whole suite runs (the repo root's, the
// one binding.js loads first) needs no glibc newer than 2.17, the floor of the
// published linux-x64-gnu package: `npm run build` links it with zig against
// glibc 2.17 (scripts/build.js). A plain cargo build needs the build machine's
// glibc and fails here.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { detectPlatform, targetFor, GLIBC_FLOOR } = require('../lib/native-load-error')

const ROOT = path.join(__dirname, '..')
const target = targetFor(detectPlatform())
const skip = target?.libc === 'glibc' ? false : 'this machine runs no glibc Linux binary'

/** Versions as numbers, for comparing 2.17 with 2.9. */
const versionParts = (version) => version.split('.').map(Number)
const newer = (a, b) => {
  const [x, y] = [versionParts(a), versionParts(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0)
  return false
}

test(`the binary the tests load needs glibc ${GLIBC_FLOOR} at most`, { skip }, () => {
  const binary = path.join(ROOT, `clerk-express-native.${target.dir}.node`)
  assert.ok(fs.existsSync(binary), `${binary} was built (npm install builds it)`)
  const symbols = execFileSync('objdump', ['-T', binary], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  const versions = [...new Set(symbols.match(/GLIBC_[0-9.]+/g))].map((name) => name.slice('GLIBC_'.length))
  assert.ok(versions.length > 0, 'the binary links against glibc')
  const tooNew = versions.filter((version) => newer(version, GLIBC_FLOOR))
  assert.deepEqual(
    tooNew,
    [],
    `the binary needs GLIBC_${tooNew.join(', GLIBC_')}: build it with zig (pip install ziglang cargo-zigbuild, then npm run build)`,
  )
})

test('the version comparison reads 2.17 as newer than 2.9 and older than 2.34', () => {
  assert.equal(newer('2.17', '2.9'), true)
  assert.equal(newer('2.34', '2.17'), true)
  assert.equal(newer('2.17', '2.17'), false)
  assert.equal(newer('2.2.5', '2.17'), false)
})
