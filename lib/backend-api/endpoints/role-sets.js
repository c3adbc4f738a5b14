'use strict'

// `clerkClient.roleSets` (RoleSetAPI): role sets are addressed by key or id.

const byKeyOrId = (verb, path) => ({
  verb,
  args: ['params'],
  from: 'params',
  pick: ['roleSetKeyOrId'],
  requireId: ['roleSetKeyOrId'],
  path: [':roleSetKeyOrId', ...path],
  body: 'rest',
})

module.exports = {
  className: 'RoleSetAPI',
  basePath: '/role_sets',
  methods: {
    getRoleSetList: { verb: 'GET', args: [['params', {}]], query: 'params' },
    getRoleSet: { verb: 'GET', args: ['roleSetKeyOrId'], requireId: ['roleSetKeyOrId'], path: [':roleSetKeyOrId'] },
    createRoleSet: { verb: 'POST', args: ['params'], body: 'params' },
    updateRoleSet: byKeyOrId('PATCH', []),
    addRolesToRoleSet: byKeyOrId('POST', ['roles']),
    replaceRoleInRoleSet: byKeyOrId('POST', ['roles', 'replace']),
    replaceRoleSet: byKeyOrId('POST', ['replace']),
  },
}
