'use strict'

// `joinPaths` of @clerk/backend (`util/path.ts`): empty parts dropped, the
// rest joined with `/`, repeated slashes collapsed (except after `:`), and
// `.`/`..` segments refused even when percent-encoded. One implementation,
// in Rust (crates/core/src/paths.rs), which the addon's own calls use too.
// Its errors are plain `Error`s, as in the reference.

const native = require('../native')

function joinPaths(...parts) {
  const texts = []
  for (const part of parts) if (part) texts.push(String(part))
  try {
    return native.joinPaths(texts)
  } catch (err) {
    throw new Error(err.message)
  }
}

module.exports = { joinPaths }
