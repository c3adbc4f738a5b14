'use strict'

// `npm run build`: the addon in release mode, for this machine. On Linux x64
// with glibc the binary is linked by zig against glibc 2.17 (cargo-zigbuild,
// napi's `-x`), the floor of the published linux-x64-gnu package, so that the
// tests run the binary users get. Without zig the build is plain cargo and the
// binary needs this machine's glibc (the glibc-floor test then says so).
// Extra arguments go to `napi build` (e.g. `npm run build -- --profile dev`).

const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { detectPlatform, targetFor, GLIBC_FLOOR } = require('../lib/native-load-error')

const root = path.join(__dirname, '..')
const GLIBC_FLOOR_TARGET = `x86_64-unknown-linux-gnu.${GLIBC_FLOOR}`

const succeeds = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0

const args = ['napi', 'build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts']
if (targetFor(detectPlatform())?.dir === 'linux-x64-gnu') {
  if (succeeds('cargo', ['zigbuild', '--help'])) {
    args.push('--cross-compile', '--target', GLIBC_FLOOR_TARGET)
  } else {
    console.warn(
      'clerk-express-native: cargo-zigbuild not found (pip install ziglang cargo-zigbuild); building with plain ' +
        `cargo, so the binary needs this machine's glibc instead of ${GLIBC_FLOOR}`,
    )
  }
}
args.push(...process.argv.slice(2))

console.log(`$ npx ${args.join(' ')}`)
const result = spawnSync('npx', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
process.exit(result.status ?? 1)
