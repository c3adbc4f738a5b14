'use strict'

// Every `clerkClient` endpoint group of @clerk/backend 3.25.0, generated from
// its table, and `createBackendApiClient`, which gives each group its request
// function (some groups skip the API version, the secret key requirement, or
// prefer the machine secret key).

const { buildRequest } = require('../request')
const { defineApi } = require('./define-api')

// In the reference's order (the order of the client's keys).
const TABLES = [
  require('./accountless-applications'),
  require('./actor-tokens'),
  require('./agent-tasks'),
  require('./allowlist-identifiers'),
  require('./api-keys'),
  require('./beta-features'),
  require('./blocklist-identifiers'),
  require('./billing'),
  require('./clients'),
  require('./domains'),
  require('./email-addresses'),
  require('./emails'),
  require('./enterprise-connections'),
  require('./idp-oauth-access-tokens'),
  require('./instance'),
  require('./invitations'),
  require('./jwks'),
  require('./jwt-templates'),
  require('./machines'),
  require('./m2m'),
  require('./oauth-applications'),
  require('./organizations'),
  require('./organization-permissions'),
  require('./organization-roles'),
  require('./phone-numbers'),
  require('./proxy-checks'),
  require('./redirect-urls'),
  require('./role-sets'),
  require('./sessions'),
  require('./sign-in-tokens'),
  require('./sign-ups'),
  require('./testing-tokens'),
  require('./users'),
  require('./waitlist-entries'),
  require('./webhooks'),
  require('./saml-connections'),
]

const GROUPS = TABLES.map((table) => ({ table, Api: defineApi(table) }))

/** The endpoint classes by their reference names (`UserAPI`, `SessionAPI`, ...). */
const apis = Object.fromEntries(GROUPS.map(({ table, Api }) => [table.className, Api]))

function createBackendApiClient(options) {
  const request = buildRequest(options)
  const client = {}
  for (const { table, Api } of GROUPS) {
    const groupRequest = table.requestConfig ? buildRequest({ ...options, ...table.requestConfig }) : request
    client[table.property] = new Api(groupRequest, ...(table.constructorArgs ? table.constructorArgs(options) : []))
  }
  return client
}

module.exports = { createBackendApiClient, apis }
