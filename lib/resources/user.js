'use strict'

// `User` and the resources nested in it, field for field as @clerk/backend
// 3.25.0 maps them (see shared/reference/backend-api-resources.tsv).

const { defineResource } = require('./define')

const Verification = defineResource('Verification', [
  ['status', (d) => d.status],
  ['strategy', (d) => d.strategy],
  [
    'externalVerificationRedirectURL',
    (d) => (d.external_verification_redirect_url ? new URL(d.external_verification_redirect_url) : null),
    null,
  ],
  ['attempts', (d) => d.attempts, null],
  ['expireAt', (d) => d.expire_at, null],
  ['nonce', (d) => d.nonce, null],
  ['message', () => undefined, null],
])

const verificationOf = (d) => d.verification && Verification.fromJSON(d.verification)

const IdentificationLink = defineResource('IdentificationLink', [
  ['id', (d) => d.id],
  ['type', (d) => d.type],
])

const EmailAddress = defineResource('EmailAddress', [
  ['id', (d) => d.id],
  ['emailAddress', (d) => d.email_address],
  ['verification', verificationOf],
  ['linkedTo', (d) => d.linked_to.map((link) => IdentificationLink.fromJSON(link))],
])

const PhoneNumber = defineResource('PhoneNumber', [
  ['id', (d) => d.id],
  ['phoneNumber', (d) => d.phone_number],
  ['reservedForSecondFactor', (d) => d.reserved_for_second_factor],
  ['defaultSecondFactor', (d) => d.default_second_factor],
  ['verification', verificationOf],
  ['linkedTo', (d) => d.linked_to.map((link) => IdentificationLink.fromJSON(link))],
])

const Web3Wallet = defineResource('Web3Wallet', [
  ['id', (d) => d.id],
  ['web3Wallet', (d) => d.web3_wallet],
  ['verification', verificationOf],
])

const ExternalAccount = defineResource('ExternalAccount', [
  ['id', (d) => d.id],
  ['provider', (d) => d.provider],
  ['providerUserId', (d) => d.provider_user_id],
  ['identificationId', (d) => d.identification_id],
  ['externalId', (d) => d.provider_user_id],
  ['approvedScopes', (d) => d.approved_scopes],
  ['emailAddress', (d) => d.email_address],
  ['firstName', (d) => d.first_name],
  ['lastName', (d) => d.last_name],
  ['imageUrl', (d) => d.image_url || ''],
  ['username', (d) => d.username],
  ['phoneNumber', (d) => d.phone_number],
  ['publicMetadata', (d) => d.public_metadata, {}],
  ['label', (d) => d.label],
  ['verification', verificationOf],
  ['externalAccountId', (d) => d.external_account_id],
])

const EnterpriseAccountConnection = defineResource('EnterpriseAccountConnection', [
  ['id', (d) => d.id],
  ['active', (d) => d.active],
  ['allowIdpInitiated', (d) => d.allow_idp_initiated],
  ['allowSubdomains', (d) => d.allow_subdomains],
  ['disableAdditionalIdentifications', (d) => d.disable_additional_identifications],
  ['domain', (d) => d.domain],
  ['logoPublicUrl', (d) => d.logo_public_url],
  ['name', (d) => d.name],
  ['protocol', (d) => d.protocol],
  ['provider', (d) => d.provider],
  ['syncUserAttributes', (d) => d.sync_user_attributes],
  ['createdAt', (d) => d.created_at],
  ['updatedAt', (d) => d.updated_at],
])

const EnterpriseAccount = defineResource('EnterpriseAccount', [
  ['id', (d) => d.id],
  ['active', (d) => d.active],
  ['emailAddress', (d) => d.email_address],
  ['enterpriseConnection', (d) => d.enterprise_connection && EnterpriseAccountConnection.fromJSON(d.enterprise_connection)],
  ['firstName', (d) => d.first_name],
  ['lastName', (d) => d.last_name],
  ['protocol', (d) => d.protocol],
  ['provider', (d) => d.provider],
  ['providerUserId', (d) => d.provider_user_id],
  ['publicMetadata', (d) => d.public_metadata],
  ['verification', verificationOf],
  ['lastAuthenticatedAt', (d) => d.last_authenticated_at],
  ['enterpriseConnectionId', (d) => d.enterprise_connection_id],
])

const User = defineResource(
  'User',
  [
    ['id', (d) => d.id],
    ['passwordEnabled', (d) => d.password_enabled],
    ['totpEnabled', (d) => d.totp_enabled],
    ['backupCodeEnabled', (d) => d.backup_code_enabled],
    ['twoFactorEnabled', (d) => d.two_factor_enabled],
    ['banned', (d) => d.banned],
    ['locked', (d) => d.locked],
    ['createdAt', (d) => d.created_at],
    ['updatedAt', (d) => d.updated_at],
    ['imageUrl', (d) => d.image_url],
    ['hasImage', (d) => d.has_image],
    ['primaryEmailAddressId', (d) => d.primary_email_address_id],
    ['primaryPhoneNumberId', (d) => d.primary_phone_number_id],
    ['primaryWeb3WalletId', (d) => d.primary_web3_wallet_id],
    ['lastSignInAt', (d) => d.last_sign_in_at],
    ['externalId', (d) => d.external_id],
    ['username', (d) => d.username],
    ['firstName', (d) => d.first_name],
    ['lastName', (d) => d.last_name],
    ['publicMetadata', (d) => d.public_metadata, {}],
    ['privateMetadata', (d) => d.private_metadata, {}],
    ['unsafeMetadata', (d) => d.unsafe_metadata, {}],
    ['emailAddresses', (d) => (d.email_addresses || []).map((x) => EmailAddress.fromJSON(x)), []],
    ['phoneNumbers', (d) => (d.phone_numbers || []).map((x) => PhoneNumber.fromJSON(x)), []],
    ['web3Wallets', (d) => (d.web3_wallets || []).map((x) => Web3Wallet.fromJSON(x)), []],
    ['externalAccounts', (d) => (d.external_accounts || []).map((x) => ExternalAccount.fromJSON(x)), []],
    ['enterpriseAccounts', (d) => (d.enterprise_accounts || []).map((x) => EnterpriseAccount.fromJSON(x)), []],
    ['lastActiveAt', (d) => d.last_active_at],
    ['createOrganizationEnabled', (d) => d.create_organization_enabled],
    ['createOrganizationsLimit', (d) => d.create_organizations_limit, null],
    ['deleteSelfEnabled', (d) => d.delete_self_enabled],
    ['legalAcceptedAt', (d) => d.legal_accepted_at],
    ['locale', (d) => d.locale],
    ['timezone', (d) => d.timezone, null],
    ['deprovisioned', (d) => d.deprovisioned, false],
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

const Token = defineResource('Token', [['jwt', (d) => d.jwt]])

module.exports = { User, EmailAddress, PhoneNumber, Web3Wallet, ExternalAccount, EnterpriseAccount, Verification, Token }
