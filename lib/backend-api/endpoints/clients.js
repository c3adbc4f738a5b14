'use strict'

// `clerkClient.clients` (ClientAPI).

module.exports = {
  className: 'ClientAPI',
  basePath: '/clients',
  methods: {
    getClientList: { verb: 'GET', args: [['params', {}]], query: 'params', paginated: true },
    getClient: { verb: 'GET', args: ['clientId'], requireId: ['clientId'], path: [':clientId'] },
    // Not async in the reference: it returns the request's promise.
    verifyClient: { verb: 'POST', args: ['token'], path: ['verify'], body: ['token'], sync: true },
    getHandshakePayload: { verb: 'GET', args: ['queryParams'], path: ['handshake_payload'], query: 'queryParams' },
  },
}
