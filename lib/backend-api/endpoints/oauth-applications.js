'use strict'

// `clerkClient.oauthApplications` (OAuthApplicationsApi).

module.exports = {
  className: 'OAuthApplicationsApi',
  basePath: '/oauth_applications',
  methods: {
    list: { verb: 'GET', args: [['params', {}]], query: 'params' },
    get: {
      verb: 'GET',
      args: ['oauthApplicationId'],
      requireId: ['oauthApplicationId'],
      path: [':oauthApplicationId'],
    },
    create: { verb: 'POST', args: ['params'], body: 'params' },
    update: {
      verb: 'PATCH',
      args: ['params'],
      from: 'params',
      pick: ['oauthApplicationId'],
      requireId: ['oauthApplicationId'],
      path: [':oauthApplicationId'],
      body: 'rest',
    },
    delete: {
      verb: 'DELETE',
      args: ['oauthApplicationId'],
      requireId: ['oauthApplicationId'],
      path: [':oauthApplicationId'],
    },
    rotateSecret: {
      verb: 'POST',
      args: ['oauthApplicationId'],
      requireId: ['oauthApplicationId'],
      path: [':oauthApplicationId', 'rotate_secret'],
    },
    revokeToken: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['oauthApplicationId'],
      requireId: ['oauthApplicationId'],
      path: [':oauthApplicationId', 'revoke_token'],
      body: 'rest',
    },
  },
}
