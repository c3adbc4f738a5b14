// clerk-express-native/webhooks (as @clerk/express/webhooks 2.1.70, whose
// declarations these follow; MIT License, Copyright (c) 2024 Clerk, Inc.):
// the webhook event types of @clerk/backend, from the copy in types/backend.

import type { Request } from 'express'
import type { VerifyWebhookOptions, WebhookEvent } from './types/backend/webhooks.js'

export * from './types/backend/webhooks.js'

/**
 * Verifies the authenticity of a webhook request using Svix.
 *
 * @param request - The incoming webhook Express Request object
 * @param options - Optional configuration object
 * @param options.signingSecret - Custom signing secret. If not provided, falls back to
 * CLERK_WEBHOOK_SIGNING_SECRET env variable
 * @throws Will throw an error if the webhook signature verification fails
 * @returns A promise that resolves to the verified webhook event data
 *
 * @example
 * ```typescript
 * import { verifyWebhook } from '@clerk/express/webhooks';
 *
 * app.post('/api/webhooks', async (req, res) => {
 *   try {
 *     const evt = await verifyWebhook(req);
 *     // handle event
 *     res.send('Webhook received');
 *   } catch (err) {
 *     res.status(400).send('Webhook verification failed');
 *   }
 * });
 * ```
 *
 * @see {@link https://clerk.com/docs/webhooks/sync-data} to learn more about syncing Clerk data to your
 * application using webhooks
 */
export declare function verifyWebhook(req: Request, options?: VerifyWebhookOptions): Promise<WebhookEvent>
