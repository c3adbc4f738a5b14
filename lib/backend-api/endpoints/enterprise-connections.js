'use strict'

// `clerkClient.enterpriseConnections` (EnterpriseConnectionAPI): bodies are
// snake_cased deeply (SAML and OAuth settings are nested objects).

module.exports = {
  className: 'EnterpriseConnectionAPI',
  basePath: '/enterprise_connections',
  methods: {
    createEnterpriseConnection: { verb: 'POST', args: ['params'], body: 'params', deep: true },
    updateEnterpriseConnection: {
      verb: 'PATCH',
      args: ['enterpriseConnectionId', 'params'],
      requireId: ['enterpriseConnectionId'],
      path: [':enterpriseConnectionId'],
      body: 'params',
      deep: true,
    },
    getEnterpriseConnectionList: { verb: 'GET', args: [['params', {}]], query: 'params' },
    getEnterpriseConnection: {
      verb: 'GET',
      args: ['enterpriseConnectionId'],
      requireId: ['enterpriseConnectionId'],
      path: [':enterpriseConnectionId'],
    },
    deleteEnterpriseConnection: {
      verb: 'DELETE',
      args: ['enterpriseConnectionId'],
      requireId: ['enterpriseConnectionId'],
      path: [':enterpriseConnectionId'],
    },
  },
}
