'use strict'

// `clerkClient.jwtTemplates` (JwtTemplatesApi).

module.exports = {
  className: 'JwtTemplatesApi',
  basePath: '/jwt_templates',
  methods: {
    list: { verb: 'GET', args: [['params', {}]], query: 'params', paginated: true },
    get: { verb: 'GET', args: ['templateId'], requireId: ['templateId'], path: [':templateId'] },
    create: { verb: 'POST', args: ['params'], body: 'params' },
    update: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['templateId'],
      requireId: ['templateId'],
      path: [':templateId'],
      body: 'rest',
    },
    delete: { verb: 'DELETE', args: ['templateId'], requireId: ['templateId'], path: [':templateId'] },
  },
}
