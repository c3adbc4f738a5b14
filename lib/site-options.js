'use strict'

// Per-request site options (`domain`, `isSatellite`, `proxyUrl`, the
// satellite checks, the Vercel auto-proxy), resolved as @clerk/express and
// @clerk/backend resolve them. `clerkUrl` — the request URL rebuilt from the
// forwarded headers — is derived in Rust, only when something needs it.

const native = require('./native')
const { isTruthy, loadRequestEnv } = require('./env')

/** `handleValueOrFn`: call a function option with the URL, else the value or default. */
function valueOrFn(value, clerkUrl, defaultValue) {
  if (typeof value === 'function') return value(clerkUrl())
  if (typeof value !== 'undefined') return value
  return defaultValue
}

const isHttpOrHttps = (url) => /^http(s)?:\/\//.test(url || '')

/** Express's `absoluteProxyUrl`: `/path` becomes absolute against clerkUrl. */
function absoluteProxyUrl(url, clerkUrl) {
  if (!url || !(isHttpOrHttps(url) || url.startsWith('/')) || !url.startsWith('/')) return url
  return new URL(url, clerkUrl().toString()).toString()
}

/** A memoized `() => URL` for the request. */
function clerkUrlOf(request) {
  let url
  return () => {
    if (url) return url
    const { method, url: path, encrypted, host, forwardedHost, forwardedProto } = request
    url ??= new URL(native.deriveClerkUrl({ method, url: path, encrypted, host, forwardedHost, forwardedProto }))
    return url
  }
}

/**
 * `getAutoProxyUrlFromEnvironment`: production Vercel deployments proxy
 * through `/__clerk`. Production keys take this path on every request: the
 * variables come from the request's environment (`request.env`, see
 * lib/env.js), loaded here only for requests that do not carry it.
 */
function autoProxyPath(publishableKey, hasProxyUrl, hasDomain, request) {
  if (hasProxyUrl || hasDomain || !String(publishableKey || '').startsWith('pk_live_')) return ''
  const env = request.env ?? loadRequestEnv()
  if (isTruthy(env.disableAutoProxy) || env.vercelTargetEnv !== 'production') return ''
  const production = env.vercelProductionUrl
  if (!production) return ''
  let hostname
  if (production.startsWith('http://') || production.startsWith('https://')) {
    try {
      hostname = new URL(production).hostname
    } catch {
      hostname = ''
    }
  } else {
    hostname = production.split('/')[0] || ''
  }
  return hostname.endsWith('.vercel.app') ? '/__clerk' : ''
}

const isDevelopmentSecretKey = (key) => key.startsWith('test_') || key.startsWith('sk_test_')

/**
 * The backend's checks and adjustments once the options are merged: the
 * auto-proxy, relative proxy URLs, and the satellite configuration errors.
 * Returns the request's proxy URL; `options` is not modified (it may be
 * shared by many requests).
 */
function finishSiteOptions(options, request, clerkUrl) {
  let proxyUrl = options.proxyUrl
  const autoPath = autoProxyPath(options.publishableKey, !!proxyUrl, !!options.domain, request)
  if (autoPath) proxyUrl = `${clerkUrl().origin}${autoPath}`
  if (proxyUrl?.startsWith('/')) proxyUrl = `${clerkUrl().origin}${proxyUrl}`
  if (!options.isSatellite) return proxyUrl
  if (!options.signInUrl && isDevelopmentSecretKey(options.secretKey || '')) {
    throw new Error('Missing signInUrl. Pass a signInUrl for dev instances if an app is satellite')
  }
  if (options.signInUrl && request.origin) {
    let signInUrl
    try {
      signInUrl = new URL(options.signInUrl)
    } catch {
      throw new Error('The signInUrl needs to have a absolute url format.')
    }
    if (signInUrl.origin === request.origin) {
      throw new Error('The signInUrl needs to be on a different origin than your satellite application.')
    }
  }
  if (!(proxyUrl || options.domain)) {
    throw new Error('Missing domain and proxyUrl. A satellite application needs to specify a domain or a proxyUrl')
  }
  return proxyUrl
}

module.exports = { valueOrFn, absoluteProxyUrl, clerkUrlOf, finishSiteOptions, isHttpOrHttps, isDevelopmentSecretKey }
