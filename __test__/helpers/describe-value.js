'use strict'

/**
 * A value with the class of every object in it, its own keys in order, and
 * its data: what differential tests compare, so that a wrong class, a missing
 * `undefined` property or a different key order shows up.
 */
function describeValue(value) {
  if (value === undefined) return '<undefined>'
  if (value === null || typeof value !== 'object') return value
  if (value instanceof URL) return { '<class>': 'URL', href: value.href }
  if (value instanceof Date) return { '<class>': 'Date', time: value.getTime() }
  if (Array.isArray(value)) return value.map(describeValue)
  const described = { '<class>': value.constructor?.name ?? null, '<keys>': Object.keys(value) }
  for (const key of Object.keys(value)) described[key] = describeValue(value[key])
  return described
}

module.exports = { describeValue }
