'use strict'

// `clerkClient.organizationPermissions` (OrganizationPermissionAPI).

module.exports = {
  className: 'OrganizationPermissionAPI',
  basePath: '/organization_permissions',
  methods: {
    getOrganizationPermissionList: { verb: 'GET', args: [['params', {}]], query: 'params' },
    getOrganizationPermission: {
      verb: 'GET',
      args: ['permissionId'],
      requireId: ['permissionId'],
      path: [':permissionId'],
    },
    createOrganizationPermission: { verb: 'POST', args: ['params'], body: 'params' },
    updateOrganizationPermission: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['permissionId'],
      requireId: ['permissionId'],
      path: [':permissionId'],
      body: 'rest',
    },
    deleteOrganizationPermission: {
      verb: 'DELETE',
      args: ['permissionId'],
      requireId: ['permissionId'],
      path: [':permissionId'],
    },
  },
}
