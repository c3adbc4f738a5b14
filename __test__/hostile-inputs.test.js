'use strict'

// Hostile tokens and headers, kept so that what an attacker was found unable
// to do stays true: every case goes through @clerk/express and this package
// and must give the same answer; a sign-in may only happen where the
// reference signs in too, with the same claims. Tokens too large for Node's
// default header limit go through verifyToken, and the many-cookie requests
// through servers with a raised limit.

const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const http = require('node:http')
const express = require('express')
const { startFakeClerkApi } = require('./helpers/fake-clerk-api')
const { createSigningKey, signToken, signRaw, sessionClaims, nowSeconds, b64url } = require('./helpers/tokens')
const { startPair, buildApp, listen, reference, native } = require('./helpers/apps')
const { assertSameAnswers } = require('./helpers/same-answer')

const PK_TEST = 'pk_test_Y2xlcmsuZXhhbXBsZS5jb20k'
const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } })
const signedIn = (answer) => answer.body?.auth?.json?.isAuthenticated === true

/**
 * Sends each token through both apps and asserts the same answer; returns the
 * names of those that signed in. The names in `stricter` are the README's "differ by
 * construction" cases: JSON that only a holder of the instance's signing key
 * can put in a token and that Rust's JSON parser refuses, so the reference
 * signs in and this package answers token-invalid.
 */
async function sendTokens(pair, tokens, stricter = []) {
  const signIns = []
  for (const [name, token] of tokens) {
    const { reference: ref, native: ours } = await pair.send(bearer(token))
    if (stricter.includes(name)) {
      assert.equal(signedIn(ref), true, name)
      assert.equal(signedIn(ours), false, name)
      assert.equal(ours.clerkHeaders['x-clerk-auth-reason'], 'token-invalid', name)
      continue
    }
    assertSameAnswers(ours, ref, name)
    if (signedIn(ours)) signIns.push(name)
  }
  return signIns
}

describe('hostile tokens and headers: the same answer as @clerk/express, never a false sign-in', () => {
  const key = createSigningKey()
  const attacker = createSigningKey(key.kid)
  let api
  let pair

  before(async () => {
    api = await startFakeClerkApi({ keys: [key.jwk] })
    pair = await startPair(express, { secretKey: 'sk_test_hostile', publishableKey: PK_TEST, apiUrl: api.url })
  })
  after(async () => {
    await pair.close()
    await api.close()
  })

  const claims = sessionClaims()
  const header = { alg: 'RS256', kid: key.kid, typ: 'JWT' }
  const json = (value) => JSON.stringify(value)

  test('algorithm confusion: none, HMAC keyed with the public key, an embedded or remote key', async () => {
    const [h, p, s] = signToken(key, claims).split('.')
    const hmac = (alg, hash, secret) => {
      const signed = `${b64url(json({ ...header, alg }))}.${p}`
      return `${signed}.${crypto.createHmac(hash, secret).update(signed).digest('base64url')}`
    }
    const tokens = [
      ['alg none, no signature', `${b64url(json({ ...header, alg: 'none' }))}.${p}.`],
      ['alg none, the valid signature', `${b64url(json({ ...header, alg: 'none' }))}.${p}.${s}`],
      ['alg None', `${b64url(json({ ...header, alg: 'None' }))}.${p}.${s}`],
      ['HS256 keyed with the PEM', hmac('HS256', 'sha256', key.pem)],
      ['HS256 keyed with the modulus', hmac('HS256', 'sha256', key.jwk.n)],
      ['HS512 keyed with the PEM', hmac('HS512', 'sha512', key.pem)],
      ['ES256 header on an RSA signature', `${b64url(json({ ...header, alg: 'ES256' }))}.${p}.${s}`],
      ['PS256 header on an RSA signature', `${b64url(json({ ...header, alg: 'PS256' }))}.${p}.${s}`],
      ['embedded jwk of the attacker', signToken(attacker, claims, { jwk: attacker.jwk })],
      ['jku pointing at the attacker', signToken(attacker, claims, { jku: 'http://127.0.0.1:1/jwks' })],
      ['x5u pointing at the attacker', signToken(attacker, claims, { x5u: 'http://127.0.0.1:1/cert' })],
      ['the right kid, the attacker key', signToken(attacker, claims)],
      ['crit header', signToken(attacker, claims, { crit: ['exp'] })],
    ]
    assert.deepEqual(await sendTokens(pair, tokens), [])
  })

  test('kid injection: paths, quotes, control characters, non-strings, 300 characters', async () => {
    const kids = ['../../../../etc/passwd', "' OR '1'='1", '"}]', '\u0000', '%00', '', ' ', 'k'.repeat(300), null, 42, ['a'], { kid: key.kid }, true]
    const tokens = kids.map((kid) => [`kid ${json(kid)}`, signToken(attacker, claims, { kid })])
    // The real key with a kid it does not have, and an injected one.
    tokens.push(['real key, kid with a suffix', signToken(key, claims, { kid: `${key.kid}/../x` })])
    assert.deepEqual(await sendTokens(pair, tokens), [])
    // Alone against an API of its own, this package asks for the JWKS once
    // for all those kids (the reference asks once per token).
    const ownApi = await startFakeClerkApi({ keys: [key.jwk] })
    const app = await listen(buildApp(native, express, { secretKey: 'sk_test_hostile_kids', publishableKey: PK_TEST, apiUrl: ownApi.url }))
    try {
      for (const [, token] of tokens) await fetch(`${app.url}/probe`, bearer(token))
      assert.equal(ownApi.state.requests.filter((r) => r.path === '/v1/jwks').length, 1)
    } finally {
      await app.close()
      await ownApi.close()
    }
  })

  test('absurd time claims', async () => {
    const now = nowSeconds()
    const values = [
      ['exp', 1e308],
      ['exp', -1],
      ['exp', 'tomorrow'],
      ['exp', null],
      ['exp', true],
      ['exp', [now + 60]],
      ['exp', 2 ** 53 + 2],
      ['exp', now + 0.5],
      ['nbf', 1e308],
      ['nbf', -1e308],
      ['nbf', 'now'],
      ['iat', 1e20],
      ['iat', -1e20],
      ['iat', { now }],
    ]
    const tokens = values.map(([name, value]) => [`${name} ${json(value)}`, signToken(key, { ...claims, [name]: value })])
    // Numbers JSON.stringify cannot write: 1e400 parses as Infinity in JS.
    const raw = json(claims).replace(/"exp":\d+/, '"exp":1e400')
    tokens.push(['exp 1e400', signRaw(key, json(header), raw)])
    tokens.push(['exp -0', signRaw(key, json(header), json(claims).replace(/"exp":\d+/, '"exp":-0'))])
    tokens.push(['nbf 1e999', signRaw(key, json(header), json(claims).replace(/"nbf":\d+/, '"nbf":1e999'))])
    const signIns = await sendTokens(pair, tokens, ['exp 1e400', 'nbf 1e999'])
    // Where the reference's date arithmetic gives NaN (an nbf or iat too far out to be a date) it lets
    // the token through; this package gives the same answers.
    assert.deepEqual(signIns, ['exp 1e+308', 'exp 9007199254740994', `exp ${now + 0.5}`, 'nbf 1e+308', 'nbf -1e+308', 'iat 100000000000000000000', 'iat -100000000000000000000'])
  })

  test('duplicate keys: the last one counts in both, in the header and in the claims', async () => {
    const headerText = json(header)
    const payloadText = json(claims)
    const tokens = [
      ['alg none then RS256', signRaw(key, headerText.replace('{', '{"alg":"none",'), payloadText)],
      ['alg RS256 then none', signRaw(key, headerText.replace('}', ',"alg":"none"}'), payloadText)],
      ['kid twice', signRaw(key, headerText.replace('}', ',"kid":"ins_other"}'), payloadText)],
      ['sub twice', signRaw(key, headerText, payloadText.replace('}', ',"sub":"user_evil"}'))],
      ['sid twice', signRaw(key, headerText, payloadText.replace('{', '{"sid":"sess_first",'))],
      ['exp twice, the last expired', signRaw(key, headerText, payloadText.replace('}', ',"exp":1}'))],
    ]
    await sendTokens(pair, tokens)
    const { reference: ref } = await pair.send(bearer(tokens[3][1]))
    assert.equal(ref.body.auth.json.userId, 'user_evil', 'the reference takes the last of duplicate claims')
  })

  test('invalid UTF-8, invalid base64url, stray characters', async () => {
    const [h, p, s] = signToken(key, claims).split('.')
    const bytes = (text, ...extra) => Buffer.concat([Buffer.from(text), Buffer.from(extra)])
    const tokens = [
      ['invalid UTF-8 in a claim', signRaw(key, json(header), bytes(json(claims).slice(0, -1) + ',"x":"', 0xff, 0xfe, 0x22, 0x7d))],
      ['invalid UTF-8 in the header', signRaw(key, bytes(json(header).slice(0, -1) + ',"x":"', 0xc3, 0x28, 0x22, 0x7d), json(claims))],
      ['lone surrogate escape', signRaw(key, json(header), json(claims).replace('}', ',"x":"\\ud800"}'))],
      ['nested 1,000 deep', signRaw(key, json(header), json(claims).replace('}', `,"deep":${'['.repeat(1000)}${']'.repeat(1000)}}`))],
      ['NUL in a claim', signRaw(key, json(header), json(claims).replace('}', ',"x":"\\u0000"}'))],
      ['standard base64 alphabet', `${h}.${Buffer.from(b64url(json(claims)), 'base64url').toString('base64')}.${s}`],
      ['asterisk in the payload', `${h}.${p.slice(0, 5)}*${p.slice(6)}.${s}`],
      ['padding in the middle', `${h}.${p.slice(0, 4)}=${p.slice(4)}.${s}`],
      ['tab inside', `${h}.${p}\t.${s}`],
      ['one character of a segment left over', `${h}.${p}A.${s}`],
      ['empty segments', '..'],
      ['a hundred dots', '.'.repeat(100)],
      ['JSON in place of base64url', `{"alg":"none"}.${p}.${s}`],
    ]
    // The first two and the NUL are validly signed: both decode the bytes the same way and sign in.
    assert.deepEqual(await sendTokens(pair, tokens, ['lone surrogate escape', 'nested 1,000 deep']), ['invalid UTF-8 in a claim', 'invalid UTF-8 in the header', 'NUL in a claim'])
  })

  test('tokens of a megabyte and of 100,000 segments through verifyToken', async () => {
    const describeResult = async (pkg, token) => {
      try {
        const verified = await pkg.verifyToken(token, { jwtKey: key.pem })
        return { sub: verified.sub, size: JSON.stringify(verified).length }
      } catch (err) {
        return { reason: err.reason, message: String(err.message).replace(/Current date: .*GMT/, '') }
      }
    }
    const [h, p, s] = signToken(key, claims).split('.')
    const cases = [
      ['1 MB of one segment', 'x'.repeat(1 << 20)],
      ['100,000 segments', 'a.'.repeat(100_000)],
      ['1 MB signature', `${h}.${p}.${'A'.repeat(1 << 20)}`],
      ['1 MB header', `${b64url(json({ ...header, pad: 'x'.repeat(1 << 20) }))}.${p}.${s}`],
      ['1 MB of claims, validly signed', signToken(key, { ...claims, pad: 'x'.repeat(1 << 20) })],
      ['200,000 claims', signRaw(key, json(header), json(claims).replace('}', ',' + Array.from({ length: 200_000 }, (_, i) => `"c${i}":0`).join(',') + '}'))],
    ]
    for (const [name, token] of cases) {
      const ref = await describeResult(reference, token)
      const ours = await describeResult(native, token)
      assert.deepEqual(ours, ref, name)
    }
  })

  test('ten thousand cookies, and one session cookie repeated, with a raised header limit', async () => {
    const servers = await Promise.all(
      [reference, native].map(
        (pkg) =>
          new Promise((resolve) => {
            const server = http.createServer({ maxHeaderSize: 4 << 20 }, buildApp(pkg, express, { secretKey: 'sk_test_hostile', publishableKey: PK_TEST, apiUrl: api.url }))
            server.listen(0, '127.0.0.1', () => resolve(server))
          }),
      ),
    )
    const send = async (server, headers) => {
      const response = await fetch(`http://127.0.0.1:${server.address().port}/probe`, { headers, redirect: 'manual' })
      const headerPairs = [...response.headers].filter(([name]) => name.startsWith('x-clerk-') || name === 'location')
      return { status: response.status, headers: Object.fromEntries(headerPairs), body: await response.text() }
    }
    try {
      const valid = signToken(key, claims)
      const manyCookies = Array.from({ length: 10_000 }, (_, i) => `c${i}=${i}`).join('; ')
      const requests = [
        ['10,000 cookies and a bearer token', { cookie: manyCookies, authorization: `Bearer ${valid}` }],
        ['10,000 cookies, no credentials', { cookie: manyCookies }],
        ['__session 10,000 times, garbage', { cookie: Array(10_000).fill('__session=x.y.z').join('; ') }],
        ['10,000 names without =', { cookie: Array(10_000).fill('novalue').join('; ') }],
      ]
      for (const [name, headers] of requests) {
        const [ref, ours] = await Promise.all(servers.map((server) => send(server, headers)))
        assert.deepEqual(
          JSON.parse(JSON.stringify(ours).replace(/127\.0\.0\.1(%3A|:)\d+/g, '<host>')),
          JSON.parse(JSON.stringify(ref).replace(/127\.0\.0\.1(%3A|:)\d+/g, '<host>')),
          name,
        )
      }
    } finally {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
    }
  })
})
