'use strict'

// Who may sign up: invitations, the waitlist, and the allow/block lists,
// field for field as @clerk/backend 3.25.0 maps them.

const { defineResource } = require('./define')

// No default for `publicMetadata`, and `expires_at` is not mapped.
const Invitation = defineResource(
  'Invitation',
  [
    ['id', (data) => data.id],
    ['emailAddress', (data) => data.email_address],
    ['publicMetadata', (data) => data.public_metadata],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['status', (data) => data.status],
    ['url', (data) => data.url],
    ['revoked', (data) => data.revoked],
  ],
  { keepRaw: true },
)

const WaitlistEntry = defineResource('WaitlistEntry', [
  ['id', (data) => data.id],
  ['emailAddress', (data) => data.email_address],
  ['status', (data) => data.status],
  ['invitation', (data) => data.invitation && Invitation.fromJSON(data.invitation)],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['isLocked', (data) => data.is_locked],
])

const AllowlistIdentifier = defineResource('AllowlistIdentifier', [
  ['id', (data) => data.id],
  ['identifier', (data) => data.identifier],
  ['identifierType', (data) => data.identifier_type],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['instanceId', (data) => data.instance_id],
  ['invitationId', (data) => data.invitation_id],
])

const BlocklistIdentifier = defineResource('BlocklistIdentifier', [
  ['id', (data) => data.id],
  ['identifier', (data) => data.identifier],
  ['identifierType', (data) => data.identifier_type],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['instanceId', (data) => data.instance_id],
])

module.exports = { Invitation, WaitlistEntry, AllowlistIdentifier, BlocklistIdentifier }
