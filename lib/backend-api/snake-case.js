'use strict'

// `snakecaseKeys` as @clerk/backend 3.25.0 bundles it (snakecase-keys 9.0.2
// over map-obj 5.0.2 and change-case 5.4.4), ported line for line: which
// keys change, what is recursed into, and what throws decide the request on
// the wire, so they must not drift.

// change-case `split`: lower/digit→upper and UPPER→Upperlower boundaries,
// any run of non-letters/digits is a separator, leading/trailing ones vanish.
const SPLIT_LOWER_UPPER_RE = /([\p{Ll}\d])(\p{Lu})/gu
const SPLIT_UPPER_UPPER_RE = /(\p{Lu})([\p{Lu}][\p{Ll}])/gu
const DEFAULT_STRIP_REGEXP = /[^\p{L}\d]+/giu
const SPLIT_REPLACE_VALUE = '$1\0$2'

function split(value) {
  let result = value.trim()
  result = result.replace(SPLIT_LOWER_UPPER_RE, SPLIT_REPLACE_VALUE).replace(SPLIT_UPPER_UPPER_RE, SPLIT_REPLACE_VALUE)
  result = result.replace(DEFAULT_STRIP_REGEXP, '\0')
  let start = 0
  let end = result.length
  while (result.charAt(start) === '\0') start++
  if (start === end) return []
  while (result.charAt(end - 1) === '\0') end--
  return result.slice(start, end).split(/\0/g)
}

/** change-case `snakeCase` with its defaults (locale-aware lower case, no kept prefix). */
function snakeCase(input) {
  return split(input)
    .map((word) => word.toLocaleLowerCase(undefined))
    .join('_')
}

// map-obj: which values are descended into when `deep` is set.
const isObject = (value) => typeof value === 'object' && value !== null
const isObjectCustom = (value) =>
  isObject(value) &&
  !(value instanceof RegExp) &&
  !(value instanceof Error) &&
  !(value instanceof Date) &&
  !(globalThis.Blob && value instanceof globalThis.Blob)

function mapKeys(object, deep, isSeen = new WeakMap()) {
  if (isSeen.has(object)) return isSeen.get(object)
  const target = {}
  isSeen.set(object, target)
  const mapArray = (array) =>
    array.map((element) => (isObjectCustom(element) ? mapKeys(element, deep, isSeen) : element))
  if (Array.isArray(object)) return mapArray(object)
  for (const [key, value] of Object.entries(object)) {
    const newKey = snakeCase(key)
    // map-obj refuses to write `__proto__` (it would change the prototype).
    if (newKey === '__proto__') continue
    let newValue = value
    if (deep && isObjectCustom(newValue)) {
      newValue = Array.isArray(newValue) ? mapArray(newValue) : mapKeys(newValue, deep, isSeen)
    }
    target[newKey] = newValue
  }
  return target
}

function assertMappable(object) {
  if (!isObject(object)) throw new TypeError(`Expected an object, got \`${object}\` (${typeof object})`)
  if (Array.isArray(object)) throw new TypeError('Expected an object, got an array')
}

const PlainObjectConstructor = {}.constructor

/**
 * `snakecaseKeys(obj, {deep})`; `deep` defaults to true as in snakecase-keys.
 * Throws its errors for anything but plain objects (or arrays of them).
 */
function snakecaseKeys(obj, { deep = true } = {}) {
  if (Array.isArray(obj)) {
    if (obj.some((item) => item.constructor !== PlainObjectConstructor)) {
      throw new Error('obj must be array of plain objects')
    }
    return obj.map((item) => {
      assertMappable(item)
      return mapKeys(item, deep)
    })
  }
  if (obj.constructor !== PlainObjectConstructor) throw new Error('obj must be an plain object')
  assertMappable(obj)
  return mapKeys(obj, deep)
}

module.exports = { snakecaseKeys, snakeCase }
