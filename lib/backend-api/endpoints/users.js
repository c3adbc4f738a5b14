'use strict'

// `clerkClient.users` (UserAPI).

const { deprecated } = require('../../logger')
const { joinPaths } = require('../paths')

const BASE = '/users'

const byUserId = (verb, path) => ({ verb, args: ['userId'], requireId: ['userId'], path: [':userId', ...path] })

/** `deleteUserPasskey(params)` and its siblings read `params.userId` and `params.<other>`. */
const byUserIdAnd = (otherId, segment) => ({
  verb: 'DELETE',
  args: ['params'],
  from: 'params',
  pick: ['userId', otherId],
  member: true,
  requireId: ['userId', otherId],
  path: [':userId', segment, `:${otherId}`],
})

const handWritten = {
  // Two requests in parallel: the page, and the count (without the paging
  // keys) through `this.getCount`; the answer is `{data, totalCount}`.
  async getUserList(params = {}) {
    const { limit, offset, orderBy, ...userCountParams } = params
    const [data, totalCount] = await Promise.all([
      this.request({ method: 'GET', path: BASE, queryParams: params }),
      this.getCount(userCountParams),
    ])
    return { data, totalCount }
  },

  // Metadata here is deprecated: it is split off into a full-replace PUT on
  // `/metadata`, after a PATCH of the other keys (if any); the last answer wins.
  async updateUser(userId, params = {}) {
    this.requireId(userId)
    const { publicMetadata, privateMetadata, unsafeMetadata, ...rest } = params
    const hasMetadata = publicMetadata !== undefined || privateMetadata !== undefined || unsafeMetadata !== undefined
    const hasRest = Object.keys(rest).length > 0
    if (hasMetadata) {
      deprecated(
        'updateUser(userId, { publicMetadata | privateMetadata | unsafeMetadata })',
        'Use updateUserMetadata for partial updates (merge) or replaceUserMetadata for full replacement.',
      )
    }
    if (!hasMetadata) {
      return this.request({ method: 'PATCH', path: joinPaths(BASE, userId), bodyParams: rest })
    }
    if (hasRest) {
      await this.request({ method: 'PATCH', path: joinPaths(BASE, userId), bodyParams: rest })
    }
    return this.request({
      method: 'PUT',
      path: joinPaths(BASE, userId, 'metadata'),
      bodyParams: { publicMetadata, privateMetadata, unsafeMetadata },
    })
  },

  // The provider gets its `oauth_` prefix here; passing it prefixed is deprecated.
  async getUserOauthAccessToken(userId, provider) {
    this.requireId(userId)
    const hasPrefix = provider.startsWith('oauth_')
    const _provider = hasPrefix ? provider : `oauth_${provider}`
    if (hasPrefix) {
      deprecated(
        'getUserOauthAccessToken(userId, provider)',
        'Remove the `oauth_` prefix from the `provider` argument.',
      )
    }
    return this.request({
      method: 'GET',
      path: joinPaths(BASE, userId, 'oauth_access_tokens', _provider),
      queryParams: { paginated: true },
    })
  },
}

module.exports = {
  className: 'UserAPI',
  basePath: BASE,
  methods: {
    getUserList: { custom: handWritten.getUserList },
    getUser: byUserId('GET', []),
    createUser: { verb: 'POST', args: ['params'], body: 'params' },
    updateUser: { custom: handWritten.updateUser },
    replaceUserEmailAddress: { ...byUserId('PUT', ['email_address']), args: ['userId', 'params'], body: 'params' },
    replaceUserPhoneNumber: { ...byUserId('PUT', ['phone_number']), args: ['userId', 'params'], body: 'params' },
    // Multipart: no JSON body and no JSON Content-Type.
    updateUserProfileImage: {
      ...byUserId('POST', ['profile_image']),
      args: ['userId', 'params'],
      form: { from: 'params', fields: [['file', 'file']] },
    },
    updateUserMetadata: { ...byUserId('PATCH', ['metadata']), args: ['userId', 'params'], body: 'params' },
    replaceUserMetadata: { ...byUserId('PUT', ['metadata']), args: ['userId', 'params'], body: 'params' },
    deleteUser: byUserId('DELETE', []),
    getCount: { verb: 'GET', args: [['params', {}]], path: ['count'], query: 'params' },
    getUserOauthAccessToken: { custom: handWritten.getUserOauthAccessToken },
    disableUserMFA: byUserId('DELETE', ['mfa']),
    // Only `limit` and `offset` are forwarded.
    getOrganizationMembershipList: {
      verb: 'GET',
      args: ['params'],
      from: 'params',
      pick: ['userId', 'limit', 'offset'],
      requireId: ['userId'],
      path: [':userId', 'organization_memberships'],
      query: ['limit', 'offset'],
    },
    getOrganizationInvitationList: {
      verb: 'GET',
      args: ['params'],
      from: 'params',
      pick: ['userId'],
      requireId: ['userId'],
      path: [':userId', 'organization_invitations'],
      query: 'rest',
    },
    removePassword: { ...byUserId('POST', ['remove_password']), args: ['userId', ['params', {}]], body: 'params' },
    verifyPassword: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['userId', 'password'],
      requireId: ['userId'],
      path: [':userId', 'verify_password'],
      body: ['password'],
    },
    verifyTOTP: {
      verb: 'POST',
      args: ['params'],
      from: 'params',
      pick: ['userId', 'code'],
      requireId: ['userId'],
      path: [':userId', 'verify_totp'],
      body: ['code'],
    },
    banUser: byUserId('POST', ['ban']),
    unbanUser: byUserId('POST', ['unban']),
    lockUser: byUserId('POST', ['lock']),
    unlockUser: byUserId('POST', ['unlock']),
    deleteUserProfileImage: byUserId('DELETE', ['profile_image']),
    deleteUserPasskey: byUserIdAnd('passkeyIdentificationId', 'passkeys'),
    deleteUserWeb3Wallet: byUserIdAnd('web3WalletIdentificationId', 'web3_wallets'),
    deleteUserExternalAccount: byUserIdAnd('externalAccountId', 'external_accounts'),
    deleteUserBackupCodes: byUserId('DELETE', ['backup_code']),
    deleteUserTOTP: byUserId('DELETE', ['totp']),
    setPasswordCompromised: {
      ...byUserId('POST', ['password', 'set_compromised']),
      args: ['userId', ['params', { revokeAllSessions: false }]],
      body: 'params',
    },
    unsetPasswordCompromised: byUserId('POST', ['password', 'unset_compromised']),
  },
}
