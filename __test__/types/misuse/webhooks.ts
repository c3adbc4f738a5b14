// Misuses of webhook events: data read under the wrong event type, event
// types that do not exist.
import type { WebhookEvent, WebhookEventType } from '@clerk/express/webhooks'

declare const evt: WebhookEvent

if (evt.type === 'user.deleted') void evt.data.email_addresses // error TS2339
if (evt.type === 'user.creatd') void evt.data // error TS2367 TS2339
if (evt.type === 'session.created') void evt.data.email_addresses // error TS2339
const type: WebhookEventType = 'user.exploded' // error TS2322
void type
