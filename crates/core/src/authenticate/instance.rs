//! What the state machine knows about the Clerk instance, derived once per
//! configuration: development or production, the Frontend API host, and the
//! cookie suffix.

use crate::config::PublishableKey;
use aws_lc_rs::digest;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

#[derive(Debug, Clone, Default)]
pub struct Instance {
  pub production: bool,
  /// Where handshakes go (the publishable key's host, or the proxy URL).
  pub frontend_api: String,
  /// The publishable key's host, used to tell whose session cookie it is.
  pub original_frontend_api: String,
  /// `base64url(SHA-1(publishableKey))[..8]`, the suffix of `__session_<s>`.
  pub cookie_suffix: String,
  /// The User-Agent of the client's own Backend API calls (handshake payloads).
  pub api_user_agent: String,
  /// The secret key of those calls: the client's build-time key.
  pub api_secret_key: Option<String>,
}

impl Instance {
  pub fn new(
    publishable_key: &str,
    parsed: &PublishableKey,
    api_user_agent: String,
    api_secret_key: Option<String>,
  ) -> Instance {
    Instance {
      production: parsed.production,
      frontend_api: parsed.frontend_api.clone(),
      original_frontend_api: parsed.frontend_api.clone(),
      cookie_suffix: cookie_suffix(publishable_key),
      api_user_agent,
      api_secret_key,
    }
  }
}

impl Instance {
  /// The instance as one request sees it: a proxy URL replaces the Frontend
  /// API host; a production satellite uses `clerk.<domain>` for both.
  /// Borrowed unchanged when the request has no proxy URL or satellite domain.
  pub fn for_site(&self, site: &super::request::SiteOptions) -> std::borrow::Cow<'_, Instance> {
    let has_proxy = site.proxy_url.as_deref().is_some_and(|p| !p.is_empty());
    let is_production_satellite =
      self.production && site.is_satellite && site.domain.as_deref().is_some_and(|d| !d.is_empty());
    if !has_proxy && !is_production_satellite {
      return std::borrow::Cow::Borrowed(self);
    }
    let mut instance = self.clone();
    let satellite_host = match (&site.domain, self.production && site.is_satellite) {
      (Some(domain), true) if !domain.is_empty() => Some(format!("clerk.{domain}")),
      _ => None,
    };
    if let Some(host) = &satellite_host {
      instance.original_frontend_api = host.clone();
    }
    instance.frontend_api = match site.proxy_url.as_deref().filter(|p| !p.is_empty()) {
      Some(proxy) => proxy.to_string(),
      None => satellite_host.unwrap_or_else(|| self.frontend_api.clone()),
    };
    std::borrow::Cow::Owned(instance)
  }
}

/// `getCookieSuffix`: standard base64 of the SHA-1, `+`→`-`, `/`→`_`, `=` kept, 8 chars.
pub fn cookie_suffix(publishable_key: &str) -> String {
  let sha1 = digest::digest(
    &digest::SHA1_FOR_LEGACY_USE_ONLY,
    publishable_key.as_bytes(),
  );
  STANDARD
    .encode(sha1.as_ref())
    .replace('+', "-")
    .replace('/', "_")
    .chars()
    .take(8)
    .collect()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn cookie_suffixes_match_the_reference_examples() {
    assert_eq!(
      cookie_suffix("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA"),
      "vWCgMp3A"
    );
    assert_eq!(
      cookie_suffix("pk_live_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA"),
      "MqCvchyS"
    );
    assert_eq!(
      cookie_suffix("pk_test_Y2xlcmsuZXhhbXBsZS5jb20k"),
      "l2OS3d9k"
    );
  }
}
