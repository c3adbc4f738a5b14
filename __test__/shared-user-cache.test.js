'use strict'

// `userCache: {store, ttlMs}`: `users.getUser` answers shared by every
// process through a real Redis (redis-server, @keyv/redis). Application
// processes are forked workers (helpers/shared-user-cache-worker.js) against
// the fake Clerk API, which counts the requests it serves.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const { fork } = require('node:child_process')
const path = require('node:path')
const KeyvRedis = require('@keyv/redis').default
const { createClerkClient } = require('..')
const { verifyWebhook } = require('../webhooks')
const { startFakeClerkApi, userJson } = require('./helpers/fake-clerk-api')
const { startRedisServer, skipWithoutRedis } = require('./helpers/redis-server')

const WORKER = path.join(__dirname, 'helpers', 'shared-user-cache-worker.js')
const USER_IDS = Array.from({ length: 10 }, (_, i) => `user_${i}`)
const OUTAGE_WARNING = /^Clerk: the user cache store failed \(.+\); users\.getUser calls go to the Backend API until it answers again$/
const RECOVERY_NOTICE = /^Clerk: the user cache store answers again; users\.getUser answers are shared again$/

// Each test its own secret key: its own instance, so its own store keys.
let keyCount = 0
const newSecretKey = () => `sk_test_shared${++keyCount}${crypto.randomBytes(6).toString('hex')}`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/** A forked application process; `run(command, args)` resolves to what it answered. */
async function startWorker(env) {
  const child = fork(WORKER, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const pending = new Map()
  let nextId = 0
  const ready = new Promise((resolve, reject) => {
    // A worker that dies fails what waits on it, rather than leaving the test hanging.
    child.once('exit', (code, signal) => {
      const error = new Error(`worker exited (${signal || code}): ${stderr}`)
      for (const { reject: fail } of pending.values()) fail(error)
      reject(error)
    })
    child.on('message', (message) => {
      if (message.ready) return resolve()
      const { resolve: done, reject: fail } = pending.get(message.id)
      pending.delete(message.id)
      if (message.error) fail(new Error(message.error))
      else done(message.result)
    })
  })
  await ready
  return {
    run: (command, args = {}) =>
      new Promise((resolve, reject) => {
        const id = ++nextId
        pending.set(id, { resolve, reject })
        child.send({ id, command, ...args })
      }),
    // What the package printed (Node's own warnings, if any, are not counted).
    clerkLines: () => stderr.split('\n').filter((line) => line.startsWith('Clerk:')),
    stop: () => {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.disconnect()
      return exited
    },
  }
}

/** `count` calls for each user, all at once. */
const workload = (count) => USER_IDS.flatMap((userId) => Array.from({ length: count }, () => userId))

/** Every call returned its own user, none failed. */
function assertAllAnswered(outcomes, userIds) {
  assert.deepEqual(outcomes.filter((outcome) => outcome.error), [])
  assert.deepEqual(outcomes.map((outcome) => outcome.id), userIds)
}

describe('shared user cache (userCache with a Redis store)', { skip: skipWithoutRedis() }, () => {
  let redis
  let api
  // A store client of the test itself, to look at what the processes stored.
  let inspector
  // Three application processes sharing the Redis, for the tests that need processes.
  let processes = []

  before(async () => {
    // One after the other: if Redis cannot start, nothing is left running.
    redis = await startRedisServer()
    api = await startFakeClerkApi()
    for (const id of USER_IDS) api.state.users.set(id, userJson(id))
    inspector = new KeyvRedis({ url: redis.url, socket: { reconnectStrategy: () => 50 } })
    processes = await startWorkers(3, { SECRET_KEY: newSecretKey(), STORE_TIMEOUT_MS: '250' })
  })
  after(async () => {
    await Promise.all(processes.map((worker) => worker.stop()))
    await inspector?.disconnect().catch(() => {})
    await Promise.all([redis?.close(), api?.close()])
  })

  const getUserRequests = () => api.state.requests.filter((r) => r.method === 'GET' && /^\/v1\/users\/user_\d+$/.test(r.path)).length
  const startWorkers = (count, env) => Promise.all(Array.from({ length: count }, () => startWorker({ API_URL: api.url, REDIS_URL: redis.url, ...env })))
  // Each test of the processes starts from an empty store.
  const reset = async () => {
    await (await inspector.getClient()).flushAll()
    api.state.requests = []
  }

  test('three processes: 300 getUser calls for 10 users make 10 Backend API requests (30 with userCacheTtlMs)', async () => {
    for (const [cache, expected] of [
      ['shared', 10],
      ['local', 30],
    ]) {
      await reset()
      // One process first, then the two others at once: concurrent first
      // calls on different processes would each ask (there is no lock across
      // processes), which is not what this counts.
      const userIds = workload(10)
      assertAllAnswered(await processes[0].run('getUsers', { userIds, cache }), userIds)
      const others = await Promise.all(processes.slice(1).map((worker) => worker.run('getUsers', { userIds, cache })))
      for (const outcomes of others) assertAllAnswered(outcomes, userIds)
      assert.equal(getUserRequests(), expected, cache)
    }
  })

  test('an update through one process is seen by the others on their next call', async () => {
    await reset()
    for (const worker of processes) assert.equal((await worker.run('getUsers', { userIds: ['user_1'] }))[0].plan, null)
    assert.equal(getUserRequests(), 1)
    assert.equal(await processes[0].run('updatePlan', { userId: 'user_1', plan: 'pro' }), 'user_1')
    for (const worker of processes.slice(1)) assert.equal((await worker.run('getUsers', { userIds: ['user_1'] }))[0].plan, 'pro')
    assert.equal((await processes[0].run('getUsers', { userIds: ['user_1'] }))[0].plan, 'pro')
    // One read after the write, then the store again.
    assert.equal(getUserRequests(), 2)
  })

  test('Redis stopping mid-run: no call lost or failed, one warning per process, the cache used again once it is back', async () => {
    await reset()
    assertAllAnswered(await processes[0].run('getUsers', { userIds: USER_IDS }), USER_IDS)
    assert.equal(getUserRequests(), 10)
    for (const worker of processes) assert.deepEqual(worker.clerkLines(), [])

    await redis.stop()
    // 1.5 s of traffic: longer than the probe interval, so the store fails more than once.
    const outageStarted = Date.now()
    const during = []
    while (Date.now() - outageStarted < 1500) {
      const rounds = await Promise.all(processes.map((worker) => worker.run('getUsers', { userIds: USER_IDS })))
      for (const outcomes of rounds) assertAllAnswered(outcomes, USER_IDS)
      during.push(...rounds.flat())
      await sleep(50)
    }
    assert.ok(during.length >= 60)
    // Every call went to the API, and none waited much longer than the store timeout.
    assert.equal(getUserRequests(), 10 + during.length)
    assert.ok(Math.max(...during.map((outcome) => outcome.ms)) < 1500)
    for (const worker of processes) {
      assert.deepEqual(worker.clerkLines().map((line) => OUTAGE_WARNING.test(line)), [true], worker.clerkLines().join('\n'))
    }

    await redis.start()
    // Past the probe interval (1 s after the last failed probe).
    await sleep(1100)
    // Writes sent as the outage began (before it was detected) were queued by
    // the Redis client and replayed on reconnection; start from empty again.
    await (await inspector.getClient()).flushAll()
    // Each process's next call is its probe, which finds the (empty) store.
    for (const worker of processes) assertAllAnswered(await worker.run('getUsers', { userIds: ['user_0'] }), ['user_0'])
    for (const worker of processes) {
      const lines = worker.clerkLines()
      assert.equal(lines.length, 2, lines.join('\n'))
      assert.match(lines[1], RECOVERY_NOTICE)
    }
    // user_0 was stored by the first probe; the 9 others once, by the first
    // process, and read from the store by the two others.
    const afterRestart = getUserRequests()
    assertAllAnswered(await processes[0].run('getUsers', { userIds: workload(3) }), workload(3))
    const others = await Promise.all(processes.slice(1).map((worker) => worker.run('getUsers', { userIds: workload(3) })))
    for (const outcomes of others) assertAllAnswered(outcomes, workload(3))
    assert.equal(getUserRequests() - afterRestart, 9)
  })

  describe('in one process', () => {
    let store
    // The store every client below uses: a bare @keyv/redis store, counting what is asked of it.
    const counts = { get: 0, set: 0, delete: 0 }
    before(() => {
      const redisStore = new KeyvRedis(redis.url)
      store = {
        redisStore,
        get: (key) => (counts.get++, redisStore.get(key)),
        set: (key, value, ttl) => (counts.set++, redisStore.set(key, value, ttl)),
        delete: (key) => (counts.delete++, redisStore.delete(key)),
      }
    })
    after(() => store.redisStore.disconnect().catch(() => {}))

    const clientFor = (secretKey) => createClerkClient({ secretKey, apiUrl: api.url, userCache: { store, ttlMs: 60_000 } })
    const userRequests = (userId) => api.state.requests.filter((r) => r.method === 'GET' && r.path === `/v1/users/${userId}`).length
    // The workers' keys (through Keyv) have Keyv's namespace before them.
    const storedKeys = async () => (await (await inspector.getClient()).keys('clerk-user:*'))

    test('concurrent calls for one user make one store lookup and one request; each gets its own User', async () => {
      api.state.requests = []
      Object.assign(counts, { get: 0, set: 0, delete: 0 })
      api.state.delayMs = 30
      const client = clientFor(newSecretKey())
      const users = await Promise.all(Array.from({ length: 50 }, () => client.users.getUser('user_2')))
      api.state.delayMs = 0
      assert.equal(userRequests('user_2'), 1)
      assert.deepEqual(counts, { get: 1, set: 1, delete: 0 })
      assert.equal(new Set(users).size, 50)
      assert.ok(users.every((user) => user.constructor.name === '_User' && user.id === 'user_2' && user.firstName === 'Ada'))
      users[0].firstName = 'mutated'
      const again = await Promise.all(Array.from({ length: 20 }, () => client.users.getUser('user_2')))
      assert.ok(again.every((user) => user.firstName === 'Ada'))
      assert.equal(userRequests('user_2'), 1)
      assert.equal(counts.get, 2)
    })

    test('a verified user.updated webhook evicts the user for every process (evictFromWebhook, evict)', async () => {
      api.state.requests = []
      const secretKey = newSecretKey()
      const [one, other] = [clientFor(secretKey), clientFor(secretKey)]
      assert.equal((await one.users.getUser('user_3')).firstName, 'Ada')
      // Changed in the Dashboard: the clients do not know.
      api.state.users.set('user_3', userJson('user_3', { first_name: 'Grace' }))
      assert.equal((await other.users.getUser('user_3')).firstName, 'Ada')
      assert.equal(userRequests('user_3'), 1)

      const signingSecret = `whsec_${crypto.randomBytes(24).toString('base64')}`
      const body = JSON.stringify({ type: 'user.updated', object: 'event', data: api.state.users.get('user_3') })
      const id = 'msg_1'
      const timestamp = String(Math.floor(Date.now() / 1000))
      const signature = crypto.createHmac('sha256', Buffer.from(signingSecret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')
      const req = { method: 'POST', body, headers: { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` } }
      const event = await verifyWebhook(req, { signingSecret })
      assert.equal(await other.userCache.evictFromWebhook(event), true)
      assert.equal((await one.users.getUser('user_3')).firstName, 'Grace')
      assert.equal(userRequests('user_3'), 2)

      assert.equal(await one.userCache.evictFromWebhook({ type: 'session.created', data: { id: 'sess_1', user_id: 'user_3' } }), false)
      assert.equal((await other.users.getUser('user_3')).firstName, 'Grace')
      assert.equal(userRequests('user_3'), 2)

      api.state.users.set('user_3', userJson('user_3', { first_name: 'Ada' }))
      await one.userCache.evict('user_3')
      assert.equal((await other.users.getUser('user_3')).firstName, 'Ada')
      assert.equal(userRequests('user_3'), 3)
    })

    test('a store value that is not a stored answer for that user is a miss, then replaced', async () => {
      api.state.requests = []
      const secretKey = newSecretKey()
      const client = clientFor(secretKey)
      const before = new Set(await storedKeys())
      await client.users.getUser('user_4')
      const [key, ...more] = (await storedKeys()).filter((name) => !before.has(name))
      assert.deepEqual(more, [])
      assert.match(key, /:user_4$/)
      const broken = ['not json', '{"object":"user"', '[]', 'null', '42', '{"object":"user","id":"user_5"}', '{"object":"session","id":"user_4"}']
      for (const [index, value] of broken.entries()) {
        await (await inspector.getClient()).set(key, value)
        const user = await client.users.getUser('user_4')
        assert.equal(user.id, 'user_4', value)
        assert.equal(user.firstName, 'Ada', value)
        assert.equal(userRequests('user_4'), index + 2, value)
        assert.equal(JSON.parse(await (await inspector.getClient()).get(key)).id, 'user_4', value)
      }
      await client.users.getUser('user_4')
      assert.equal(userRequests('user_4'), broken.length + 1)
    })

    test('a failing store: no call fails, one line as it fails and one as it answers, a write meanwhile is deleted after', async (t) => {
      const warnings = []
      t.mock.method(console, 'warn', (line) => warnings.push(line))
      // Its own store object, so its own health; the reader's store keeps working.
      const redisStore = new KeyvRedis(redis.url)
      let failing = false
      const fail = () => Promise.reject(new Error('connection\nlost'))
      const flaky = {
        get: (key) => (failing ? fail() : redisStore.get(key)),
        set: (key, value, ttl) => (failing ? fail() : redisStore.set(key, value, ttl)),
        delete: (key) => (failing ? fail() : redisStore.delete(key)),
      }
      const secretKey = newSecretKey()
      const writer = createClerkClient({ secretKey, apiUrl: api.url, userCache: { store: flaky, ttlMs: 60_000 } })
      const reader = clientFor(secretKey)
      assert.equal((await writer.users.getUser('user_6')).publicMetadata.plan, undefined)

      failing = true
      await writer.users.updateUserMetadata('user_6', { publicMetadata: { plan: 'team' } })
      assert.equal((await writer.users.getUser('user_6')).publicMetadata.plan, 'team')
      await assert.rejects(writer.userCache.evict('user_6'), /did not confirm the eviction of user_6/)
      // The writer could not delete the entry: until it can, the others read it.
      assert.equal((await reader.users.getUser('user_6')).publicMetadata.plan, undefined)
      assert.equal(warnings.length, 1)
      assert.match(warnings[0], OUTAGE_WARNING)
      assert.match(warnings[0], /\(connection lost\)/)

      failing = false
      // No call needed: the owed deletion is retried every second.
      for (const deadline = Date.now() + 3000; warnings.length < 2 && Date.now() < deadline; ) await sleep(20)
      assert.equal(warnings.length, 2)
      assert.match(warnings[1], RECOVERY_NOTICE)
      assert.equal((await reader.users.getUser('user_6')).publicMetadata.plan, 'team')
      await redisStore.disconnect()
    })

    test('no store key or value holds the secret key; keys name the instance by a hash', async () => {
      const secretKey = newSecretKey()
      await clientFor(secretKey).users.getUser('user_5')
      const keys = await (await inspector.getClient()).keys('*')
      assert.ok(keys.length >= 10)
      for (const key of keys) {
        assert.match(key, /^(keyv::keyv:)?clerk-user:[0-9a-f]{16}:user_\d+$/)
        assert.ok(!key.includes('sk_test'), key)
        const value = await (await inspector.getClient()).get(key)
        assert.ok(!value.includes('sk_test'), key)
      }
      const instances = new Set(keys.map((key) => key.split(':').at(-2)))
      assert.ok(instances.size >= 4, 'one instance hash per secret key')
    })
  })
})
