'use strict'

// `clerkClient.__experimental_accountlessApplications`
// (AccountlessApplicationAPI): no secret key required. Hand-written because
// every header of the caller's `requestHeaders` (a Headers object) is
// forwarded as is.

const { joinPaths } = require('../paths')

const BASE = '/accountless_applications'

const handWritten = {
  async createAccountlessApplication(params) {
    const headerParams = params?.requestHeaders ? Object.fromEntries(params.requestHeaders.entries()) : undefined
    return this.request({ method: 'POST', path: BASE, headerParams, queryParams: { source: params?.source } })
  },

  async completeAccountlessApplicationOnboarding(params) {
    const headerParams = params?.requestHeaders ? Object.fromEntries(params.requestHeaders.entries()) : undefined
    return this.request({
      method: 'POST',
      path: joinPaths(BASE, 'complete'),
      headerParams,
      queryParams: { source: params?.source },
    })
  },
}

module.exports = {
  className: 'AccountlessApplicationAPI',
  basePath: BASE,
  requestConfig: { requireSecretKey: false },
  methods: {
    createAccountlessApplication: { custom: handWritten.createAccountlessApplication },
    completeAccountlessApplicationOnboarding: { custom: handWritten.completeAccountlessApplicationOnboarding },
  },
}
