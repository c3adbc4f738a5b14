'use strict'

// `clerkClient.samlConnections` (SamlConnectionAPI), deprecated in favour of
// enterpriseConnections; bodies are snake_cased deeply.

module.exports = {
  className: 'SamlConnectionAPI',
  basePath: '/saml_connections',
  methods: {
    getSamlConnectionList: { verb: 'GET', args: [['params', {}]], query: 'params' },
    createSamlConnection: { verb: 'POST', args: ['params'], body: 'params', deep: true },
    getSamlConnection: {
      verb: 'GET',
      args: ['samlConnectionId'],
      requireId: ['samlConnectionId'],
      path: [':samlConnectionId'],
    },
    updateSamlConnection: {
      verb: 'PATCH',
      args: ['samlConnectionId', ['params', {}]],
      requireId: ['samlConnectionId'],
      path: [':samlConnectionId'],
      body: 'params',
      deep: true,
    },
    deleteSamlConnection: {
      verb: 'DELETE',
      args: ['samlConnectionId'],
      requireId: ['samlConnectionId'],
      path: [':samlConnectionId'],
    },
  },
}
