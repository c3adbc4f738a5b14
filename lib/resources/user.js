'use strict'

// `User` and the resources nested in it, field for field as @clerk/backend
// 3.25.0 maps them.

const { defineResource } = require('./define')
const { Token } = require('./session')

const Verification = defineResource('Verification', [
  ['status', (data) => data.status],
  ['strategy', (data) => data.strategy],
  [
    'externalVerificationRedirectURL',
    (data) => (data.external_verification_redirect_url ? new URL(data.external_verification_redirect_url) : null),
    null,
  ],
  ['attempts', (data) => data.attempts, null],
  ['expireAt', (data) => data.expire_at, null],
  ['nonce', (data) => data.nonce, null],
  // Never read from the JSON: always null.
  ['message', () => undefined, null],
])

const verificationOf = (data) => data.verification && Verification.fromJSON(data.verification)

const IdentificationLink = defineResource('IdentificationLink', [
  ['id', (data) => data.id],
  ['type', (data) => data.type],
])

const EmailAddress = defineResource('EmailAddress', [
  ['id', (data) => data.id],
  ['emailAddress', (data) => data.email_address],
  ['verification', verificationOf],
  ['linkedTo', (data) => data.linked_to.map((link) => IdentificationLink.fromJSON(link))],
])

const PhoneNumber = defineResource('PhoneNumber', [
  ['id', (data) => data.id],
  ['phoneNumber', (data) => data.phone_number],
  ['reservedForSecondFactor', (data) => data.reserved_for_second_factor],
  ['defaultSecondFactor', (data) => data.default_second_factor],
  ['verification', verificationOf],
  ['linkedTo', (data) => data.linked_to.map((link) => IdentificationLink.fromJSON(link))],
])

const Web3Wallet = defineResource('Web3Wallet', [
  ['id', (data) => data.id],
  ['web3Wallet', (data) => data.web3_wallet],
  ['verification', verificationOf],
])

const ExternalAccount = defineResource('ExternalAccount', [
  ['id', (data) => data.id],
  ['provider', (data) => data.provider],
  ['providerUserId', (data) => data.provider_user_id],
  ['identificationId', (data) => data.identification_id],
  ['externalId', (data) => data.provider_user_id],
  ['approvedScopes', (data) => data.approved_scopes],
  ['emailAddress', (data) => data.email_address],
  ['firstName', (data) => data.first_name],
  ['lastName', (data) => data.last_name],
  ['imageUrl', (data) => data.image_url || ''],
  ['username', (data) => data.username],
  ['phoneNumber', (data) => data.phone_number],
  ['publicMetadata', (data) => data.public_metadata, {}],
  ['label', (data) => data.label],
  ['verification', verificationOf],
  ['externalAccountId', (data) => data.external_account_id],
])

const EnterpriseAccountConnection = defineResource('EnterpriseAccountConnection', [
  ['id', (data) => data.id],
  ['active', (data) => data.active],
  ['allowIdpInitiated', (data) => data.allow_idp_initiated],
  ['allowSubdomains', (data) => data.allow_subdomains],
  ['disableAdditionalIdentifications', (data) => data.disable_additional_identifications],
  ['domain', (data) => data.domain],
  ['logoPublicUrl', (data) => data.logo_public_url],
  ['name', (data) => data.name],
  ['protocol', (data) => data.protocol],
  ['provider', (data) => data.provider],
  ['syncUserAttributes', (data) => data.sync_user_attributes],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const EnterpriseAccount = defineResource('EnterpriseAccount', [
  ['id', (data) => data.id],
  ['active', (data) => data.active],
  ['emailAddress', (data) => data.email_address],
  [
    'enterpriseConnection',
    (data) => data.enterprise_connection && EnterpriseAccountConnection.fromJSON(data.enterprise_connection),
  ],
  ['firstName', (data) => data.first_name],
  ['lastName', (data) => data.last_name],
  ['protocol', (data) => data.protocol],
  ['provider', (data) => data.provider],
  ['providerUserId', (data) => data.provider_user_id],
  ['publicMetadata', (data) => data.public_metadata],
  ['verification', verificationOf],
  ['lastAuthenticatedAt', (data) => data.last_authenticated_at],
  ['enterpriseConnectionId', (data) => data.enterprise_connection_id],
])

const User = defineResource(
  'User',
  [
    ['id', (data) => data.id],
    ['passwordEnabled', (data) => data.password_enabled],
    ['totpEnabled', (data) => data.totp_enabled],
    ['backupCodeEnabled', (data) => data.backup_code_enabled],
    ['twoFactorEnabled', (data) => data.two_factor_enabled],
    ['banned', (data) => data.banned],
    ['locked', (data) => data.locked],
    ['createdAt', (data) => data.created_at],
    ['updatedAt', (data) => data.updated_at],
    ['imageUrl', (data) => data.image_url],
    ['hasImage', (data) => data.has_image],
    ['primaryEmailAddressId', (data) => data.primary_email_address_id],
    ['primaryPhoneNumberId', (data) => data.primary_phone_number_id],
    ['primaryWeb3WalletId', (data) => data.primary_web3_wallet_id],
    ['lastSignInAt', (data) => data.last_sign_in_at],
    ['externalId', (data) => data.external_id],
    ['username', (data) => data.username],
    ['firstName', (data) => data.first_name],
    ['lastName', (data) => data.last_name],
    ['publicMetadata', (data) => data.public_metadata, {}],
    ['privateMetadata', (data) => data.private_metadata, {}],
    ['unsafeMetadata', (data) => data.unsafe_metadata, {}],
    ['emailAddresses', (data) => (data.email_addresses || []).map((x) => EmailAddress.fromJSON(x)), []],
    ['phoneNumbers', (data) => (data.phone_numbers || []).map((x) => PhoneNumber.fromJSON(x)), []],
    ['web3Wallets', (data) => (data.web3_wallets || []).map((x) => Web3Wallet.fromJSON(x)), []],
    ['externalAccounts', (data) => (data.external_accounts || []).map((x) => ExternalAccount.fromJSON(x)), []],
    ['enterpriseAccounts', (data) => (data.enterprise_accounts || []).map((x) => EnterpriseAccount.fromJSON(x)), []],
    ['lastActiveAt', (data) => data.last_active_at],
    ['createOrganizationEnabled', (data) => data.create_organization_enabled],
    ['createOrganizationsLimit', (data) => data.create_organizations_limit, null],
    ['deleteSelfEnabled', (data) => data.delete_self_enabled],
    ['legalAcceptedAt', (data) => data.legal_accepted_at],
    ['locale', (data) => data.locale],
    ['timezone', (data) => data.timezone, null],
    ['deprovisioned', (data) => data.deprovisioned, false],
  ],
  {
    keepRaw: true,
    getters: {
      primaryEmailAddress() {
        return this.emailAddresses.find(({ id }) => id === this.primaryEmailAddressId) ?? null
      },
      primaryPhoneNumber() {
        return this.phoneNumbers.find(({ id }) => id === this.primaryPhoneNumberId) ?? null
      },
      primaryWeb3Wallet() {
        return this.web3Wallets.find(({ id }) => id === this.primaryWeb3WalletId) ?? null
      },
      fullName() {
        return [this.firstName, this.lastName].join(' ').trim() || null
      },
    },
  },
)

module.exports = {
  User,
  EmailAddress,
  PhoneNumber,
  Web3Wallet,
  ExternalAccount,
  EnterpriseAccount,
  EnterpriseAccountConnection,
  Verification,
  IdentificationLink,
  // Kept for callers that took `Token` from here before it moved to session.js.
  Token,
}
