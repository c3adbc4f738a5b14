//! Building the shared HTTP client loads and parses the system's root
//! certificates, about 20 ms. `warmUpHttpClient()` does it on a background
//! thread, so that the first request that must fetch the JWKS does not wait
//! for it.

use napi_derive::napi;
use std::sync::atomic::{AtomicBool, Ordering};

#[napi]
pub fn warm_up_http_client() {
  static STARTED: AtomicBool = AtomicBool::new(false);
  if STARTED.swap(true, Ordering::Relaxed) {
    return;
  }
  // A failure to start the thread only means the first fetch builds the client.
  let _ = std::thread::Builder::new()
    .name("clerk-http-warm-up".into())
    .spawn(|| {
      super::http::client();
    });
}
