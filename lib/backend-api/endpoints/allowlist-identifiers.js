'use strict'

// `clerkClient.allowlistIdentifiers` (AllowlistIdentifierAPI).

module.exports = {
  className: 'AllowlistIdentifierAPI',
  basePath: '/allowlist_identifiers',
  methods: {
    getAllowlistIdentifierList: { verb: 'GET', args: [['params', {}]], query: 'params', paginated: true },
    createAllowlistIdentifier: { verb: 'POST', args: ['params'], body: 'params' },
    deleteAllowlistIdentifier: {
      verb: 'DELETE',
      args: ['allowlistIdentifierId'],
      requireId: ['allowlistIdentifierId'],
      path: [':allowlistIdentifierId'],
    },
  },
}
