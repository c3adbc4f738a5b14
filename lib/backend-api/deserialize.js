'use strict'

// `deserialize` of @clerk/backend 3.25.0: payload shape first (array, M2M
// token list, paginated `{data, total_count}`, single object), then one
// resource class per `object` value. Unknown objects are returned as raw JSON.

const resources = require('../resources')

// The reference's `switch (item.object)`: 47 classes, plus `total_count` below.
// OrganizationDomain, TestingToken and others it declares have no case and
// stay raw JSON.
const RESOURCE_BY_OBJECT = new Map([
  ['accountless_application', resources.AccountlessApplication],
  ['actor_token', resources.ActorToken],
  ['allowlist_identifier', resources.AllowlistIdentifier],
  ['api_key', resources.APIKey],
  ['blocklist_identifier', resources.BlocklistIdentifier],
  ['client', resources.Client],
  ['cookies', resources.Cookies],
  ['domain', resources.Domain],
  ['email_address', resources.EmailAddress],
  ['enterprise_account', resources.EnterpriseAccount],
  ['email', resources.Email],
  ['clerk_idp_oauth_access_token', resources.IdPOAuthAccessToken],
  ['instance', resources.Instance],
  ['instance_restrictions', resources.InstanceRestrictions],
  ['instance_settings', resources.InstanceSettings],
  ['invitation', resources.Invitation],
  ['jwt_template', resources.JwtTemplate],
  ['machine', resources.Machine],
  ['machine_scope', resources.MachineScope],
  ['machine_secret_key', resources.MachineSecretKey],
  ['machine_to_machine_token', resources.M2MToken],
  ['oauth_access_token', resources.OauthAccessToken],
  ['oauth_application', resources.OAuthApplication],
  ['organization', resources.Organization],
  ['organization_invitation', resources.OrganizationInvitation],
  ['organization_membership', resources.OrganizationMembership],
  ['organization_settings', resources.OrganizationSettings],
  ['permission', resources.Permission],
  ['phone_number', resources.PhoneNumber],
  ['proxy_check', resources.ProxyCheck],
  ['redirect_url', resources.RedirectUrl],
  ['role', resources.Role],
  ['role_set', resources.RoleSet],
  ['enterprise_connection', resources.EnterpriseConnection],
  ['saml_connection', resources.SamlConnection],
  ['sign_in_token', resources.SignInToken],
  ['agent_task', resources.AgentTask],
  ['sign_up_attempt', resources.SignUpAttempt],
  ['session', resources.Session],
  ['sms_message', resources.SMSMessage],
  ['token', resources.Token],
  ['user', resources.User],
  ['waitlist_entry', resources.WaitlistEntry],
  ['commerce_plan', resources.BillingPlan],
  ['commerce_subscription', resources.BillingSubscription],
  ['commerce_subscription_item', resources.BillingSubscriptionItem],
  ['feature', resources.Feature],
])

function jsonToObject(item) {
  // Any JSON with both keys is a DeletedObject, whatever its `object` (a
  // machine scope answer with `deleted` too). `'object' in item` throws for
  // null and numbers, as in the reference; the request layer reports that as
  // `unexpected_error`.
  if (typeof item !== 'string' && 'object' in item && 'deleted' in item) return resources.DeletedObject.fromJSON(item)
  if (item.object === 'total_count') return item.total_count
  const Resource = RESOURCE_BY_OBJECT.get(item.object)
  return Resource ? Resource.fromJSON(item) : item
}

function isM2MTokenResponse(payload) {
  return Boolean(payload) && typeof payload === 'object' && 'm2m_tokens' in payload && Array.isArray(payload.m2m_tokens)
}

function isPaginated(payload) {
  return Boolean(payload) && typeof payload === 'object' && 'data' in payload && Array.isArray(payload.data)
}

/** @returns `{data}`, or `{data, totalCount}` for the two list shapes (totalCount may be undefined). */
function deserialize(payload) {
  if (Array.isArray(payload)) return { data: payload.map((item) => jsonToObject(item)) }
  if (isM2MTokenResponse(payload)) {
    return { data: payload.m2m_tokens.map((item) => jsonToObject(item)), totalCount: payload.total_count }
  }
  if (isPaginated(payload)) {
    return { data: payload.data.map((item) => jsonToObject(item)), totalCount: payload.total_count }
  }
  return { data: jsonToObject(payload) }
}

module.exports = { deserialize, jsonToObject }
