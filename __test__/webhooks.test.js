'use strict'

// verifyWebhook from clerk-express-native/webhooks against
// @clerk/express/webhooks: the same event or the same error message for every
// case, with the body parsers Express apps use.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const express = require('express')
const { listen } = require('./helpers/apps')
const reference = require('@clerk/express/webhooks')
const native = require('../webhooks')

const SECRET = `whsec_${crypto.randomBytes(24).toString('base64')}`
const EVENT = { type: 'user.created', object: 'event', data: { id: 'user_1', extra: { a: 1 } }, event_attributes: { http_request: {} }, timestamp: 1, instance_id: 'ins_1', dropped: true }

function sign(secret, id, timestamp, body) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  return `v1,${crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`
}

function headersFor(body, { secret = SECRET, id = 'msg_1', timestamp = Math.floor(Date.now() / 1000) } = {}) {
  return { 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': sign(secret, id, timestamp, body) }
}

/** The outcome of verifyWebhook in an app with the given body parser. */
async function outcome(pkg, parser, request, options) {
  const app = express()
  if (parser) app.use(parser)
  app.all('/webhook', async (req, res) => {
    try {
      res.json({ event: await pkg.verifyWebhook(req, options) })
    } catch (err) {
      res.json({ error: err.message, type: err.constructor.name })
    }
  })
  const server = await listen(app)
  try {
    const response = await fetch(`${server.url}/webhook`, { method: request.method || 'POST', headers: request.headers, body: request.body })
    return await response.json()
  } finally {
    await server.close()
  }
}

async function same(parser, request, options) {
  const a = await outcome(reference, parser, request, options)
  const b = await outcome(native, parser, request, options)
  assert.deepEqual(b, a)
  return a
}

const compact = JSON.stringify(EVENT)
const raw = express.raw({ type: '*/*' })
const json = express.json()
const text = express.text({ type: '*/*' })

test('valid webhooks with raw, text and JSON bodies', async () => {
  for (const parser of [raw, text, json]) {
    const answer = await same(parser, { headers: { 'content-type': 'application/json', ...headersFor(compact) }, body: compact }, { signingSecret: SECRET })
    assert.equal(answer.event.type, 'user.created')
  }
})

test('refused webhooks: wrong secret, stale, future, tampered body, missing headers', async () => {
  const now = Math.floor(Date.now() / 1000)
  const cases = [
    { headers: headersFor(compact, { secret: `whsec_${crypto.randomBytes(24).toString('base64')}` }), body: compact },
    { headers: headersFor(compact, { timestamp: now - 301 }), body: compact },
    { headers: headersFor(compact, { timestamp: now + 400 }), body: compact },
    { headers: headersFor(compact), body: compact.replace('user_1', 'user_2') },
    { headers: { ...headersFor(compact), 'svix-timestamp': 'soon' }, body: compact },
    { headers: { 'svix-id': 'msg_1' }, body: compact },
    { headers: {}, body: compact },
    { headers: { ...headersFor(compact), 'svix-signature': 'v2,abc v1' }, body: compact },
    { headers: headersFor(''), body: '' },
  ]
  for (const request of cases) {
    const answer = await same(raw, { ...request, headers: { 'content-type': 'application/json', ...request.headers } }, { signingSecret: SECRET })
    assert.ok(answer.error, JSON.stringify(request.headers))
  }
})

test('body rules: pretty JSON through express.json fails, no parser fails, text works', async () => {
  const pretty = JSON.stringify(EVENT, null, 2)
  await same(json, { headers: { 'content-type': 'application/json', ...headersFor(pretty) }, body: pretty }, { signingSecret: SECRET })
  await same(null, { headers: headersFor(compact), body: compact }, { signingSecret: SECRET })
})

test('secrets: from the environment, missing, empty, invalid base64', async () => {
  process.env.CLERK_WEBHOOK_SIGNING_SECRET = SECRET
  try {
    const answer = await same(raw, { headers: headersFor(compact), body: compact })
    assert.equal(answer.event.data.id, 'user_1')
  } finally {
    delete process.env.CLERK_WEBHOOK_SIGNING_SECRET
  }
  for (const signingSecret of [undefined, '', 'whsec_', 'whsec_ab', 'whsec_a!==']) {
    const answer = await same(raw, { headers: headersFor(compact), body: compact }, { signingSecret })
    assert.ok(answer.error)
  }
})

test('Standard Webhooks header names: accepted here, refused by the reference (documented)', async () => {
  const svix = headersFor(compact)
  const standard = { 'webhook-id': svix['svix-id'], 'webhook-timestamp': svix['svix-timestamp'], 'webhook-signature': svix['svix-signature'] }
  const a = await outcome(reference, raw, { headers: standard, body: compact }, { signingSecret: SECRET })
  const b = await outcome(native, raw, { headers: standard, body: compact }, { signingSecret: SECRET })
  assert.match(a.error, /Missing required webhook headers/)
  assert.equal(b.event.type, 'user.created')
})
