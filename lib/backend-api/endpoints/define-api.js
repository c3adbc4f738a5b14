'use strict'

// Turns one group's endpoint table into a class shaped like the reference's
// (`class UserAPI extends AbstractAPI`): one prototype method per row, with
// the reference's name, `length`, async-ness, argument defaults, error order
// and request options. A `custom` row is a hand-written method, used as is.
//
// A row describes what the reference's method body does, in its order:
//   verb       the HTTP method
//   args       positional parameters, named as in the reference (its TypeErrors
//              show the names); `[name, default]` for one with a default value
//   requireId  the ids checked with `this.requireId`, in order. Positional ids
//              are checked first, then `from` is destructured, then picked ids.
//              The reference does not check every id: rows list only those it checks.
//   from       the parameter destructured as `const { ...pick, ...rest } = from`
//   pick       the keys taken out of it; `[key, default]` for a destructuring default
//   member     the reference reads `from.key` instead of destructuring (only
//              the wording of the TypeError for a missing `from` differs)
//   base       the path prefix, when it is not the group's base path
//   path       segments after the prefix: `':name'` inserts a value, others are literal
//   rawPath    the path is a template string, not `joinPaths` (dot segments are
//              then refused by the request itself, after the secret key check)
//   query      the name of one value (`'params'`, `'rest'`), or a list of names
//              for an object of them
//   paginated  `paginated: true` is added to the query (after the spread)
//   body       like `query`
//   bodyDefaults  `{key: value}` set as `body.key ?? value` after a spread
//   deep       `deepSnakecaseBodyParamKeys` (nested keys snake_cased too)
//   form       multipart: `{from, fields: [[field, key, 'if-set'?]]}`, values read as `from?.key`
//   machineSecretKey  a picked `machineSecretKey` becomes `Authorization: Bearer …`
//   sync       a plain method (not async): a throw in it is synchronous

const { joinPaths } = require('../paths')
const { AbstractAPI } = require('./abstract-api')

const ROW_KEYS = new Set([
  'verb',
  'args',
  'requireId',
  'from',
  'pick',
  'member',
  'base',
  'path',
  'rawPath',
  'query',
  'paginated',
  'body',
  'bodyDefaults',
  'deep',
  'form',
  'machineSecretKey',
  'sync',
])

const nameOf = (entry) => (Array.isArray(entry) ? entry[0] : entry)

/** Positional arguments by name; a default applies to `undefined` only, fresh per call. */
function bindArguments(parameters, args) {
  const values = {}
  parameters.forEach((parameter, index) => {
    let value = args[index]
    if (Array.isArray(parameter) && value === undefined) value = structuredClone(parameter[1])
    values[nameOf(parameter)] = value
  })
  return values
}

/** `const { a, b = x, ...rest } = from`, or `from.a` reads, with V8's TypeError wording. */
function destructure(row, values) {
  const source = values[row.from]
  const keys = row.pick.map(nameOf)
  if (source === null || source === undefined) {
    const what = source === null ? 'null' : 'undefined'
    throw new TypeError(
      row.member
        ? `Cannot read properties of ${what} (reading '${keys[0]}')`
        : `Cannot destructure property '${keys[0]}' of '${row.from}' as it is ${what}.`,
    )
  }
  for (const entry of row.pick) {
    const value = source[nameOf(entry)]
    values[nameOf(entry)] = value === undefined && Array.isArray(entry) ? entry[1] : value
  }
  if (!row.member) {
    const rest = { ...source }
    for (const key of keys) delete rest[key]
    values.rest = rest
  }
}

/** A value by name, or an object of named values (key order as listed). */
function shape(spec, values) {
  if (spec === undefined) return undefined
  if (typeof spec === 'string') return values[spec]
  return Object.fromEntries(spec.map((name) => [name, values[name]]))
}

function formDataOf(form, values) {
  const source = values[form.from]
  const formData = new FormData()
  for (const [field, key, condition] of form.fields) {
    const value = source?.[key]
    if (condition !== 'if-set' || value) formData.append(field, value)
  }
  return formData
}

/** The row's path with its `:name` segments left as they are, for the diagnostics channels. */
function pathTemplateOf(row, basePath) {
  return [row.base ?? basePath, ...(row.path ?? [])].join('/')
}

/** The body of a generated method: checks, then one `this.request(...)`. */
function callRow(api, row, basePath, args, pathTemplate) {
  const values = bindArguments(row.args ?? [], args)
  const picked = new Set((row.pick ?? []).map(nameOf))
  const ids = row.requireId ?? []
  for (const id of ids) if (!picked.has(id)) api.requireId(values[id])
  if (row.from) destructure(row, values)
  for (const id of ids) if (picked.has(id)) api.requireId(values[id])

  const segments = (row.path ?? []).map((segment) => (segment.startsWith(':') ? values[segment.slice(1)] : segment))
  const prefix = row.base ?? basePath
  const request = {
    method: row.verb,
    path: row.rawPath ? [prefix, ...segments].join('/') : joinPaths(prefix, ...segments),
    pathTemplate,
  }
  const queryParams = row.paginated ? { ...shape(row.query, values), paginated: true } : shape(row.query, values)
  if (queryParams !== undefined) request.queryParams = queryParams
  let bodyParams = shape(row.body, values)
  if (row.bodyDefaults) {
    const defaults = Object.entries(row.bodyDefaults).map(([key, value]) => [key, bodyParams[key] ?? value])
    bodyParams = { ...bodyParams, ...Object.fromEntries(defaults) }
  }
  if (bodyParams !== undefined) request.bodyParams = bodyParams
  if (row.form) request.formData = formDataOf(row.form, values)
  if (row.machineSecretKey && values.machineSecretKey) {
    request.headerParams = { Authorization: `Bearer ${values.machineSecretKey}` }
  }
  if (row.deep) request.options = { deepSnakecaseBodyParamKeys: true }
  return api.request(request)
}

/** A class method from a row: named, non-enumerable, `length` up to the first default. */
function methodOf(name, row, basePath) {
  for (const key of Object.keys(row)) {
    if (!ROW_KEYS.has(key)) throw new Error(`endpoint ${name}: unknown row key ${key}`)
  }
  const pathTemplate = pathTemplateOf(row, basePath)
  const method = row.sync
    ? {
        [name](...args) {
          return callRow(this, row, basePath, args, pathTemplate)
        },
      }[name]
    : {
        async [name](...args) {
          return callRow(this, row, basePath, args, pathTemplate)
        },
      }[name]
  const parameters = row.args ?? []
  const firstDefault = parameters.findIndex(Array.isArray)
  Object.defineProperty(method, 'length', { value: firstDefault === -1 ? parameters.length : firstDefault })
  return method
}

/**
 * @param table {className, basePath, methods: {name: row | {custom: method}}, init?}
 *   `init(api, ...constructorArgs)` runs after `super(request)` (M2MTokenApi's options)
 * @returns the class, named like the reference's
 */
function defineApi({ className, basePath, methods, init }) {
  const Api = init
    ? {
        [className]: class extends AbstractAPI {
          constructor(request, ...rest) {
            super(request)
            init(this, ...rest)
          }
        },
      }[className]
    : { [className]: class extends AbstractAPI {} }[className]
  for (const [name, row] of Object.entries(methods)) {
    const method = row.custom ?? methodOf(name, row, basePath)
    Object.defineProperty(Api.prototype, name, { value: method, writable: true, configurable: true })
  }
  return Api
}

module.exports = { defineApi }
