'use strict'

// `debug()` on auth objects through @clerk/express and this package: the same
// keys in the same order and the same values (the reference's
// AuthenticateContext: request facts, cookies read suffixed or not, the
// options, the ClerkRequest, the Backend API client and clerkUrl), for
// signed-out browsers, bearer sign-ins, machine tokens and the client's own
// authenticateRequest with a machine token type.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const express = require('express')
const reference = require('@clerk/express')
const native = require(path.join(__dirname, '..'))
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { listen } = require('./helpers/apps')
const { createSigningKey, signToken, sessionClaims, nowSeconds } = require('./helpers/tokens')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const PK_LIVE = 'pk_live_Y2xlcmsuZXhhbXBsZS5jb20k'
const SUFFIX_TEST = 'l2OS3d9k'
const PACKAGES = [
  ['@clerk/express', reference],
  ['clerk-express-native', native],
]

/** A debug() value as JSON can carry it, with the classes named. */
function describeValue(value) {
  if (value instanceof Headers) return { Headers: [...value] }
  if (value instanceof URL) return { URL: value.href, isCrossOrigin: value.isCrossOrigin?.('https://other.test') }
  if (value instanceof Request) {
    return { Request: value.toJSON(), url: value.url, method: value.method, class: value.constructor.name, cookies: [...value.cookies] }
  }
  if (typeof value === 'function') return 'function'
  if (value && typeof value === 'object') return { keys: Object.keys(value) }
  return value === undefined ? '(undefined)' : value
}

/** The keys of debug() in order, and each value described. */
function describeDebug(debug) {
  return { keys: Object.keys(debug), values: Object.fromEntries(Object.entries(debug).map(([k, v]) => [k, describeValue(v)])) }
}

/** GET with these headers, Host included (fetch would replace it): { status, location, body }. */
function get(url, headers) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers }, (response) => {
      let text = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => (text += chunk))
      response.on('end', () => {
        let body = text
        try {
          body = JSON.parse(text)
        } catch {}
        resolve({ status: response.statusCode, location: response.headers.location ?? null, reason: response.headers['x-clerk-auth-reason'] ?? null, body })
      })
    })
    request.on('error', reject)
  })
}

function debugApp(pkg, options) {
  const app = express()
  app.use(pkg.clerkMiddleware(options))
  app.all(/.*/, (req, res) => {
    const acceptsToken = req.query.accepts ?? 'session_token'
    res.json(describeDebug(pkg.getAuth(req, { acceptsToken }).debug()))
  })
  app.use((err, _req, res, _next) => res.status(500).json({ error: err.message }))
  return app
}

for (const [instance, publishableKey] of [
  ['development', PK_TEST],
  ['production', PK_LIVE],
]) {
  describe(`debug() on a ${instance} instance matches @clerk/express`, () => {
    const key = createSigningKey()
    const secretKey = `sk_test_debug_${instance}_secret_value`
    let api
    const servers = {}

    before(async () => {
      api = await startFakeClerkApi({ keys: [key.jwk] })
      api.state.machineTokens.set('ak_debug', [200, { object: 'api_key', id: 'ak_1', type: 'api_key', name: 'ci', subject: 'user_1', scopes: [], claims: null }])
      const configurations = {
        plain: { secretKey, publishableKey, apiUrl: api.url },
        satellite: { secretKey, publishableKey, apiUrl: api.url, isSatellite: true, domain: 'satellite.example.com', signInUrl: 'https://primary.example.com/sign-in' },
        proxied: { secretKey, publishableKey, apiUrl: api.url, proxyUrl: '/__clerk', authorizedParties: ['https://app.example.com'] },
      }
      for (const [name, options] of Object.entries(configurations)) {
        servers[name] = await Promise.all(PACKAGES.map(([, pkg]) => listen(debugApp(pkg, options))))
      }
    })
    after(async () => {
      for (const pair of Object.values(servers)) await Promise.all(pair.map((server) => server.close()))
      await api.close()
    })

    async function sameDebug(configuration, { path: requestPath = '/probe?a=1', headers = {} }) {
      const answers = []
      for (const server of servers[configuration]) answers.push(await get(server.url + requestPath, { host: 'app.example.com', ...headers }))
      assert.deepEqual(answers[1], answers[0])
      assert.equal(answers[0].status, 200, 'an answer with debug()')
      return answers[0].body
    }

    const now = nowSeconds()
    const valid = signToken(key, sessionClaims())
    const suffixedNewer = signToken(key, sessionClaims({ iat: now - 1 }))
    const older = signToken(key, sessionClaims({ iat: now - 30 }))
    const cases = {
      'a signed-out browser with the headers the context reads': {
        headers: {
          cookie: '__client_uat=0; __clerk_db_jwt=dvb_123456789; 1=one; z=%41; z=second',
          'user-agent': 'Mozilla/5.0 test',
          origin: 'https://app.example.com',
          referer: 'https://app.example.com/from',
          'sec-fetch-dest': 'empty',
          accept: 'application/json',
          'x-forwarded-host': 'app.example.com, proxy.internal',
          'x-forwarded-proto': 'https',
          'cloudfront-forwarded-proto': 'https',
        },
      },
      'a redirect count, and an empty dev browser query parameter (the cookie is read)': {
        path: '/probe?__clerk_db_jwt=&x=1',
        headers: { cookie: '__clerk_redirect_count=2; __clerk_db_jwt=dvb_cookie' },
      },
      'suffixed and unsuffixed session cookies (the newer suffixed one is read)': {
        headers: { cookie: `__session=${older}; __client_uat=${now - 40}; __session_${SUFFIX_TEST}=${suffixedNewer}; __client_uat_${SUFFIX_TEST}=${now - 40}; __clerk_db_jwt_${SUFFIX_TEST}=dvb_suffixed; __refresh_${SUFFIX_TEST}=refresh_value` },
      },
      'a bearer sign-in': { headers: { authorization: `Bearer ${valid}` } },
      'a bearer sign-in asked for an API key (signed out from the signed-in context)': { path: '/probe?accepts=api_key', headers: { authorization: `Bearer ${valid}` } },
      'an invalid bearer token': { headers: { authorization: `Bearer ${valid.slice(0, -4)}AAAA` } },
      'a Basic authorization header': { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      'a verified API key': { path: '/probe?accepts=api_key', headers: { authorization: 'Bearer ak_debug' } },
      'an unknown API key': { path: '/probe?accepts=api_key', headers: { authorization: 'Bearer ak_unknown' } },
    }
    for (const [name, request] of Object.entries(cases)) {
      test(name, async () => {
        const debug = await sameDebug('plain', request)
        // Asked for another token type, debug() has only the cut secrets, in both.
        if (!request.path?.includes('accepts=api_key') || name.includes('verified')) assert.ok(debug.keys.includes('clerkRequest'), 'the whole context')
        if (name === 'an unknown API key') assert.deepEqual(debug.keys.slice(0, 3), ['reason', 'message', 'headers'])
      })
    }

    test('a satellite domain and a relative proxy URL', async () => {
      const satellite = await sameDebug('satellite', { headers: { cookie: '__client_uat=0' } })
      assert.ok(satellite.keys.includes('domain'))
      const proxied = await sameDebug('proxied', { headers: { authorization: `Bearer ${valid}` } })
      assert.equal(proxied.values.proxyUrl, 'http://app.example.com/__clerk')
      assert.equal(proxied.values.frontendApi, 'http://app.example.com/__clerk')
    })

    test('what the context holds: the ClerkRequest, clerkUrl, the API client, secrets cut to 7 characters', async () => {
      const debug = await sameDebug('plain', cases['a signed-out browser with the headers the context reads'])
      const { clerkRequest, clerkUrl, apiClient } = debug.values
      assert.equal(clerkRequest.class, 'ClerkRequest')
      assert.equal(clerkRequest.url, 'http://clerk-dummy/probe?a=1')
      assert.equal(clerkUrl.URL, 'https://app.example.com/probe?a=1')
      assert.deepEqual(clerkRequest.cookies, [['1', 'one'], ['__client_uat', '0'], ['__clerk_db_jwt', 'dvb_123456789'], ['z', 'A']])
      assert.ok(apiClient.keys.includes('users') && apiClient.keys.includes('sessions'))
      assert.equal(debug.values.secretKey, secretKey.slice(0, 7))
      assert.equal(debug.values.devBrowserToken, 'dvb_123')
      assert.equal(debug.values.instanceType, instance)
    })
  })
}

test('the client\'s authenticateRequest with a machine token type: the header-only context of the reference', async () => {
  const key = createSigningKey()
  const api = await startFakeClerkApi({ keys: [key.jwk] })
  api.state.machineTokens.set('mt_debug', [200, { object: 'machine_to_machine_token', id: 'mt_1', subject: 'mch_1', scopes: [], claims: null, revoked: false, expired: false }])
  try {
    const answers = []
    for (const [, pkg] of PACKAGES) {
      const client = pkg.createClerkClient({ secretKey: 'sk_test_debug_client_secret', publishableKey: PK_TEST, apiUrl: api.url })
      const debugOf = async (acceptsToken, authorization) => {
        const request = new Request('https://app.example.com/api?x=1', { headers: { authorization, cookie: '__client_uat=5', 'user-agent': 'worker' } })
        const state = await client.authenticateRequest(request, { acceptsToken })
        return { status: state.status, debug: describeDebug(state.toAuth().debug()) }
      }
      answers.push({ m2m: await debugOf('m2m_token', 'Bearer mt_debug'), apiKey: await debugOf('api_key', 'Bearer ak_unknown'), any: await debugOf('any', 'Bearer mt_debug') })
    }
    assert.deepEqual(answers[1], answers[0])
    assert.equal(answers[0].m2m.status, 'signed-in')
    assert.ok(!answers[0].m2m.debug.keys.includes('instanceType'), 'no publishable-key fields for a machine token type')
    assert.ok(answers[0].any.debug.keys.includes('instanceType'))
  } finally {
    await api.close()
  }
})
