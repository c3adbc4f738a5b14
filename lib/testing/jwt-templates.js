'use strict'

// JWT templates for clerk-express-native/testing: what
// `getToken({ template })` asks the Backend API for. A template has a name,
// custom claims and a lifetime, as in the Clerk Dashboard; a claim whose value
// is one shortcode (`"{{user.id}}"`, `"{{user.public_metadata.plan}}"`,
// `"{{org.slug}}"`, `"{{session.id}}"`) takes the value it names, or null.

const crypto = require('node:crypto')
const { nowSeconds } = require('./keys')

const SHORTCODE = /^\{\{\s*([a-z_]+(?:\.[A-Za-z0-9_-]+)*)\s*\}\}$/

/** `"{{a.b}}"` strings replaced by their values in `scope`, in objects and arrays too. */
function resolveShortcodes(value, scope) {
  if (typeof value === 'string') {
    const match = SHORTCODE.exec(value)
    if (!match) return value
    let current = scope
    for (const part of match[1].split('.')) current = current != null && typeof current === 'object' ? current[part] : undefined
    return current === undefined ? null : current
  }
  if (Array.isArray(value)) return value.map((item) => resolveShortcodes(item, scope))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveShortcodes(v, scope)]))
  return value
}

function createJwtTemplates() {
  const templates = new Map()
  return {
    /** A template by `name`: `claims` (shortcodes allowed), `lifetime` in seconds (default 60). */
    create({ name, claims = {}, lifetime = 60 } = {}) {
      if (typeof name !== 'string' || !name) throw new TypeError('jwtTemplates.create: `name` is required')
      const template = { name, claims, lifetime }
      templates.set(name, template)
      return template
    },
    get: (name) => templates.get(name) ?? null,
    delete: (name) => templates.delete(name),
  }
}

/**
 * The claims of a template's token for a session: Clerk's defaults (`iss`,
 * `sub`, `iat`, `nbf`, `exp`, `jti`, `azp` when known) and the template's
 * claims resolved against `scope` ({ user, org, session }).
 */
function templateTokenClaims(template, { issuer, userId, azp, scope, expiresInSeconds }) {
  const now = nowSeconds()
  const defaults = { exp: now + (expiresInSeconds ?? template.lifetime), iat: now, iss: issuer, jti: crypto.randomBytes(10).toString('hex'), nbf: now, sub: userId }
  if (azp) defaults.azp = azp
  return { ...defaults, ...resolveShortcodes(template.claims, scope) }
}

module.exports = { createJwtTemplates, templateTokenClaims }
