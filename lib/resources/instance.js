'use strict'

// The instance, its settings, domains, redirect URLs, JWT templates and
// keyless (accountless) application, field for field as @clerk/backend
// 3.25.0 maps them.

const { defineResource } = require('./define')

const Instance = defineResource('Instance', [
  ['id', (data) => data.id],
  ['environmentType', (data) => data.environment_type],
  ['allowedOrigins', (data) => data.allowed_origins],
])

const InstanceRestrictions = defineResource('InstanceRestrictions', [
  ['allowlist', (data) => data.allowlist],
  ['blocklist', (data) => data.blocklist],
  ['blockEmailSubaddresses', (data) => data.block_email_subaddresses],
  ['blockDisposableEmailDomains', (data) => data.block_disposable_email_domains],
  ['ignoreDotsForGmailAddresses', (data) => data.ignore_dots_for_gmail_addresses],
])

const InstanceSettings = defineResource('InstanceSettings', [
  ['id', (data) => data.id],
  ['restrictedToAllowlist', (data) => data.restricted_to_allowlist],
  ['fromEmailAddress', (data) => data.from_email_address],
  ['progressiveSignUp', (data) => data.progressive_sign_up],
  ['enhancedEmailDeliverability', (data) => data.enhanced_email_deliverability],
])

const CnameTarget = defineResource('CnameTarget', [
  ['host', (data) => data.host],
  ['value', (data) => data.value],
  ['required', (data) => data.required],
])

const Domain = defineResource('Domain', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['isSatellite', (data) => data.is_satellite],
  ['frontendApiUrl', (data) => data.frontend_api_url],
  ['developmentOrigin', (data) => data.development_origin],
  ['cnameTargets', (data) => data.cname_targets && data.cname_targets.map((x) => CnameTarget.fromJSON(x))],
  ['accountsPortalUrl', (data) => data.accounts_portal_url],
  ['proxyUrl', (data) => data.proxy_url],
])

const ProxyCheck = defineResource('ProxyCheck', [
  ['id', (data) => data.id],
  ['domainId', (data) => data.domain_id],
  ['lastRunAt', (data) => data.last_run_at],
  ['proxyUrl', (data) => data.proxy_url],
  ['successful', (data) => data.successful],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const RedirectUrl = defineResource('RedirectUrl', [
  ['id', (data) => data.id],
  ['url', (data) => data.url],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const JwtTemplate = defineResource('JwtTemplate', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['claims', (data) => data.claims],
  ['lifetime', (data) => data.lifetime],
  ['allowedClockSkew', (data) => data.allowed_clock_skew],
  ['customSigningKey', (data) => data.custom_signing_key],
  ['signingAlgorithm', (data) => data.signing_algorithm],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const AccountlessApplication = defineResource('AccountlessApplication', [
  ['publishableKey', (data) => data.publishable_key],
  ['secretKey', (data) => data.secret_key],
  ['claimUrl', (data) => data.claim_url],
  ['apiKeysUrl', (data) => data.api_keys_url],
])

module.exports = {
  Instance,
  InstanceRestrictions,
  InstanceSettings,
  CnameTarget,
  Domain,
  ProxyCheck,
  RedirectUrl,
  JwtTemplate,
  AccountlessApplication,
}
