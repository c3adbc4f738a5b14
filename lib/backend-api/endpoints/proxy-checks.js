'use strict'

// `clerkClient.proxyChecks` (ProxyCheckAPI).

module.exports = {
  className: 'ProxyCheckAPI',
  basePath: '/proxy_checks',
  methods: {
    verify: { verb: 'POST', args: ['params'], body: 'params' },
  },
}
