'use strict'

// The compiled addon, through the generated napi-rs loader.
module.exports = require('../binding.js')
