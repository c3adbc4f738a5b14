'use strict'

// `curl -b <file>` for `inspect`: the cookies a Netscape cookie file (what
// `curl -c` and browser extensions write) holds for a URL, as curl sends
// them: the domain (with its subdomains when the file says so), the path
// prefix, secure cookies only over https, expired ones left out.

const fs = require('node:fs')

/**
 * @param file the cookie file's path
 * @param url the request URL (a URL object)
 * @param nowSeconds the time to check expiries against
 * @returns the `Cookie` header value, or '' when no cookie applies
 */
function cookiesForUrl(file, url, nowSeconds = Math.floor(Date.now() / 1000)) {
  let text
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`curl -b ${file}: not a cookie file that can be read (${error.code || error.message}); or pass the cookies themselves ('name=value; ...')`)
  }
  const host = url.hostname.toLowerCase()
  const pairs = []
  for (const rawLine of text.split(/\r?\n/)) {
    // `#HttpOnly_` marks an HttpOnly cookie; other `#` lines are comments.
    const line = rawLine.startsWith('#HttpOnly_') ? rawLine.slice('#HttpOnly_'.length) : rawLine
    if (!line.trim() || line.startsWith('#')) continue
    const fields = line.split('\t')
    if (fields.length < 7) continue
    const [domainField, includeSubdomains, path, secure, expires, name, ...valueParts] = fields
    const domain = domainField.replace(/^\./, '').toLowerCase()
    const domainMatches = host === domain || ((includeSubdomains === 'TRUE' || domainField.startsWith('.')) && host.endsWith(`.${domain}`))
    const pathMatches = url.pathname === path || url.pathname.startsWith(path.endsWith('/') ? path : `${path}/`)
    const expiry = Number(expires)
    if (!domainMatches || !pathMatches) continue
    if (secure === 'TRUE' && url.protocol !== 'https:') continue
    if (expiry > 0 && expiry < nowSeconds) continue
    pairs.push(`${name}=${valueParts.join('\t')}`)
  }
  return pairs.join('; ')
}

module.exports = { cookiesForUrl }
