'use strict'

// Preloaded (`node --require ./examples/testing/resolve-package.js ...`) to run
// the testing examples from this repo unmodified: their
// `require('clerk-express-native')` and `require('clerk-express-native/testing')`
// are answered by the repo root's index.js and testing.js. Used by
// __test__/testing-example.test.js.
//
// As in examples/load-docs-app.js, the hook wraps Module._load and answers by
// request name, only for files inside examples/testing: a copy of an example
// elsewhere, with the package installed, resolves the names as usual. The
// hits are counted so that a test can tell the hook applied.

const Module = require('node:module')
const path = require('node:path')

const ROOT = path.join(__dirname, '..', '..')
const ENTRIES = {
  'clerk-express-native': path.join(ROOT, 'index.js'),
  'clerk-express-native/testing': path.join(ROOT, 'testing.js'),
}

const isInside = (dir, file) => {
  const relative = path.relative(dir, file)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

const hits = {}
const originalLoad = Module._load
Module._load = function loadWithAlias(request, parent, ...rest) {
  if (Object.hasOwn(ENTRIES, request) && parent?.filename && isInside(__dirname, parent.filename)) {
    hits[request] = (hits[request] ?? 0) + 1
    return originalLoad.call(this, ENTRIES[request], parent, ...rest)
  }
  return originalLoad.call(this, request, parent, ...rest)
}

// The child's test can report which names were aliased.
process.on('exit', () => {
  if (process.env.CLERK_EXAMPLE_ALIAS_REPORT) process.stderr.write(`aliased: ${JSON.stringify(hits)}\n`)
})
