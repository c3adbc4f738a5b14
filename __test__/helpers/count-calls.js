'use strict'

const binding = require('../../lib/native')

/** How many times `fn` made the addon's Authenticator run `method` (a question's name). */
async function authenticatorCallsDuring(method, fn) {
  const prototype = binding.Authenticator.prototype
  const original = prototype[method]
  let calls = 0
  prototype[method] = function (...args) {
    calls++
    return original.apply(this, args)
  }
  try {
    await fn()
  } finally {
    prototype[method] = original
  }
  return calls
}

module.exports = { authenticatorCallsDuring }
