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

// Each text: null once seen, then its parse. The addon hands over a new
// string each time (see TailKeyedMap); claims end with the user and session ids.
const parsed = new TailKeyedMap(64, 1000)

/**
 * A deep copy of JSON data. The spread copies an object's properties in one
 * step (V8 clones its shape), and an own `__proto__` stays an own property.
 */
function copyJson(value) {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(copyJson)
  const object = { ...value }
  for (const key in object) {
    const item = object[key]
    if (typeof item === 'object' && item !== null && Object.hasOwn(object, key)) object[key] = copyJson(item)
  }
  return object
}

/**
 * `JSON.parse(text)` for verified claims. A text seen for the first time is
 * only parsed (and remembered as seen): keeping a parse pays off only for
 * a text that comes back, and would slow down every one-off token.
 */
function parseClaims(text) {
  if (!CLAIMS_CACHE) return JSON.parse(text)
  let entry = parsed.get(text)
  if (entry === undefined) {
    parsed.set(text, null)
    return JSON.parse(text)
  }
  if (entry === null) {
    entry = JSON.parse(text)
    parsed.set(text, entry)
  }
  return copyJson(entry)
}

module.exports = { parseClaims }
