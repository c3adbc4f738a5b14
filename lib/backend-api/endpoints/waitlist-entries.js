'use strict'

// `clerkClient.waitlistEntries` (WaitlistEntryAPI).

module.exports = {
  className: 'WaitlistEntryAPI',
  basePath: '/waitlist_entries',
  methods: {
    list: { verb: 'GET', args: [['params', {}]], query: 'params' },
    create: { verb: 'POST', args: ['params'], body: 'params' },
    // The body is a JSON array.
    createBulk: { verb: 'POST', args: ['params'], path: ['bulk'], body: 'params' },
    invite: { verb: 'POST', args: ['id', ['params', {}]], requireId: ['id'], path: [':id', 'invite'], body: 'params' },
    reject: { verb: 'POST', args: ['id'], requireId: ['id'], path: [':id', 'reject'] },
    delete: { verb: 'DELETE', args: ['id'], requireId: ['id'], path: [':id'] },
  },
}
