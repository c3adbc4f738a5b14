'use strict'

// Organizations, their members, invitations, domains, roles and permissions,
// field for field as @clerk/backend 3.25.0 maps them.

const { defineResource } = require('./define')

const Organization = defineResource(
  'Organization',
  [
    ['id', (data) => data.id],
    ['name', (data) => data.name],
    ['slug', (data) => data.slug],
    ['imageUrl', (data) => data.image_url || ''],
    ['hasImage', (data) => data.has_image],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['publicMetadata', (data) => data.public_metadata, {}],
    ['privateMetadata', (data) => data.private_metadata, {}],
    ['maxAllowedMemberships', (data) => data.max_allowed_memberships],
    ['adminDeleteEnabled', (data) => data.admin_delete_enabled],
    ['membersCount', (data) => data.members_count],
    ['createdBy', (data) => data.created_by],
  ],
  { keepRaw: true },
)

const OrganizationInvitation = defineResource(
  'OrganizationInvitation',
  [
    ['id', (data) => data.id],
    ['emailAddress', (data) => data.email_address],
    ['role', (data) => data.role],
    ['roleName', (data) => data.role_name],
    ['organizationId', (data) => data.organization_id],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['expiresAt', (data) => data.expires_at],
    ['url', (data) => data.url],
    ['status', (data) => data.status],
    ['publicMetadata', (data) => data.public_metadata, {}],
    ['privateMetadata', (data) => data.private_metadata, {}],
    ['publicOrganizationData', (data) => data.public_organization_data],
  ],
  { keepRaw: true },
)

const OrganizationMembershipPublicUserData = defineResource('OrganizationMembershipPublicUserData', [
  ['identifier', (data) => data.identifier],
  ['firstName', (data) => data.first_name],
  ['lastName', (data) => data.last_name],
  ['imageUrl', (data) => data.image_url],
  ['hasImage', (data) => data.has_image],
  ['userId', (data) => data.user_id],
])

// `organization` and `public_user_data` are not null-guarded: a membership
// without them fails to deserialize, as in the reference.
const OrganizationMembership = defineResource(
  'OrganizationMembership',
  [
    ['id', (data) => data.id],
    ['role', (data) => data.role],
    ['permissions', (data) => data.permissions],
    ['publicMetadata', (data) => data.public_metadata, {}],
    ['privateMetadata', (data) => data.private_metadata, {}],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['organization', (data) => Organization.fromJSON(data.organization)],
    ['publicUserData', (data) => OrganizationMembershipPublicUserData.fromJSON(data.public_user_data)],
  ],
  { keepRaw: true },
)

const OrganizationSettings = defineResource('OrganizationSettings', [
  ['enabled', (data) => data.enabled],
  ['maxAllowedMemberships', (data) => data.max_allowed_memberships],
  ['maxAllowedRoles', (data) => data.max_allowed_roles],
  ['maxAllowedPermissions', (data) => data.max_allowed_permissions],
  ['creatorRole', (data) => data.creator_role],
  ['adminDeleteEnabled', (data) => data.admin_delete_enabled],
  ['domainsEnabled', (data) => data.domains_enabled],
  ['slugDisabled', (data) => data.slug_disabled],
  ['domainsEnrollmentModes', (data) => data.domains_enrollment_modes],
  ['domainsDefaultRole', (data) => data.domains_default_role],
])

// OrganizationDomain (and its verification) is declared by the reference but
// never deserialized: the organization domain endpoints return raw JSON.
// Note `expireAt` comes from `expires_at` here, unlike Verification's.
const OrganizationDomainVerification = defineResource('OrganizationDomainVerification', [
  ['status', (data) => data.status],
  ['strategy', (data) => data.strategy],
  ['attempts', (data) => data.attempts, null],
  ['expireAt', (data) => data.expires_at, null],
])

const OrganizationDomain = defineResource('OrganizationDomain', [
  ['id', (data) => data.id],
  ['organizationId', (data) => data.organization_id],
  ['name', (data) => data.name],
  ['enrollmentMode', (data) => data.enrollment_mode],
  ['verification', (data) => data.verification && OrganizationDomainVerification.fromJSON(data.verification)],
  ['totalPendingInvitations', (data) => data.total_pending_invitations],
  ['totalPendingSuggestions', (data) => data.total_pending_suggestions],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['affiliationEmailAddress', (data) => data.affiliation_email_address],
])

const Permission = defineResource('Permission', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['key', (data) => data.key],
  ['description', (data) => data.description],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const Role = defineResource('Role', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['key', (data) => data.key],
  ['description', (data) => data.description],
  ['permissions', (data) => (data.permissions ?? []).map((permission) => Permission.fromJSON(permission))],
  ['isCreatorEligible', (data) => data.is_creator_eligible],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const RoleSetItem = defineResource('RoleSetItem', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['key', (data) => data.key],
  ['description', (data) => data.description],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['membersCount', (data) => data.members_count],
  ['hasMembers', (data) => data.has_members],
])

const RoleSetMigration = defineResource('RoleSetMigration', [
  ['id', (data) => data.id],
  ['organizationId', (data) => data.organization_id],
  ['instanceId', (data) => data.instance_id],
  ['sourceRoleSetId', (data) => data.source_role_set_id],
  ['destRoleSetId', (data) => data.dest_role_set_id],
  ['triggerType', (data) => data.trigger_type],
  ['status', (data) => data.status],
  ['migratedMembers', (data) => data.migrated_members],
  ['mappings', (data) => data.mappings],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['startedAt', (data) => data.started_at],
  ['completedAt', (data) => data.completed_at],
])

const RoleSet = defineResource('RoleSet', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['key', (data) => data.key],
  ['description', (data) => data.description],
  ['roles', (data) => (data.roles ?? []).map((role) => RoleSetItem.fromJSON(role))],
  ['defaultRole', (data) => (data.default_role ? RoleSetItem.fromJSON(data.default_role) : null)],
  ['creatorRole', (data) => (data.creator_role ? RoleSetItem.fromJSON(data.creator_role) : null)],
  ['type', (data) => data.type],
  ['roleSetMigration', (data) => (data.role_set_migration ? RoleSetMigration.fromJSON(data.role_set_migration) : null)],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

module.exports = {
  Organization,
  OrganizationInvitation,
  OrganizationMembership,
  OrganizationMembershipPublicUserData,
  OrganizationSettings,
  OrganizationDomain,
  OrganizationDomainVerification,
  Permission,
  Role,
  RoleSetItem,
  RoleSetMigration,
  RoleSet,
}
