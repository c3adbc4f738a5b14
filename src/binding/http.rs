//! One HTTP client per process and purpose, shared by every request and
//! worker thread (connections are pooled per client).

use crate::http_client::{build, ClientOptions};
use std::sync::OnceLock;

pub fn client() -> &'static reqwest::Client {
  static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
  CLIENT.get_or_init(|| {
    build(ClientOptions {
      follow_redirects: true,
    })
  })
}

/// The Frontend API proxy's client: redirects are passed back to the
/// browser (rewritten), never followed.
pub fn proxy_client() -> &'static reqwest::Client {
  static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
  CLIENT.get_or_init(|| {
    build(ClientOptions {
      follow_redirects: false,
    })
  })
}
