'use strict'

// Session claims as `JSON.parse` would give them, without parsing the same
// payload on every request. A session token is reused for up to a minute,
// so its payload text repeats: it is parsed once, and each request gets a
// fresh copy of that parse (its own mutable objects, the same property
// order and values), which costs a fraction of a parse.
//
// What it buys and how to re-measure it: benchmark/README.md, "Ablation";
// switch `claims-cache` (lib/speed-ups.js).

const { TailKeyedMap } = require('./tail-keyed-map')
const { speedUp } = require('./speed-ups')

const CLAIMS_CACHE = speedUp('claims-cache')

// Each text: null once seen, then its parse and the copier for it. The addon
// hands over a new string each time (see TailKeyedMap); claims end with the
// user and session ids.
const parsed = new TailKeyedMap(64, 1000)

/** A deep copy of JSON data (objects, arrays, primitives). */
function copyJson(value) {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const array = []
    for (let i = 0; i < value.length; i++) array.push(copyJson(value[i]))
    return array
  }
  const object = {}
  for (const key of Object.keys(value)) {
    // JSON.parse makes `__proto__` an own property; assigning it would set the prototype.
    if (key === '__proto__') {
      Object.defineProperty(object, key, { value: copyJson(value[key]), writable: true, enumerable: true, configurable: true })
    } else {
      object[key] = copyJson(value[key])
    }
  }
  return object
}

// The top level of the claims is copied by a function made for its keys: an
// object literal with those keys, in that order, which V8 builds several
// times faster than an object grown key by key. The session tokens of an
// instance share their keys, so there are few such functions. Nested values
// go through `copyJson`.
const COPIER_LIMIT = 100
const copiers = new Map()

/** A copier for objects with exactly these own keys, or null when a literal cannot express them. */
function copierFor(keys) {
  // In an object literal `__proto__: x` would set the prototype.
  if (keys.includes('__proto__')) return null
  const signature = keys.join('\u0000')
  let copier = copiers.get(signature)
  if (copier === undefined) {
    if (copiers.size >= COPIER_LIMIT) copiers.clear()
    const fields = keys.map((key) => `${JSON.stringify(key)}: copy(o[${JSON.stringify(key)}])`)
    copier = new Function('copy', `return function copyClaims(o) { return { ${fields.join(', ')} } }`)(copyJson)
    copiers.set(signature, copier)
  }
  return copier
}

/**
 * `JSON.parse(text)` for verified claims. A text seen for the first time is
 * only parsed (and remembered as seen): keeping a parse, and making a copier
 * for its keys, pays off only for a text that comes back, and would slow
 * down the first request and every one-off token.
 */
function parseClaims(text) {
  if (!CLAIMS_CACHE) return JSON.parse(text)
  let entry = parsed.get(text)
  if (entry === undefined) {
    parsed.set(text, null)
    return JSON.parse(text)
  }
  if (entry === null) {
    const original = JSON.parse(text)
    const isObject = typeof original === 'object' && original !== null && !Array.isArray(original)
    entry = { original, copy: (isObject && copierFor(Object.keys(original))) || copyJson }
    parsed.set(text, entry)
  }
  return entry.copy(entry.original)
}

module.exports = { parseClaims, copyJson }
