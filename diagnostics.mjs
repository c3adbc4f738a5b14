// ESM entry of clerk-express-native/diagnostics.
import cjs from './diagnostics.js'

export const { channelNames, channels } = cjs
