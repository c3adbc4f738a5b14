'use strict'

// `clerkClient.organizationRoles` (OrganizationRoleAPI).

module.exports = {
  className: 'OrganizationRoleAPI',
  basePath: '/organization_roles',
  methods: {
    getOrganizationRoleList: { verb: 'GET', args: [['params', {}]], query: 'params' },
    getOrganizationRole: {
      verb: 'GET',
      args: ['organizationRoleId'],
      requireId: ['organizationRoleId'],
      path: [':organizationRoleId'],
    },
    createOrganizationRole: { verb: 'POST', args: ['params'], body: 'params' },
    updateOrganizationRole: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['organizationRoleId'],
      requireId: ['organizationRoleId'],
      path: [':organizationRoleId'],
      body: 'rest',
    },
    deleteOrganizationRole: {
      verb: 'DELETE',
      args: ['organizationRoleId'],
      requireId: ['organizationRoleId'],
      path: [':organizationRoleId'],
    },
    assignPermissionToOrganizationRole: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['organizationRoleId', 'permissionId'],
      requireId: ['organizationRoleId', 'permissionId'],
      path: [':organizationRoleId', 'permissions', ':permissionId'],
    },
    removePermissionFromOrganizationRole: {
      verb: 'DELETE',
      args: ['params'],
      from: 'params',
      pick: ['organizationRoleId', 'permissionId'],
      requireId: ['organizationRoleId', 'permissionId'],
      path: [':organizationRoleId', 'permissions', ':permissionId'],
    },
  },
}
