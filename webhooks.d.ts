// Types of clerk-express-native/webhooks (as @clerk/express/webhooks).

import type { Request } from 'express'

export type WebhookEventType = string

/** The verified event; `data` is the Clerk resource JSON for `type`. */
export interface WebhookEvent<T = Record<string, any>> {
  type: WebhookEventType
  object: 'event'
  data: T
  event_attributes: Record<string, any>
  timestamp: number
  instance_id: string
}

export interface VerifyWebhookOptions {
  /** Defaults to the CLERK_WEBHOOK_SIGNING_SECRET environment variable. */
  signingSecret?: string
}

export declare function verifyWebhook(req: Request, options?: VerifyWebhookOptions): Promise<WebhookEvent>
