'use strict'

// Configuration from environment variables, read when @clerk/express reads
// them: keys per request, CLERK_JWT_KEY / CLERK_API_URL through the
// clerkClient build, and the singleton that keeps its keys once
// CLERK_SECRET_KEY was set (checklist item 8). This file runs in its own
// process (node --test), so changing process.env here affects nothing else.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, sessionClaims } = require('./helpers/tokens')
const { listen, reference, native } = require('./helpers/apps')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'

async function answersOf(pkg, token, middlewareOptions) {
  const app = express()
  app.use(pkg.clerkMiddleware(middlewareOptions))
  app.get('/', (req, res) => res.json({ userId: pkg.getAuth(req).userId }))
  app.use((err, _req, res, _next) => res.status(500).json({ error: err.message.split('\n')[0] }))
  const server = await listen(app)
  try {
    const response = await fetch(server.url, { headers: token ? { authorization: `Bearer ${token}` } : {} })
    return { status: response.status, reason: response.headers.get('x-clerk-auth-reason'), body: await response.json() }
  } finally {
    await server.close()
  }
}

async function bothAnswer(token, middlewareOptions) {
  const ref = await answersOf(reference, token, middlewareOptions)
  const ours = await answersOf(native, token, middlewareOptions)
  assert.deepEqual(ours, ref)
  return ref
}

test('keys from the environment; the clerkClient keeps them once CLERK_SECRET_KEY was set', async () => {
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  try {
    const token = signToken(key, sessionClaims())
    // No keys anywhere yet: the publishable key error (500).
    assert.equal((await bothAnswer(token)).status, 500)

    process.env.CLERK_PUBLISHABLE_KEY = PK_TEST
    process.env.CLERK_SECRET_KEY = 'sk_test_from_env'
    process.env.CLERK_API_URL = api.url
    const signedIn = await bothAnswer(token)
    assert.equal(signedIn.body.userId, sessionClaims().sub)
    const jwks = api.requestsTo('/v1/jwks')
    assert.equal(jwks.at(-1).headers.authorization, 'Bearer sk_test_from_env')

    // Item 8: the singleton was built with the keys; empty per-request values fall back to them.
    delete process.env.CLERK_PUBLISHABLE_KEY
    delete process.env.CLERK_SECRET_KEY
    assert.equal((await bothAnswer(token)).body.userId, sessionClaims().sub)
  } finally {
    await api.close()
  }
})

test('CLERK_JWT_KEY reaches verification through the client build: no network', async () => {
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [] })
  try {
    // A dedicated client (apiUrl option) is built from the environment at middleware creation.
    process.env.CLERK_JWT_KEY = key.pem
    const options = { secretKey: 'sk_test_jwt_env', publishableKey: PK_TEST, apiUrl: api.url }
    const answer = await bothAnswer(signToken(key, sessionClaims()), options)
    assert.equal(answer.body.userId, sessionClaims().sub)
    assert.equal(api.requestsTo('/v1/jwks').length, 0)
    const other = await bothAnswer(signToken(createSigningKey(), sessionClaims()), options)
    assert.equal(other.reason, 'token-invalid-signature')
  } finally {
    delete process.env.CLERK_JWT_KEY
    await api.close()
  }
})
