'use strict'

// `clerkClient.proxyChecks` (ProxyCheckAPI).

module.exports = {
  property: 'proxyChecks',
  className: 'ProxyCheckAPI',
  basePath: '/proxy_checks',
  methods: {
    verify: { verb: 'POST', args: ['params'], body: 'params' },
  },
}
