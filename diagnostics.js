'use strict'

// clerk-express-native/diagnostics: the names of the diagnostics channels
// this package publishes on, and the channels themselves, for tracing and
// metrics code (README, "Observability"). Subscribing by name through
// `node:diagnostics_channel` works as well; this module only saves typing
// the names.

const { CHANNEL_NAMES, channels } = require('./lib/diagnostics')

module.exports = { channelNames: CHANNEL_NAMES, channels }
