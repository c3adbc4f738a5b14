'use strict'

// Jest configuration of this example. Only this folder holds tests (roots), so
// Jest never collects the tests of the project around it.

const fs = require('node:fs')
const path = require('node:path')

// Inside the clerk-express-native repo, the package's names are answered by
// the repo root's files, three folders up, as examples/testing/resolve-package.js
// does for node:test. A copy of this example elsewhere has no such folder and
// resolves the installed package as usual, so copy-paste users can leave this
// in or drop it.
const repoRoot = path.join(__dirname, '..', '..', '..')
const inRepo = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).name === 'clerk-express-native'
  } catch {
    return false
  }
})()

module.exports = {
  rootDir: __dirname,
  roots: ['<rootDir>'],
  testEnvironment: 'node',
  // Plain CommonJS: nothing to compile, so no Babel pass on the test or app.
  transform: {},
  moduleNameMapper: inRepo
    ? {
        '^clerk-express-native$': '<rootDir>/../../../index.js',
        '^clerk-express-native/testing$': '<rootDir>/../../../testing.js',
      }
    : {},
}
