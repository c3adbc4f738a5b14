'use strict'

// Resource classes are declared as data: a class name and its fields, each a
// property name, how to read it from the JSON, and the constructor default
// (applied, like a JS default parameter, only when the value is undefined).
// The reference's bundler names these classes `_User`, `_EmailAddress`, ...
// (`var User = class _User`), and `constructor.name` shows it, so we do too.
// Like the reference's, the constructor is positional (one argument per
// field, in field order), which is also how `fromJSON` calls it. Read
// functions name the JSON `data` and copy the reference's expressions,
// because V8 quotes them in errors (`data.sessions.map is not a function`).

const NO_DEFAULT = Symbol('no default')

/**
 * @param name resource name; the class is named `_<name>` like the reference's
 * @param fields [property, (json, locals) => value, default?][]
 * @param options.keepRaw store the JSON as an own `_raw` property (and a `raw` getter)
 * @param options.getters prototype getters, by name
 * @param options.statics static methods besides `fromJSON`, by name
 * @param options.locals (json) => value computed before any field is read (the
 *   reference's `fromJSON` locals: they decide which property access throws first)
 */
function defineResource(name, fields, { keepRaw = false, getters = {}, statics = {}, locals } = {}) {
  const className = `_${name}`
  const Resource = {
    [className]: class {
      constructor(...values) {
        fields.forEach(([property, , fallback = NO_DEFAULT], index) => {
          const value = values[index]
          this[property] = value === undefined && fallback !== NO_DEFAULT ? freshDefault(fallback) : value
        })
        if (keepRaw) this._raw = null
      }

      static fromJSON(data) {
        const computed = locals ? locals(data) : undefined
        const resource = new Resource(...fields.map(([, read]) => read(data, computed)))
        if (keepRaw) resource._raw = data
        return resource
      }
    },
  }[className]
  // A class's `length` counts the parameters before the first default one.
  const firstDefault = fields.findIndex((field) => field.length > 2)
  Object.defineProperty(Resource, 'length', { value: firstDefault === -1 ? fields.length : firstDefault })
  for (const [staticName, method] of Object.entries(statics)) {
    Object.defineProperty(Resource, staticName, { value: method, writable: true, configurable: true })
  }
  const allGetters = keepRaw ? { raw: rawGetter, ...getters } : getters
  for (const [getterName, getter] of Object.entries(allGetters)) {
    Object.defineProperty(Resource.prototype, getterName, { get: namedGetter(getterName, getter), configurable: true })
  }
  return Resource
}

function rawGetter() {
  return this._raw
}

// A class getter's function is named `get <property>`.
function namedGetter(property, getter) {
  const get = function () {
    return getter.call(this)
  }
  return Object.defineProperty(get, 'name', { value: `get ${property}` })
}

// `{}`/`[]` defaults must be fresh per instance, like default parameters.
function freshDefault(value) {
  if (Array.isArray(value)) return []
  if (value && typeof value === 'object') return {}
  return value
}

module.exports = { defineResource }
