'use strict'

// `clerkClient.emailAddresses` (EmailAddressAPI).

module.exports = {
  className: 'EmailAddressAPI',
  basePath: '/email_addresses',
  methods: {
    getEmailAddress: {
      verb: 'GET',
      args: ['emailAddressId'],
      requireId: ['emailAddressId'],
      path: [':emailAddressId'],
    },
    createEmailAddress: { verb: 'POST', args: ['params'], body: 'params' },
    updateEmailAddress: {
      verb: 'PATCH',
      args: ['emailAddressId', ['params', {}]],
      requireId: ['emailAddressId'],
      path: [':emailAddressId'],
      body: 'params',
    },
    deleteEmailAddress: {
      verb: 'DELETE',
      args: ['emailAddressId'],
      requireId: ['emailAddressId'],
      path: [':emailAddressId'],
    },
  },
}
