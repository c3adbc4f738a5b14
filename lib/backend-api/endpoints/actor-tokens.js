'use strict'

// `clerkClient.actorTokens` (ActorTokenAPI).

module.exports = {
  className: 'ActorTokenAPI',
  basePath: '/actor_tokens',
  methods: {
    create: { verb: 'POST', args: ['params'], body: 'params' },
    revoke: { verb: 'POST', args: ['actorTokenId'], requireId: ['actorTokenId'], path: [':actorTokenId', 'revoke'] },
  },
}
