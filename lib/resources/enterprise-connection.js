'use strict'

// Enterprise (SAML/OIDC) connections and the older SAML connections, field
// for field as @clerk/backend 3.25.0 maps them.

const { defineResource } = require('./define')

const SamlConnectionIdpCertificate = defineResource('SamlConnectionIdpCertificate', [
  ['certificate', (data) => data.certificate],
  ['issuedAt', (data) => data.issued_at],
  ['expiresAt', (data) => data.expires_at],
])

const EnterpriseConnectionSamlConnectionLoginHint = defineResource('EnterpriseConnectionSamlConnectionLoginHint', [
  ['mode', (data) => data.mode],
  ['source', (data) => data.source],
])

const EnterpriseConnectionCustomAttribute = defineResource('EnterpriseConnectionCustomAttribute', [
  ['name', (data) => data.name],
  ['key', (data) => data.key],
  ['ssoPath', (data) => data.sso_path],
  ['scimPath', (data) => data.scim_path],
  ['multiValued', (data) => data.multi_valued],
])

const idpCertificatesOf = (data) =>
  (data.idp_certificates ?? []).map((certificate) => SamlConnectionIdpCertificate.fromJSON(certificate))

// `login_hint` is not null-guarded: a SAML connection without it fails to
// deserialize, as in the reference.
const EnterpriseConnectionSamlConnection = defineResource('EnterpriseConnectionSamlConnection', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['idpEntityId', (data) => data.idp_entity_id],
  ['idpSsoUrl', (data) => data.idp_sso_url],
  ['idpCertificate', (data) => data.idp_certificate],
  ['idpCertificateIssuedAt', (data) => data.idp_certificate_issued_at],
  ['idpCertificateExpiresAt', (data) => data.idp_certificate_expires_at],
  ['idpMetadataUrl', (data) => data.idp_metadata_url],
  ['idpMetadata', (data) => data.idp_metadata],
  ['acsUrl', (data) => data.acs_url],
  ['spEntityId', (data) => data.sp_entity_id],
  ['spMetadataUrl', (data) => data.sp_metadata_url],
  ['syncUserAttributes', (data) => data.sync_user_attributes],
  ['allowSubdomains', (data) => data.allow_subdomains],
  ['allowIdpInitiated', (data) => data.allow_idp_initiated],
  ['active', (data) => data.active],
  ['forceAuthn', (data) => data.force_authn],
  ['loginHint', (data) => EnterpriseConnectionSamlConnectionLoginHint.fromJSON(data.login_hint)],
  ['idpCertificates', idpCertificatesOf],
])

const EnterpriseConnectionOauthConfig = defineResource('EnterpriseConnectionOauthConfig', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['clientId', (data) => data.client_id],
  ['discoveryUrl', (data) => data.discovery_url],
  ['logoPublicUrl', (data) => data.logo_public_url],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['providerKey', (data) => data.provider_key],
  ['authUrl', (data) => data.auth_url],
  ['tokenUrl', (data) => data.token_url],
  ['userInfoUrl', (data) => data.user_info_url],
  ['requiresPkce', (data) => data.requires_pkce],
])

const EnterpriseConnection = defineResource('EnterpriseConnection', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['domains', (data) => data.domains],
  ['organizationId', (data) => data.organization_id ?? null],
  ['active', (data) => data.active],
  ['syncUserAttributes', (data) => data.sync_user_attributes],
  ['allowSubdomains', (data) => data.allow_subdomains],
  ['disableAdditionalIdentifications', (data) => data.disable_additional_identifications],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  [
    'samlConnection',
    (data) => (data.saml_connection != null ? EnterpriseConnectionSamlConnection.fromJSON(data.saml_connection) : null),
  ],
  [
    'oauthConfig',
    (data) => (data.oauth_config != null ? EnterpriseConnectionOauthConfig.fromJSON(data.oauth_config) : null),
  ],
  ['provider', (data) => data.provider],
  ['logoPublicUrl', (data) => data.logo_public_url],
  ['allowOrganizationAccountLinking', (data) => data.allow_organization_account_linking],
  ['authenticatable', (data) => data.authenticatable],
  ['disableJitProvisioning', (data) => data.disable_jit_provisioning],
  [
    'customAttributes',
    (data) => data.custom_attributes?.map((attr) => EnterpriseConnectionCustomAttribute.fromJSON(attr)),
  ],
])

const AttributeMapping = defineResource('AttributeMapping', [
  ['userId', (data) => data.user_id],
  ['emailAddress', (data) => data.email_address],
  ['firstName', (data) => data.first_name],
  ['lastName', (data) => data.last_name],
])

const SamlConnection = defineResource('SamlConnection', [
  ['id', (data) => data.id],
  ['name', (data) => data.name],
  ['domain', (data) => data.domain],
  ['organizationId', (data) => data.organization_id],
  ['idpEntityId', (data) => data.idp_entity_id],
  ['idpSsoUrl', (data) => data.idp_sso_url],
  ['idpCertificate', (data) => data.idp_certificate],
  ['idpCertificateIssuedAt', (data) => data.idp_certificate_issued_at],
  ['idpCertificateExpiresAt', (data) => data.idp_certificate_expires_at],
  ['idpMetadataUrl', (data) => data.idp_metadata_url],
  ['idpMetadata', (data) => data.idp_metadata],
  ['acsUrl', (data) => data.acs_url],
  ['spEntityId', (data) => data.sp_entity_id],
  ['spMetadataUrl', (data) => data.sp_metadata_url],
  ['active', (data) => data.active],
  ['provider', (data) => data.provider],
  ['userCount', (data) => data.user_count],
  ['syncUserAttributes', (data) => data.sync_user_attributes],
  ['allowSubdomains', (data) => data.allow_subdomains],
  ['allowIdpInitiated', (data) => data.allow_idp_initiated],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['attributeMapping', (data) => data.attribute_mapping && AttributeMapping.fromJSON(data.attribute_mapping)],
  ['idpCertificates', idpCertificatesOf],
])

module.exports = {
  SamlConnectionIdpCertificate,
  EnterpriseConnectionSamlConnectionLoginHint,
  EnterpriseConnectionCustomAttribute,
  EnterpriseConnectionSamlConnection,
  EnterpriseConnectionOauthConfig,
  EnterpriseConnection,
  AttributeMapping,
  SamlConnection,
}
