'use strict'

// The Backend API transport: every failure a network and a server can
// produce gives @clerk/backend's outcome (differential), and the opt-in
// improvements (timeout, retries, users.getUser cache) do what they say,
// counted against a local fake API.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { createClerkClient: createReferenceClient } = require('@clerk/backend')
const { createClerkClient } = require('../lib/client')
const { startCaptureServer } = require('./helpers/capture-server')
const { userJson } = require('./helpers/fake-clerk-api')

const SECRET_KEY = 'sk_test_transport'
const USER_AGENT = '@clerk/express@2.1.70'

function describeError(err) {
  return {
    class: err.constructor.name,
    message: err.message,
    status: err.status,
    clerkTraceId: err.clerkTraceId,
    retryAfter: err.retryAfter,
    errors: err.errors && JSON.parse(JSON.stringify(err.errors)),
  }
}

async function outcome(promise) {
  try {
    const value = await promise
    return { value: typeof value === 'object' && value ? JSON.parse(JSON.stringify(value)) : value }
  } catch (err) {
    return { error: describeError(err) }
  }
}

/** A raw TCP server: `onConnection(socket, request)` decides what goes back. */
async function startRawServer(onRequest) {
  const sockets = new Set()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.once('data', (data) => onRequest(socket, data.toString('latin1')))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(resolve)
      }),
  }
}

function clients(apiUrl, extra = {}) {
  return {
    reference: createReferenceClient({ secretKey: SECRET_KEY, apiUrl, userAgent: USER_AGENT }),
    native: createClerkClient({ secretKey: SECRET_KEY, apiUrl, userAgent: USER_AGENT, ...extra }),
  }
}

describe('failures give the reference outcome', () => {
  let api
  before(async () => {
    api = await startCaptureServer()
  })
  after(() => api.close())

  const cases = {
    'a Clerk error body with a trace id': {
      status: 422,
      headers: { 'content-type': 'application/json', 'cf-ray': 'ray-1' },
      body: {
        errors: [
          {
            code: 'form_param_format_invalid',
            message: 'is invalid',
            long_message: 'email_address must be a valid email address.',
            meta: { param_name: 'email_address' },
          },
        ],
        clerk_trace_id: 'trace_1',
      },
    },
    'a 404 with the cf-ray header only': {
      status: 404,
      headers: { 'content-type': 'application/json', 'cf-ray': 'ray-2' },
      body: { errors: [{ code: 'resource_not_found', message: 'not found' }] },
    },
    'a 429 with Retry-After': {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': '17' },
      body: { errors: [{ code: 'too_many_requests', message: 'slow down' }] },
    },
    'a 502 with an HTML body': {
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>Bad gateway</body></html>',
    },
    'a 500 with JSON that is not labelled exactly application/json': {
      status: 500,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { errors: [{ code: 'x', message: 'y' }] },
    },
    'a 500 whose errors is not a list': {
      status: 500,
      headers: { 'content-type': 'application/json' },
      body: { errors: 'broken' },
    },
    'a 200 with truncated JSON': {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"object":"user","id":"user_1"',
    },
    'a 200 with a JSON null': {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: 'null',
    },
    'a 200 with text': {
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'plain words',
    },
    'a 200 with JSON and a charset (returned as a string)': {
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: { object: 'user', id: 'user_1' },
    },
    'a 200 with a user missing linked_to': {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: { ...userJson('user_1'), email_addresses: [{ id: 'idn_1', object: 'email_address', email_address: 'a@b.c' }] },
    },
    'a 204': { status: 204 },
  }

  for (const [name, answer] of Object.entries(cases)) {
    test(name, async () => {
      api.state.respond = () => answer
      const { reference, native } = clients(api.url)
      const expected = await outcome(reference.users.getUser('user_1'))
      const actual = await outcome(native.users.getUser('user_1'))
      assert.deepEqual(actual, expected)
    })
  }

  test('connection refused', async () => {
    const closed = await startRawServer(() => {})
    await closed.close()
    const { reference, native } = clients(closed.url)
    const expected = await outcome(reference.users.getUser('user_1'))
    assert.equal(expected.error.errors[0].code, 'unexpected_error')
    assert.deepEqual(await outcome(native.users.getUser('user_1')), expected)
  })

  test('a connection closed before any answer', async () => {
    const server = await startRawServer((socket) => socket.destroy())
    const { reference, native } = clients(server.url)
    const expected = await outcome(reference.users.getUser('user_1'))
    assert.deepEqual(await outcome(native.users.getUser('user_1')), expected)
    await server.close()
  })

  test('a body cut short of its Content-Length is an unexpected_error, never a hang', async () => {
    const server = await startRawServer((socket) => {
      socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"object":"us')
    })
    const { reference, native } = clients(server.url)
    const expected = await outcome(reference.users.getUser('user_1'))
    assert.deepEqual(expected.error.errors, [{ code: 'unexpected_error', message: 'terminated' }])
    assert.deepEqual(await outcome(native.users.getUser('user_1')), expected)
    await server.close()
  })

  test('a redirect to itself: the loop is cut, an unexpected_error', async () => {
    let connections = 0
    const server = await startRawServer((socket, request) => {
      connections++
      const target = request.split(' ')[1]
      socket.end(`HTTP/1.1 302 Found\r\nlocation: ${target}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`)
    })
    const { reference, native } = clients(server.url)
    const expected = await outcome(reference.users.getUser('user_1'))
    assert.deepEqual(expected.error.errors, [{ code: 'unexpected_error', message: 'fetch failed' }])
    const referenceConnections = connections
    assert.deepEqual(await outcome(native.users.getUser('user_1')), expected)
    // Node's fetch follows 20 redirects, reqwest 10.
    assert.deepEqual([referenceConnections, connections - referenceConnections], [21, 11])
    await server.close()
  })
})

describe('requestTimeoutMs', () => {
  test('a server that never answers gives an unexpected_error after the timeout', async () => {
    const server = await startRawServer(() => {})
    const { native } = clients(server.url, { requestTimeoutMs: 150 })
    const started = Date.now()
    const result = await outcome(native.users.getUser('user_1'))
    const elapsed = Date.now() - started
    assert.ok(elapsed >= 140 && elapsed < 3000, `took ${elapsed} ms`)
    assert.deepEqual(result.error, {
      class: 'ClerkAPIResponseError',
      message: '',
      status: undefined,
      clerkTraceId: '',
      retryAfter: undefined,
      errors: [{ code: 'unexpected_error', message: 'The Clerk Backend API did not answer within 150 ms' }],
    })
    await server.close()
  })

  test('a body that trickles past the timeout is cut off too', async () => {
    const server = await startRawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{')
      const timer = setInterval(() => socket.write(' '), 50)
      socket.on('close', () => clearInterval(timer))
    })
    const { native } = clients(server.url, { requestTimeoutMs: 300 })
    const result = await outcome(native.users.getUser('user_1'))
    assert.match(result.error.errors[0].message, /did not answer within 300 ms/)
    await server.close()
  })
})

describe('maxResponseBytes', () => {
  const tooLarge = (limit) => ({
    class: 'ClerkAPIResponseError',
    message: '',
    status: undefined,
    clerkTraceId: '',
    retryAfter: undefined,
    errors: [{ code: 'unexpected_error', message: `The Clerk Backend API answered with more than ${limit} bytes` }],
  })

  test('an endless answer stops at the default 64 MiB, and the process keeps its memory', async () => {
    let written = 0
    const server = await startRawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[')
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      const pump = () => {
        while (!socket.destroyed && written < 1024 * chunk.length) {
          written += chunk.length
          if (!socket.write(chunk)) return socket.once('drain', pump)
        }
      }
      socket.on('error', () => {})
      pump()
    })
    const { native } = clients(server.url)
    const rssBefore = process.memoryUsage.rss()
    assert.deepEqual((await outcome(native.users.getUser('user_1'))).error, tooLarge(64 * 1024 * 1024))
    assert.ok(written < 128 * 1024 * 1024, `${written} bytes written of the 1 GiB offered`)
    assert.ok(process.memoryUsage.rss() - rssBefore < 256 * 1024 * 1024, 'RSS stayed within a few times the limit')
    await server.close()
  })

  test('a configured limit: a longer answer fails, a shorter one is read', async () => {
    const body = JSON.stringify(userJson('user_1'))
    const server = await startRawServer((socket) => {
      socket.end(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`)
    })
    const small = clients(server.url, { maxResponseBytes: body.length - 1 }).native
    assert.deepEqual((await outcome(small.users.getUser('user_1'))).error, tooLarge(body.length - 1))
    const exact = clients(server.url, { maxResponseBytes: body.length }).native
    assert.equal((await exact.users.getUser('user_1')).id, 'user_1')
    await server.close()
  })
})

describe('maxRetries', () => {
  let api
  before(async () => {
    api = await startCaptureServer()
  })
  after(() => api.close())

  const sequence = (answers) => {
    let n = 0
    api.state.requests = []
    api.state.respond = () => answers[Math.min(n++, answers.length - 1)]
  }
  const busy = (status, retryAfter) => ({
    status,
    headers: { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) },
    body: { errors: [{ code: 'busy', message: 'try later' }] },
  })
  const user = { body: userJson('user_1') }

  test('off by default: one request, the reference error', async () => {
    sequence([busy(503, '0'), user])
    const { reference, native } = clients(api.url)
    const actual = await outcome(native.users.getUser('user_1'))
    assert.equal(api.state.requests.length, 1)
    sequence([busy(503, '0'), user])
    assert.deepEqual(actual, await outcome(reference.users.getUser('user_1')))
  })

  test('idempotent requests are retried on 429/502/503/504, honouring Retry-After', async () => {
    sequence([busy(429, '0'), busy(502), busy(504, '0'), user])
    const { native } = clients(api.url, { maxRetries: 3, maxRetryDelayMs: 2000 })
    const result = await native.users.getUser('user_1')
    assert.equal(result.id, 'user_1')
    assert.equal(api.state.requests.length, 4)
  })

  test('when retries run out the caller gets the same error as without retries', async () => {
    sequence([busy(503, '0')])
    const { reference } = clients(api.url)
    const expected = await outcome(reference.users.getUser('user_1'))
    sequence([busy(503, '0')])
    const { native } = clients(api.url, { maxRetries: 2 })
    assert.deepEqual(await outcome(native.users.getUser('user_1')), expected)
    assert.equal(api.state.requests.length, 3)
  })

  test('POST and PATCH are never retried; other statuses neither', async () => {
    const { native } = clients(api.url, { maxRetries: 3 })
    sequence([busy(503, '0'), user])
    await outcome(native.users.createUser({ firstName: 'A' }))
    assert.equal(api.state.requests.length, 1)
    sequence([busy(503, '0'), user])
    await outcome(native.users.updateUser('user_1', { firstName: 'A' }))
    assert.equal(api.state.requests.length, 1)
    sequence([busy(500), user])
    await outcome(native.users.getUser('user_1'))
    assert.equal(api.state.requests.length, 1)
  })

  test('a Retry-After longer than maxRetryDelayMs is not waited for', async () => {
    sequence([busy(429, '120'), user])
    const { native } = clients(api.url, { maxRetries: 3, maxRetryDelayMs: 1000 })
    const started = Date.now()
    const result = await outcome(native.users.getUser('user_1'))
    assert.ok(Date.now() - started < 1000)
    assert.equal(result.error.status, 429)
    assert.equal(result.error.retryAfter, 120)
    assert.equal(api.state.requests.length, 1)
  })
})

describe('userCacheTtlMs', () => {
  let api
  let delayMs = 0
  before(async () => {
    api = await startCaptureServer()
  })
  after(() => api.close())

  const serveUsers = () => {
    api.state.requests = []
    api.state.respond = async (request) => {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
      const id = request.path.split('/')[3]
      if (id === 'user_missing') return { status: 404, body: { errors: [{ code: 'resource_not_found', message: 'x' }] } }
      const gets = api.state.requests.filter((r) => r.method === 'GET' && r.path === request.path).length
      return { body: userJson(id, { first_name: `v${gets}` }) }
    }
  }
  const getUserRequests = (id) => api.state.requests.filter((r) => r.method === 'GET' && r.path === `/v1/users/${id}`)

  test('off by default: every call asks the API', async () => {
    serveUsers()
    const { native } = clients(api.url)
    await native.users.getUser('user_1')
    await native.users.getUser('user_1')
    assert.equal(getUserRequests('user_1').length, 2)
  })

  test('200 concurrent calls for one user make one request; each gets its own object', async () => {
    serveUsers()
    delayMs = 30
    const { native } = clients(api.url, { userCacheTtlMs: 5000 })
    const users = await Promise.all(Array.from({ length: 200 }, () => native.users.getUser('user_1')))
    delayMs = 0
    assert.equal(getUserRequests('user_1').length, 1)
    assert.equal(new Set(users).size, 200)
    assert.ok(users.every((user) => user.constructor.name === '_User' && user.firstName === 'v1'))
    users[0].firstName = 'mutated'
    assert.equal((await native.users.getUser('user_1')).firstName, 'v1')
    assert.equal(getUserRequests('user_1').length, 1)
  })

  test('entries expire after the TTL', async () => {
    serveUsers()
    const { native } = clients(api.url, { userCacheTtlMs: 100 })
    assert.equal((await native.users.getUser('user_1')).firstName, 'v1')
    assert.equal((await native.users.getUser('user_1')).firstName, 'v1')
    await new Promise((resolve) => setTimeout(resolve, 150))
    assert.equal((await native.users.getUser('user_1')).firstName, 'v2')
    assert.equal(getUserRequests('user_1').length, 2)
  })

  test('errors are not cached, and other users and the count are separate', async () => {
    serveUsers()
    const { native } = clients(api.url, { userCacheTtlMs: 5000 })
    await outcome(native.users.getUser('user_missing'))
    await outcome(native.users.getUser('user_missing'))
    assert.equal(getUserRequests('user_missing').length, 2)
    await native.users.getUser('user_1')
    await native.users.getUser('user_2')
    assert.equal(getUserRequests('user_2').length, 1)
    api.state.respond = () => ({ body: { object: 'total_count', total_count: 3 } })
    assert.equal(await native.users.getCount(), 3)
    assert.equal(await native.users.getCount(), 3)
    assert.equal(api.state.requests.filter((r) => r.path === '/v1/users/count').length, 2)
  })

  test('a write to the user through the same client evicts it', async () => {
    serveUsers()
    const { native } = clients(api.url, { userCacheTtlMs: 60_000 })
    assert.equal((await native.users.getUser('user_1')).firstName, 'v1')
    await native.users.updateUserMetadata('user_1', { publicMetadata: { plan: 'pro' } })
    assert.equal((await native.users.getUser('user_1')).firstName, 'v2')
    await native.users.banUser('user_1')
    assert.equal((await native.users.getUser('user_1')).firstName, 'v3')
    assert.equal(getUserRequests('user_1').length, 3)
  })
})
