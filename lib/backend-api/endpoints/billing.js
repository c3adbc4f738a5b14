'use strict'

// `clerkClient.billing` (BillingAPI), experimental in the reference. Two of
// its paths live under `/organizations` and `/users`.

module.exports = {
  className: 'BillingAPI',
  basePath: '/billing',
  methods: {
    getPlanList: { verb: 'GET', args: ['params'], path: ['plans'], query: 'params' },
    // `endNow` travels in the query of a DELETE.
    cancelSubscriptionItem: {
      verb: 'DELETE',
      args: ['subscriptionItemId', 'params'],
      requireId: ['subscriptionItemId'],
      path: ['subscription_items', ':subscriptionItemId'],
      query: 'params',
    },
    extendSubscriptionItemFreeTrial: {
      verb: 'POST',
      args: ['subscriptionItemId', 'params'],
      requireId: ['subscriptionItemId'],
      path: ['subscription_items', ':subscriptionItemId', 'extend_free_trial'],
      body: 'params',
    },
    getOrganizationBillingSubscription: {
      verb: 'GET',
      args: ['organizationId'],
      requireId: ['organizationId'],
      base: '/organizations',
      path: [':organizationId', 'billing', 'subscription'],
    },
    getUserBillingSubscription: {
      verb: 'GET',
      args: ['userId'],
      requireId: ['userId'],
      base: '/users',
      path: [':userId', 'billing', 'subscription'],
    },
  },
}
