'use strict'

// A client's `users.getUser` cache, which its options choose: `userCache`
// (a store every process shares, ./shared-user-cache.js) wins over
// `userCacheTtlMs` (this process only, ./user-cache.js); neither means none.
// And `clerkClient.userCache`, which evicts a user from it: for changes the
// client did not make itself, told by a `user.updated`/`user.deleted`
// webhook. It exists whatever the options, so that a webhook handler need
// not know how the cache is configured.

const { createUserCache } = require('./user-cache')

const EVICTING_EVENTS = new Set(['user.updated', 'user.deleted'])

/** The cache for the client's options (the live object: read now, once). */
function userCacheFor(options) {
  if (options.userCache != null) return require('./shared-user-cache').createSharedUserCache(options.userCache, options)
  return createUserCache(options.userCacheTtlMs)
}

/** `clerkClient.userCache`. */
function userCacheHelper(cache) {
  return {
    /** Resolves once the user is no longer cached. */
    evict: async (userId) => {
      if (typeof userId !== 'string' || !userId) throw new TypeError('clerk-express-native: userCache.evict(userId) needs a user ID')
      await cache.evict(userId)
    },
    /**
     * For a verified webhook event: `user.updated` and `user.deleted` evict
     * their user and resolve to true; other events resolve to false.
     */
    evictFromWebhook: async (event) => {
      const userId = event?.data?.id
      if (!EVICTING_EVENTS.has(event?.type) || typeof userId !== 'string' || !userId) return false
      await cache.evict(userId)
      return true
    },
  }
}

module.exports = { userCacheFor, userCacheHelper }
