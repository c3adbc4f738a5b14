'use strict'

// Machine authentication resources (API keys, M2M and OAuth access tokens,
// machines), field for field as @clerk/backend 3.25.0 maps them, including
// the `fromJwtPayload` constructors used when a token is verified locally.

const { defineResource } = require('./define')

const APIKey = defineResource('APIKey', [
  ['id', (data) => data.id],
  ['type', (data) => data.type],
  ['name', (data) => data.name],
  ['subject', (data) => data.subject],
  ['scopes', (data) => data.scopes],
  ['claims', (data) => data.claims],
  ['revoked', (data) => data.revoked],
  ['revocationReason', (data) => data.revocation_reason],
  ['expired', (data) => data.expired],
  ['expiration', (data) => data.expiration],
  ['createdBy', (data) => data.created_by],
  ['description', (data) => data.description],
  ['lastUsedAt', (data) => data.last_used_at],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['secret', (data) => data.secret],
])

/** Claims a JWT carries that M2MToken.fromJwtPayload leaves out of `claims`. */
const M2M_RESERVED_JWT_CLAIMS = new Set(['iss', 'sub', 'exp', 'nbf', 'iat', 'jti'])

function extractCustomClaims(payload) {
  const claims = {}
  for (const key of Object.keys(payload)) {
    if (!M2M_RESERVED_JWT_CLAIMS.has(key)) claims[key] = payload[key]
  }
  return Object.keys(claims).length > 0 ? claims : null
}

const M2MToken = defineResource(
  'M2MToken',
  [
    ['id', (data) => data.id],
    ['subject', (data) => data.subject],
    ['scopes', (data) => data.scopes],
    ['claims', (data) => data.claims],
    ['revoked', (data) => data.revoked],
    ['revocationReason', (data) => data.revocation_reason],
    ['expired', (data) => data.expired],
    ['expiration', (data) => data.expiration],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['token', (data) => data.token],
  ],
  {
    statics: {
      // Times are milliseconds; `updatedAt` has no JWT claim and repeats `iat`.
      fromJwtPayload(payload, clockSkewInMs = 5e3) {
        return new M2MToken(
          payload.jti ?? '',
          payload.sub,
          payload.scopes?.split(' ') ?? payload.aud ?? [],
          extractCustomClaims(payload),
          false,
          null,
          payload.exp * 1e3 <= Date.now() - clockSkewInMs,
          payload.exp * 1e3,
          payload.iat * 1e3,
          payload.iat * 1e3,
        )
      },
    },
  },
)

/**
 * The `act` (actor) claim, reduced to `{iss?, sub, act?}` and followed
 * `nestedLevels` deep; anything without a string `sub` is dropped.
 */
function toActor(value, nestedLevels) {
  if (typeof value !== 'object' || value === null) return undefined
  const { iss, sub, act } = value
  if (typeof sub !== 'string') return undefined
  const nested = nestedLevels > 0 ? toActor(act, nestedLevels - 1) : undefined
  return { ...(typeof iss === 'string' ? { iss } : {}), sub, ...(nested ? { act: nested } : {}) }
}

const IdPOAuthAccessToken = defineResource(
  'IdPOAuthAccessToken',
  [
    ['id', (data) => data.id],
    ['clientId', (data) => data.client_id],
    ['type', (data) => data.type],
    ['subject', (data) => data.subject],
    ['scopes', (data) => data.scopes],
    ['revoked', (data) => data.revoked],
    ['revocationReason', (data) => data.revocation_reason],
    ['expired', (data) => data.expired],
    ['expiration', (data) => data.expiration],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['aud', (data) => data.aud],
    ['act', (data) => toActor(data.act, 1)],
  ],
  {
    statics: {
      // Times are milliseconds; `aud` (a string or an array in a JWT) becomes an array.
      fromJwtPayload(payload, clockSkewInMs = 5e3) {
        return new IdPOAuthAccessToken(
          payload.jti ?? '',
          payload.client_id ?? '',
          'oauth_token',
          payload.sub,
          payload.scp ?? payload.scope?.split(' ') ?? [],
          false,
          null,
          payload.exp * 1e3 <= Date.now() - clockSkewInMs,
          payload.exp * 1e3,
          payload.iat * 1e3,
          payload.iat * 1e3,
          payload.aud === undefined ? undefined : [payload.aud].flat(),
          toActor(payload.act, 1),
        )
      },
    },
  },
)

// Scoped machines are rebuilt as machines of their own with no scoped
// machines and no secret key; `scoped_machines` itself is not null-guarded.
const Machine = defineResource('Machine', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['instanceId', (data) => data.instance_id],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  [
    'scopedMachines',
    (data) =>
      data.scoped_machines.map(
        (m) => new Machine(m.id, m.name, m.instance_id, m.created_at, m.updated_at, [], m.default_token_ttl),
      ),
  ],
  ['defaultTokenTtl', (data) => data.default_token_ttl],
  ['secretKey', (data) => data.secret_key],
])

const MachineScope = defineResource('MachineScope', [
  ['fromMachineId', (data) => data.from_machine_id],
  ['toMachineId', (data) => data.to_machine_id],
  ['createdAt', (data) => data.created_at],
  ['deleted', (data) => data.deleted],
])

const MachineSecretKey = defineResource('MachineSecretKey', [['secret', (data) => data.secret]])

module.exports = { APIKey, M2MToken, IdPOAuthAccessToken, Machine, MachineScope, MachineSecretKey, toActor }
