'use strict'

// The in-memory store behind the local Backend API: users, organizations,
// memberships, sessions and machine tokens, kept as the JSON Clerk's Backend
// API answers (snake_case, `object` fields, millisecond timestamps), so that
// the server only routes and the SDKs deserialize what they would get from
// Clerk.

const { clerkId } = require('./keys')

// Permissions Clerk gives the default roles (system permissions only).
const ROLE_PERMISSIONS = {
  'org:admin': ['org:sys_profile:manage', 'org:sys_profile:delete', 'org:sys_memberships:read', 'org:sys_memberships:manage', 'org:sys_domains:read', 'org:sys_domains:manage'],
  'org:member': ['org:sys_memberships:read', 'org:sys_profile:read', 'org:sys_domains:read'],
}
const ROLE_NAMES = { 'org:admin': 'Admin', 'org:member': 'Member' }

class NotFoundError extends Error {
  constructor(message, paramName) {
    super(message)
    this.paramName = paramName
  }
}

/** Params given camelCase (as to clerkClient) or snake_case (as on the wire), read snake_case. */
function snakeKeys(params = {}) {
  const result = {}
  for (const [key, value] of Object.entries(params)) result[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value
  return result
}

const asList = (value) => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value])

/**
 * Clerk's metadata merge (PATCH /users/:id/metadata): objects are merged
 * deeply, `null` deletes a key, anything else replaces.
 */
function mergeMetadata(current, patch) {
  const result = { ...current }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else if (typeof value === 'object' && !Array.isArray(value) && typeof result[key] === 'object' && result[key] !== null && !Array.isArray(result[key])) result[key] = mergeMetadata(result[key], value)
    else result[key] = value
  }
  return result
}

function createStore() {
  const users = new Map()
  const organizations = new Map()
  const memberships = new Map()
  const sessions = new Map()
  const machineTokens = new Map()

  const emailAddressJson = (address, now) => ({
    id: clerkId('idn'),
    object: 'email_address',
    email_address: address,
    reserved: false,
    verification: { object: 'verification_admin', status: 'verified', strategy: 'admin', attempts: null, expire_at: null },
    linked_to: [],
    created_at: now,
    updated_at: now,
  })

  const phoneNumberJson = (number, now) => ({
    id: clerkId('idn'),
    object: 'phone_number',
    phone_number: number,
    reserved_for_second_factor: false,
    default_second_factor: false,
    reserved: false,
    verification: { object: 'verification_admin', status: 'verified', strategy: 'admin', attempts: null, expire_at: null },
    linked_to: [],
    backup_codes: null,
    created_at: now,
    updated_at: now,
  })

  function createUser(params = {}) {
    const p = snakeKeys(params)
    const now = Date.now()
    const emails = asList(p.email_address).map((address) => emailAddressJson(address, now))
    const phones = asList(p.phone_number).map((number) => phoneNumberJson(number, now))
    const user = {
      object: 'user',
      id: p.id ?? clerkId('user'),
      external_id: p.external_id ?? null,
      primary_email_address_id: emails[0]?.id ?? null,
      primary_phone_number_id: phones[0]?.id ?? null,
      primary_web3_wallet_id: null,
      username: p.username ?? null,
      first_name: p.first_name ?? null,
      last_name: p.last_name ?? null,
      locale: null,
      profile_image_url: 'https://www.gravatar.com/avatar?d=mp',
      image_url: 'https://img.clerk.com/default-avatar.png',
      has_image: false,
      public_metadata: p.public_metadata ?? {},
      private_metadata: p.private_metadata ?? {},
      unsafe_metadata: p.unsafe_metadata ?? {},
      email_addresses: emails,
      phone_numbers: phones,
      web3_wallets: [],
      passkeys: [],
      password_enabled: Boolean(p.password || p.password_digest),
      two_factor_enabled: false,
      totp_enabled: false,
      backup_code_enabled: false,
      mfa_enabled_at: null,
      mfa_disabled_at: null,
      external_accounts: [],
      saml_accounts: [],
      enterprise_accounts: [],
      last_sign_in_at: null,
      banned: false,
      locked: false,
      lockout_expires_in_seconds: null,
      verification_attempts_remaining: 100,
      created_at: p.created_at ? Date.parse(p.created_at) : now,
      updated_at: now,
      delete_self_enabled: true,
      create_organization_enabled: true,
      last_active_at: null,
      legal_accepted_at: null,
    }
    users.set(user.id, user)
    return user
  }

  function getUser(id) {
    const user = users.get(id)
    if (!user) throw new NotFoundError(`User ${id} not found`, 'user_id')
    return user
  }

  const UPDATABLE_USER_FIELDS = ['external_id', 'username', 'first_name', 'last_name', 'public_metadata', 'private_metadata', 'unsafe_metadata', 'locale', 'delete_self_enabled', 'create_organization_enabled']

  function updateUser(id, params = {}) {
    const p = snakeKeys(params)
    const user = { ...getUser(id), updated_at: Date.now() }
    for (const field of UPDATABLE_USER_FIELDS) if (p[field] !== undefined) user[field] = p[field]
    if (p.password) user.password_enabled = true
    users.set(id, user)
    return user
  }

  function updateUserMetadata(id, params = {}) {
    const p = snakeKeys(params)
    const user = { ...getUser(id), updated_at: Date.now() }
    for (const kind of ['public_metadata', 'private_metadata', 'unsafe_metadata']) {
      if (p[kind] && typeof p[kind] === 'object') user[kind] = mergeMetadata(user[kind], p[kind])
    }
    users.set(id, user)
    return user
  }

  function deleteUser(id) {
    getUser(id)
    users.delete(id)
    for (const [membershipId, membership] of memberships) if (membership.public_user_data.user_id === id) memberships.delete(membershipId)
    return { object: 'user', id, deleted: true }
  }

  /** Users in Clerk's default order (newest first), filtered by `user_id`, `email_address`, `external_id`, `username`, `query`. */
  function listUsers(query = {}) {
    const q = snakeKeys(query)
    const ids = asList(q.user_id)
    const emails = asList(q.email_address).map((e) => e.toLowerCase())
    const externalIds = asList(q.external_id)
    const usernames = asList(q.username)
    let result = [...users.values()].reverse().filter((user) => {
      if (ids.length && !ids.includes(user.id)) return false
      if (emails.length && !user.email_addresses.some((e) => emails.includes(e.email_address.toLowerCase()))) return false
      if (externalIds.length && !externalIds.includes(user.external_id)) return false
      if (usernames.length && !usernames.includes(user.username)) return false
      if (q.query) {
        const text = [user.id, user.username, user.first_name, user.last_name, user.external_id, ...user.email_addresses.map((e) => e.email_address)].filter(Boolean).join(' ').toLowerCase()
        if (!text.includes(String(q.query).toLowerCase())) return false
      }
      return true
    })
    if (q.order_by === '+created_at') result = result.reverse()
    return result
  }

  const page = (items, query = {}) => {
    const offset = Number(query.offset) || 0
    const limit = query.limit === undefined ? 10 : Number(query.limit)
    return items.slice(offset, offset + limit)
  }

  function createOrganization(params = {}) {
    const p = snakeKeys(params)
    const now = Date.now()
    const slug = p.slug ?? String(p.name ?? 'organization').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')
    const organization = {
      object: 'organization',
      id: p.id ?? clerkId('org'),
      name: p.name ?? slug,
      slug,
      image_url: 'https://img.clerk.com/default-org.png',
      has_image: false,
      members_count: 0,
      pending_invitations_count: 0,
      max_allowed_memberships: p.max_allowed_memberships ?? 0,
      admin_delete_enabled: true,
      public_metadata: p.public_metadata ?? {},
      private_metadata: p.private_metadata ?? {},
      created_by: p.created_by ?? '',
      created_at: now,
      updated_at: now,
    }
    organizations.set(organization.id, organization)
    // Clerk makes the creator an admin of the new organization.
    if (p.created_by) createMembership({ organization_id: organization.id, user_id: p.created_by, role: 'org:admin' })
    return organization
  }

  function getOrganization(idOrSlug) {
    const organization = organizations.get(idOrSlug) ?? [...organizations.values()].find((o) => o.slug === idOrSlug)
    if (!organization) throw new NotFoundError(`Organization ${idOrSlug} not found`, 'organization_id')
    return { ...organization, members_count: membershipsOf({ organization_id: organization.id }).length }
  }

  function listOrganizations(query = {}) {
    const q = snakeKeys(query)
    return [...organizations.values()].reverse().map((o) => getOrganization(o.id)).filter((o) => {
      if (q.query && !`${o.id} ${o.name} ${o.slug}`.toLowerCase().includes(String(q.query).toLowerCase())) return false
      return true
    })
  }

  function createMembership(params = {}) {
    const p = snakeKeys(params)
    const organization = getOrganization(p.organization_id)
    const user = getUser(p.user_id)
    const role = p.role ?? 'org:member'
    const now = Date.now()
    const membership = {
      object: 'organization_membership',
      id: clerkId('orgmem'),
      role,
      role_name: ROLE_NAMES[role] ?? role.replace(/^org:/, ''),
      permissions: p.permissions ?? ROLE_PERMISSIONS[role] ?? [],
      public_metadata: p.public_metadata ?? {},
      private_metadata: p.private_metadata ?? {},
      organization_id: organization.id,
      public_user_data: {
        user_id: user.id,
        first_name: user.first_name,
        last_name: user.last_name,
        profile_image_url: user.profile_image_url,
        image_url: user.image_url,
        has_image: user.has_image,
        identifier: user.email_addresses[0]?.email_address ?? user.username ?? user.id,
        username: user.username,
      },
      created_at: now,
      updated_at: now,
    }
    memberships.set(membership.id, membership)
    return membershipJson(membership)
  }

  // The organization is embedded as it is now, not as it was when the membership was made.
  const membershipJson = ({ organization_id: organizationId, ...membership }) => ({ ...membership, organization: getOrganization(organizationId) })

  function membershipsOf({ organization_id: organizationId, user_id: userId }) {
    return [...memberships.values()].filter(
      (m) => (!organizationId || m.organization_id === organizationId) && (!userId || m.public_user_data.user_id === userId),
    )
  }

  function listMemberships(query = {}) {
    const q = snakeKeys(query)
    if (q.organization_id) getOrganization(q.organization_id)
    if (q.user_id) getUser(q.user_id)
    const organizationId = q.organization_id && getOrganization(q.organization_id).id
    return membershipsOf({ organization_id: organizationId, user_id: q.user_id }).reverse().map(membershipJson)
  }

  /** A session, made when a session token is signed for it (or given explicitly). */
  function ensureSession({ sessionId, userId, orgId }) {
    const existing = sessions.get(sessionId)
    if (existing) return existing
    const now = Date.now()
    const session = {
      object: 'session',
      id: sessionId,
      user_id: userId,
      client_id: clerkId('client'),
      status: 'active',
      last_active_organization_id: orgId ?? null,
      last_active_at: now,
      expire_at: now + 7 * 24 * 3600 * 1000,
      abandon_at: now + 30 * 24 * 3600 * 1000,
      created_at: now,
      updated_at: now,
      tasks: null,
    }
    sessions.set(sessionId, session)
    return session
  }

  function getSession(id) {
    const session = sessions.get(id)
    if (!session) throw new NotFoundError(`Session ${id} not found`, 'session_id')
    return session
  }

  return {
    NotFoundError,
    createUser,
    getUser,
    updateUser,
    updateUserMetadata,
    deleteUser,
    listUsers,
    page,
    createOrganization,
    getOrganization,
    listOrganizations,
    createMembership,
    listMemberships,
    ensureSession,
    getSession,
    machineTokens,
    users,
    organizations,
    sessions,
  }
}

module.exports = { createStore, NotFoundError, mergeMetadata }
