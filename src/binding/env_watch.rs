//! `requestEnvVersion()`: see `crate::env_watch`.

use napi_derive::napi;

/// Changes exactly when one of the `CLERK_*` variables the middleware reads
/// on every request changed (only meaningful on Node's main thread, where
/// `process.env` is the process environment).
#[napi]
pub fn request_env_version() -> u32 {
  crate::env_watch::request_env_version()
}
