'use strict'

// `npm run pack:release [-- <out dir>]`: the tarballs a release publishes, made
// locally. One platform package per npm/<target>/ that has a binary (the host
// build in the repo root is copied into its own), then the main package with
// `optionalDependencies` on every platform package of this version, as
// `napi prepublish` writes them at publish time, and without the repo's
// scripts (`prepare` builds from source in a clone; in an installed package it
// would only make npm warn about install scripts). The release workflow
// publishes these tarballs. Prints one JSON line:
// { main, platforms: { <target>: tarball } } with absolute paths.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { PREBUILT_TARGETS } = require('../lib/native-load-error')

const root = path.join(__dirname, '..')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const binaryName = pkg.napi.binaryName
const outDir = path.resolve(process.argv[2] ?? path.join(root, 'target', 'release-packages'))
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/** `npm pack` of dir into outDir; returns the tarball's absolute path. */
function npmPack(dir) {
  // npm run exports npm_* settings meant for this repo; the child npm must not inherit them.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_')))
  const stdout = execFileSync(NPM, ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
    cwd: dir,
    env,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  })
  return path.join(outDir, JSON.parse(stdout.slice(stdout.indexOf('[')))[0].filename)
}

fs.mkdirSync(outDir, { recursive: true })

const platforms = {}
for (const { dir } of PREBUILT_TARGETS) {
  const packageDir = path.join(root, 'npm', dir)
  const file = `${binaryName}.${dir}.node`
  const hostBuild = path.join(root, file)
  if (fs.existsSync(hostBuild)) fs.copyFileSync(hostBuild, path.join(packageDir, file))
  if (!fs.existsSync(path.join(packageDir, file))) continue
  const platformPkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'))
  if (platformPkg.version !== pkg.version) throw new Error(`npm/${dir} is at ${platformPkg.version}, the package at ${pkg.version}`)
  platforms[dir] = npmPack(packageDir)
}

// The main package: what `npm pack` of the repo gives, with the
// optionalDependencies added in a staged copy (the repo's package.json has
// none, so that a clone installs without the unpublished platform packages)
// and the scripts removed.
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'clerk-native-stage-'))
try {
  const plain = npmPack(root)
  execFileSync('tar', ['-xzf', plain, '-C', stage])
  fs.rmSync(plain)
  const stagedDir = path.join(stage, 'package')
  const staged = JSON.parse(fs.readFileSync(path.join(stagedDir, 'package.json'), 'utf8'))
  delete staged.scripts
  staged.optionalDependencies = Object.fromEntries(
    PREBUILT_TARGETS.map(({ dir }) => [`${pkg.name}-${dir}`, pkg.version]),
  )
  fs.writeFileSync(path.join(stagedDir, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`)
  const main = npmPack(stagedDir)
  console.log(JSON.stringify({ main, platforms }))
} finally {
  fs.rmSync(stage, { recursive: true, force: true })
}
