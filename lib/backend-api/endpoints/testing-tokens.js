'use strict'

// `clerkClient.testingTokens` (TestingTokenAPI).

module.exports = {
  property: 'testingTokens',
  className: 'TestingTokenAPI',
  basePath: '/testing_tokens',
  methods: {
    createTestingToken: { verb: 'POST' },
  },
}
