'use strict'

// `organizationSyncOptions`: which organization (or the personal account) a
// URL asks to activate. The patterns are compiled once per options object;
// the target is handed to Rust, which puts it in handshake URLs and decides
// whether the session's active organization must change.

// The path-to-regexp that @clerk/shared compiles in (6.x), called as it does.
const pathToRegexp = require('path-to-regexp')

function match(pattern) {
  try {
    return pathToRegexp.match(pattern)
  } catch (e) {
    throw new Error(
      `Invalid path and options: Consult the documentation of path-to-regexp here: https://github.com/pillarjs/path-to-regexp/tree/6.x\n${e.message}`,
    )
  }
}

const compiled = new WeakMap()

function compile(pattern) {
  if (!pattern) return null
  try {
    return match(pattern)
  } catch (e) {
    throw new Error(`Invalid pattern "${pattern}": ${e}`)
  }
}

/** The compiled matchers for the options (the reference throws per request). */
function matcherFor(syncOptions) {
  if (!syncOptions) return null
  let matcher = compiled.get(syncOptions)
  if (!matcher) {
    matcher = { organization: compile(syncOptions.organizationPatterns), personal: compile(syncOptions.personalAccountPatterns) }
    compiled.set(syncOptions, matcher)
  }
  return matcher
}

/** `OrganizationMatcher.findTarget` for a pathname. */
function findTarget(matcher, pathname) {
  if (matcher.organization) {
    try {
      const result = matcher.organization(pathname)
      if (result && 'params' in result) {
        if (result.params.id) return { type: 'organization', id: result.params.id }
        if (result.params.slug) return { type: 'organization', slug: result.params.slug }
      }
    } catch (e) {
      console.error('Failed to match organization pattern:', e)
    }
    // A match without an id or slug still falls through to personal patterns.
  }
  if (!matcher.personal) return null
  try {
    return matcher.personal(pathname) ? { type: 'personalAccount' } : null
  } catch (e) {
    console.error('Failed to match personal account pattern:', e)
    return null
  }
}

module.exports = { matcherFor, findTarget }
