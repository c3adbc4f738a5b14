'use strict'

// Resource classes are declared as data: a class name and its fields, each a
// property name, how to read it from the JSON, and the constructor default
// (applied, like a JS default parameter, only when the value is undefined).
// The reference's bundler names these classes `_User`, `_EmailAddress`, ...
// (`var User = class _User`), and `constructor.name` shows it, so we do too.

const NO_DEFAULT = Symbol('no default')

/**
 * @param name resource name; the class is named `_<name>` like the reference's
 * @param fields [property, (json) => value, default?][]
 * @param options.keepRaw store the JSON as an own `_raw` property (and a `raw` getter)
 */
function defineResource(name, fields, { keepRaw = false, getters = {} } = {}) {
  const className = `_${name}`
  const Resource = {
    [className]: class {
      static fromJSON(data) {
        const resource = new Resource()
        for (const [property, read, fallback = NO_DEFAULT] of fields) {
          const value = read(data)
          resource[property] = value === undefined && fallback !== NO_DEFAULT ? structuredDefault(fallback) : value
        }
        if (keepRaw) resource._raw = data
        return resource
      }
    },
  }[className]
  if (keepRaw) {
    Object.defineProperty(Resource.prototype, 'raw', {
      get() {
        return this._raw
      },
      configurable: true,
    })
  }
  for (const [getterName, getter] of Object.entries(getters)) {
    Object.defineProperty(Resource.prototype, getterName, { get: getter, configurable: true })
  }
  return Resource
}

// `{}`/`[]` defaults must be fresh per instance, like default parameters.
function structuredDefault(value) {
  if (Array.isArray(value)) return []
  if (value && typeof value === 'object') return {}
  return value
}

module.exports = { defineResource }
