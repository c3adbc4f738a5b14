'use strict'

// `clerkClient.apiKeys` (APIKeysAPI): its URLs have no API version segment.

module.exports = {
  className: 'APIKeysAPI',
  basePath: '/api_keys',
  requestConfig: { skipApiVersionInUrl: true },
  methods: {
    list: { verb: 'GET', args: ['queryParams'], query: 'queryParams' },
    create: { verb: 'POST', args: ['params'], body: 'params' },
    get: { verb: 'GET', args: ['apiKeyId'], requireId: ['apiKeyId'], path: [':apiKeyId'] },
    update: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['apiKeyId'],
      requireId: ['apiKeyId'],
      path: [':apiKeyId'],
      body: 'rest',
    },
    delete: { verb: 'DELETE', args: ['apiKeyId'], requireId: ['apiKeyId'], path: [':apiKeyId'] },
    revoke: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['apiKeyId', ['revocationReason', null]],
      requireId: ['apiKeyId'],
      path: [':apiKeyId', 'revoke'],
      body: ['revocationReason'],
    },
    getSecret: { verb: 'GET', args: ['apiKeyId'], requireId: ['apiKeyId'], path: [':apiKeyId', 'secret'] },
    verify: { verb: 'POST', args: ['secret'], path: ['verify'], body: ['secret'] },
  },
}
