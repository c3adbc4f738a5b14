'use strict'

const native = require('../native')

/** `joinPaths` of @clerk/backend (in Rust): refuses `.`/`..` segments. */
function joinPaths(...parts) {
  return native.joinPaths(parts.filter((p) => p).map(String))
}

function requireId(id) {
  if (!id) throw new Error('A valid resource ID is required.')
}

module.exports = { joinPaths, requireId }
