'use strict'

// `clerkClient.phoneNumbers` (PhoneNumberAPI).

module.exports = {
  className: 'PhoneNumberAPI',
  basePath: '/phone_numbers',
  methods: {
    getPhoneNumber: { verb: 'GET', args: ['phoneNumberId'], requireId: ['phoneNumberId'], path: [':phoneNumberId'] },
    createPhoneNumber: { verb: 'POST', args: ['params'], body: 'params' },
    updatePhoneNumber: {
      verb: 'PATCH',
      args: ['phoneNumberId', ['params', {}]],
      requireId: ['phoneNumberId'],
      path: [':phoneNumberId'],
      body: 'params',
    },
    deletePhoneNumber: {
      verb: 'DELETE',
      args: ['phoneNumberId'],
      requireId: ['phoneNumberId'],
      path: [':phoneNumberId'],
    },
  },
}
