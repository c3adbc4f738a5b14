'use strict'

// `clerkClient.signInTokens` (SignInTokenAPI).

module.exports = {
  className: 'SignInTokenAPI',
  basePath: '/sign_in_tokens',
  methods: {
    createSignInToken: { verb: 'POST', args: ['params'], body: 'params' },
    revokeSignInToken: {
      verb: 'POST',
      args: ['signInTokenId'],
      requireId: ['signInTokenId'],
      path: [':signInTokenId', 'revoke'],
    },
  },
}
