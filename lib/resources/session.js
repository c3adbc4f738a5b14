'use strict'

// Sessions, clients and the sign-in/sign-up artefacts around them, field for
// field as @clerk/backend 3.25.0 maps them.

const { defineResource } = require('./define')

const SessionActivity = defineResource('SessionActivity', [
  ['id', (data) => data.id],
  ['isMobile', (data) => data.is_mobile],
  ['ipAddress', (data) => data.ip_address],
  ['city', (data) => data.city],
  ['country', (data) => data.country],
  ['browserVersion', (data) => data.browser_version],
  ['browserName', (data) => data.browser_name],
  ['deviceType', (data) => data.device_type],
])

const Session = defineResource('Session', [
  ['id', (data) => data.id],
  ['clientId', (data) => data.client_id],
  ['userId', (data) => data.user_id],
  ['status', (data) => data.status],
  ['lastActiveAt', (data) => data.last_active_at],
  ['expireAt', (data) => data.expire_at],
  ['abandonAt', (data) => data.abandon_at],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
  ['lastActiveOrganizationId', (data) => data.last_active_organization_id],
  ['latestActivity', (data) => data.latest_activity && SessionActivity.fromJSON(data.latest_activity)],
  ['actor', (data) => data.actor, null],
])

const Client = defineResource('Client', [
  ['id', (data) => data.id],
  ['sessionIds', (data) => data.session_ids],
  // No guard: a client without `sessions` fails to deserialize, as in the reference.
  ['sessions', (data) => data.sessions.map((x) => Session.fromJSON(x))],
  ['signInId', (data) => data.sign_in_id],
  ['signUpId', (data) => data.sign_up_id],
  ['lastActiveSessionId', (data) => data.last_active_session_id],
  ['lastAuthenticationStrategy', (data) => data.last_authentication_strategy],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const Cookies = defineResource('Cookies', [['cookies', (data) => data.cookies]])

const Token = defineResource('Token', [['jwt', (data) => data.jwt]])

// Declared by the reference but never deserialized: the handshake payload
// endpoint's JSON is returned as is.
const HandshakePayload = defineResource('HandshakePayload', [['directives', (data) => data.directives]])

const ActorToken = defineResource('ActorToken', [
  ['id', (data) => data.id],
  ['status', (data) => data.status],
  ['userId', (data) => data.user_id],
  ['actor', (data) => data.actor],
  ['token', (data) => data.token],
  ['url', (data) => data.url],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

const SignInToken = defineResource('SignInToken', [
  ['id', (data) => data.id],
  ['userId', (data) => data.user_id],
  ['token', (data) => data.token],
  ['status', (data) => data.status],
  ['url', (data) => data.url],
  ['createdAt', (data) => data.created_at],
  ['updatedAt', (data) => data.updated_at],
])

// Declared by the reference but never deserialized (no `testing_token` case).
const TestingToken = defineResource('TestingToken', [
  ['token', (data) => data.token],
  ['expiresAt', (data) => data.expires_at],
])

// `agent_task_id` is read before anything else and fills both id properties.
const AgentTask = defineResource(
  'AgentTask',
  [
    ['agentId', (data) => data.agent_id],
    ['taskId', (data, agentTaskId) => agentTaskId],
    ['agentTaskId', (data, agentTaskId) => agentTaskId],
    ['url', (data) => data.url],
  ],
  { locals: (data) => data.agent_task_id ?? data.task_id ?? '' },
)

const SignUpAttemptVerification = defineResource('SignUpAttemptVerification', [
  ['nextAction', (data) => data.next_action],
  ['supportedStrategies', (data) => data.supported_strategies],
])

const SignUpAttemptVerifications = defineResource('SignUpAttemptVerifications', [
  ['emailAddress', (data) => data.email_address && SignUpAttemptVerification.fromJSON(data.email_address)],
  ['phoneNumber', (data) => data.phone_number && SignUpAttemptVerification.fromJSON(data.phone_number)],
  ['web3Wallet', (data) => data.web3_wallet && SignUpAttemptVerification.fromJSON(data.web3_wallet)],
  ['externalAccount', (data) => data.external_account],
])

const SignUpAttempt = defineResource('SignUpAttempt', [
  ['id', (data) => data.id],
  ['status', (data) => data.status],
  ['requiredFields', (data) => data.required_fields],
  ['optionalFields', (data) => data.optional_fields],
  ['missingFields', (data) => data.missing_fields],
  ['unverifiedFields', (data) => data.unverified_fields],
  ['verifications', (data) => (data.verifications ? SignUpAttemptVerifications.fromJSON(data.verifications) : null)],
  ['username', (data) => data.username],
  ['emailAddress', (data) => data.email_address],
  ['phoneNumber', (data) => data.phone_number],
  ['web3Wallet', (data) => data.web3_wallet],
  ['passwordEnabled', (data) => data.password_enabled],
  ['firstName', (data) => data.first_name],
  ['lastName', (data) => data.last_name],
  ['customAction', (data) => data.custom_action],
  ['externalId', (data) => data.external_id],
  ['createdSessionId', (data) => data.created_session_id],
  ['createdUserId', (data) => data.created_user_id],
  ['abandonAt', (data) => data.abandon_at],
  ['legalAcceptedAt', (data) => data.legal_accepted_at],
  ['publicMetadata', (data) => data.public_metadata],
  ['unsafeMetadata', (data) => data.unsafe_metadata],
])

module.exports = {
  SessionActivity,
  Session,
  Client,
  Cookies,
  Token,
  HandshakePayload,
  ActorToken,
  SignInToken,
  TestingToken,
  AgentTask,
  SignUpAttemptVerification,
  SignUpAttemptVerifications,
  SignUpAttempt,
}
