'use strict'

/** `joinPaths` for endpoint paths; the Rust side applies the dot-segment rule. */
function joinPaths(...parts) {
  return parts
    .filter((p) => p)
    .join('/')
    .replace(/(?<!:)\/{1,}/g, '/')
}

function requireId(id) {
  if (!id) throw new Error('A valid resource ID is required.')
}

module.exports = { joinPaths, requireId }
