//! `watchRequestEnv(names)` and `requestEnvVersion()`: see `clerk_core::env_watch`.

use napi_derive::napi;

/// The variables `requestEnvVersion` watches (lib/env.js names them once).
#[napi]
pub fn watch_request_env(names: Vec<String>) {
  clerk_core::env_watch::watch_request_env(names)
}

/// Changes exactly when one of the watched variables changed (only
/// meaningful on Node's main thread, where `process.env` is the process
/// environment).
#[napi]
pub fn request_env_version() -> u32 {
  clerk_core::env_watch::request_env_version()
}
