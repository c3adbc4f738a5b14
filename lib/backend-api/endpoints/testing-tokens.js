'use strict'

// `clerkClient.testingTokens` (TestingTokenAPI).

module.exports = {
  className: 'TestingTokenAPI',
  basePath: '/testing_tokens',
  methods: {
    createTestingToken: { verb: 'POST' },
  },
}
