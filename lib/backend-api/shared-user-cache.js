'use strict'

// Opt-in (`userCache: {store, ttlMs, storeTimeoutMs}`), beyond the reference:
// the `users.getUser` cache of ./user-cache.js, kept in a Keyv-compatible
// store (`get(key)`, `set(key, value, ttlMs)`, `delete(key)`; Redis through
// @keyv/redis, ...) that every process of the application shares. Clerk
// rate-limits getUser per application, so N processes each with their own
// cache still ask N times per user per TTL; with a shared store they ask once.
//
// What is stored is the API's answer as it came, its JSON text (never a
// resource object), and only 200 answers that are a user. The key is
// `clerk-user:<instance>:<userId>`, where <instance> is 16 hex digits of the
// SHA-256 of the API URL and the secret key: two instances sharing a store
// never see each other's users, and the key itself never leaves the process.
// Each call parses the text into its own `User`. Concurrent calls for one
// user in one process share one store lookup and, on a miss, one request.
//
// A write through the client to `/users/{id}` or below deletes the entry
// before (no stale hit while it runs) and after (no read that started
// meanwhile keeps the old state); changes made elsewhere (the Dashboard)
// are seen when the TTL runs out or when `clerkClient.userCache` is told by
// a webhook. A store value that is not such an answer is a miss. The store
// is reached through its guard (./store-guard.js): when it is down or slow,
// calls go to the API.

const { createHash } = require('node:crypto')
const { joinPaths } = require('./paths')
const { guardOf } = require('./store-guard')
const { GET_USER_PATH, USER_PATH } = require('./user-cache')
const { publishCacheEvent } = require('../diagnostics')

const DEFAULT_STORE_TIMEOUT_MS = 150
const KEY_PREFIX = 'clerk-user'

const isPositive = (value) => typeof value === 'number' && value > 0 && Number.isFinite(value)

/** A TypeError now rather than a cache that silently never works. */
function checkOption(option) {
  const store = option?.store
  if (!store || !['get', 'set', 'delete'].every((method) => typeof store[method] === 'function')) {
    throw new TypeError('clerk-express-native: `userCache.store` must have get(key), set(key, value, ttlMs) and delete(key) methods, like a Keyv instance or a Keyv store (@keyv/redis)')
  }
  if (!isPositive(option.ttlMs)) throw new TypeError('clerk-express-native: `userCache.ttlMs` must be a positive number of milliseconds')
  if (option.storeTimeoutMs !== undefined && !isPositive(option.storeTimeoutMs)) {
    throw new TypeError('clerk-express-native: `userCache.storeTimeoutMs` must be a positive number of milliseconds')
  }
}

/** The stored text when it is the answer for `userId`, else null (a miss). */
function userAnswerOf(text, userId) {
  if (typeof text !== 'string') return null
  let parsed
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  return parsed && typeof parsed === 'object' && parsed.object === 'user' && parsed.id === userId ? text : null
}

/**
 * @param option the caller's `userCache`
 * @param clientOptions the client's options (live), for the keys of `evict(userId)`
 */
function createSharedUserCache(option, clientOptions) {
  checkOption(option)
  const { store, ttlMs } = option
  const timeoutMs = option.storeTimeoutMs ?? DEFAULT_STORE_TIMEOUT_MS
  const guard = guardOf(store)
  // store key → {promise, current}; `current` is cleared by an eviction, so
  // that an answer fetched before a write is not stored after it.
  const inFlight = new Map()

  // The hash of the last instance, which is nearly always the only one.
  let lastIdentity = null
  let lastInstance = null

  /** The store key for a request URL naming `/users/{userId}` (or below). */
  function keyOf(url, authorization, userId) {
    const identity = `${url.slice(0, url.indexOf('/users/', url.indexOf('//') + 2))}\n${authorization}`
    if (identity !== lastIdentity) {
      lastInstance = createHash('sha256').update(identity).digest('hex').slice(0, 16)
      lastIdentity = identity
    }
    return `${KEY_PREFIX}:${lastInstance}:${userId}`
  }

  const authorizationOf = (nativeRequest) => nativeRequest.headers.find(([name]) => name === 'authorization')?.[1] ?? ''

  /** The key the users group's `getUser(userId)` uses, built as request.js builds its URL. */
  function keyForUser(userId) {
    const { apiUrl = 'https://api.clerk.com', apiVersion = 'v1', skipApiVersionInUrl = false, secretKey } = clientOptions
    const path = `/users/${userId}`
    const url = new URL(skipApiVersionInUrl ? joinPaths(apiUrl, path) : joinPaths(apiUrl, apiVersion, path)).href
    return keyOf(url, secretKey ? `Bearer ${secretKey}` : '', userId)
  }

  /**
   * `{ok}`: whether the store confirmed the deletion; if not, it is owed.
   * `cause` (`write` or `invalidated`) is published when an entry went.
   */
  async function evictKey(key, cause, force = false) {
    const flight = inFlight.get(key)
    if (flight) {
      flight.current = false
      inFlight.delete(key)
    }
    const outcome = await guard.call(() => store.delete(key), { timeoutMs, force })
    if (outcome.ok) guard.deleted(key)
    else guard.deleteLater(key)
    // Keyv and its stores resolve `delete` to whether the key was there.
    if (outcome.ok && outcome.value !== false) publishCacheEvent('user', 'eviction', cause)
    return outcome
  }

  async function readThrough(nativeRequest, key, userId, sendUncached, flight) {
    // An entry whose deletion is owed may be stale: not read, overwritten.
    if (!guard.owesDelete(key)) {
      const cached = await guard.call(() => store.get(key), { timeoutMs, probe: true })
      const text = cached.ok ? userAnswerOf(cached.value, userId) : null
      if (text) {
        publishCacheEvent('user', 'hit')
        return { status: 200, statusText: 'OK', contentType: 'application/json', body: text }
      }
    }
    publishCacheEvent('user', 'miss')
    const response = await sendUncached(nativeRequest)
    const storable = response.status === 200 && response.contentType === 'application/json' && userAnswerOf(response.body, userId)
    if (storable && flight.current) {
      // Awaited (bounded): once getUser resolves, the other processes can read it.
      const stored = await guard.call(() => store.set(key, response.body, ttlMs), { timeoutMs })
      if (stored.ok) guard.deleted(key)
    }
    return response
  }

  async function send(nativeRequest, path, sendUncached) {
    const read = nativeRequest.method === 'GET' && !nativeRequest.url.includes('?') && GET_USER_PATH.exec(path)
    if (!read) {
      const written = nativeRequest.method !== 'GET' && USER_PATH.exec(path)
      if (!written) return sendUncached(nativeRequest)
      const key = keyOf(nativeRequest.url, authorizationOf(nativeRequest), written[1])
      await evictKey(key, 'write')
      try {
        return await sendUncached(nativeRequest)
      } finally {
        await evictKey(key, 'write')
      }
    }
    const userId = read[1]
    const key = keyOf(nativeRequest.url, authorizationOf(nativeRequest), userId)
    const existing = inFlight.get(key)
    if (existing) {
      // Joining the lookup in flight: no request of its own.
      publishCacheEvent('user', 'hit')
      return existing.promise
    }
    const flight = { current: true }
    flight.promise = readThrough(nativeRequest, key, userId, sendUncached, flight)
    inFlight.set(key, flight)
    try {
      return await flight.promise
    } finally {
      if (inFlight.get(key) === flight) inFlight.delete(key)
    }
  }

  /** `clerkClient.userCache.evict(userId)`: tries the store even during an outage; rejects when it did not confirm (the deletion is then retried every second). */
  async function evict(userId) {
    const outcome = await evictKey(keyForUser(userId), 'invalidated', true)
    if (!outcome.ok) throw new Error(`Clerk: the user cache store did not confirm the eviction of ${userId}; it is retried every second until it does`)
  }

  return { send, evict }
}

module.exports = { createSharedUserCache }
