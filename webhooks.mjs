// ESM entry of clerk-express-native/webhooks.
import cjs from './webhooks.js'

export const { verifyWebhook } = cjs
