//! One `Authenticator` per effective configuration: the options as the user
//! gave them, normalised here once (the defaults live in this file and
//! nowhere else), the instance they describe, and the configuration error
//! the reference would throw before looking at a request.

use crate::authenticate::instance::Instance;
use crate::authenticate::request::RequestInput;
use crate::authenticate::{bearer, dispatch, Outcome};
use crate::config;
use crate::constants::{BACKEND_USER_AGENT, DEFAULT_API_URL, DEFAULT_API_VERSION};
use crate::errors::Failure;
use crate::http_client::api_client;
use crate::jwt::verify::{self, VerifyOptions};
use std::sync::Arc;

/// The reference's default `clockSkewInMs`.
const DEFAULT_CLOCK_SKEW_MS: f64 = 5000.0;

/// The options as the user gave them (after the environment fallbacks the
/// shim applies), lists already flattened to strings. Empty strings count
/// as absent, as `||` does in the reference.
#[derive(Debug, Clone, Default)]
pub struct UserOptions {
  pub secret_key: Option<String>,
  pub publishable_key: Option<String>,
  /// PEM public key for networkless verification.
  pub jwt_key: Option<String>,
  pub api_url: Option<String>,
  pub api_version: Option<String>,
  pub skip_jwks_cache: Option<bool>,
  pub audience: Vec<String>,
  pub authorized_parties: Vec<String>,
  pub issuer: Vec<String>,
  /// Allowed `typ` values; absent means the default (`JWT` or none).
  pub header_type: Option<Vec<String>>,
  pub clock_skew_in_ms: Option<f64>,
  /// User-Agent of the client's own Backend API calls.
  pub user_agent: Option<String>,
  pub machine_secret_key: Option<String>,
  /// Reuse successful opaque machine-token verifications this long (ms); off by default.
  pub machine_token_cache_ttl_ms: Option<f64>,
  /// The secret key the client was built with, which its own Backend API
  /// calls (handshake payloads) use, whatever the per-request key is.
  pub client_secret_key: Option<String>,
  /// Reuse successful session-token verifications (on unless `false`).
  pub session_token_cache: Option<bool>,
  /// Keep verifying with the last JWKS this long (ms) past its lifetime
  /// while it cannot be refreshed; off by default.
  pub jwks_stale_if_error_ms: Option<f64>,
}

pub struct Authenticator {
  pub options: Arc<VerifyOptions>,
  pub instance: Arc<Instance>,
  /// The error the reference throws for this configuration (missing or
  /// invalid keys), checked before any request is looked at.
  pub config_error: Option<String>,
}

fn given(value: Option<String>) -> Option<String> {
  value.filter(|v| !v.is_empty())
}

impl Authenticator {
  pub fn new(user: UserOptions) -> Authenticator {
    let secret_key = given(user.secret_key);
    let publishable_key = user.publishable_key.unwrap_or_default();
    let parsed = config::parse_publishable_key(&publishable_key);
    let instance = parsed
      .as_ref()
      .map(|pk| {
        let user_agent = given(user.user_agent).unwrap_or_else(|| BACKEND_USER_AGENT.into());
        Instance::new(
          &publishable_key,
          pk,
          user_agent,
          given(user.client_secret_key),
        )
      })
      .unwrap_or_default();
    // The reference checks the publishable key first, then the secret key.
    let config_error = parsed.err().or_else(|| {
      secret_key
        .is_none()
        .then(|| config::MISSING_SECRET_KEY.to_string())
    });
    let options = VerifyOptions {
      jwt_key: given(user.jwt_key),
      secret_key,
      api_url: given(user.api_url).unwrap_or_else(|| DEFAULT_API_URL.into()),
      api_version: given(user.api_version).unwrap_or_else(|| DEFAULT_API_VERSION.into()),
      skip_jwks_cache: user.skip_jwks_cache.unwrap_or(false),
      audience: without_empty(user.audience),
      authorized_parties: user.authorized_parties,
      issuer: without_empty(user.issuer),
      header_type: user.header_type,
      clock_skew_ms: user
        .clock_skew_in_ms
        .filter(|s| s.is_finite())
        .unwrap_or(DEFAULT_CLOCK_SKEW_MS),
      machine_secret_key: given(user.machine_secret_key),
      machine_token_cache_ttl_ms: user
        .machine_token_cache_ttl_ms
        .filter(|t| t.is_finite() && *t > 0.0),
      token_cache: user.session_token_cache.unwrap_or(true),
      jwks_stale_if_error_ms: user
        .jwks_stale_if_error_ms
        .filter(|ms| ms.is_finite() && *ms > 0.0)
        .unwrap_or(0.0),
      ..Default::default()
    };
    Authenticator {
      options: Arc::new(options),
      instance: Arc::new(instance),
      config_error,
    }
  }
}

impl Authenticator {
  /// A bearer token alone: its outcome when the token decides it from
  /// memory, with the lease on a sign-in if any (see
  /// `dispatch::sign_in_lease`); `None` when the JWKS must be fetched or
  /// the outcome depends on the rest of the request (then ask
  /// `authenticate_sync`).
  pub fn authenticate_bearer(
    &self,
    token: &str,
    now_ms: f64,
  ) -> Option<(Outcome, Option<(f64, u32)>)> {
    // A token verified before (the common case) takes one cache lookup for
    // both its claims and its lease.
    if let Some(hit) = verify::cached_session_hit(token, &self.options, now_ms) {
      let signed_in = Outcome::SignedInSession {
        token: token.into(),
        payload_text: hit.payload_text,
        notices: Vec::new(),
      };
      return Some((
        signed_in,
        hit.lease_until_ms.map(|until| (until, hit.keys_epoch)),
      ));
    }
    let outcome = bearer::authenticate_sync(token, &self.options, None, now_ms)?;
    let lease = dispatch::sign_in_lease(&outcome, &self.options, now_ms);
    Some((outcome, lease))
  }

  /// A browser session from the facts the cookie path reads (method, URL,
  /// cookies, `Sec-Fetch-Dest`, `Referer`): a plain sign-in, with the lease
  /// on it if any (see `dispatch::sign_in_lease`); `None` for anything else
  /// (then ask `authenticate_sync`).
  pub fn authenticate_browser_session(
    &self,
    input: &RequestInput,
    now_ms: f64,
  ) -> Option<(Outcome, Option<(f64, u32)>)> {
    let outcome =
      dispatch::authenticate_browser_session(input, &self.instance, &self.options, now_ms)?;
    let lease = dispatch::sign_in_lease(&outcome, &self.options, now_ms);
    Some((outcome, lease))
  }

  /// Any request, from memory; `None` when the network is needed (JWKS,
  /// handshake, refresh, machine token): then `authenticate`.
  pub fn authenticate_sync(
    &self,
    token: Option<&str>,
    input: &RequestInput,
    now_ms: f64,
  ) -> Option<Outcome> {
    dispatch::authenticate_sync(token, input, &self.instance, &self.options, now_ms)
  }

  /// Any request, fetching what it needs.
  pub async fn authenticate(&self, token: Option<&str>, input: &RequestInput) -> Outcome {
    dispatch::authenticate(api_client(), token, input, &self.instance, &self.options).await
  }

  /// Fetches the JWKS this configuration verifies with, so that the first
  /// request finds the keys in memory: `None`, or the failure's message.
  /// Nothing to fetch with a `jwtKey` or without a secret key.
  pub async fn prefetch_jwks(&self) -> Option<String> {
    if self.options.jwt_key.is_some() {
      return None;
    }
    let source = self.options.jwks_source()?;
    match source.prefetch(api_client()).await {
      Ok(()) => None,
      Err(Failure::Token(err)) => Some(err.message),
      Err(Failure::Unexpected(message) | Failure::Fatal(message)) => Some(message),
    }
  }
}

/// `audience` and `issuer` are read as `[value].flat().filter(Boolean)`.
fn without_empty(list: Vec<String>) -> Vec<String> {
  list.into_iter().filter(|v| !v.is_empty()).collect()
}

#[cfg(test)]
mod tests {
  use super::*;

  const PK: &str = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k";

  #[test]
  fn defaults_are_decided_here() {
    let authenticator = Authenticator::new(UserOptions {
      secret_key: Some("sk_test_x".into()),
      publishable_key: Some(PK.into()),
      ..Default::default()
    });
    let options = &authenticator.options;
    assert_eq!(options.api_url, DEFAULT_API_URL);
    assert_eq!(options.api_version, DEFAULT_API_VERSION);
    assert_eq!(options.clock_skew_ms, 5000.0);
    assert!(options.token_cache);
    assert!(!options.skip_jwks_cache);
    assert_eq!(options.header_type, None);
    assert_eq!(authenticator.config_error, None);
    assert_eq!(authenticator.instance.frontend_api, "clerk.example.com");
    assert_eq!(authenticator.instance.api_user_agent, BACKEND_USER_AGENT);
  }

  #[test]
  fn empty_strings_and_non_finite_numbers_count_as_absent() {
    let authenticator = Authenticator::new(UserOptions {
      secret_key: Some("sk_test_x".into()),
      publishable_key: Some(PK.into()),
      jwt_key: Some(String::new()),
      api_url: Some(String::new()),
      clock_skew_in_ms: Some(f64::NAN),
      machine_token_cache_ttl_ms: Some(-1.0),
      audience: vec!["".into(), "a".into()],
      ..Default::default()
    });
    let options = &authenticator.options;
    assert_eq!(options.jwt_key, None);
    assert_eq!(options.api_url, DEFAULT_API_URL);
    assert_eq!(options.clock_skew_ms, 5000.0);
    assert_eq!(options.machine_token_cache_ttl_ms, None);
    assert_eq!(options.audience, vec!["a".to_string()]);
  }

  #[test]
  fn the_publishable_key_is_checked_before_the_secret_key() {
    let neither = Authenticator::new(UserOptions::default());
    assert!(neither
      .config_error
      .unwrap()
      .starts_with("Publishable key is missing."));
    let no_secret = Authenticator::new(UserOptions {
      publishable_key: Some(PK.into()),
      secret_key: Some(String::new()),
      ..Default::default()
    });
    assert_eq!(
      no_secret.config_error.as_deref(),
      Some(config::MISSING_SECRET_KEY)
    );
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn with_jwks_stale_if_error_sign_ins_continue_while_the_api_is_down() {
    use crate::clock::test_clock;
    use crate::test_support::{now_s, one_shot_server, session_claims, TestKey};
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_authenticator_stale");
    let jwks = serde_json::json!({ "keys": [key.jwk()] }).to_string();
    let claims = |jti: &str| {
      let mut claims = session_claims(now_s());
      claims["iss"] = "https://clerk.example.com".into();
      claims["jti"] = jti.into();
      claims
    };
    for (stale_ms, signed_in_later) in [(Some(600_000.0), true), (None, false)] {
      let authenticator = Authenticator::new(UserOptions {
        secret_key: Some(format!("sk_test_stale_{}", signed_in_later)),
        publishable_key: Some(PK.into()),
        api_url: Some(one_shot_server(jwks.clone())),
        jwks_stale_if_error_ms: stale_ms,
        ..Default::default()
      });
      let input = RequestInput::default();
      let first = key.sign(serde_json::json!({}), claims("first"));
      let outcome = authenticator.authenticate(Some(&first), &input).await;
      assert!(
        matches!(outcome, Outcome::SignedInSession { .. }),
        "{outcome:?}"
      );
      // The API is down, and the keys' five minutes are over: a new token.
      test_clock::advance(crate::constants::JWKS_CACHE_TTL_MS + 1_000.0);
      let later = key.sign(serde_json::json!({}), claims("later"));
      let outcome = authenticator.authenticate(Some(&later), &input).await;
      test_clock::advance(-(crate::constants::JWKS_CACHE_TTL_MS + 1_000.0));
      if signed_in_later {
        assert!(
          matches!(outcome, Outcome::SignedInSession { .. }),
          "{outcome:?}"
        );
      } else {
        assert!(matches!(outcome, Outcome::SignedOut { .. }), "{outcome:?}");
      }
    }
  }
}
