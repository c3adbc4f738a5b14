'use strict'

// The Backend API client, @clerk/express's and ours side by side against a
// local fake API on 127.0.0.1: `users.getUserList` returning 500 users (two
// requests, JSON parsing, 500 User objects), and 200 concurrent
// `users.getUser` calls (connection handling under concurrency). The answers
// are serialized once up front, so the fake costs the same for both sides.
// Rounds alternate the order of the two clients.

const http = require('node:http')
const { performance } = require('node:perf_hooks')
const { userJson } = require('../__test__/helpers/fake-clerk-api')
const { summarize } = require('./harness')

const LIST_SIZE = 500
const CONCURRENT_CALLS = 200

async function startUsersApi() {
  const users = Array.from({ length: LIST_SIZE }, (_, i) => userJson(`user_${i}`))
  const list = JSON.stringify(users)
  const count = JSON.stringify({ object: 'total_count', total_count: LIST_SIZE })
  const one = new Map(users.map((user) => [`/v1/users/${user.id}`, JSON.stringify(user)]))
  const server = http.createServer((req, res) => {
    const path = req.url.split('?')[0]
    const body = path === '/v1/users' ? list : path === '/v1/users/count' ? count : one.get(path)
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' })
    res.end(body || '{"errors":[]}')
  })
  server.keepAliveTimeout = 60_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() }
}

async function timeMs(fn) {
  const started = performance.now()
  await fn()
  return performance.now() - started
}

/**
 * @param clients {label: createClerkClient} for the two packages
 * @returns rows of {name, results: {label: summary of ms per operation}}
 */
async function run({ clients, rounds, log }) {
  const api = await startUsersApi()
  try {
    const built = Object.entries(clients).map(([label, create]) => ({
      label,
      client: create({ secretKey: 'sk_test_bench', apiUrl: api.url }),
    }))
    const scenarios = [
      {
        name: `users.getUserList (${LIST_SIZE} users)`,
        run: async (client) => {
          const { data } = await client.users.getUserList({ limit: LIST_SIZE })
          if (data.length !== LIST_SIZE) throw new Error(`expected ${LIST_SIZE} users, got ${data.length}`)
        },
      },
      {
        name: `${CONCURRENT_CALLS} concurrent users.getUser`,
        run: async (client) => {
          const ids = Array.from({ length: CONCURRENT_CALLS }, (_, i) => `user_${i % LIST_SIZE}`)
          const users = await Promise.all(ids.map((id) => client.users.getUser(id)))
          if (users.some((user, i) => user.id !== ids[i])) throw new Error('wrong user returned')
        },
      },
    ]
    const rows = []
    for (const scenario of scenarios) {
      // Warm-up: connections, JIT.
      for (const { client } of built) for (let i = 0; i < 3; i++) await scenario.run(client)
      const samples = built.map(() => [])
      for (let round = 0; round < rounds; round++) {
        for (let k = 0; k < built.length; k++) {
          const index = (k + round) % built.length
          samples[index].push(await timeMs(() => scenario.run(built[index].client)))
        }
      }
      const results = Object.fromEntries(built.map(({ label }, i) => [label, summarize(samples[i])]))
      log(`  ${scenario.name}: done`)
      rows.push({ name: scenario.name, results })
    }
    return rows
  } finally {
    api.close()
  }
}

module.exports = { run }
