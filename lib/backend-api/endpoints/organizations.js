'use strict'

// `clerkClient.organizations` (OrganizationAPI). Note the ids the reference
// does not check: updateOrganizationMembershipMetadata checks none,
// updateOrganizationMembership, deleteOrganizationMembership and
// revokeOrganizationInvitation only the organization's.

const { deprecated } = require('../../logger')
const { joinPaths } = require('../paths')

const BASE = '/organizations'

const handWritten = {
  // The path takes the id, or the slug when there is no `organizationId` key at all.
  async getOrganization(params) {
    const { includeMembersCount } = params
    const organizationIdOrSlug = 'organizationId' in params ? params.organizationId : params.slug
    this.requireId(organizationIdOrSlug)
    return this.request({
      method: 'GET',
      path: joinPaths(BASE, organizationIdOrSlug),
      queryParams: { includeMembersCount },
    })
  },

  // Metadata here is deprecated: it is split off into a full-replace PUT on
  // `/metadata`, after a PATCH of the other keys (if any); the last answer wins.
  async updateOrganization(organizationId, params) {
    this.requireId(organizationId)
    const { publicMetadata, privateMetadata, ...rest } = params
    const hasMetadata = publicMetadata !== undefined || privateMetadata !== undefined
    const hasRest = Object.keys(rest).length > 0
    if (hasMetadata) {
      deprecated(
        'updateOrganization(organizationId, { publicMetadata | privateMetadata })',
        'Use updateOrganizationMetadata for partial updates (merge) or replaceOrganizationMetadata for full replacement.',
      )
    }
    if (!hasMetadata) {
      return this.request({ method: 'PATCH', path: joinPaths(BASE, organizationId), bodyParams: rest })
    }
    if (hasRest) {
      await this.request({ method: 'PATCH', path: joinPaths(BASE, organizationId), bodyParams: rest })
    }
    return this.request({
      method: 'PUT',
      path: joinPaths(BASE, organizationId, 'metadata'),
      bodyParams: { publicMetadata, privateMetadata },
    })
  },
}

module.exports = {
  className: 'OrganizationAPI',
  basePath: BASE,
  methods: {
    getOrganizationList: { verb: 'GET', args: ['params'], query: 'params' },
    createOrganization: { verb: 'POST', args: ['params'], body: 'params' },
    getOrganization: { custom: handWritten.getOrganization },
    updateOrganization: { custom: handWritten.updateOrganization },
    // Multipart: no JSON body and no JSON Content-Type.
    updateOrganizationLogo: {
      verb: 'PUT',
      args: ['organizationId', 'params'],
      requireId: ['organizationId'],
      path: [':organizationId', 'logo'],
      form: {
        from: 'params',
        fields: [
          ['file', 'file'],
          ['uploader_user_id', 'uploaderUserId', 'if-set'],
        ],
      },
    },
    deleteOrganizationLogo: {
      verb: 'DELETE',
      args: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'logo'],
    },
    updateOrganizationMetadata: {
      verb: 'PATCH',
      args: ['organizationId', 'params'],
      requireId: ['organizationId'],
      path: [':organizationId', 'metadata'],
      body: 'params',
    },
    replaceOrganizationMetadata: {
      verb: 'PUT',
      args: ['organizationId', 'params'],
      requireId: ['organizationId'],
      path: [':organizationId', 'metadata'],
      body: 'params',
    },
    deleteOrganization: {
      verb: 'DELETE',
      args: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId'],
    },
    getOrganizationMembershipList: {
      verb: 'GET',
      args: ['params'],
      from: 'params',
      pick: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'memberships'],
      query: 'rest',
    },
    getInstanceOrganizationMembershipList: {
      verb: 'GET',
      args: ['params'],
      base: '/organization_memberships',
      query: 'params',
    },
    createOrganizationMembership: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'memberships'],
      body: 'rest',
    },
    updateOrganizationMembership: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['organizationId', 'userId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'memberships', ':userId'],
      body: 'rest',
    },
    updateOrganizationMembershipMetadata: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['organizationId', 'userId'],
      path: [':organizationId', 'memberships', ':userId', 'metadata'],
      body: 'rest',
    },
    deleteOrganizationMembership: {
      verb: 'DELETE',
      args: ['params'],
      from: 'params',
      pick: ['organizationId', 'userId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'memberships', ':userId'],
    },
    getOrganizationInvitationList: {
      verb: 'GET',
      args: ['params'],
      from: 'params',
      pick: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'invitations'],
      query: 'rest',
    },
    createOrganizationInvitation: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'invitations'],
      body: 'rest',
    },
    // The body is a JSON array.
    createOrganizationInvitationBulk: {
      verb: 'POST',
      args: ['organizationId', 'params'],
      requireId: ['organizationId'],
      path: [':organizationId', 'invitations', 'bulk'],
      body: 'params',
    },
    getOrganizationInvitation: {
      verb: 'GET',
      args: ['params'],
      from: 'params',
      pick: ['organizationId', 'invitationId'],
      requireId: ['organizationId', 'invitationId'],
      path: [':organizationId', 'invitations', ':invitationId'],
    },
    revokeOrganizationInvitation: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['organizationId', 'invitationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'invitations', ':invitationId', 'revoke'],
      body: 'rest',
    },
    getOrganizationDomainList: {
      verb: 'GET',
      args: ['params'],
      from: 'params',
      pick: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'domains'],
      query: 'rest',
    },
    // New domains are verified unless `verified` says otherwise.
    createOrganizationDomain: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['organizationId'],
      requireId: ['organizationId'],
      path: [':organizationId', 'domains'],
      body: 'rest',
      bodyDefaults: { verified: true },
    },
    updateOrganizationDomain: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['organizationId', 'domainId'],
      requireId: ['organizationId', 'domainId'],
      path: [':organizationId', 'domains', ':domainId'],
      body: 'rest',
    },
    deleteOrganizationDomain: {
      verb: 'DELETE',
      args: ['params'],
      from: 'params',
      pick: ['organizationId', 'domainId'],
      requireId: ['organizationId', 'domainId'],
      path: [':organizationId', 'domains', ':domainId'],
    },
  },
}
