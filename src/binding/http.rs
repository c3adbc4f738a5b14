//! One HTTP client per process, shared by every request and worker thread.

use std::sync::OnceLock;

pub fn client() -> &'static reqwest::Client {
  static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
  CLIENT.get_or_init(|| {
    reqwest::Client::builder()
      .no_proxy()
      .build()
      .expect("the HTTP client configuration is static and valid")
  })
}

/// The Frontend API proxy's client: redirects are passed back to the
/// browser (rewritten), never followed.
pub fn proxy_client() -> &'static reqwest::Client {
  static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
  CLIENT.get_or_init(|| {
    reqwest::Client::builder()
      .no_proxy()
      .redirect(reqwest::redirect::Policy::none())
      .build()
      .expect("the HTTP client configuration is static and valid")
  })
}
