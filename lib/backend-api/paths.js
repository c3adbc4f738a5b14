'use strict'

// `joinPaths` of @clerk/backend (`util/path.ts`). It runs in JS: it is called
// once per endpoint call, costs less than a crossing into Rust, and uses the
// real `decodeURIComponent`. Its errors are plain `Error`s, as in the reference.

const SEPARATOR = '/'
const MULTIPLE_SEPARATORS = /(?<!:)\/{1,}/g
const MAX_DECODES = 10

/** `.`/`..` segments are refused even when percent-encoded, up to 10 layers deep. */
function isDotSegment(segment) {
  let candidate = segment
  for (let i = 0; i <= MAX_DECODES; i++) {
    if (candidate.split(/[/\\]/).some((part) => part === '.' || part === '..')) return true
    if (i === MAX_DECODES) throw new Error(`joinPaths: too many layers of encoding in ${segment}`)
    try {
      const next = decodeURIComponent(candidate)
      if (next === candidate) break
      candidate = next
    } catch {
      break
    }
  }
  return false
}

/** Empty parts are dropped, repeated slashes collapsed (except after `:`); ids are not encoded. */
function joinPaths(...parts) {
  const result = parts
    .filter((part) => part)
    .join(SEPARATOR)
    .replace(MULTIPLE_SEPARATORS, SEPARATOR)
  for (const segment of result.split(SEPARATOR)) {
    if (isDotSegment(segment)) {
      throw new Error(`joinPaths: "." and ".." path segments are not allowed (received "${result}")`)
    }
  }
  return result
}

module.exports = { joinPaths }
