'use strict'

// Loads the docs example (examples/docs-app/app.js) with its
// `require('@clerk/express')` answered by this package (the repo root's
// index.js), so the unmodified example runs on clerk-express-native. Used by
// examples/demo.js and __test__/docs-example.test.js.
//
// Why a loader hook and not a require.cache alias: a cache entry is keyed by
// the file a request resolves to, so aliasing `@clerk/express` that way
// means guessing where Node would find it from app.js. Today that is the
// real @clerk/express in the repo's node_modules (a devDependency); after an
// `npm install` inside examples/docs-app it is docs-app/node_modules/...;
// without devDependencies there is no such file at all. A wrong guess fails
// silently: the example loads the real package and the demo "works" without
// ever touching this one. The cache entry would also replace the real
// @clerk/express for everything else in the process (the differential tests
// load both). So we wrap Module._load instead, which every require() goes
// through, and answer the request by its name, `@clerk/express`, when a file
// inside examples/docs-app asks, whatever is installed where, and only while
// app.js loads. (Not Module._resolveFilename: Module._load keeps its own
// cache of "this directory asked for this name", so a second load of app.js
// in the same process would skip a resolver hook and get the first answer.)
// The hook counts its hits, so if it did not apply we throw instead of
// quietly running the wrong package.

const Module = require('node:module')
const path = require('node:path')

const ROOT = path.join(__dirname, '..')
const APP_DIR = path.join(__dirname, 'docs-app')
const APP_PATH = path.join(APP_DIR, 'app.js')
// The package's CommonJS entry (package.json "main"): index.js at the repo root.
const NATIVE_ENTRY = require.resolve(ROOT)

const isInside = (dir, file) => {
  const relative = path.relative(dir, file)
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
}

/**
 * Requires a fresh copy of examples/docs-app/app.js and returns its Express app.
 * @param options.packageEntry the file `require('@clerk/express')` gets
 *   inside the example; this package by default (a test passes the real
 *   @clerk/express to compare the two).
 */
function loadDocsApp({ packageEntry = NATIVE_ENTRY } = {}) {
  if (process.versions.bun) return loadDocsAppOnBun(packageEntry)
  const originalLoad = Module._load
  let aliased = 0
  Module._load = function loadWithAlias(request, parent, ...rest) {
    if (request === '@clerk/express' && parent?.filename && isInside(APP_DIR, parent.filename)) {
      aliased++
      return originalLoad.call(this, packageEntry, parent, ...rest)
    }
    return originalLoad.call(this, request, parent, ...rest)
  }
  let app
  try {
    delete require.cache[APP_PATH]
    app = require(APP_PATH)
  } finally {
    Module._load = originalLoad
  }
  if (aliased === 0) throw new Error(`${APP_PATH} did not require '@clerk/express' through the alias`)
  return app
}

/**
 * Bun's require() does not go through Module._load. It does honour
 * require.cache, so there the entry of the @clerk/express the example would
 * resolve is swapped for `packageEntry`'s exports while app.js loads, and put
 * back after (the tests load the real @clerk/express beside it).
 */
function loadDocsAppOnBun(packageEntry) {
  const referencePath = require.resolve('@clerk/express', { paths: [APP_DIR] })
  const saved = require.cache[referencePath]
  const exports = require(packageEntry)
  let aliased = 0
  require.cache[referencePath] = {
    id: referencePath,
    filename: referencePath,
    loaded: true,
    children: [],
    paths: [],
    get exports() {
      aliased++
      return exports
    },
  }
  let app
  try {
    delete require.cache[APP_PATH]
    app = require(APP_PATH)
  } finally {
    if (saved) require.cache[referencePath] = saved
    else delete require.cache[referencePath]
  }
  if (aliased === 0) throw new Error(`${APP_PATH} did not require '@clerk/express' through the alias`)
  return app
}

module.exports = { loadDocsApp, NATIVE_ENTRY, APP_PATH }
