'use strict'

// `clerkClient.betaFeatures` (BetaFeaturesAPI).

module.exports = {
  className: 'BetaFeaturesAPI',
  basePath: '/beta_features',
  methods: {
    changeDomain: { verb: 'POST', args: ['params'], path: ['change_domain'], body: 'params' },
  },
}
