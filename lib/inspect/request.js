'use strict'

// The input of `inspect`, whatever its form (a bare token, a raw HTTP
// request, curl arguments), turned into one description of a request:
// method, URL and headers as Node would give them to Express.

const { cookiesForUrl } = require('./cookie-jar')

const TOKEN_HOST = 'localhost'

// A request line: a method, a target, an optional HTTP version.
const REQUEST_LINE = /^([A-Za-z]+) +(\S+)(?: +HTTP\/\d(?:\.\d)?)?\s*$/

/**
 * Headers folded as Node's http parser folds repeats: `cookie` values joined
 * with '; ', most others with ', ' (enough for what authentication reads).
 */
function addHeader(headers, name, value) {
  const key = name.trim().toLowerCase()
  const text = String(value).trim()
  if (!key) return
  if (headers[key] === undefined) headers[key] = text
  else headers[key] = `${headers[key]}${key === 'cookie' ? '; ' : ', '}${text}`
}

/** A request from its method, URL (absolute, or a path with a Host header) and headers. */
function describeRequest(method, target, headers, source) {
  let url
  try {
    url = new URL(target, `http://${headers.host || TOKEN_HOST}`)
  } catch {
    throw new Error(`cannot read the request target ${JSON.stringify(target)} as a URL`)
  }
  // An absolute target names the host the server sees unless a Host header
  // says otherwise, as curl sends it.
  if (!headers.host) headers.host = url.host
  return { source, method: method.toUpperCase(), protocol: url.protocol, path: `${url.pathname}${url.search}`, headers }
}

/** A bare token, sent as an API call would send it (no cookies, no browser headers). */
function fromToken(token) {
  const bare = token.trim().replace(/^authorization:\s*/i, '').replace(/^bearer\s+/i, '')
  return describeRequest('GET', '/', { host: TOKEN_HOST, authorization: `Bearer ${bare}` }, 'token')
}

/** Whether text looks like a raw HTTP request rather than a token. */
function isRawHttp(text) {
  return REQUEST_LINE.test(text.trimStart().split(/\r?\n/, 1)[0])
}

/** A raw HTTP request: the request line, then headers up to the first blank line (a body is ignored). */
function fromRawHttp(text) {
  const lines = text.trimStart().split(/\r?\n/)
  const match = REQUEST_LINE.exec(lines[0])
  if (!match) throw new Error(`not an HTTP request line: ${JSON.stringify(lines[0].slice(0, 80))}`)
  const headers = {}
  for (const line of lines.slice(1)) {
    if (line.trim() === '') break
    const colon = line.indexOf(':')
    if (colon <= 0) throw new Error(`not a header line: ${JSON.stringify(line.slice(0, 80))}`)
    addHeader(headers, line.slice(0, colon), line.slice(colon + 1))
  }
  return describeRequest(match[1], match[2], headers, 'http')
}

// curl options that take a value and that authentication does not read.
const CURL_IGNORED_WITH_VALUE = new Set([
  '-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--json', '-F', '--form', '-o', '--output', '-u', '--user',
  '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '--resolve', '--cacert', '--cert', '--key', '-x', '--proxy', '-T', '--upload-file',
])
const CURL_BODY_OPTIONS = new Set(['-d', '--data', '--data-raw', '--data-binary', '--data-urlencode', '--json', '-F', '--form', '-T', '--upload-file'])

/** curl arguments (`curl` itself optional): -H/--header, -b/--cookie (cookies or a cookie file), -X/--request, -A, -e, -I and the URL. */
function fromCurl(args) {
  const list = args[0] === 'curl' ? args.slice(1) : args.slice()
  const headers = {}
  let method = null
  let target = null
  let hasBody = false
  const cookieFiles = []
  const valueOf = (i, option) => {
    if (i + 1 >= list.length) throw new Error(`curl option ${option} needs a value`)
    return list[i + 1]
  }
  for (let i = 0; i < list.length; i++) {
    let arg = list[i]
    let attached = null
    // `-HName: value` and `--header=value` forms.
    const long = /^(--[a-z-]+)=(.*)$/s.exec(arg)
    if (long) [, arg, attached] = long
    else if (/^-[HbXAe].+/s.test(arg)) [arg, attached] = [arg.slice(0, 2), arg.slice(2)]
    const take = () => (attached !== null ? attached : valueOf(i++, arg))
    if (arg === '-H' || arg === '--header') {
      const header = take()
      const colon = header.indexOf(':')
      if (colon <= 0) throw new Error(`curl header without a colon: ${JSON.stringify(header.slice(0, 80))}`)
      addHeader(headers, header.slice(0, colon), header.slice(colon + 1))
    } else if (arg === '-b' || arg === '--cookie') {
      // As curl: with a `=` the cookies themselves, else a cookie file, read once the URL is known.
      const cookies = take()
      if (cookies.includes('=')) addHeader(headers, 'cookie', cookies)
      else cookieFiles.push(cookies)
    } else if (arg === '-X' || arg === '--request') method = take()
    else if (arg === '-A' || arg === '--user-agent') addHeader(headers, 'user-agent', take())
    else if (arg === '-e' || arg === '--referer') addHeader(headers, 'referer', take())
    else if (arg === '--url') target = take()
    else if (arg === '-I' || arg === '--head') method = method || 'HEAD'
    else if (CURL_IGNORED_WITH_VALUE.has(arg)) {
      take()
      if (CURL_BODY_OPTIONS.has(arg)) hasBody = true
    } else if (arg.startsWith('-')) continue
    else if (target === null) target = arg
    else throw new Error(`more than one URL in the curl command: ${JSON.stringify(arg)}`)
  }
  if (target === null) throw new Error('no URL in the curl command')
  // curl adds the scheme when it is left out.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) target = `http://${target}`
  if (cookieFiles.length > 0 && URL.canParse(target)) {
    for (const file of cookieFiles) {
      const cookies = cookiesForUrl(file, new URL(target))
      if (cookies) addHeader(headers, 'cookie', cookies)
    }
  }
  return describeRequest(method || (hasBody ? 'POST' : 'GET'), target, headers, 'curl')
}

/** The token the middleware would read first: the Bearer token, else the `__session` cookie. */
function tokenOf(request) {
  const authorization = request.headers.authorization
  if (authorization) {
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7).trim().split(' ')[0] : authorization.trim()
    return token ? { token, from: 'Authorization header' } : null
  }
  const cookies = parseCookies(request.headers.cookie || '')
  const name = cookies.has('__session') ? '__session' : [...cookies.keys()].find((n) => n.startsWith('__session_'))
  return name ? { token: cookies.get(name), from: `${name} cookie` } : null
}

/** Cookie pairs, the first of a name winning. */
function parseCookies(header) {
  const cookies = new Map()
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    const name = part.slice(0, eq).trim()
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim())
  }
  return cookies
}

module.exports = { fromToken, fromRawHttp, fromCurl, isRawHttp, tokenOf, parseCookies }
