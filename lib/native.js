'use strict'

// The compiled addon, through the generated napi-rs loader. When it cannot be
// loaded, require() throws one error that says what was detected and what to
// do (lib/native-load-error.js), with the loader's error as its cause.

const { nativeLoadError } = require('./native-load-error')

let binding
try {
  binding = require('../binding.js')
} catch (loadError) {
  throw nativeLoadError(loadError)
}

module.exports = binding
