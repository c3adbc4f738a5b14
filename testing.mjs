// ESM entry of clerk-express-native/testing.
import cjs from './testing.js'

export const { createTestInstance } = cjs
