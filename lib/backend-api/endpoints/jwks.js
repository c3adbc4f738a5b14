'use strict'

// `clerkClient.jwks` (JwksAPI): the instance's JWKS, returned as raw JSON.

module.exports = {
  className: 'JwksAPI',
  basePath: '/jwks',
  methods: {
    getJwks: { verb: 'GET' },
  },
}
