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
  const Resource = compileClass(className, fields, keepRaw, locals) ?? closureClass(className, fields, keepRaw, locals)
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

// Whether this process refuses code generation from strings
// (`node --disallow-code-generation-from-strings`, as hardened deployments run).
let codeGenerationRefused = false

/**
 * The class, compiled from the field list; null where code generation from
 * strings is refused. Generated code rather than a loop over `fields`: a
 * loop stores through computed keys shared by every class, which V8 cannot
 * optimise, and made deserializing a page of users several times slower than
 * the reference's hand-written classes (benchmark/README.md, Backend API client).
 * The source is built only from this package's own field names, never from
 * input.
 */
function compileClass(className, fields, keepRaw, locals) {
  if (codeGenerationRefused) return null
  const parameters = fields.map((_, index) => `v${index}`)
  const assignments = fields.map(([property, , fallback = NO_DEFAULT], index) => {
    const target = `this[${JSON.stringify(property)}]`
    return fallback === NO_DEFAULT
      ? `${target} = v${index};`
      : `${target} = v${index} === undefined ? freshDefault(defaults[${index}]) : v${index};`
  })
  const reads = fields.map((_, index) => `readers[${index}](data, computed)`)
  const source = `
    return class ${className} {
      constructor(${parameters.join(', ')}) {
        ${assignments.join('\n        ')}
        ${keepRaw ? 'this._raw = null;' : ''}
      }
      static fromJSON(data) {
        const computed = locals ? locals(data) : undefined;
        const resource = new ${className}(${reads.join(', ')});
        ${keepRaw ? 'resource._raw = data;' : ''}
        return resource;
      }
    }`
  const defaults = fields.map(([, , fallback = NO_DEFAULT]) => fallback)
  const readers = fields.map(([, read]) => read)
  try {
    return new Function('freshDefault', 'defaults', 'readers', 'locals', source)(freshDefault, defaults, readers, locals)
  } catch (err) {
    if (!(err instanceof EvalError)) throw err
    codeGenerationRefused = true
    return null
  }
}

/** The same class without generated code: the same fields, defaults, reads and name, built by loops. */
function closureClass(className, fields, keepRaw, locals) {
  const Resource = class {
    constructor(...values) {
      for (let index = 0; index < fields.length; index++) {
        const [property, , fallback = NO_DEFAULT] = fields[index]
        const value = values[index]
        this[property] = fallback !== NO_DEFAULT && value === undefined ? freshDefault(fallback) : value
      }
      if (keepRaw) this._raw = null
    }

    static fromJSON(data) {
      const computed = locals ? locals(data) : undefined
      const resource = new Resource(...fields.map(([, read]) => read(data, computed)))
      if (keepRaw) resource._raw = data
      return resource
    }
  }
  Object.defineProperty(Resource, 'name', { value: className })
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
