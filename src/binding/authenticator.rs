//! `Authenticator`: one per effective configuration (keys and verification
//! options). The JS shim keeps it across requests, so the per-request call
//! passes only the token and two booleans.

use super::{http, panic};
use crate::authenticate::header::{self, RequestFacts};
use crate::authenticate::Outcome;
use crate::config;
use crate::constants::{DEFAULT_API_URL, DEFAULT_API_VERSION};
use crate::jwt::verify::VerifyOptions;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Arc;

/// Verification options, normalised by the shim (lists flattened).
#[napi(object)]
#[derive(Default)]
pub struct AuthenticatorOptions {
  pub secret_key: Option<String>,
  pub publishable_key: Option<String>,
  /// PEM public key for networkless verification.
  pub jwt_key: Option<String>,
  pub api_url: Option<String>,
  pub api_version: Option<String>,
  pub skip_jwks_cache: Option<bool>,
  pub audience: Option<Vec<String>>,
  pub authorized_parties: Option<Vec<String>>,
  pub issuer: Option<Vec<String>>,
  /// Allowed `typ` values; absent means the default (`JWT` or none).
  pub header_type: Option<Vec<String>>,
  pub clock_skew_in_ms: Option<f64>,
}

/// The result of authenticating one request.
#[napi(object)]
pub struct AuthResult {
  /// `signed-in`, `signed-out`, or `error` (the reference would answer 500).
  pub status: String,
  pub token_type: Option<String>,
  pub reason: Option<String>,
  pub message: Option<String>,
  /// Verified session claims as JSON text.
  pub claims: Option<String>,
}

impl From<Outcome> for AuthResult {
  fn from(outcome: Outcome) -> Self {
    match outcome {
      Outcome::SignedInSession { payload_text } => AuthResult {
        status: "signed-in".into(),
        token_type: Some("session_token".into()),
        reason: None,
        message: None,
        claims: Some(payload_text),
      },
      Outcome::SignedOut {
        token_type,
        reason,
        message,
      } => AuthResult {
        status: "signed-out".into(),
        token_type: Some(token_type.into()),
        reason: Some(reason),
        message: Some(message),
        claims: None,
      },
      Outcome::Fatal(message) => AuthResult {
        status: "error".into(),
        token_type: None,
        reason: None,
        message: Some(message),
        claims: None,
      },
    }
  }
}

#[napi]
pub struct Authenticator {
  options: Arc<VerifyOptions>,
  config_error: Option<String>,
  /// A `pk_live_` key: production rules on the cookie path.
  production: bool,
}

#[napi]
impl Authenticator {
  #[napi(constructor)]
  pub fn new(options: AuthenticatorOptions) -> Self {
    let secret_key = options.secret_key.filter(|s| !s.is_empty());
    // The reference checks the publishable key first, then the secret key.
    let publishable_key =
      config::parse_publishable_key(options.publishable_key.as_deref().unwrap_or_default());
    let production = publishable_key.as_ref().is_ok_and(|pk| pk.production);
    let config_error = publishable_key.err().or_else(|| {
      secret_key
        .is_none()
        .then(|| config::MISSING_SECRET_KEY.to_string())
    });
    let clock_skew_ms = options
      .clock_skew_in_ms
      .filter(|s| s.is_finite())
      .unwrap_or(5000.0);
    let verify_options = VerifyOptions {
      jwt_key: options.jwt_key.filter(|k| !k.is_empty()),
      secret_key,
      api_url: options
        .api_url
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| DEFAULT_API_URL.into()),
      api_version: options
        .api_version
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_API_VERSION.into()),
      skip_jwks_cache: options.skip_jwks_cache.unwrap_or(false),
      audience: options.audience.unwrap_or_default(),
      authorized_parties: options.authorized_parties.unwrap_or_default(),
      issuer: options.issuer.unwrap_or_default(),
      header_type: options.header_type,
      clock_skew_ms,
    };
    Authenticator {
      options: Arc::new(verify_options),
      config_error,
      production,
    }
  }

  /// The error the reference throws for this configuration (missing or invalid
  /// keys), checked before any request is looked at.
  #[napi(getter)]
  pub fn config_error(&self) -> Option<String> {
    self.config_error.clone()
  }

  /// Authenticates a header token from memory; `null` means the JWKS must be
  /// fetched first (call `authenticateHeader`).
  #[napi(catch_unwind)]
  pub fn authenticate_header_sync(
    &self,
    token: String,
    is_get: bool,
    has_refresh_cookie: bool,
  ) -> Option<AuthResult> {
    let facts = RequestFacts {
      is_get,
      has_refresh_cookie,
    };
    header::authenticate_sync(&token, &self.options, facts, crate::clock::now_ms())
      .map(AuthResult::from)
  }

  /// Authenticates a header token, fetching the JWKS when needed.
  #[napi(ts_return_type = "Promise<AuthResult>")]
  pub fn authenticate_header<'env>(
    &self,
    env: &'env Env,
    token: String,
    is_get: bool,
    has_refresh_cookie: bool,
  ) -> Result<PromiseRaw<'env, AuthResult>> {
    let options = self.options.clone();
    let facts = RequestFacts {
      is_get,
      has_refresh_cookie,
    };
    env.spawn_future(async move {
      let outcome = panic::catch_async(async move {
        header::authenticate(http::client(), &token, &options, facts).await
      })
      .await?;
      Ok(AuthResult::from(outcome))
    })
  }
}

/// Forgets every cached JWKS, so the next verification fetches again.
#[napi]
pub fn clear_jwks_cache() {
  crate::keys::jwks::clear_cache();
}

/// Cookie-path inputs extracted by the shim.
#[napi(object)]
pub struct CookieRequest {
  pub session_cookie: Option<String>,
  pub client_uat: Option<String>,
  pub dev_browser_in_query: bool,
  pub dev_browser_cookie: Option<String>,
}

#[napi]
impl Authenticator {
  /// Authenticates a request that carries no header token.
  #[napi(catch_unwind)]
  pub fn authenticate_cookies(&self, request: CookieRequest) -> AuthResult {
    let facts = crate::authenticate::cookie::CookieFacts {
      production: self.production,
      session_cookie: request.session_cookie.as_deref(),
      client_uat: request.client_uat.as_deref(),
      dev_browser_in_query: request.dev_browser_in_query,
      dev_browser_cookie: request.dev_browser_cookie.as_deref(),
    };
    crate::authenticate::cookie::authenticate(&facts).into()
  }
}

/// The outcome of `verifyToken`: claims, or the `TokenVerificationError` fields.
#[napi(object)]
pub struct VerifyTokenResult {
  pub claims: Option<String>,
  pub reason: Option<String>,
  pub message: Option<String>,
  pub action: Option<String>,
  /// A non-verification error (network, malformed JWKS): its message.
  pub unexpected: Option<String>,
}

/// `verifyToken(token, options)`: verification only, no request context.
#[napi(ts_return_type = "Promise<VerifyTokenResult>")]
pub fn verify_session_token<'env>(
  env: &'env Env,
  token: String,
  options: AuthenticatorOptions,
) -> Result<PromiseRaw<'env, VerifyTokenResult>> {
  let options = Authenticator::new(options).options;
  env.spawn_future(async move {
    let result = panic::catch_async(async move {
      crate::jwt::verify::verify(http::client(), &token, &options).await
    })
    .await?;
    let empty = VerifyTokenResult {
      claims: None,
      reason: None,
      message: None,
      action: None,
      unexpected: None,
    };
    Ok(match result {
      Ok(verified) => VerifyTokenResult {
        claims: Some(verified.payload_text),
        ..empty
      },
      Err(crate::errors::Failure::Token(err)) => VerifyTokenResult {
        reason: Some(err.reason.into()),
        message: Some(err.message),
        action: err.action.map(str::to_string),
        ..empty
      },
      Err(crate::errors::Failure::Unexpected(message))
      | Err(crate::errors::Failure::Fatal(message)) => VerifyTokenResult {
        unexpected: Some(message),
        ..empty
      },
    })
  })
}
