'use strict'

// Emails and SMS messages Clerk sent, field for field as @clerk/backend
// 3.25.0 maps them.

const { defineResource } = require('./define')

const Email = defineResource('Email', [
  ['id', (data) => data.id],
  ['fromEmailName', (data) => data.from_email_name],
  ['emailAddressId', (data) => data.email_address_id],
  ['toEmailAddress', (data) => data.to_email_address],
  ['subject', (data) => data.subject],
  ['body', (data) => data.body],
  ['bodyPlain', (data) => data.body_plain],
  ['status', (data) => data.status],
  ['slug', (data) => data.slug],
  ['data', (data) => data.data],
  ['deliveredByClerk', (data) => data.delivered_by_clerk],
  ['userId', (data) => data.user_id],
  ['suppressionReason', (data) => data.suppression_reason],
])

const SMSMessage = defineResource('SMSMessage', [
  ['id', (data) => data.id],
  ['fromPhoneNumber', (data) => data.from_phone_number],
  ['toPhoneNumber', (data) => data.to_phone_number],
  ['message', (data) => data.message],
  ['status', (data) => data.status],
  ['phoneNumberId', (data) => data.phone_number_id],
  ['data', (data) => data.data],
])

module.exports = { Email, SMSMessage }
