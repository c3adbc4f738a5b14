'use strict'

// OAuth applications (Clerk as identity provider) and the access tokens of a
// user's external OAuth accounts, field for field as @clerk/backend 3.25.0
// maps them.

const { defineResource } = require('./define')

const OAuthApplication = defineResource('OAuthApplication', [
  ['id', (data) => data.id],
  ['instanceId', (data) => data.instance_id],
  ['name', (data) => data.name],
  ['clientId', (data) => data.client_id],
  ['clientUri', (data) => data.client_uri],
  ['clientImageUrl', (data) => data.client_image_url],
  ['dynamicallyRegistered', (data) => data.dynamically_registered],
  ['consentScreenEnabled', (data) => data.consent_screen_enabled],
  ['pkceRequired', (data) => data.pkce_required],
  ['isPublic', (data) => data.public],
  ['scopes', (data) => data.scopes],
  ['redirectUris', (data) => data.redirect_uris],
  ['authorizeUrl', (data) => data.authorize_url],
  ['tokenFetchUrl', (data) => data.token_fetch_url],
  ['userInfoUrl', (data) => data.user_info_url],
  ['discoveryUrl', (data) => data.discovery_url],
  ['tokenIntrospectionUrl', (data) => data.token_introspection_url],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['clientSecret', (data) => data.client_secret],
])

const OauthAccessToken = defineResource('OauthAccessToken', [
  ['externalAccountId', (data) => data.external_account_id],
  ['provider', (data) => data.provider],
  ['token', (data) => data.token],
  ['publicMetadata', (data) => data.public_metadata, {}],
  ['label', (data) => data.label || ''],
  ['scopes', (data) => data.scopes],
  ['tokenSecret', (data) => data.token_secret],
  ['expiresAt', (data) => data.expires_at],
  ['idToken', (data) => data.id_token],
])

module.exports = { OAuthApplication, OauthAccessToken }
