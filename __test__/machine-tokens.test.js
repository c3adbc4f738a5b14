'use strict'

// Machine tokens (checklist items 52-56): API keys, M2M and OAuth tokens,
// opaque (verified by the Backend API) and as JWTs (verified locally), through
// @clerk/express and this package, with getAuth's acceptsToken filters.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, nowSeconds } = require('./helpers/tokens')
const { startPair } = require('./helpers/apps')
const { assertSameAnswers, checkExpected } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } })

describe('machine tokens match @clerk/express', () => {
  const key = createSigningKey()
  let api
  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    const t = api.state.machineTokens
    t.set('ak_user', [200, { object: 'api_key', id: 'ak_1', type: 'api_key', name: 'ci key', subject: 'user_1', scopes: ['read'], claims: { team: 'a' }, revoked: false, expired: false, extra: 1 }])
    t.set('ak_org', [200, { object: 'api_key', id: 'ak_2', type: 'api_key', name: 'org key', subject: 'org_9', scopes: [], claims: null }])
    t.set('ak_raw', [200, { id: 'ak_3', name: 'raw', subject: 'user_raw', scopes: ['x'], claims: { foo: 'bar' } }])
    t.set('ak_badkey', [401, { errors: [{ code: 'authentication_invalid', message: 'The provided secret key is invalid.' }] }])
    t.set('ak_boom', [500, { errors: [{ code: 'internal', message: 'boom' }] }])
    t.set('mt_valid', [200, { object: 'machine_to_machine_token', id: 'mt_1', subject: 'mch_1', scopes: ['mch_2'], claims: { k: 1 }, revoked: false }])
    t.set('oat_valid', [200, { object: 'clerk_idp_oauth_access_token', id: 'oat_1', client_id: 'client_1', type: 'oauth:access_token', subject: 'user_5', scopes: ['email'], aud: ['api://x'] }])
  })
  after(() => api.close())

  async function withPair(options, body) {
    const pair = await startPair(express, { secretKey: 'sk_test_machine', publishableKey: PK_TEST, apiUrl: api.url, ...options })
    try {
      await body(async (request, expect = {}) => {
        const start = api.state.requests.length
        const { reference, native } = await pair.send(request)
        assertSameAnswers(native, reference)
        const calls = api.state.requests.slice(start).filter((r) => r.path.endsWith('/verify'))
        if (calls.length === 2) {
          const pick = (r) => [r.method, r.path, r.body, r.headers.authorization, r.headers['user-agent'], r.headers['content-type']]
          assert.deepEqual(pick(calls[1]), pick(calls[0]))
        }
        checkExpected(reference, expect)
        return reference
      })
    } finally {
      await pair.close()
    }
  }

  test('opaque tokens: valid, unknown, invalid secret key, server error', async () => {
    await withPair({}, async (same) => {
      const answer = await same(bearer('ak_user'))
      assert.equal(answer.body.any.json.userId, 'user_1')
      await same(bearer('ak_org'))
      await same(bearer('ak_raw'))
      await same(bearer('ak_missing'), { reason: 'token-invalid' })
      await same(bearer('ak_badkey'), { reason: 'secret-key-invalid' })
      await same(bearer('ak_boom'), { reason: 'unexpected-error' })
      await same(bearer('mt_valid'))
      await same(bearer('mt_missing'), { reason: 'token-invalid' })
      await same(bearer('oat_valid'))
      await same(bearer('oat_missing'), { reason: 'token-invalid' })
    })
  })

  test('M2M tokens use the machine secret key; OAuth tokens honour audience', async () => {
    await withPair({ machineSecretKey: 'ak_machine_secret' }, async (same) => {
      await same(bearer('mt_valid'))
    })
    await withPair({ audience: 'api://other' }, async (same) => {
      await same(bearer('oat_valid'), { reason: 'token-verification-failed' })
    })
  })

  test('JWT forms: M2M and OAuth access tokens verified locally', async () => {
    const now = nowSeconds()
    const m2m = { iss: 'https://clerk.m2m.test', sub: 'mch_1', aud: ['mch_2'], exp: now + 300, iat: now - 10, nbf: now - 10, jti: 'mt_jwt', scopes: 'mch_2 mch_3', custom: 1 }
    const oauth = { iss: 'https://clerk.test', sub: 'user_7', client_id: 'client_9', scope: 'read write', jti: 'oat_jwt', exp: now + 300, iat: now - 10, aud: 'api://x' }
    await withPair({}, async (same) => {
      await same(bearer(signToken(key, m2m)))
      await same(bearer(signToken(key, m2m, { cat: 'cl_other' })), { reason: 'token-invalid' })
      await same(bearer(signToken(key, { ...m2m, exp: now - 60 })), { reason: 'token-verification-failed' })
      await same(bearer(signToken(key, oauth, { typ: 'at+jwt' })))
      await same(bearer(signToken(key, oauth, { typ: 'application/at+jwt' })))
      await same(bearer(signToken(createSigningKey(key.kid), oauth, { typ: 'at+jwt' })), { reason: 'token-verification-failed' })
    })
    await withPair({ audience: ['api://y'] }, async (same) => {
      await same(bearer(signToken(key, oauth, { typ: 'at+jwt' })), { reason: 'token-verification-failed' })
    })
  })

  test('the Backend API down: unexpected-error', async () => {
    await withPair({ apiUrl: 'http://127.0.0.1:9' }, async (same) => {
      await same(bearer('ak_user'), { reason: 'unexpected-error' })
    })
  })
})

describe('machineTokenCacheTtlMs (ours, opt-in)', () => {
  let api
  before(async () => {
    api = await startFakeClerkApi({ keys: [] })
    for (const token of ['ak_cached', 'ak_short']) {
      api.state.machineTokens.set(token, [200, { object: 'api_key', id: 'ak_c', type: 'api_key', name: 'c', subject: 'user_c', scopes: [], claims: null }])
    }
  })
  after(() => api.close())

  async function verifyCalls(options, tokens, pauseMs = 0) {
    const { native } = require('./helpers/apps')
    const { listen } = require('./helpers/apps')
    const app = express()
    app.use(native.clerkMiddleware({ secretKey: 'sk_test_cache', publishableKey: PK_TEST, apiUrl: api.url, ...options }))
    app.get('/', (req, res) => res.json(req.auth().userId ?? null))
    const server = await listen(app)
    const start = api.requestsTo('/api_keys/verify').length
    const answers = []
    try {
      for (const token of tokens) {
        answers.push(await (await fetch(server.url, { headers: { authorization: `Bearer ${token}` } })).json())
        if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs))
      }
    } finally {
      await server.close()
    }
    return { calls: api.requestsTo('/api_keys/verify').length - start, answers }
  }

  test('off by default: every request is verified by the Backend API', async () => {
    const { calls, answers } = await verifyCalls({}, ['ak_cached', 'ak_cached', 'ak_cached'])
    assert.equal(calls, 3)
    assert.deepEqual(answers, ['user_c', 'user_c', 'user_c'])
  })

  test('on: one call per key and TTL; failures are never cached', async () => {
    assert.equal((await verifyCalls({ machineTokenCacheTtlMs: 60_000 }, ['ak_cached', 'ak_cached', 'ak_cached'])).calls, 1)
    assert.equal((await verifyCalls({ machineTokenCacheTtlMs: 40 }, ['ak_short', 'ak_short'], 80)).calls, 2)
    const failing = await verifyCalls({ machineTokenCacheTtlMs: 60_000 }, ['ak_unknown', 'ak_unknown'])
    assert.equal(failing.calls, 2)
    assert.deepEqual(failing.answers, [null, null])
  })
})
