'use strict'

// `clerkClient.instance` (InstanceAPI).

module.exports = {
  className: 'InstanceAPI',
  basePath: '/instance',
  methods: {
    get: { verb: 'GET' },
    update: { verb: 'PATCH', args: ['params'], body: 'params' },
    updateRestrictions: { verb: 'PATCH', args: ['params'], path: ['restrictions'], body: 'params' },
    getOrganizationSettings: { verb: 'GET', path: ['organization_settings'] },
    updateOrganizationSettings: { verb: 'PATCH', args: ['params'], path: ['organization_settings'], body: 'params' },
  },
}
