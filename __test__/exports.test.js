'use strict'

// The public surface: every runtime export of @clerk/express 2.1.70 (root and
// subpaths, CommonJS and ESM) exists here with the same `typeof`.

const { test } = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { pathToFileURL } = require('node:url')

const ROOT = path.join(__dirname, '..')
const shape = (module) => Object.fromEntries(Object.keys(module).sort().map((name) => [name, typeof module[name]]))

test('CommonJS exports match, root and ./webhooks', () => {
  assert.deepEqual(shape(require(ROOT)), shape(require('@clerk/express')))
  assert.deepEqual(shape(require(path.join(ROOT, 'webhooks'))), shape(require('@clerk/express/webhooks')))
})

test('ESM named exports match, root and ./webhooks', async () => {
  const esm = async (file) => {
    const { default: _default, ...named } = await import(pathToFileURL(path.join(ROOT, file)).href)
    return shape(named)
  }
  const referenceRoot = await import('@clerk/express')
  const referenceWebhooks = await import('@clerk/express/webhooks')
  const withoutDefault = ({ default: _d, ...rest }) => shape(rest)
  assert.deepEqual(await esm('index.mjs'), withoutDefault(referenceRoot))
  assert.deepEqual(await esm('webhooks.mjs'), withoutDefault(referenceWebhooks))
})

// Ours only: ./diagnostics (README, "Observability") and ./testing ("Testing your app").
const OWN_SUBPATHS = ['./diagnostics', './testing']

test('the package exports map offers the same subpaths, and ours', () => {
  const ours = require(path.join(ROOT, 'package.json')).exports
  const theirs = require('@clerk/express/package.json').exports
  assert.deepEqual(Object.keys(ours).sort(), [...Object.keys(theirs), ...OWN_SUBPATHS].sort())
  assert.equal(ours['./types'].types, './types.d.ts')
  assert.equal(ours['./env'], './env.d.ts')
})

test('./diagnostics: the same channel names from CommonJS and ESM, the channels Node returns for them', async () => {
  const diagnosticsChannel = require('node:diagnostics_channel')
  const cjs = require(path.join(ROOT, 'diagnostics'))
  const esm = await import(pathToFileURL(path.join(ROOT, 'diagnostics.mjs')).href)
  assert.deepEqual(esm.channelNames, cjs.channelNames)
  assert.deepEqual(Object.values(cjs.channelNames).sort(), ['clerk:authenticate', 'clerk:backend-api:request', 'clerk:cache', 'clerk:jwks:fetch', 'clerk:webhook:verify'])
  assert.equal(cjs.channels.cache, diagnosticsChannel.channel('clerk:cache'))
  assert.equal(cjs.channels.authenticate.start, diagnosticsChannel.channel('tracing:clerk:authenticate:start'))
})
