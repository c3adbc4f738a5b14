'use strict'

// One-time console messages, on the same console methods as the reference.

const warned = new Set()

function warnOnce(message) {
  if (warned.has(message)) return
  warned.add(message)
  console.warn(message)
}

const deprecatedNames = new Set()

/** `deprecated()` of @clerk/shared: once per name, silent in test and production. */
function deprecated(name, message) {
  const environment = process.env.NODE_ENV
  if (environment === 'test' || environment === 'production' || deprecatedNames.has(name)) return
  deprecatedNames.add(name)
  console.warn(`Clerk - DEPRECATION WARNING: "${name}" is deprecated and will be removed in the next major release.\n${message}`)
}

module.exports = { warnOnce, deprecated }
