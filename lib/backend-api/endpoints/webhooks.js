'use strict'

// `clerkClient.webhooks` (WebhookAPI).

module.exports = {
  className: 'WebhookAPI',
  basePath: '/webhooks',
  methods: {
    createSvixApp: { verb: 'POST', path: ['svix'] },
    generateSvixAuthURL: { verb: 'POST', path: ['svix_url'] },
    deleteSvixApp: { verb: 'DELETE', path: ['svix'] },
  },
}
