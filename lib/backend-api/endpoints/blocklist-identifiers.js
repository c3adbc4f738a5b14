'use strict'

// `clerkClient.blocklistIdentifiers` (BlocklistIdentifierAPI).

module.exports = {
  className: 'BlocklistIdentifierAPI',
  basePath: '/blocklist_identifiers',
  methods: {
    getBlocklistIdentifierList: { verb: 'GET', args: [['params', {}]], query: 'params' },
    createBlocklistIdentifier: { verb: 'POST', args: ['params'], body: 'params' },
    deleteBlocklistIdentifier: {
      verb: 'DELETE',
      args: ['blocklistIdentifierId'],
      requireId: ['blocklistIdentifierId'],
      path: [':blocklistIdentifierId'],
    },
  },
}
