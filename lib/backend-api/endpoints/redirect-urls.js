'use strict'

// `clerkClient.redirectUrls` (RedirectUrlAPI).

module.exports = {
  className: 'RedirectUrlAPI',
  basePath: '/redirect_urls',
  methods: {
    // Takes no parameters: only `paginated=true` is sent.
    getRedirectUrlList: { verb: 'GET', paginated: true },
    getRedirectUrl: { verb: 'GET', args: ['redirectUrlId'], requireId: ['redirectUrlId'], path: [':redirectUrlId'] },
    createRedirectUrl: { verb: 'POST', args: ['params'], body: 'params' },
    deleteRedirectUrl: {
      verb: 'DELETE',
      args: ['redirectUrlId'],
      requireId: ['redirectUrlId'],
      path: [':redirectUrlId'],
    },
  },
}
