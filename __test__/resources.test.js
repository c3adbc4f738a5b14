'use strict'

// Backend API resource classes and the deserializer, differential: the same
// JSON goes through @clerk/backend's own `deserialize` (and classes) and
// through ours, and everything observable is compared: class names, own keys
// in order, values (including `undefined`, `URL`s and nested classes),
// getters, JSON.stringify output and thrown errors. Besides one complete
// payload per `object` kind, every field of every payload is also removed or
// replaced by null and by other types, one at a time.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { createClerkClient: createReferenceClient } = require('@clerk/backend')
const { loadReferenceResources } = require('./helpers/reference-resources')
const payloads = require('./helpers/resource-payloads')
const resources = require('../lib/resources')
const userResources = require('../lib/resources/user')
const { deserialize } = require('../lib/backend-api/deserialize')
const { createClerkClient } = require('../lib/client')

const reference = loadReferenceResources()

/** Everything observable about a value, as plain data deepStrictEqual can compare. */
function observeValue(value, depth = 0) {
  if (depth > 20) throw new Error('too deep')
  if (value === null) return { null: true }
  if (typeof value !== 'object') return { [typeof value]: value }
  if (value instanceof URL) return { class: 'URL', href: value.href }
  if (Array.isArray(value)) return { array: value.map((item) => observeValue(item, depth + 1)) }
  const own = {}
  for (const key of Object.keys(value)) own[key] = observeValue(value[key], depth + 1)
  const getters = {}
  for (let proto = Object.getPrototypeOf(value); proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (!Object.getOwnPropertyDescriptor(proto, name).get || name in getters) continue
      getters[name] = observe(() => value[name], depth + 1)
    }
    proto = Object.getPrototypeOf(proto)
  }
  return { class: value.constructor?.name ?? null, keys: Object.keys(value), own, getters }
}

/** What a call returns (observed, plus its JSON text) or throws. */
function observe(fn, depth = 0) {
  let value
  try {
    value = fn()
  } catch (err) {
    return { throws: err.constructor.name, message: err.message }
  }
  return { value: observeValue(value, depth), json: JSON.stringify(value) }
}

function assertSameDeserialize(payload, label) {
  const expected = observe(() => reference.deserialize(payload))
  const actual = observe(() => deserialize(payload))
  assert.deepStrictEqual(actual, expected, label)
  return expected
}

/** Every path in a JSON value: [['a'], ['a', 0], ['a', 0, 'b'], ...]. */
function jsonPaths(value, prefix = []) {
  if (!value || typeof value !== 'object') return []
  const keys = Array.isArray(value) ? value.map((_, index) => index) : Object.keys(value)
  return keys.flatMap((key) => [[...prefix, key], ...jsonPaths(value[key], [...prefix, key])])
}

function withChange(payload, path, change) {
  const copy = structuredClone(payload)
  const parent = path.slice(0, -1).reduce((node, key) => node[key], copy)
  const key = path[path.length - 1]
  if (change === 'delete') delete parent[key]
  else parent[key] = change.value
  return copy
}

const REPLACEMENTS = [null, false, 0, '', 'text', [], {}].map((value) => ({ value }))

const FULL = payloads.fullPayloads()

describe('resource classes', () => {
  test('there is a class for each of the 70 resources, exported by its name, named `_<name>`', () => {
    const classes = Object.entries(resources).filter(([, value]) => typeof value === 'function' && value.fromJSON)
    assert.equal(classes.length, 70)
    for (const [name, Resource] of classes) assert.equal(Resource.name, `_${name}`)
    // Every class the reference bundles is among them.
    for (const name of Object.keys(reference.classes)) assert.ok(resources[name], name)
    assert.equal(Object.keys(reference.classes).length, 66)
  })

  test('lib/resources/user keeps its exports', () => {
    for (const name of ['User', 'EmailAddress', 'PhoneNumber', 'Web3Wallet', 'ExternalAccount', 'EnterpriseAccount']) {
      assert.equal(userResources[name], resources[name], name)
    }
    assert.equal(userResources.Verification, resources.Verification)
    assert.equal(userResources.Token, resources.Token)
  })

  test('same class surface: constructor length, statics, prototype getters', () => {
    const surface = (Resource) => ({
      name: Resource.name,
      length: Resource.length,
      statics: Object.getOwnPropertyNames(Resource).map((name) => {
        const { value, writable, enumerable, configurable } = Object.getOwnPropertyDescriptor(Resource, name)
        const shown = typeof value === 'function' ? { name: value.name, length: value.length } : value
        return [name, name === 'prototype' ? 'prototype' : shown, writable, enumerable, configurable]
      }),
      prototype: Object.getOwnPropertyNames(Resource.prototype).map((name) => {
        const { get, set, enumerable, configurable } = Object.getOwnPropertyDescriptor(Resource.prototype, name)
        return [name, get?.name, set, enumerable, configurable]
      }),
    })
    for (const [name, Reference] of Object.entries(reference.classes)) {
      assert.deepStrictEqual(surface(resources[name]), surface(Reference), name)
    }
  })

  test('a positional constructor call applies the same defaults (undefined only, not null)', () => {
    for (const [name, Reference] of Object.entries(reference.classes)) {
      const arity = Object.keys(new Reference()).length
      assert.deepStrictEqual(observe(() => new resources[name]()), observe(() => new Reference()), name)
      const nulls = Array(arity).fill(null)
      assert.deepStrictEqual(observe(() => new resources[name](...nulls)), observe(() => new Reference(...nulls)), name)
    }
  })

  test('classes the reference declares but never deserializes map their JSON like its sources', () => {
    const domain = resources.OrganizationDomain.fromJSON({
      object: 'organization_domain',
      id: 'orgdmn_1',
      organization_id: 'org_1',
      name: 'example.com',
      enrollment_mode: 'automatic_invitation',
      verification: { status: 'verified', strategy: 'email_code', attempts: 1, expires_at: 1700 },
      total_pending_invitations: 2,
      total_pending_suggestions: 3,
      created_at: 10,
      updated_at: 20,
      affiliation_email_address: 'admin@example.com',
    })
    assert.equal(domain.constructor.name, '_OrganizationDomain')
    assert.deepStrictEqual(Object.keys(domain), [
      'id',
      'organizationId',
      'name',
      'enrollmentMode',
      'verification',
      'totalPendingInvitations',
      'totalPendingSuggestions',
      'createdAt',
      'updatedAt',
      'affiliationEmailAddress',
    ])
    assert.equal(domain.verification.constructor.name, '_OrganizationDomainVerification')
    const verified = { status: 'verified', strategy: 'email_code', attempts: 1, expireAt: 1700 }
    assert.deepStrictEqual({ ...domain.verification }, verified)
    const pending = { status: 'unverified', strategy: 'email_code' }
    const unverified = resources.OrganizationDomainVerification.fromJSON(pending)
    assert.deepStrictEqual({ ...unverified }, { ...pending, attempts: null, expireAt: null })
    assert.equal(resources.OrganizationDomain.fromJSON({ verification: null }).verification, null)
    const testingToken = resources.TestingToken.fromJSON({ token: 't', expires_at: 5 })
    assert.deepStrictEqual({ ...testingToken }, { token: 't', expiresAt: 5 })
    assert.deepStrictEqual({ ...resources.HandshakePayload.fromJSON({ directives: ['a=1'] }) }, { directives: ['a=1'] })
    // …and the deserializer leaves them as raw JSON, like the reference.
    for (const object of ['organization_domain', 'testing_token', 'handshake_payload']) {
      const json = { object, id: 'x' }
      assert.equal(deserialize(json).data, json)
      assert.equal(reference.deserialize(json).data, json)
    }
  })
})

describe('deserialize: one complete payload per object kind', () => {
  test('the payloads cover every `case` of the reference deserializer', () => {
    const cases = [...reference.jsonToObject.toString().matchAll(/case ObjectType\.(\w+):/g)].map(
      ([, key]) => reference.ObjectType[key],
    )
    assert.equal(cases.length, 48)
    assert.deepStrictEqual([...Object.keys(FULL), 'total_count'].sort(), [...cases].sort())
  })

  test('the payloads fill every property of every resource they produce', () => {
    // A field left undefined could hide a wrong mapping; only these are
    // undefined by construction in the reference.
    // (A machine scope's `deleted` cannot be set: the JSON would become a DeletedObject.)
    const allowed = new Set([
      'machine.scopedMachines.0.secretKey',
      'machine.scopedMachines.1.secretKey',
      'machine_scope.deleted',
    ])
    const undefinedPaths = []
    const walk = (value, path) => {
      if (!value || typeof value !== 'object' || value instanceof URL) return
      for (const [key, child] of Object.entries(value)) {
        if (child === undefined && !allowed.has(`${path}.${key}`)) undefinedPaths.push(`${path}.${key}`)
        walk(child, `${path}.${key}`)
      }
    }
    for (const [object, payload] of Object.entries(FULL)) walk(reference.jsonToObject(payload), object)
    assert.deepStrictEqual(undefinedPaths, [])
  })

  for (const [object, payload] of Object.entries(FULL)) {
    test(object, () => {
      const expected = assertSameDeserialize(payload, object)
      assert.ok(expected.value, `${object} deserializes`)
      assert.match(expected.value.own.data.class, /^_/, object)
      // The same object in a list, a paginated list and an M2M token list.
      assertSameDeserialize([payload, payload], `${object} in an array`)
      assertSameDeserialize({ data: [payload], total_count: 41 }, `${object} paginated`)
      assertSameDeserialize({ m2m_tokens: [payload], total_count: 2 }, `${object} as m2m_tokens`)
    })
  }
})

describe('deserialize: every field removed, nulled or of another type, one at a time', () => {
  for (const [object, payload] of Object.entries(FULL)) {
    test(object, () => {
      let compared = 0
      for (const path of jsonPaths(payload)) {
        for (const change of ['delete', ...REPLACEMENTS]) {
          const label = `${object}: ${path.join('.')} ${change === 'delete' ? 'removed' : JSON.stringify(change.value)}`
          assertSameDeserialize(withChange(payload, path, change), label)
          compared++
        }
      }
      assert.ok(compared > REPLACEMENTS.length, `${object}: ${compared} variants`)
    })
  }
})

describe('deserialize: shapes and edge cases', () => {
  const cases = {
    'null payload': null,
    'null item': [null],
    'number item': [5],
    'string items': ['a', 'b'],
    'empty array': [],
    'unknown object': { object: 'sign_in_attempt', id: 'sia_1', status: 'needs_first_factor' },
    'no object key': { id: 'x', name: 'y' },
    'empty object': {},
    'total_count': { object: 'total_count', total_count: 7 },
    'total_count without a count': { object: 'total_count' },
    'deleted user': { object: 'user', id: 'user_1', deleted: true },
    'deleted organization by slug': { object: 'organization', slug: 'acme', deleted: true },
    'deleted with empty id and slug': { object: 'organization', id: '', slug: '', deleted: false },
    'deleted without object is not a DeletedObject': { id: 'x', deleted: true },
    'machine scope with `deleted` is a DeletedObject': {
      object: 'machine_scope',
      from_machine_id: 'mch_a',
      to_machine_id: 'mch_b',
      created_at: 1,
      deleted: true,
    },
    'paginated without total_count': { data: [FULL.session] },
    'paginated, empty': { data: [], total_count: 0 },
    'data that is not an array is a single object': { object: 'user', data: { a: 1 } },
    'm2m_tokens list': { m2m_tokens: [FULL.machine_to_machine_token, FULL.machine_to_machine_token], total_count: 9 },
    'm2m_tokens not an array': { m2m_tokens: 'x', data: [FULL.api_key] },
    'mixed list': [FULL.user, FULL.organization, { object: 'unknown' }, { object: 'total_count', total_count: 3 }],
    'minimal user': { object: 'user', id: 'user_min' },
    'user with null metadata and lists': {
      object: 'user',
      id: 'user_nulls',
      public_metadata: null,
      private_metadata: null,
      email_addresses: null,
      phone_numbers: null,
      create_organizations_limit: null,
      timezone: null,
      deprovisioned: null,
    },
    'email address without linked_to throws': {
      object: 'user',
      email_addresses: [{ id: 'idn_1', email_address: 'a@b.c' }],
    },
    'invalid verification URL throws': {
      object: 'email_address',
      linked_to: [],
      verification: { status: 'unverified', external_verification_redirect_url: 'not a url' },
    },
    'client without sessions throws': { object: 'client', id: 'client_x' },
    'membership without organization throws': { object: 'organization_membership', id: 'orgmem_x' },
    'membership with a null organization throws': { object: 'organization_membership', organization: null },
    'machine without scoped_machines throws': { object: 'machine', id: 'mch_x' },
    'subscription with a null item throws': { object: 'commerce_subscription', subscription_items: [null] },
    'subscription item with a null item amount': {
      object: 'commerce_subscription_item',
      next_payment: { amount: null },
    },
    'billing totals with falsy optional amounts': {
      object: 'commerce_subscription_item',
      next_payment: {
        amount: payloads.money(1),
        date: 5,
        totals: {
          ...payloads.totals(),
          base_fee: null,
          total_due_after_free_trial: null,
          credit: 0,
          credits: { total: payloads.money(2) },
          discounts: { total: payloads.money(3), discount: { amount: payloads.money(4) } },
          past_due: '',
          total_due_now: null,
          per_unit_totals: null,
          totals_due_per_period: null,
          total_due_per_period: null,
        },
      },
      seats: { quantity: 3 },
    },
    'billing plan with falsy fees': { object: 'commerce_plan', fee: null, annual_fee: 0, features: null },
    'enterprise connection with no saml, oauth or attributes': {
      object: 'enterprise_connection',
      saml_connection: null,
      oauth_config: undefined,
      custom_attributes: null,
    },
    'enterprise SAML connection without a login hint throws': { object: 'enterprise_connection', saml_connection: {} },
    'agent task with only task_id': { object: 'agent_task', agent_id: 'a', task_id: 'legacy' },
    'agent task with neither id': { object: 'agent_task', agent_id: 'a' },
    'idp token actors': {
      data: [
        { object: 'clerk_idp_oauth_access_token', act: 'x' },
        { object: 'clerk_idp_oauth_access_token', act: { iss: 1, sub: 's' } },
        { object: 'clerk_idp_oauth_access_token', act: { sub: 2 } },
        { object: 'clerk_idp_oauth_access_token', act: { sub: 's', act: { iss: 'i', sub: 't', act: { sub: 'u' } } } },
        { object: 'clerk_idp_oauth_access_token', act: { sub: 's', act: { sub: 5 } } },
      ],
    },
    'labels, image URLs and ids defaulting through ||': {
      data: [
        { object: 'oauth_access_token', label: null, public_metadata: null },
        { object: 'organization', image_url: null },
        { object: 'user', external_accounts: [{ image_url: '', public_metadata: undefined }] },
      ],
    },
  }
  for (const [name, payload] of Object.entries(cases)) {
    test(name, () => assertSameDeserialize(payload, name))
  }

  test('unknown objects come back as the very same JSON', () => {
    const json = { object: 'sign_in_attempt', id: 'sia_1' }
    assert.equal(deserialize(json).data, json)
    assert.equal(deserialize([json]).data[0], json)
  })

  test('the errors are the reference messages', () => {
    assert.throws(() => deserialize([null]), {
      name: 'TypeError',
      message: "Cannot use 'in' operator to search for 'object' in null",
    })
    assert.throws(() => deserialize({ object: 'client' }), {
      message: "Cannot read properties of undefined (reading 'map')",
    })
    const badUrl = { object: 'phone_number', linked_to: [], verification: { external_verification_redirect_url: '::' } }
    assert.throws(() => deserialize(badUrl), {
      name: 'TypeError',
      message: 'Invalid URL',
    })
  })
})

describe('getters, defaults and nested classes', () => {
  const userOf = (overrides) => deserialize({ ...FULL.user, ...overrides }).data
  const referenceUserOf = (overrides) => reference.deserialize({ ...FULL.user, ...overrides }).data

  test('User getters', () => {
    const user = userOf({})
    assert.equal(user.fullName, 'Ada Lovelace')
    assert.equal(user.primaryEmailAddress.emailAddress, 'ada@example.com')
    assert.equal(user.primaryEmailAddress.constructor.name, '_EmailAddress')
    assert.equal(user.primaryPhoneNumber.phoneNumber, '+15551234567')
    assert.equal(user.primaryWeb3Wallet.constructor.name, '_Web3Wallet')
    assert.equal(user.raw, user._raw)
    assert.equal(user.raw.passkeys.length, 0)
    assert.ok(user.emailAddresses[0].verification.externalVerificationRedirectURL instanceof URL)
    assert.equal(user.emailAddresses[0].verification.message, null)
    assert.equal(Object.keys(user).at(-1), '_raw')
    for (const overrides of [
      { first_name: 'Ann', last_name: null },
      { first_name: null, last_name: 'Lee' },
      { first_name: '', last_name: '' },
      { first_name: undefined, last_name: undefined },
      { first_name: ' ', last_name: ' ' },
      { primary_email_address_id: 'idn_none', primary_phone_number_id: null, primary_web3_wallet_id: undefined },
    ]) {
      const label = JSON.stringify(overrides)
      assert.deepStrictEqual(observe(() => userOf(overrides)), observe(() => referenceUserOf(overrides)), label)
    }
    assert.equal(userOf({ first_name: '', last_name: '' }).fullName, null)
    assert.equal(userOf({ first_name: 'Ann', last_name: null }).fullName, 'Ann')
  })

  test('defaults apply to undefined, not null', () => {
    const { data } = deserialize({ object: 'user', id: 'u', private_metadata: null })
    assert.deepStrictEqual(data.publicMetadata, {})
    assert.equal(data.privateMetadata, null)
    assert.equal(data.timezone, null)
    assert.equal(data.deprovisioned, false)
    assert.ok(Object.keys(data).includes('username'))
    assert.equal(data.username, undefined)
    // Fresh defaults per instance.
    const other = deserialize({ object: 'user', id: 'v' }).data
    assert.notEqual(other.publicMetadata, data.publicMetadata)
  })

  test('billing money amount helpers', () => {
    const amount = payloads.money(1234, 'EUR')
    assert.deepStrictEqual(resources.billingMoneyAmountFromJSON(amount), reference.billingMoneyAmountFromJSON(amount))
    assert.deepStrictEqual(resources.billingMoneyAmountFromJSON(amount), {
      amount: 1234,
      amountFormatted: '12.34',
      currency: 'EUR',
      currencySymbol: '€',
    })
    assert.throws(() => resources.billingMoneyAmountFromJSON(undefined), /reading 'amount'/)
    assert.deepStrictEqual(resources.formatAmountJSON(amount), resources.billingMoneyAmountFromJSON(amount))
    for (const falsy of [null, undefined, 0, '']) assert.equal(resources.formatAmountJSON(falsy), null)
  })
})

describe('fromJwtPayload', () => {
  const now = Math.floor(Date.now() / 1000)
  const m2mPayloads = [
    { jti: 'mt_1', sub: 'mch_1', iat: now - 10, exp: now + 3600, scopes: 'mch_a mch_b', region: 'eu' },
    { sub: 'mch_1', iat: now - 10, exp: now - 3600, aud: ['mch_x'], iss: 'https://x', nbf: now },
    { sub: 'mch_1', iat: now - 10, exp: now - 4 },
    { sub: 'mch_1', iat: now - 10, exp: now - 6 },
  ]
  const oauthPayloads = [
    { jti: 'oat_1', client_id: 'c', sub: 'user_1', iat: now, exp: now + 60, scp: ['a', 'b'], aud: 'https://api' },
    {
      sub: 'user_1',
      iat: now,
      exp: now - 60,
      scope: 'read write',
      aud: ['x', 'y'],
      act: { sub: 'admin', act: { sub: 'root' } },
    },
    { sub: 'user_1', iat: now, exp: now, act: { iss: 'i', sub: 'admin' } },
  ]
  test('M2MToken.fromJwtPayload', () => {
    for (const payload of m2mPayloads) {
      for (const skew of [undefined, 0, 10000]) {
        assert.deepStrictEqual(
          observe(() => resources.M2MToken.fromJwtPayload(payload, skew)),
          observe(() => reference.classes.M2MToken.fromJwtPayload(payload, skew)),
          JSON.stringify(payload),
        )
      }
    }
  })
  test('IdPOAuthAccessToken.fromJwtPayload', () => {
    for (const payload of oauthPayloads) {
      for (const skew of [undefined, 0]) {
        assert.deepStrictEqual(
          observe(() => resources.IdPOAuthAccessToken.fromJwtPayload(payload, skew)),
          observe(() => reference.classes.IdPOAuthAccessToken.fromJwtPayload(payload, skew)),
          JSON.stringify(payload),
        )
      }
    }
  })
})

describe('the comparison catches differences', () => {
  const base = () => deserialize(FULL.user).data
  const expected = observe(() => reference.deserialize(FULL.user).data)
  test('the unchanged user matches', () => assert.deepStrictEqual(observe(base), expected))
  const mutations = {
    'a wrong value': (user) => (user.locked = !user.locked),
    'swapped values': (user) => ([user.banned, user.deprovisioned] = [user.deprovisioned, user.banned]),
    'a missing undefined key': (user) => delete user.legalAcceptedAt,
    'an extra key': (user) => (user.extra = undefined),
    'a reordered key': (user) => {
      const { id } = user
      delete user.id
      user.id = id
    },
    'a plain nested object': (user) => (user.emailAddresses[0] = { ...user.emailAddresses[0] }),
    'a URL as a string': (user) => {
      const verification = user.emailAddresses[0].verification
      verification.externalVerificationRedirectURL = verification.externalVerificationRedirectURL.href
    },
    'undefined instead of null': (user) => (user.emailAddresses[0].verification.message = undefined),
  }
  for (const [name, mutate] of Object.entries(mutations)) {
    test(name, () => {
      const user = base()
      mutate(user)
      assert.throws(() => assert.deepStrictEqual(observe(() => user), expected))
    })
  }
  test('a swapped field mapping is caught by the field sweep', () => {
    const { defineResource } = require('../lib/resources/define')
    const Wrong = defineResource('IdentificationLink', [
      ['id', (d) => d.id],
      ['type', (d) => d.id],
    ])
    const right = reference.classes.IdentificationLink
    const link = { id: 'idn_1', type: 'oauth_google' }
    assert.notDeepStrictEqual(observe(() => Wrong.fromJSON(link)), observe(() => right.fromJSON(link)))
  })
})

describe('through both clients over HTTP (users.getUser as a carrier)', () => {
  let server
  let url
  const bodies = new Map()
  before(async () => {
    server = http.createServer((req, res) => {
      const id = decodeURIComponent(req.url.split('/').pop())
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(bodies.get(id)))
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${server.address().port}`
  })
  after(() => server.close())

  async function settle(promise) {
    try {
      return { value: observeValue(await promise), json: JSON.stringify(await promise) }
    } catch (err) {
      return { throws: err.constructor.name, message: err.message, errors: JSON.stringify(err.errors) }
    }
  }

  const carried = {
    ...FULL,
    paginated: { data: [FULL.user, FULL.session], total_count: 2 },
    m2m_tokens: { m2m_tokens: [FULL.machine_to_machine_token], total_count: 1 },
    deleted: { object: 'user', id: 'user_1', deleted: true },
    total_count: { object: 'total_count', total_count: 12 },
    unknown: { object: 'sign_in_attempt', id: 'sia_1' },
    throws: { object: 'client', id: 'client_no_sessions' },
    null_item: [null],
  }
  for (const [name, body] of Object.entries(carried)) {
    test(name, async () => {
      bodies.set(name, body)
      const options = { secretKey: 'sk_test_x', apiUrl: url }
      const expected = await settle(createReferenceClient(options).users.getUser(name))
      const actual = await settle(createClerkClient(options).users.getUser(name))
      assert.deepStrictEqual(actual, expected)
    })
  }
})
