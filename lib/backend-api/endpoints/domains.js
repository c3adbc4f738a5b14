'use strict'

// `clerkClient.domains` (DomainAPI). Its params are already snake_case
// (`is_satellite`, `proxy_url`) in the reference's types.

const handWritten = {
  // An alias: it goes through `deleteDomain` as a method call, like the reference.
  async delete(domainId) {
    return this.deleteDomain(domainId)
  },
}

module.exports = {
  className: 'DomainAPI',
  basePath: '/domains',
  methods: {
    list: { verb: 'GET' },
    add: { verb: 'POST', args: ['params'], body: 'params' },
    update: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['domainId'],
      requireId: ['domainId'],
      path: [':domainId'],
      body: 'rest',
    },
    delete: { custom: handWritten.delete },
    deleteDomain: { verb: 'DELETE', args: ['domainId'], requireId: ['domainId'], path: [':domainId'] },
  },
}
