'use strict'

// `npm install` hook: on a fresh clone, build the addon in release mode with
// the local Rust toolchain; in an installed package (the tarball ships its
// binary) there is nothing to do.

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const isSourceCheckout = fs.existsSync(path.join(root, 'Cargo.toml')) && fs.existsSync(path.join(root, 'src'))
const hasBinary = fs.readdirSync(root).some((name) => name.endsWith('.node'))

if (!isSourceCheckout || hasBinary) process.exit(0)

console.log('clerk-express-native: building the native addon (cargo, release)...')
execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
