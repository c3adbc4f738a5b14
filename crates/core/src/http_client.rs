//! How the addon's HTTP clients reach Clerk. Beyond the reference (Node's
//! fetch ignores both), they honour the standard proxy variables
//! (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, upper or lower
//! case) and trust the certificates in `NODE_EXTRA_CA_CERTS` in addition to
//! the system's roots, so that a corporate proxy or a private CA works the
//! way it does for the rest of a Node application.

use std::sync::OnceLock;
use std::time::Duration;

/// The client of every Backend API call and JWKS fetch: one per process,
/// shared by every request and worker thread (connections are pooled).
pub fn api_client() -> &'static reqwest::Client {
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

pub struct ClientOptions {
  /// Follow redirects (Backend API) or hand them back (Frontend API proxy).
  pub follow_redirects: bool,
}

pub fn build(options: ClientOptions) -> reqwest::Client {
  let mut builder = reqwest::Client::builder()
    // Keep-alive connections are reused between calls; idle ones are closed
    // before Clerk's edge would close them under us.
    .pool_idle_timeout(Duration::from_secs(60))
    .connect_timeout(Duration::from_secs(10));
  if !options.follow_redirects {
    builder = builder.redirect(reqwest::redirect::Policy::none());
  }
  let extra = extra_ca_certificates(std::env::var_os("NODE_EXTRA_CA_CERTS").as_deref());
  if !extra.is_empty() {
    builder = builder.tls_certs_merge(extra);
  }
  builder
    .build()
    .or_else(|_| reqwest::Client::builder().build())
    .expect("a default HTTP client can always be built")
}

/// The certificates of a PEM bundle file. Like Node, an unreadable or
/// malformed file is ignored rather than stopping the application.
pub fn extra_ca_certificates(path: Option<&std::ffi::OsStr>) -> Vec<reqwest::Certificate> {
  let Some(path) = path.filter(|p| !p.is_empty()) else {
    return Vec::new();
  };
  std::fs::read(path)
    .ok()
    .and_then(|pem| reqwest::Certificate::from_pem_bundle(&pem).ok())
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn missing_or_broken_bundles_add_nothing() {
    assert!(extra_ca_certificates(None).is_empty());
    assert!(extra_ca_certificates(Some("".as_ref())).is_empty());
    assert!(extra_ca_certificates(Some("/nonexistent/ca.pem".as_ref())).is_empty());
    let dir = std::env::temp_dir().join(format!("cen-ca-{}", std::process::id()));
    std::fs::write(&dir, "not a certificate").unwrap();
    assert!(extra_ca_certificates(Some(dir.as_os_str())).is_empty());
    std::fs::remove_file(&dir).unwrap();
  }

  #[test]
  fn a_client_with_extra_roots_builds() {
    let _ = build(ClientOptions {
      follow_redirects: false,
    });
  }
}
