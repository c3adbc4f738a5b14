//! The first request that must fetch the JWKS pays for one-time set-ups,
//! which the middleware starts when it is created, without network traffic:
//! - building the shared HTTP client loads and parses the system's root
//!   certificates, and the first RSA verification sets up aws-lc
//!   (see `clerk_core::keys::warm_up`): `warmUpFirstFetch()` does both on a
//!   background thread;
//! - the first task on the async runtime starts its worker threads, and the
//!   first promise settled from it sets up Node-API's cross-thread calls:
//!   `warmUpAsyncRuntime()` runs an empty
//!   task that settles a promise.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::atomic::{AtomicBool, Ordering};

#[napi]
pub fn warm_up_first_fetch() {
  static STARTED: AtomicBool = AtomicBool::new(false);
  if STARTED.swap(true, Ordering::Relaxed) {
    return;
  }
  // A failure to start the thread only means the first fetch builds the client.
  let _ = std::thread::Builder::new()
    .name("clerk-warm-up".into())
    .spawn(|| {
      clerk_core::http_client::api_client();
      clerk_core::keys::warm_up::warm_up_rsa();
    });
}

/// An empty task on the runtime the network calls use, through the same
/// path as they do; it resolves to `undefined`.
#[napi(ts_return_type = "Promise<void>")]
pub fn warm_up_async_runtime<'env>(env: &'env Env) -> Result<PromiseRaw<'env, ()>> {
  crate::promise::spawn_promise(env, async { Ok(()) })
}
