'use strict'

// clerk-express-native/testing: an Express 5 app (a public route, one behind
// requireAuth(), one checking an org permission, a machine-token route and
// routes calling the Backend API) run against a local test instance, on this
// package and on the real @clerk/express, with the keys from `env` (JWKS
// fetched from the local API) and with `jwtKey` (networkless). Then the local
// API's answers against Clerk's OpenAPI schemas, and the kit's loading.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const crypto = require('node:crypto')
const { spawnSync } = require('node:child_process')
const express = require('express')
const { createTestInstance } = require('../testing')

const PACKAGES = [
  ['clerk-express-native', () => require('..')],
  ['@clerk/express', () => require('@clerk/express')],
]
const ENV_NAMES = ['CLERK_SECRET_KEY', 'CLERK_PUBLISHABLE_KEY', 'CLERK_API_URL', 'CLERK_JWT_KEY']

function buildApp(clerk, middlewareOptions, clerkClient) {
  const { clerkMiddleware, requireAuth, getAuth } = clerk
  const app = express()
  app.use(clerkMiddleware(middlewareOptions))
  app.get('/public', (req, res) => res.json({ public: true, userId: getAuth(req).userId }))
  app.get('/protected', requireAuth(), (req, res) => res.json({ userId: getAuth(req).userId }))
  app.get('/invoices', (req, res) => {
    const auth = getAuth(req)
    if (!auth.isAuthenticated) return res.status(401).json({ error: 'signed out' })
    if (!auth.has({ permission: 'org:invoices:read' })) return res.status(403).json({ error: 'forbidden' })
    res.json({ userId: auth.userId, orgId: auth.orgId, orgRole: auth.orgRole, orgSlug: auth.orgSlug })
  })
  app.get('/machine', (req, res) => {
    const auth = getAuth(req, { acceptsToken: req.query.type ?? 'api_key' })
    res.json({ isAuthenticated: auth.isAuthenticated, tokenType: auth.tokenType, userId: auth.userId ?? null, subject: auth.subject ?? null, scopes: auth.scopes ?? null })
  })
  const apiErrors = (handler) => async (req, res) => {
    try {
      await handler(req, res)
    } catch (err) {
      res.status(err.status ?? 500).json({ name: err.constructor.name, status: err.status, retryAfter: err.retryAfter, code: err.errors?.[0]?.code })
    }
  }
  app.get('/me', apiErrors(async (req, res) => {
    const user = await clerkClient.users.getUser(getAuth(req).userId)
    res.json({ id: user.id, email: user.primaryEmailAddress?.emailAddress, firstName: user.firstName })
  }))
  app.get('/token', apiErrors(async (req, res) => {
    const { template, expires } = req.query
    res.json({ token: await getAuth(req).getToken(template ? { template } : { expiresInSeconds: Number(expires) }) })
  }))
  app.post('/me/plan', apiErrors(async (req, res) => {
    const user = await clerkClient.users.updateUserMetadata(getAuth(req).userId, { publicMetadata: { plan: 'pro' } })
    res.json(user.publicMetadata)
  }))
  return app
}

/** The claims of a JWT whose RS256 signature verifies with `jwk`; throws otherwise. */
function verifiedClaims(token, jwk) {
  const [header, payload, signature] = token.split('.')
  const key = crypto.createPublicKey({ key: jwk, format: 'jwk' })
  assert.ok(crypto.verify('RSA-SHA256', Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url')), 'signed with the instance key')
  assert.equal(JSON.parse(Buffer.from(header, 'base64url')).kid, jwk.kid)
  return JSON.parse(Buffer.from(payload, 'base64url'))
}

async function listen(app) {
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections?.()
      server.close(resolve)
    }),
  }
}

for (const [packageName, load] of PACKAGES) {
  for (const mode of ['env', 'jwtKey']) {
    describe(`${packageName}, keys from ${mode === 'env' ? 'env (JWKS from the local API)' : 'jwtKey (networkless)'}`, () => {
      let instance, server, user, org, savedEnv
      const get = (route, token, init = {}) =>
        fetch(`${server.url}${route}`, { redirect: 'manual', ...init, headers: token ? { authorization: `Bearer ${token}` } : {} })

      before(async () => {
        instance = await createTestInstance()
        user = instance.users.create({ emailAddress: ['ada@example.com'], firstName: 'Ada', publicMetadata: { plan: 'free', keep: true } })
        org = instance.organizations.create({ name: 'Analytical Engines', createdBy: user.id })
        const clerk = load()
        savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]))
        for (const name of ENV_NAMES) delete process.env[name]
        let options
        if (mode === 'env') {
          Object.assign(process.env, instance.env)
          options = undefined
        } else {
          options = { publishableKey: instance.publishableKey, secretKey: instance.secretKey, jwtKey: instance.jwtKey, apiUrl: instance.apiUrl }
        }
        const clerkClient = clerk.createClerkClient({ secretKey: instance.secretKey, apiUrl: instance.apiUrl })
        server = await listen(buildApp(clerk, options, clerkClient))
      })

      after(async () => {
        await server?.close()
        await instance?.close()
        for (const [name, value] of Object.entries(savedEnv ?? {})) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })

      test('signed out: the public route answers, requireAuth() redirects to the sign-in URL, getAuth says signed out', async () => {
        const publicAnswer = await get('/public')
        assert.equal(publicAnswer.status, 200)
        assert.deepEqual(await publicAnswer.json(), { public: true, userId: null })
        const protectedAnswer = await get('/protected')
        // requireAuth() redirects API requests too, to CLERK_SIGN_IN_URL or '/'.
        assert.equal(protectedAnswer.status, 302)
        assert.equal(protectedAnswer.headers.get('location'), '/')
        assert.equal((await get('/invoices')).status, 401)
      })

      test('signed in: the protected route answers with the user id', async () => {
        const token = instance.signSessionToken({ userId: user.id })
        const answer = await get('/protected', token)
        assert.equal(answer.status, 200)
        assert.deepEqual(await answer.json(), { userId: user.id })
        const jwksCalls = instance.requests.filter((r) => r.path === '/v1/jwks').length
        if (mode === 'env') assert.ok(jwksCalls >= 1, 'the JWKS comes from the local API')
        else assert.equal(jwksCalls, 0, 'jwtKey verifies without the network')
      })

      test('org permissions in v2 claims: present → 200, absent → 403', async () => {
        const allowed = instance.signSessionToken({ userId: user.id, orgId: org.id, orgPermissions: ['org:invoices:read', 'org:invoices:manage', 'org:reports:read'] })
        const answer = await get('/invoices', allowed)
        assert.equal(answer.status, 200)
        assert.deepEqual(await answer.json(), { userId: user.id, orgId: org.id, orgRole: 'org:admin', orgSlug: 'analytical-engines' })
        const other = instance.signSessionToken({ userId: user.id, orgId: org.id, orgRole: 'org:member', orgPermissions: ['org:invoices:manage', 'org:reports:read'] })
        assert.equal((await get('/invoices', other)).status, 403)
        assert.equal((await get('/invoices', instance.signSessionToken({ userId: user.id }))).status, 403)
      })

      test('an expired token and another instance\'s token are signed out', async () => {
        for (const token of [instance.expiredSessionToken({ userId: user.id }), instance.foreignSessionToken({ userId: user.id })]) {
          assert.equal((await get('/protected', token)).status, 302)
          assert.deepEqual(await (await get('/public', token)).json(), { public: true, userId: null })
        }
      })

      test('browser cookies: sessionCookies() signs a browser in (fetches and page loads), signedOutCookies() is signed out without a handshake', async () => {
        const browser = (route, cookie, headers = {}) => fetch(`${server.url}${route}`, { redirect: 'manual', headers: { cookie, ...headers } })
        const cookies = instance.sessionCookies({ userId: user.id })
        for (const headers of [{}, { 'sec-fetch-dest': 'document', accept: 'text/html' }]) {
          const answer = await browser('/protected', cookies, headers)
          assert.equal(answer.status, 200)
          assert.deepEqual(await answer.json(), { userId: user.id })
        }
        const reader = instance.sessionCookies({ userId: user.id, orgId: org.id, orgPermissions: ['org:invoices:read'] })
        assert.equal((await browser('/invoices', reader)).status, 200)
        const signedOut = await browser('/public', instance.signedOutCookies(), { 'sec-fetch-dest': 'document' })
        assert.equal(signedOut.status, 200)
        assert.equal(signedOut.headers.get('x-clerk-auth-reason'), 'session-token-and-uat-missing')
        assert.deepEqual(await signedOut.json(), { public: true, userId: null })
        // A development instance signs no browser in without its dev browser cookie.
        const withoutDevBrowser = cookies.split('; ').filter((cookie) => !cookie.startsWith('__clerk_db_jwt=')).join('; ')
        const missing = await browser('/public', withoutDevBrowser)
        assert.equal(missing.headers.get('x-clerk-auth-reason'), 'dev-browser-missing')
        assert.deepEqual(await missing.json(), { public: true, userId: null })
      })

      test('getToken(): a JWT template\'s token (shortcodes resolved) and a fresh session token, through the local API', async () => {
        instance.jwtTemplates.create({
          name: 'supabase',
          lifetime: 300,
          claims: { aud: 'authenticated', email: '{{user.primary_email_address}}', plan: '{{user.public_metadata.plan}}', org: '{{org.slug}}', role: '{{org.role}}', missing: '{{user.nothing}}', list: ['{{user.id}}', 'plain'] },
        })
        const token = instance.signSessionToken({ userId: user.id, orgId: org.id, orgPermissions: ['org:invoices:read'] })
        const sid = verifiedClaims(token, instance.jwks.keys[0]).sid
        const templated = (await (await get('/token?template=supabase', token)).json()).token
        const claims = verifiedClaims(templated, instance.jwks.keys[0])
        assert.equal(claims.exp - claims.iat, 300)
        assert.deepEqual(
          { sub: claims.sub, iss: claims.iss, aud: claims.aud, email: claims.email, plan: claims.plan, org: claims.org, role: claims.role, missing: claims.missing, list: claims.list },
          { sub: user.id, iss: 'https://clerk.example.com', aud: 'authenticated', email: 'ada@example.com', plan: 'free', org: 'analytical-engines', role: 'org:admin', missing: null, list: [user.id, 'plain'] },
        )
        assert.ok(instance.requests.some((r) => r.method === 'POST' && r.path === `/v1/sessions/${sid}/tokens/supabase`))
        // Without a template, with an expiry: a new session token for the same session and claims.
        const fresh = (await (await get('/token?expires=120', token)).json()).token
        assert.notEqual(fresh, token)
        const freshClaims = verifiedClaims(fresh, instance.jwks.keys[0])
        assert.deepEqual({ sid: freshClaims.sid, sub: freshClaims.sub, o: freshClaims.o }, { sid, sub: user.id, o: verifiedClaims(token, instance.jwks.keys[0]).o })
        assert.ok(freshClaims.exp - Math.floor(Date.now() / 1000) > 100)
        // The fresh token signs in too.
        assert.deepEqual(await (await get('/protected', fresh)).json(), { userId: user.id })
        const unknown = await get('/token?template=nope', token)
        assert.equal(unknown.status, 404)
        assert.equal((await unknown.json()).code, 'resource_not_found')
        assert.equal(instance.sessions.get(sid).user_id, user.id)
      })

      test('machine tokens: an API key is accepted where api_key is, verified by the local API', async () => {
        const apiKey = instance.createApiKey({ subject: user.id, scopes: ['invoices:read'] })
        assert.match(apiKey, /^ak_/)
        assert.deepEqual(await (await get('/machine', apiKey)).json(), { isAuthenticated: true, tokenType: 'api_key', userId: user.id, subject: user.id, scopes: ['invoices:read'] })
        assert.ok(instance.requests.some((r) => r.path === '/api_keys/verify'))
        // A session token is not an API key; an unknown or revoked key is refused.
        assert.equal((await (await get('/machine', instance.signSessionToken({ userId: user.id }))).json()).isAuthenticated, false)
        assert.equal((await (await get('/machine', 'ak_unknown')).json()).isAuthenticated, false)
        instance.revokeMachineToken(apiKey)
        assert.equal((await (await get('/machine', apiKey)).json()).isAuthenticated, false)
        const m2m = instance.createM2MToken({ subject: 'mch_worker', scopes: ['mch_api'] })
        assert.deepEqual(await (await get('/machine?type=m2m_token', m2m)).json(), { isAuthenticated: true, tokenType: 'm2m_token', userId: null, subject: 'mch_worker', scopes: ['mch_api'] })
        const oauth = instance.createOAuthToken({ subject: user.id, scopes: ['email'] })
        assert.deepEqual(await (await get('/machine?type=oauth_token', oauth)).json(), { isAuthenticated: true, tokenType: 'oauth_token', userId: user.id, subject: user.id, scopes: ['email'] })
      })

      test('clerkClient against the local API: getUser, updateUserMetadata (merged), failNext → 429 ClerkAPIResponseError', async () => {
        const token = instance.signSessionToken({ userId: user.id })
        assert.deepEqual(await (await get('/me', token)).json(), { id: user.id, email: 'ada@example.com', firstName: 'Ada' })
        const updated = await get('/me/plan', token, { method: 'POST' })
        assert.deepEqual(await updated.json(), { plan: 'pro', keep: true })
        assert.deepEqual(instance.users.get(user.id).public_metadata, { plan: 'pro', keep: true })
        instance.failNext({ status: 429, retryAfter: 1, path: `/users/${user.id}` })
        const failed = await get('/me', token)
        assert.equal(failed.status, 429)
        assert.deepEqual(await failed.json(), { name: 'ClerkAPIResponseError', status: 429, retryAfter: 1, code: 'too_many_requests' })
        // Only the next call failed.
        assert.equal((await get('/me', token)).status, 200)
        instance.users.delete(user.id)
        const gone = await get('/me', token)
        assert.equal(gone.status, 404)
        assert.equal((await gone.json()).code, 'resource_not_found')
        user = instance.users.create({ emailAddress: ['ada@example.com'], firstName: 'Ada' })
      })
    })
  }
}

describe('the local Backend API', () => {
  let instance
  before(async () => {
    instance = await createTestInstance()
  })
  after(() => instance.close())

  const call = async (method, route, body, secretKey = instance.secretKey) => {
    const response = await fetch(`${instance.apiUrl}${route}`, {
      method,
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, headers: response.headers, json: await response.json() }
  }

  test('is stateful: users, organizations and memberships through createClerkClient', async () => {
    const { createClerkClient } = require('..')
    const clerkClient = createClerkClient({ secretKey: instance.secretKey, apiUrl: instance.apiUrl })
    const grace = await clerkClient.users.createUser({ emailAddress: ['grace@example.com'], firstName: 'Grace', externalId: 'ext_1' })
    const alan = await clerkClient.users.createUser({ emailAddress: ['alan@example.com'], firstName: 'Alan' })
    assert.equal((await clerkClient.users.getUser(grace.id)).firstName, 'Grace')
    const list = await clerkClient.users.getUserList({ emailAddress: ['alan@example.com'] })
    assert.deepEqual([list.totalCount, list.data.map((u) => u.id)], [1, [alan.id]])
    assert.deepEqual((await clerkClient.users.getUserList({ userId: [grace.id, alan.id] })).data.map((u) => u.id).sort(), [alan.id, grace.id].sort())
    assert.equal(await clerkClient.users.getCount(), 2)
    assert.equal((await clerkClient.users.updateUser(alan.id, { lastName: 'Turing' })).lastName, 'Turing')
    const org = await clerkClient.organizations.createOrganization({ name: 'Bletchley Park', createdBy: grace.id })
    assert.equal(org.slug, 'bletchley-park')
    assert.equal((await clerkClient.organizations.getOrganization({ slug: 'bletchley-park' })).id, org.id)
    await clerkClient.organizations.createOrganizationMembership({ organizationId: org.id, userId: alan.id, role: 'org:member' })
    const members = await clerkClient.organizations.getOrganizationMembershipList({ organizationId: org.id })
    assert.deepEqual(members.data.map((m) => [m.publicUserData.userId, m.role]).sort(), [[alan.id, 'org:member'], [grace.id, 'org:admin']].sort())
    const alanOrgs = await clerkClient.users.getOrganizationMembershipList({ userId: alan.id })
    assert.deepEqual(alanOrgs.data.map((m) => m.organization.id), [org.id])
    assert.equal((await clerkClient.organizations.getOrganizationList()).totalCount, 1)
    const token = instance.signSessionToken({ userId: alan.id, orgId: org.id })
    const sid = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid
    const session = await clerkClient.sessions.getSession(sid)
    assert.deepEqual([session.userId, session.status], [alan.id, 'active'])
    const deleted = await clerkClient.users.deleteUser(alan.id)
    assert.deepEqual([deleted.id, deleted.deleted], [alan.id, true])
    await assert.rejects(clerkClient.users.getUser(alan.id), (err) => err.status === 404 && err.errors[0].code === 'resource_not_found')
  })

  test('refuses a wrong secret key as Clerk does; failNext can target a method and repeat', async () => {
    const wrong = await call('GET', '/v1/users', undefined, 'sk_test_wrong')
    assert.equal(wrong.status, 401)
    assert.equal(wrong.json.errors[0].code, 'clerk_key_invalid')
    instance.failNext({ status: 503, method: 'GET', path: /^\/v1\/users/, times: 2 })
    assert.equal((await call('POST', '/v1/users', { first_name: 'X' })).status, 200)
    assert.equal((await call('GET', '/v1/users')).status, 503)
    const second = await call('GET', '/v1/users/count')
    assert.deepEqual([second.status, second.json.errors[0].code, second.headers.get('retry-after')], [503, 'service_unavailable', null])
    assert.equal((await call('GET', '/v1/users/count')).status, 200)
  })

  test('answers match the schemas of Clerk\'s OpenAPI spec', async () => {
    const spec = loadSpec()
    const user = instance.users.create({ emailAddress: ['spec@example.com'], phoneNumber: ['+15555550100'], username: 'spec' })
    const org = instance.organizations.create({ name: 'Spec Org', createdBy: user.id })
    const token = instance.signSessionToken({ userId: user.id })
    const sid = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sid
    instance.jwtTemplates.create({ name: 'spec', claims: { email: '{{user.primary_email_address}}' } })
    // The token endpoints' answers are described inline in the spec.
    const tokenAnswer = (route) => spec.paths[route].post.responses['200'].content['application/json'].schema
    const checks = [
      ['GET', `/v1/users/${user.id}`, 'User'],
      ['PATCH', `/v1/users/${user.id}/metadata`, 'User', { public_metadata: { a: { b: 1 } } }],
      ['GET', `/v1/users/count`, 'TotalCount'],
      ['GET', `/v1/organizations/${org.id}`, 'Organization'],
      ['GET', `/v1/organizations/${org.id}/memberships`, 'OrganizationMemberships'],
      ['GET', `/v1/users/${user.id}/organization_memberships`, 'OrganizationMemberships'],
      ['GET', `/v1/organizations`, 'Organizations'],
      ['GET', `/v1/sessions/${sid}`, 'Session'],
      ['POST', `/v1/sessions/${sid}/tokens`, tokenAnswer('/v1/sessions/{session_id}/tokens'), { expires_in_seconds: 120 }],
      ['POST', `/v1/sessions/${sid}/tokens/spec`, tokenAnswer('/v1/sessions/{session_id}/tokens/{template_name}')],
      ['GET', '/v1/users/user_missing', 'ClerkErrors', undefined, 404],
      ['DELETE', `/v1/users/${user.id}`, 'DeletedObject'],
    ]
    for (const [method, route, schemaName, body, status = 200] of checks) {
      const answer = await call(method, route, body)
      assert.equal(answer.status, status, `${method} ${route}`)
      const schema = typeof schemaName === 'string' ? { $ref: `#/components/schemas/${schemaName}` } : schemaName
      const problems = validate(spec, schema, answer.json, `${method} ${route}`)
      assert.deepEqual(problems, [], `${method} ${route} as ${JSON.stringify(schemaName)}`)
    }
    // The checker itself catches a missing required field and a wrong type.
    const { passkeys, ...withoutPasskeys } = (await call('GET', '/v1/users')).json[0]
    assert.deepEqual(validate(spec, { $ref: '#/components/schemas/User' }, { ...withoutPasskeys, banned: 'no' }, 'user'), ['user: missing passkeys', 'user.banned: string where boolean is expected'])
    const users = await call('GET', '/v1/users')
    for (const item of users.json) assert.deepEqual(validate(spec, { $ref: '#/components/schemas/User' }, item, 'GET /v1/users[]'), [])
  })
})

describe('the kit on its own', () => {
  test('loads neither the native addon nor the rest of the package', () => {
    const script = `require(${JSON.stringify(path.join(__dirname, '..', 'testing.js'))}); console.log(JSON.stringify(Object.keys(require.cache)))`
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' })
    assert.equal(run.status, 0, run.stderr)
    const root = path.join(__dirname, '..')
    const loaded = JSON.parse(run.stdout).map((file) => path.relative(root, file)).sort()
    assert.deepEqual(loaded, ['lib/testing/index.js', 'lib/testing/jwt-templates.js', 'lib/testing/keys.js', 'lib/testing/server.js', 'lib/testing/store.js', 'testing.js'])
  })

  test('the ESM entry exports createTestInstance', async () => {
    const esm = await import(path.join(__dirname, '..', 'testing.mjs'))
    assert.equal(esm.createTestInstance, createTestInstance)
  })

  test('publishable key, env and JWKS fit together', async () => {
    const instance = await createTestInstance({ jwtKeyInEnv: true })
    try {
      assert.equal(Buffer.from(instance.publishableKey.replace(/^pk_test_/, ''), 'base64').toString(), 'clerk.example.com$')
      assert.deepEqual(Object.keys(instance.env).sort(), ['CLERK_API_URL', 'CLERK_JWT_KEY', 'CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY'])
      assert.match(instance.jwtKey, /^-----BEGIN PUBLIC KEY-----/)
      const jwks = await (await fetch(`${instance.apiUrl}/v1/jwks`, { headers: { authorization: `Bearer ${instance.secretKey}` } })).json()
      assert.deepEqual(jwks, instance.jwks)
      const [header] = instance.signSessionToken({ userId: 'user_1' }).split('.')
      assert.deepEqual(JSON.parse(Buffer.from(header, 'base64url').toString()), { alg: 'RS256', kid: jwks.keys[0].kid, typ: 'JWT' })
      assert.throws(() => instance.signSessionToken({ userId: 'user_1', orgId: 'org_1', orgPermissions: ['invoices'] }), /org:<feature>:<permission>/)
    } finally {
      await instance.close()
    }
  })
})

// A small checker for the OpenAPI 3.0 schema subset Clerk's spec uses
// (a JSON Schema compiler would generate code, which the hardened pass refuses).

let specCache
function loadSpec() {
  // js-yaml comes with @napi-rs/cli (a devDependency); the repo's copy of Clerk's spec.
  const yaml = require(require.resolve('js-yaml', { paths: [path.dirname(require.resolve('@napi-rs/cli/package.json'))] }))
  specCache ??= yaml.load(fs.readFileSync(path.join(__dirname, 'fixtures', 'openapi', 'bapi-2026-05-12.mock-v1.yml'), 'utf8'))
  return specCache
}

function resolveRef(spec, ref) {
  return ref.replace(/^#\//, '').split('/').reduce((node, key) => node[key], spec)
}

function validate(spec, schema, value, at, problems = []) {
  if (schema.$ref) return validate(spec, resolveRef(spec, schema.$ref), value, at, problems)
  if (value === null) {
    if (!schema.nullable && schema.type !== undefined) problems.push(`${at}: null where ${schema.type} is not nullable`)
    return problems
  }
  if (schema.allOf) for (const part of schema.allOf) validate(spec, part, value, at, problems)
  for (const alternatives of [schema.oneOf, schema.anyOf]) {
    if (alternatives && !alternatives.some((part) => validate(spec, part, value, at).length === 0)) problems.push(`${at}: matches none of oneOf/anyOf`)
  }
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`)
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value
  if (schema.type && !(schema.type === actual || (schema.type === 'number' && actual === 'integer'))) {
    problems.push(`${at}: ${actual} where ${schema.type} is expected`)
    return problems
  }
  if (actual === 'array' && schema.items) value.forEach((item, i) => validate(spec, schema.items, item, `${at}[${i}]`, problems))
  if (actual === 'object') {
    for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${at}: missing ${name}`)
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      if (name in value) validate(spec, property, value[name], `${at}.${name}`, problems)
    }
  }
  return problems
}
