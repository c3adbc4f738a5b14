// Webhook handlers written against @clerk/express/webhooks: `evt.data` is
// typed by `evt.type`.
import express from 'express'
import { verifyWebhook } from '@clerk/express/webhooks'
import type {
  OrganizationMembershipWebhookEvent,
  UserWebhookEvent,
  WebhookEvent,
  WebhookEventType,
} from '@clerk/express/webhooks'
import type { UserJSON } from '@clerk/express'
import { expectType } from './expect-type'
import type { Equal } from './expect-type'

expectType<Equal<WebhookEventType extends string ? true : false, true>>(true)
expectType<Equal<string extends WebhookEventType ? true : false, false>>(true)
expectType<Equal<Extract<WebhookEventType, 'user.created'>, 'user.created'>>(true)

export function describeEvent(evt: WebhookEvent): string {
  if (evt.type === 'user.created') {
    expectType<Equal<typeof evt.data, UserJSON>>(true)
    return evt.data.email_addresses[0].email_address
  }
  if (evt.type === 'user.deleted') {
    const deleted: boolean | undefined = evt.data.deleted
    return `${evt.data.id ?? ''} ${String(deleted)}`
  }
  if (evt.type === 'organizationMembership.created') {
    return `${evt.data.organization.id} ${evt.data.public_user_data.user_id} ${evt.data.role}`
  }
  if (evt.type === 'session.created') return evt.data.user_id
  if (evt.type === 'email.created') return evt.data.to_email_address ?? ''
  return evt.type
}

export function isUserEvent(evt: WebhookEvent): evt is UserWebhookEvent {
  return evt.type.startsWith('user.')
}

export function membershipRole(evt: OrganizationMembershipWebhookEvent): string {
  return evt.data.role
}

export const router = express.Router()
router.post('/clerk', express.raw({ type: 'application/json' }), async (req, res) => {
  const evt = await verifyWebhook(req, { signingSecret: 'whsec_x' })
  const type: WebhookEventType = evt.type
  res.json({ type, text: describeEvent(evt), ip: evt.event_attributes.http_request.client_ip })
})
