'use strict'

// The addon in worker threads: several workers load it at once, share one
// key cache per process (one JWKS fetch for all of them), a worker can be
// terminated mid-request, and every worker and the process then exit by
// themselves.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { execFile } = require('node:child_process')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')

const APP = path.join(__dirname, 'helpers', 'worker-threads-app.js')

function runApp(args) {
  return new Promise((resolve) => {
    execFile(process.execPath, [APP, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? error.code : 0, signal: error?.signal ?? null, stdout, stderr })
    })
  })
}

test('workers authenticate concurrently with one shared key cache, and everything exits cleanly', async () => {
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  // Slow enough that the workers' first requests overlap the fetch.
  api.state.delayMs = 200
  try {
    const token = signToken(key, sessionClaims())
    const started = Date.now()
    const { code, signal, stdout, stderr } = await runApp([api.url, token, '4', '100'])
    assert.equal(signal, null, `killed: ${stderr}`)
    assert.equal(code, 0, stderr)
    const result = JSON.parse(stdout)
    assert.deepEqual(result.signedIn, [100, 100, 100, 100])
    assert.deepEqual(result.exitCodes, [0, 0, 0, 0])
    assert.equal(result.doomedExit, 1, 'terminate() ends a worker with code 1')
    assert.equal(result.mainSignedIn, 10)
    assert.equal(api.requestsTo('/v1/jwks').length, 1, 'one fetch for every thread of the process')
    assert.ok(Date.now() - started < 20_000)
  } finally {
    await api.close()
  }
})

test('a worker that loads the addon after every earlier one has exited is served by the same key cache', async () => {
  // The first worker is terminated with its JWKS fetch in flight and nothing
  // else holding the addon, so napi restarts its async runtime in between.
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  api.state.delayMs = 500
  try {
    const token = signToken(key, sessionClaims())
    const { code, signal, stdout, stderr } = await runApp(['restart', api.url, token])
    assert.equal(signal, null, `killed: ${stderr}`)
    assert.equal(code, 0, stderr)
    assert.doesNotMatch(stderr, /panic/)
    assert.deepEqual(JSON.parse(stdout), { firstExit: 1, signedIn: 20, secondExit: 0 })
    assert.equal(api.requestsTo('/v1/jwks').length, 1, 'the fetch the first worker started serves the second')
  } finally {
    await api.close()
  }
})
