//! Hooks that let the test suite prove a Rust panic surfaces as a JS error
//! (synchronously and as a rejected promise) instead of aborting Node.

use crate::promise::spawn_promise;
use napi::bindgen_prelude::*;
use napi_derive::napi;

#[napi(catch_unwind, js_name = "__panicForTests")]
pub fn panic_for_tests(message: String) {
  panic!("{message}");
}

#[napi(js_name = "__panicAsyncForTests", ts_return_type = "Promise<void>")]
pub fn panic_async_for_tests(env: &Env, message: String) -> Result<PromiseRaw<'_, ()>> {
  spawn_promise(env, async move {
    if !message.is_empty() {
      panic!("{message}");
    }
    Ok(())
  })
}
