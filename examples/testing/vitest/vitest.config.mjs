// Vitest configuration of this example. Only this folder's tests run
// (include, relative to this folder as root), so Vitest never collects the
// tests of the project around it.

import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

// Inside the clerk-express-native repo, the package's names are answered by
// the repo root's files, three folders up, as examples/testing/resolve-package.js
// does for node:test. A copy of this example elsewhere has no such folder and
// resolves the installed package as usual, so copy-paste users can leave this
// in or drop it.
const repoRoot = new URL('../../../', import.meta.url)
const inRepo = (() => {
  try {
    return JSON.parse(readFileSync(new URL('package.json', repoRoot), 'utf8')).name === 'clerk-express-native'
  } catch {
    return false
  }
})()
const fromRepo = (file) => fileURLToPath(new URL(file, repoRoot))

export default defineConfig({
  resolve: {
    alias: inRepo
      ? [
          // Exact names only: `clerk-express-native/testing` is not `clerk-express-native` + '/testing'.
          { find: /^clerk-express-native$/, replacement: fromRepo('index.mjs') },
          { find: /^clerk-express-native\/testing$/, replacement: fromRepo('testing.mjs') },
        ]
      : [],
  },
  test: {
    include: ['app.test.js'],
    environment: 'node',
  },
})
