'use strict'

// `clerkClient.signUps` (SignUpAPI): `update` does not check its id.

module.exports = {
  className: 'SignUpAPI',
  basePath: '/sign_ups',
  methods: {
    get: { verb: 'GET', args: ['signUpAttemptId'], requireId: ['signUpAttemptId'], path: [':signUpAttemptId'] },
    update: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['signUpAttemptId'],
      path: [':signUpAttemptId'],
      body: 'rest',
    },
  },
}
