//! The Node-API surface of clerk-express-native. Functions here convert
//! values between JS and the napi-free core (`clerk_core`, crates/core) and
//! map its errors; the work is done in the core.
#![deny(clippy::all)]
// The `#[napi]` functions are only called from JS, never from Rust tests.
#![cfg_attr(test, allow(dead_code))]

mod authenticator;
mod backend_api;
mod debug_context;
mod diagnostics;
mod env_watch;
mod frontend_api_proxy;
mod panic;
mod panic_test_hooks;
mod promise;
mod warm_up;
mod webhooks;

/// `[name, value]` arrays from JS as tuples (a missing value is empty).
fn pairs(list: Vec<Vec<String>>) -> Vec<(String, String)> {
  list
    .into_iter()
    .filter_map(|pair| {
      let mut it = pair.into_iter();
      Some((it.next()?, it.next().unwrap_or_default()))
    })
    .collect()
}
