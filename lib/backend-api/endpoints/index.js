'use strict'

// Every `clerkClient` endpoint group of @clerk/backend 3.25.0, and
// `defineBackendApiGroups`, which gives each group its request function (some
// groups skip the API version, the secret key requirement, or prefer the
// machine secret key).
//
// A group's table, its class, the request layer and the resource classes
// behind them are loaded the first time a client's property is read. Most
// servers only authenticate requests, and loading all 36 tables with the 70
// resource classes was most of `require()`'s time (each module costs about
// half a millisecond to load). After that first read the property is a plain
// data property, as in the reference.

// The client's property for each group, in the reference's order (the order
// of the client's keys), and the module with the group's table.
const GROUP_MODULES = {
  __experimental_accountlessApplications: './accountless-applications',
  actorTokens: './actor-tokens',
  agentTasks: './agent-tasks',
  allowlistIdentifiers: './allowlist-identifiers',
  apiKeys: './api-keys',
  betaFeatures: './beta-features',
  blocklistIdentifiers: './blocklist-identifiers',
  billing: './billing',
  clients: './clients',
  domains: './domains',
  emailAddresses: './email-addresses',
  emails: './emails',
  enterpriseConnections: './enterprise-connections',
  idPOAuthAccessToken: './idp-oauth-access-tokens',
  instance: './instance',
  invitations: './invitations',
  jwks: './jwks',
  jwtTemplates: './jwt-templates',
  machines: './machines',
  m2m: './m2m',
  oauthApplications: './oauth-applications',
  organizations: './organizations',
  organizationPermissions: './organization-permissions',
  organizationRoles: './organization-roles',
  phoneNumbers: './phone-numbers',
  proxyChecks: './proxy-checks',
  redirectUrls: './redirect-urls',
  roleSets: './role-sets',
  sessions: './sessions',
  signInTokens: './sign-in-tokens',
  signUps: './sign-ups',
  testingTokens: './testing-tokens',
  users: './users',
  waitlistEntries: './waitlist-entries',
  webhooks: './webhooks',
  samlConnections: './saml-connections',
}

const loadedGroups = new Map()

/** A group's table and class, loaded and defined once per process. */
function loadGroup(property) {
  let group = loadedGroups.get(property)
  if (!group) {
    const { defineApi } = require('./define-api')
    const table = require(GROUP_MODULES[property])
    group = { table, Api: defineApi(table) }
    loadedGroups.set(property, group)
  }
  return group
}

/** The endpoint class of one group (`loadApi('sessions')` is `SessionAPI`). */
const loadApi = (property) => loadGroup(property).Api

const dataProperty = (value) => ({ value, writable: true, enumerable: true, configurable: true })

/**
 * Defines the 36 groups on `client` as properties that build the group on
 * first read. The options are read as the reference reads them when it
 * builds every group at once: the shared request function keeps the live
 * object (it reads the keys when it sends), the groups that spread it get a
 * copy taken now. Only our own transport options (`requestTimeoutMs`,
 * `maxRetries`, `userCacheTtlMs`) are read at the first read of a group;
 * `userCache` is read now, so that a malformed one throws here.
 *
 * Also defines `client.userCache` (../client-user-cache.js), not enumerable:
 * the client's keys stay the reference's.
 */
function defineBackendApiGroups(client, options) {
  const optionsNow = { ...options }
  let sharedRequest = null
  // One user cache per client, so that `client.userCache` evicts from the
  // very cache the groups read.
  let userCache = null
  const userCacheOf = () => (userCache ??= require('../client-user-cache').userCacheFor(options))
  if (options.userCache != null) userCacheOf()
  const requestFor = (table) => {
    const { buildRequest } = require('../request')
    if (table.requestConfig) return buildRequest({ ...optionsNow, ...table.requestConfig }, userCacheOf())
    sharedRequest ??= buildRequest(options, userCacheOf())
    return sharedRequest
  }
  for (const property of Object.keys(GROUP_MODULES)) {
    Object.defineProperty(client, property, {
      enumerable: true,
      configurable: true,
      get() {
        const { table, Api } = loadGroup(property)
        const api = new Api(requestFor(table), ...(table.constructorArgs ? table.constructorArgs(optionsNow) : []))
        Object.defineProperty(client, property, dataProperty(api))
        return api
      },
      set(value) {
        Object.defineProperty(client, property, dataProperty(value))
      },
    })
  }
  Object.defineProperty(client, 'userCache', {
    enumerable: false,
    configurable: true,
    get() {
      const helper = require('../client-user-cache').userCacheHelper(userCacheOf())
      Object.defineProperty(client, 'userCache', { value: helper, writable: true, enumerable: false, configurable: true })
      return helper
    },
  })
  return client
}

/** `createBackendApiClient(options)`: the 36 groups alone. */
const createBackendApiClient = (options) => defineBackendApiGroups({}, options)

module.exports = { createBackendApiClient, defineBackendApiGroups, loadApi, GROUP_MODULES }
