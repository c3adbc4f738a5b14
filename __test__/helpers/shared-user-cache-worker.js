'use strict'

// One application process for shared-user-cache.test.js, forked with an IPC
// channel: a client of the fake Clerk API whose user cache is the Redis
// store every worker shares, and for comparison one with the process-local
// cache (`userCacheTtlMs`). The parent sends commands and gets back what the
// calls returned, how long they took and which failed; what the package
// prints goes to this process's stderr, which the parent reads.

const { Keyv } = require('keyv')
const KeyvRedis = require('@keyv/redis').default
const { createClerkClient } = require('../..')

const { API_URL, REDIS_URL, SECRET_KEY, STORE_TIMEOUT_MS } = process.env

// Reconnects every 50 ms, so that a restarted Redis is seen quickly.
const redis = new KeyvRedis({ url: REDIS_URL, socket: { reconnectStrategy: () => 50, connectTimeout: 1000 } })
const clients = {
  shared: createClerkClient({
    secretKey: SECRET_KEY,
    apiUrl: API_URL,
    userCache: { store: new Keyv(redis), ttlMs: 60_000, storeTimeoutMs: Number(STORE_TIMEOUT_MS) },
  }),
  local: createClerkClient({ secretKey: SECRET_KEY, apiUrl: API_URL, userCacheTtlMs: 60_000 }),
}

/** Every call at once; what each returned or why it failed, and how long it took. */
async function getUsers(client, userIds) {
  return Promise.all(
    userIds.map(async (userId) => {
      const started = performance.now()
      try {
        const user = await client.users.getUser(userId)
        return { id: user.id, plan: user.publicMetadata.plan ?? null, ms: performance.now() - started }
      } catch (err) {
        return { error: `${err.name}: ${err.message}`, ms: performance.now() - started }
      }
    }),
  )
}

const commands = {
  getUsers: ({ userIds, cache = 'shared' }) => getUsers(clients[cache], userIds),
  updatePlan: async ({ userId, plan }) => (await clients.shared.users.updateUserMetadata(userId, { publicMetadata: { plan } })).id,
}

process.on('message', async ({ id, command, ...args }) => {
  try {
    process.send({ id, result: await commands[command](args) })
  } catch (err) {
    process.send({ id, error: String(err?.stack ?? err) })
  }
})
// The Redis connection would keep the process alive once the parent is gone.
process.on('disconnect', () => process.exit(0))
process.send({ ready: true })
