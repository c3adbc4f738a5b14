'use strict'

// `prepare` hook (runs on `npm install` / `npm ci` in a clone, never when the
// package is installed from the registry or a tarball): build the addon once
// with the local Rust toolchain, unless a binary is already there (for
// example one a release job downloaded).

const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const isSourceCheckout = fs.existsSync(path.join(root, 'Cargo.toml')) && fs.existsSync(path.join(root, 'src'))
const hasBinary = fs.readdirSync(root).some((name) => name.endsWith('.node'))

if (!isSourceCheckout || hasBinary) process.exit(0)

console.log('clerk-express-native: building the native addon (release)...')
execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { cwd: root, stdio: 'inherit' })
