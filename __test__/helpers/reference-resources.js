'use strict'

// The reference's resource classes and deserializer, for differential tests.
// @clerk/backend bundles them without exporting them, so this loads a private
// copy of its CommonJS bundle with one line appended that hands out the
// module-scope names. Nothing else about the bundle changes.

const fs = require('node:fs')
const path = require('node:path')
const Module = require('node:module')

// Reference class variable → public resource name (the bundler renamed
// `Cookies` to avoid a clash with its cookie-name constants).
const CLASS_VARIABLES = {
  AccountlessApplication: 'AccountlessApplication',
  ActorToken: 'ActorToken',
  AgentTask: 'AgentTask',
  AllowlistIdentifier: 'AllowlistIdentifier',
  APIKey: 'APIKey',
  AttributeMapping: 'AttributeMapping',
  BillingPlan: 'BillingPlan',
  BillingSubscription: 'BillingSubscription',
  BillingSubscriptionItem: 'BillingSubscriptionItem',
  BlocklistIdentifier: 'BlocklistIdentifier',
  Client: 'Client',
  CnameTarget: 'CnameTarget',
  Cookies2: 'Cookies',
  DeletedObject: 'DeletedObject',
  Domain: 'Domain',
  Email: 'Email',
  EmailAddress: 'EmailAddress',
  EnterpriseAccount: 'EnterpriseAccount',
  EnterpriseAccountConnection: 'EnterpriseAccountConnection',
  EnterpriseConnection: 'EnterpriseConnection',
  EnterpriseConnectionCustomAttribute: 'EnterpriseConnectionCustomAttribute',
  EnterpriseConnectionOauthConfig: 'EnterpriseConnectionOauthConfig',
  EnterpriseConnectionSamlConnection: 'EnterpriseConnectionSamlConnection',
  EnterpriseConnectionSamlConnectionLoginHint: 'EnterpriseConnectionSamlConnectionLoginHint',
  ExternalAccount: 'ExternalAccount',
  Feature: 'Feature',
  IdentificationLink: 'IdentificationLink',
  IdPOAuthAccessToken: 'IdPOAuthAccessToken',
  Instance: 'Instance',
  InstanceRestrictions: 'InstanceRestrictions',
  InstanceSettings: 'InstanceSettings',
  Invitation: 'Invitation',
  JwtTemplate: 'JwtTemplate',
  M2MToken: 'M2MToken',
  Machine: 'Machine',
  MachineScope: 'MachineScope',
  MachineSecretKey: 'MachineSecretKey',
  OauthAccessToken: 'OauthAccessToken',
  OAuthApplication: 'OAuthApplication',
  Organization: 'Organization',
  OrganizationInvitation: 'OrganizationInvitation',
  OrganizationMembership: 'OrganizationMembership',
  OrganizationMembershipPublicUserData: 'OrganizationMembershipPublicUserData',
  OrganizationSettings: 'OrganizationSettings',
  Permission: 'Permission',
  PhoneNumber: 'PhoneNumber',
  ProxyCheck: 'ProxyCheck',
  RedirectUrl: 'RedirectUrl',
  Role: 'Role',
  RoleSet: 'RoleSet',
  RoleSetItem: 'RoleSetItem',
  RoleSetMigration: 'RoleSetMigration',
  SamlConnection: 'SamlConnection',
  SamlConnectionIdpCertificate: 'SamlConnectionIdpCertificate',
  Session: 'Session',
  SessionActivity: 'SessionActivity',
  SignInToken: 'SignInToken',
  SignUpAttempt: 'SignUpAttempt',
  SignUpAttemptVerification: 'SignUpAttemptVerification',
  SignUpAttemptVerifications: 'SignUpAttemptVerifications',
  SMSMessage: 'SMSMessage',
  Token: 'Token',
  User: 'User',
  Verification: 'Verification',
  WaitlistEntry: 'WaitlistEntry',
  Web3Wallet: 'Web3Wallet',
}

const HELPERS = ['deserialize', 'jsonToObject', 'ObjectType', 'billingMoneyAmountFromJSON', 'toActor']

function loadReferenceResources() {
  const filename = require.resolve('@clerk/backend')
  const source = fs.readFileSync(filename, 'utf8')
  const names = [...Object.keys(CLASS_VARIABLES), ...HELPERS]
  const handOut = `\n;module.exports.__resourceInternals = { ${names.join(', ')} };\n`
  const copy = new Module(filename, module)
  copy.filename = filename
  copy.paths = Module._nodeModulePaths(path.dirname(filename))
  copy._compile(source + handOut, filename)
  const internals = copy.exports.__resourceInternals
  const classes = {}
  for (const [variable, name] of Object.entries(CLASS_VARIABLES)) classes[name] = internals[variable]
  const helpers = Object.fromEntries(HELPERS.map((name) => [name, internals[name]]))
  return { classes, ...helpers }
}

module.exports = { loadReferenceResources }
