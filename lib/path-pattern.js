'use strict'

// `match(pattern)` of path-to-regexp 6 (as @clerk/shared vendors it), for
// `organizationSyncOptions`. Patterns are JS regular-expression syntax
// written by users, so they are compiled to a JS RegExp here, not in Rust.

const DELIMITER = '/#?'
const PREFIXES = './'

const escape = (text) => text.replace(/([.+*?=^!:${}()[\]|/\\])/g, '\\$1')

/** Tokens: MODIFIER, ESCAPED_CHAR, OPEN, CLOSE, NAME, PATTERN, CHAR, END. */
function lex(text) {
  const tokens = []
  let i = 0
  while (i < text.length) {
    const c = text[i]
    if (c === '*' || c === '+' || c === '?') {
      tokens.push({ type: 'MODIFIER', index: i, value: text[i++] })
    } else if (c === '\\') {
      tokens.push({ type: 'ESCAPED_CHAR', index: i++, value: text[i++] })
    } else if (c === '{') {
      tokens.push({ type: 'OPEN', index: i, value: text[i++] })
    } else if (c === '}') {
      tokens.push({ type: 'CLOSE', index: i, value: text[i++] })
    } else if (c === ':') {
      let name = ''
      let j = i + 1
      while (j < text.length && /[0-9A-Za-z_]/.test(text[j])) name += text[j++]
      if (!name) throw new TypeError(`Missing parameter name at ${i}`)
      tokens.push({ type: 'NAME', index: i, value: name })
      i = j
    } else if (c === '(') {
      let depth = 1
      let pattern = ''
      let j = i + 1
      if (text[j] === '?') throw new TypeError(`Pattern cannot start with "?" at ${j}`)
      while (j < text.length) {
        if (text[j] === '\\') {
          pattern += text[j++] + text[j++]
          continue
        }
        if (text[j] === ')') {
          depth--
          if (depth === 0) {
            j++
            break
          }
        } else if (text[j] === '(') {
          depth++
          if (text[j + 1] !== '?') throw new TypeError(`Capturing groups are not allowed at ${j}`)
        }
        pattern += text[j++]
      }
      if (depth) throw new TypeError(`Unbalanced pattern at ${i}`)
      if (!pattern) throw new TypeError(`Missing pattern at ${i}`)
      tokens.push({ type: 'PATTERN', index: i, value: pattern })
      i = j
    } else {
      tokens.push({ type: 'CHAR', index: i, value: text[i++] })
    }
  }
  tokens.push({ type: 'END', index: i, value: '' })
  return tokens
}

/** Parts: literal strings and keys {name, prefix, suffix, pattern, modifier}. */
function parse(text) {
  const tokens = lex(text)
  const result = []
  let key = 0
  let i = 0
  let path = ''
  const tryConsume = (type) => (i < tokens.length && tokens[i].type === type ? tokens[i++].value : undefined)
  const mustConsume = (type) => {
    const value = tryConsume(type)
    if (value !== undefined) return value
    const { type: found, index } = tokens[i]
    throw new TypeError(`Unexpected ${found} at ${index}, expected ${type}`)
  }
  const consumeText = () => {
    let out = ''
    let value
    while ((value = tryConsume('CHAR') || tryConsume('ESCAPED_CHAR'))) out += value
    return out
  }
  const isSafe = (value) => [...DELIMITER].some((d) => value.indexOf(d) > -1)
  const safePattern = (prefix) => {
    const previous = result[result.length - 1]
    const prevText = prefix || (previous && typeof previous === 'string' ? previous : '')
    if (previous && !prevText) {
      throw new TypeError(`Must have text between two parameters, missing text after "${previous.name}"`)
    }
    if (!prevText || isSafe(prevText)) return `[^${escape(DELIMITER)}]+?`
    return `(?:(?!${escape(prevText)})[^${escape(DELIMITER)}])+?`
  }
  while (i < tokens.length) {
    const char = tryConsume('CHAR')
    const name = tryConsume('NAME')
    const pattern = tryConsume('PATTERN')
    if (name || pattern) {
      let prefix = char || ''
      if (PREFIXES.indexOf(prefix) === -1) {
        path += prefix
        prefix = ''
      }
      if (path) {
        result.push(path)
        path = ''
      }
      result.push({ name: name || key++, prefix, suffix: '', pattern: pattern || safePattern(prefix), modifier: tryConsume('MODIFIER') || '' })
      continue
    }
    const value = char || tryConsume('ESCAPED_CHAR')
    if (value) {
      path += value
      continue
    }
    if (path) {
      result.push(path)
      path = ''
    }
    if (tryConsume('OPEN')) {
      const prefix = consumeText()
      const groupName = tryConsume('NAME') || ''
      const groupPattern = tryConsume('PATTERN') || ''
      const suffix = consumeText()
      mustConsume('CLOSE')
      result.push({
        name: groupName || (groupPattern ? key++ : ''),
        pattern: groupName && !groupPattern ? safePattern(prefix) : groupPattern,
        prefix,
        suffix,
        modifier: tryConsume('MODIFIER') || '',
      })
      continue
    }
    mustConsume('END')
  }
  return result
}

/** `tokensToRegexp` with path-to-regexp 6 defaults: anchored, non-strict, case-insensitive. */
function partsToRegexp(parts, keys) {
  let route = '^'
  for (const part of parts) {
    if (typeof part === 'string') {
      route += escape(part)
      continue
    }
    const prefix = escape(part.prefix)
    const suffix = escape(part.suffix)
    if (!part.pattern) {
      route += `(?:${prefix}${suffix})${part.modifier}`
      continue
    }
    keys.push(part)
    if (prefix || suffix) {
      if (part.modifier === '+' || part.modifier === '*') {
        const optional = part.modifier === '*' ? '?' : ''
        route += `(?:${prefix}((?:${part.pattern})(?:${suffix}${prefix}(?:${part.pattern}))*)${suffix})${optional}`
      } else {
        route += `(?:${prefix}(${part.pattern})${suffix})${part.modifier}`
      }
    } else {
      if (part.modifier === '+' || part.modifier === '*') {
        throw new TypeError(`Can not repeat "${part.name}" without a prefix and suffix`)
      }
      route += `(${part.pattern})${part.modifier}`
    }
  }
  route += `[${escape(DELIMITER)}]?$`
  return new RegExp(route, 'i')
}

function toRegexp(pattern, keys) {
  if (pattern instanceof RegExp) {
    const groups = /\((?:\?<(.*?)>)?(?!\?)/g
    let index = 0
    let found
    while ((found = groups.exec(pattern.source))) keys.push({ name: found[1] || index++, prefix: '', suffix: '', modifier: '', pattern: '' })
    return pattern
  }
  if (Array.isArray(pattern)) {
    const sources = pattern.map((p) => toRegexp(p, keys).source)
    return new RegExp(`(?:${sources.join('|')})`, 'i')
  }
  return partsToRegexp(parse(pattern), keys)
}

/** `match(pattern)`: a function from a pathname to `{path, index, params}` or false. */
function match(pattern) {
  let regexp
  const keys = []
  try {
    regexp = toRegexp(pattern, keys)
  } catch (e) {
    throw new Error(
      `Invalid path and options: Consult the documentation of path-to-regexp here: https://github.com/pillarjs/path-to-regexp/tree/6.x\n${e.message}`,
    )
  }
  return (pathname) => {
    const found = regexp.exec(pathname)
    if (!found) return false
    const params = Object.create(null)
    for (let i = 1; i < found.length; i++) {
      if (found[i] === undefined) continue
      const key = keys[i - 1]
      params[key.name] =
        key.modifier === '*' || key.modifier === '+' ? found[i].split(key.prefix + key.suffix) : found[i]
    }
    return { path: found[0], index: found.index, params }
  }
}

module.exports = { match }
