'use strict'

// Opt-in (`userCacheTtlMs`), beyond the reference: a short cache of
// `users.getUser` answers with single-flight. The Clerk docs' Express example
// calls `clerkClient.users.getUser(userId)` on every request, and Clerk
// rate-limits that endpoint; with a TTL of a few seconds one process asks
// once per user per TTL, and concurrent calls share one request.
//
// What is cached is the raw HTTP answer, not the `User` object: every call
// still gets a fresh instance, so one caller mutating its result cannot leak
// into another's. Only successful answers are kept. A write through the same
// client to `/users/{id}` or below (update, metadata, ban, delete, ...)
// evicts that user at once; changes made elsewhere (the Dashboard, another
// process, a webhook) show up when the TTL runs out, which is the trade-off
// the option's name announces. `userCache: {store, ttlMs}` shares the answers
// between processes instead (./shared-user-cache.js).

const { publishCacheEvent } = require('../diagnostics')

const MAX_ENTRIES = 10_000
// `GET /users/{id}` and nothing below it; `/users/count` is another endpoint.
const GET_USER_PATH = /^\/users\/(?!count$)([^/]+)$/
const USER_PATH = /^\/users\/([^/]+)/

const passThrough = { send: (nativeRequest, path, send) => send(nativeRequest), evict: async () => {} }

function createUserCache(ttlMs) {
  if (!(typeof ttlMs === 'number' && ttlMs > 0)) return passThrough
  // key → {expiresAt, response} or {pending}
  const entries = new Map()

  const keyOf = (nativeRequest, path) => {
    const authorization = nativeRequest.headers.find(([name]) => name === 'authorization')
    // The URL names the instance's API, the key the instance: both are part of the identity.
    return `${path}\n${nativeRequest.url}\n${authorization ? authorization[1] : ''}`
  }

  // Also drops a request in flight: its answer may predate the write.
  // `cause`: `write` (through this client) or `invalidated` (told to).
  const evictUser = (userId, cause) => {
    const prefix = `/users/${userId}\n`
    for (const [key, entry] of entries) {
      if (!key.startsWith(prefix)) continue
      entries.delete(key)
      if (entry.response) publishCacheEvent('user', 'eviction', cause)
    }
  }

  const remember = (key, response) => {
    if (entries.size >= MAX_ENTRIES) {
      entries.delete(entries.keys().next().value)
      publishCacheEvent('user', 'eviction', 'size')
    }
    entries.set(key, { expiresAt: Date.now() + ttlMs, response })
  }

  async function send(nativeRequest, path, sendUncached) {
    if (nativeRequest.method !== 'GET' || !GET_USER_PATH.test(path) || nativeRequest.url.includes('?')) {
      const written = nativeRequest.method !== 'GET' && USER_PATH.exec(path)
      if (!written) return sendUncached(nativeRequest)
      // Before (no stale hit while the write runs) and after (no read that
      // started meanwhile keeps the old state).
      evictUser(written[1], 'write')
      try {
        return await sendUncached(nativeRequest)
      } finally {
        evictUser(written[1], 'write')
      }
    }
    const key = keyOf(nativeRequest, path)
    const entry = entries.get(key)
    if (entry?.pending) {
      // Joining the request in flight: no request of its own.
      publishCacheEvent('user', 'hit')
      return entry.pending
    }
    if (entry && entry.expiresAt > Date.now()) {
      publishCacheEvent('user', 'hit')
      return entry.response
    }
    if (entry) publishCacheEvent('user', 'eviction', 'expired')
    publishCacheEvent('user', 'miss')
    const pending = sendUncached(nativeRequest)
    entries.set(key, { pending })
    try {
      const response = await pending
      if (entries.get(key)?.pending === pending) {
        if (response.status === 200) remember(key, response)
        else entries.delete(key)
      }
      return response
    } catch (err) {
      if (entries.get(key)?.pending === pending) entries.delete(key)
      throw err
    }
  }

  // `clerkClient.userCache.evict(userId)`: as a write does.
  return { send, evict: async (userId) => evictUser(userId, 'invalidated') }
}

module.exports = { createUserCache, GET_USER_PATH, USER_PATH }
