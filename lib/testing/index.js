'use strict'

// clerk-express-native/testing: `createTestInstance()` puts together an
// instance's keys (./keys), its in-memory data (./store) and the local
// Backend API serving them (./server), and hands out the keys, an `env` for
// the app under test, and token helpers. Nothing here loads the native addon
// or the middleware: the kit only stands in for Clerk, so it serves the real
// @clerk/express just as well.

const { createInstanceKeys, signJwt, sessionTokenClaims, clerkId } = require('./keys')
const { createStore } = require('./store')
const { startLocalApi } = require('./server')
const { createJwtTemplates, templateTokenClaims } = require('./jwt-templates')

const MACHINE_TOKEN_TYPES = { api_key: 'ak', m2m_token: 'mt', oauth_token: 'oat' }

async function createTestInstance(options = {}) {
  const keys = createInstanceKeys({ frontendApi: options.frontendApi })
  const store = createStore()
  const jwtTemplates = createJwtTemplates()
  // The options of each session's last token: `getToken()` re-issues with the same claims.
  const sessionTokenOptions = new Map()
  const api = await startLocalApi(store, keys, issueToken)
  let foreignKeys

  const env = {
    CLERK_SECRET_KEY: keys.secretKey,
    CLERK_PUBLISHABLE_KEY: keys.publishableKey,
    CLERK_API_URL: api.url,
  }
  // Off by default so that the app fetches the JWKS from the local API, as it does from Clerk.
  if (options.jwtKeyInEnv) env.CLERK_JWT_KEY = keys.jwtKey

  function sessionOptions(tokenOptions) {
    if (!tokenOptions || typeof tokenOptions.userId !== 'string') throw new TypeError('signSessionToken: `userId` is required')
    const resolved = { ...tokenOptions, sessionId: tokenOptions.sessionId ?? clerkId('sess') }
    // The active organization's slug and the member's role come from the store when it knows them.
    if (resolved.orgId) {
      const organization = store.organizations.get(resolved.orgId)
      if (organization && resolved.orgSlug === undefined) resolved.orgSlug = organization.slug
      if (resolved.orgRole === undefined) {
        const membership = organization && store.listMemberships({ organization_id: organization.id, user_id: resolved.userId })[0]
        resolved.orgRole = membership?.role ?? 'org:member'
      }
    }
    store.ensureSession(resolved)
    sessionTokenOptions.set(resolved.sessionId, resolved)
    return resolved
  }

  /** `POST /v1/sessions/:id/tokens[/:template]`: a fresh session token, or a template's token. */
  function issueToken(sessionId, templateName, expiresInSeconds) {
    const session = store.getSession(sessionId)
    const { notBefore, ...tokenOptions } = sessionTokenOptions.get(sessionId) ?? { userId: session.user_id, sessionId }
    if (!templateName) return signJwt(keys, sessionTokenClaims({ ...tokenOptions, expiresInSeconds }, keys))
    const template = jwtTemplates.get(templateName)
    if (!template) throw new store.NotFoundError(`JWT template ${templateName} not found`, 'template_name')
    const user = store.getUser(session.user_id)
    const primaryEmail = user.email_addresses.find((email) => email.id === user.primary_email_address_id)
    const organization = tokenOptions.orgId ? store.organizations.get(tokenOptions.orgId) : undefined
    const scope = {
      user: { ...user, primary_email_address: primaryEmail?.email_address ?? null },
      org: organization && { ...organization, role: tokenOptions.orgRole },
      session,
    }
    return signJwt(keys, templateTokenClaims(template, { issuer: keys.issuer, userId: user.id, azp: tokenOptions.azp ?? 'http://localhost:3000', scope, expiresInSeconds }))
  }

  function signSessionToken(tokenOptions) {
    return signJwt(keys, sessionTokenClaims(sessionOptions(tokenOptions), keys))
  }

  // The kit's keys are a development instance's, and on a development instance
  // the middleware signs a browser in only with a dev browser cookie beside the
  // session cookies (else `dev-browser-missing`). Clerk checks only that it is there.
  const devBrowserCookie = `__clerk_db_jwt=dvb_${clerkId('x').slice(2)}`

  /** The Cookie header of a browser signed in as Clerk.js leaves it: `__session`, `__client_uat` (its `iat`), the dev browser. */
  function sessionCookies(tokenOptions) {
    const claims = sessionTokenClaims(sessionOptions(tokenOptions), keys)
    return `__session=${signJwt(keys, claims)}; __client_uat=${claims.iat}; ${devBrowserCookie}`
  }

  function createMachineToken(kind, params = {}) {
    const now = Date.now()
    const token = `${MACHINE_TOKEN_TYPES[kind]}_${clerkId('x').slice(2)}`
    const expiration = params.expiresInSeconds !== undefined ? now + params.expiresInSeconds * 1000 : null
    const common = { subject: params.subject, scopes: params.scopes ?? [], revoked: false, revocation_reason: null, expired: false, expiration, created_at: now, updated_at: now }
    let json
    if (kind === 'api_key') {
      if (!params.subject) throw new TypeError('createApiKey: `subject` (a user_ or org_ id) is required')
      json = { object: 'api_key', id: clerkId('ak'), type: 'api_key', name: params.name ?? 'test key', ...common, claims: params.claims ?? null, created_by: params.createdBy ?? null, description: params.description ?? null, last_used_at: null }
    } else if (kind === 'm2m_token') {
      json = { object: 'machine_to_machine_token', id: clerkId('mt'), ...common, subject: params.subject ?? clerkId('mch'), claims: params.claims ?? null }
    } else {
      if (!params.subject) throw new TypeError('createOAuthToken: `subject` (a user id) is required')
      json = { object: 'clerk_idp_oauth_access_token', id: clerkId('oat'), client_id: params.clientId ?? clerkId('client'), type: 'oauth:access_token', ...common, aud: params.audience ?? [] }
    }
    store.machineTokens.set(token, { kind, json })
    return token
  }

  return {
    publishableKey: keys.publishableKey,
    secretKey: keys.secretKey,
    apiUrl: api.url,
    jwtKey: keys.jwtKey,
    jwks: { keys: [keys.jwk] },
    env,
    signSessionToken,
    sessionCookies,
    /** The Cookie header of a browser that is signed out (`__client_uat=0`): signed out without a handshake. */
    signedOutCookies: () => `__client_uat=0; ${devBrowserCookie}`,
    /** A session token that expired `expiredSecondsAgo` (60 by default) ago. */
    expiredSessionToken: (tokenOptions = {}) => signSessionToken({ ...tokenOptions, expiresInSeconds: -(tokenOptions.expiredSecondsAgo ?? 60) }),
    /** A well-formed session token signed by another instance's key (its own kid). */
    foreignSessionToken(tokenOptions) {
      foreignKeys ??= createInstanceKeys({ frontendApi: options.frontendApi })
      return signJwt(foreignKeys, sessionTokenClaims(sessionOptions(tokenOptions), keys))
    },
    createApiKey: (params) => createMachineToken('api_key', params),
    createM2MToken: (params) => createMachineToken('m2m_token', params),
    createOAuthToken: (params) => createMachineToken('oauth_token', params),
    revokeMachineToken(token, reason = null) {
      const entry = store.machineTokens.get(token)
      if (!entry) return false
      entry.json = { ...entry.json, revoked: true, revocation_reason: reason, updated_at: Date.now() }
      return true
    },
    users: {
      create: (params) => store.createUser(params),
      get: (id) => store.users.get(id) ?? null,
      list: (query) => store.listUsers(query),
      update: (id, params) => store.updateUser(id, params),
      updateMetadata: (id, params) => store.updateUserMetadata(id, params),
      delete: (id) => store.deleteUser(id),
    },
    organizations: {
      create: (params) => store.createOrganization(params),
      get: (idOrSlug) => {
        try {
          return store.getOrganization(idOrSlug)
        } catch {
          return null
        }
      },
      list: (query) => store.listOrganizations(query),
      addMember: (params) => store.createMembership(params),
      memberships: (query) => store.listMemberships(query),
    },
    sessions: { get: (id) => store.sessions.get(id) ?? null },
    jwtTemplates,
    requests: api.requests,
    failNext: api.failNext,
    close: api.close,
  }
}

module.exports = { createTestInstance }
