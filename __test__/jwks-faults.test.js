'use strict'

// A JWKS endpoint that misbehaves on the wire: the connection reset before
// an answer, an endless redirect, a body that trickles in, an answer far
// larger than any JWKS. Each case asserts the outcome (against the
// reference where it is bounded too), how many fetches were made, that the
// answer came within a time bound, and that the server is still up after
// it. (A JWKS endpoint that never answers is a Rust unit test:
// `a_hung_jwks_endpoint_times_out`, with a shortened timeout.)

const { test, describe, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const express = require('express')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { startPair, buildApp, listen, native } = require('./helpers/apps')
const { assertSameAnswer } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

/** A raw JWKS server: `answer(socket, count)` writes what goes back to the n-th connection. */
async function startJwksServer(answer) {
  const sockets = new Set()
  let connections = 0
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.once('data', () => answer(socket, ++connections, url))
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${server.address().port}`
  return {
    url,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(resolve)
      }),
  }
}

describe('a JWKS endpoint that misbehaves', () => {
  const key = createSigningKey()
  const jwks = JSON.stringify({ keys: [key.jwk] })
  const token = () => signToken(key, sessionClaims())
  let count = 0
  const servers = []
  after(() => Promise.all(servers.map((server) => server.close())))

  async function faulty(answer) {
    const server = await startJwksServer(answer)
    servers.push(server)
    const options = { secretKey: `sk_test_faults_${++count}`, publishableKey: PK_TEST, apiUrl: server.url }
    return { server, pair: await startPair(express, options) }
  }

  /** The answer of both packages to one bearer request, equal, within `seconds`; then both still answer. */
  async function sameWithin(pair, seconds, expect) {
    const started = Date.now()
    await assertSameAnswer(pair, { headers: { authorization: `Bearer ${token()}` } }, expect)
    const elapsed = (Date.now() - started) / 1000
    assert.ok(elapsed < seconds, `answered in ${elapsed} s`)
    const { native } = await pair.send({})
    assert.equal(native.status, 200, 'the server still answers')
  }

  test('the connection reset before an answer: five attempts each, then signed out', async () => {
    const { server, pair } = await faulty((socket) => socket.resetAndDestroy())
    try {
      await sameWithin(pair, 15, { reason: 'unexpected-error' })
      assert.equal(server.connections(), 10, '5 attempts by each package')
    } finally {
      await pair.close()
    }
  })

  test('a redirect to itself: the loop is cut, and the keys are not loaded', async () => {
    const { server, pair } = await faulty((socket, _, url) =>
      socket.end(`HTTP/1.1 302 Found\r\nlocation: ${url}/v1/jwks\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`),
    )
    try {
      await sameWithin(pair, 20, { reason: 'unexpected-error' })
      // Node's fetch gives up after 20 redirects, reqwest after 10; 5 attempts each.
      assert.equal(server.connections(), 5 * 21 + 5 * 11)
    } finally {
      await pair.close()
    }
  })

  test('a body that trickles in within the timeout is read whole: signed in', async () => {
    const { server, pair } = await faulty((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${jwks.length}\r\n\r\n`)
      const parts = jwks.match(/.{1,100}/gs)
      const timer = setInterval(() => {
        if (socket.destroyed || !parts.length) return clearInterval(timer)
        socket.write(parts.shift())
      }, 20)
    })
    try {
      await sameWithin(pair, 5, { signedIn: true })
      assert.equal(server.connections(), 2, 'one fetch each')
    } finally {
      await pair.close()
    }
  })

  test('an answer over 1 MiB is a load failure, read no further (the reference reads it all)', async () => {
    const padded = `${jwks}${' '.repeat(64 * 1024 * 1024)}`
    let written = 0
    const server = await startJwksServer((socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n`)
      const chunk = 1024 * 1024
      let at = 0
      const pump = () => {
        while (!socket.destroyed && at < padded.length) {
          const part = padded.slice(at, at + chunk)
          at += part.length
          written += part.length
          if (!socket.write(part)) return socket.once('drain', pump)
        }
        socket.end()
      }
      pump()
    })
    servers.push(server)
    // This package alone: the reference would read the whole answer.
    const app = await listen(buildApp(native, express, { secretKey: 'sk_test_faults_oversized', publishableKey: PK_TEST, apiUrl: server.url }))
    try {
      const started = Date.now()
      const response = await fetch(`${app.url}/probe`, { headers: { authorization: `Bearer ${token()}` } })
      assert.equal(response.headers.get('x-clerk-auth-reason'), 'jwk-remote-failed-to-load')
      assert.match(response.headers.get('x-clerk-auth-message'), /the answer is longer than 1048576 bytes/)
      assert.ok(Date.now() - started < 10_000)
      assert.equal(server.connections(), 5, 'five attempts, as for any failed load')
      assert.ok(written < 5 * 16 * 1024 * 1024, `${written} bytes sent of ${5 * padded.length} offered`)
      assert.equal((await fetch(`${app.url}/probe`)).status, 200, 'the server still answers')
    } finally {
      await app.close()
    }
  })
})
