//! `Authenticator`: one per effective configuration (keys, verification and
//! site options). The JS shim keeps it across requests, so that a request
//! passes only what its outcome depends on: the bearer token alone
//! (`authenticateToken`), a few cookie facts (`authenticateCookie`), or the
//! request's facts for the general case (`authenticateSync`, and
//! `authenticate` when the JWKS must be fetched first).

use super::promise::spawn_promise;
use super::{http, pairs};
use crate::authenticate::dispatch;
use crate::authenticate::instance::Instance;
use crate::authenticate::request::{OrgTarget, RequestInput, SiteOptions};
use crate::authenticate::{Notice, Outcome};
use crate::config;
use crate::constants::{BACKEND_USER_AGENT, DEFAULT_API_URL, DEFAULT_API_VERSION};
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
}

/// The result of authenticating one request.
#[napi(object)]
pub struct AuthResult {
  /// `signed-in`, `signed-out`, `handshake`, or `error` (the reference would answer 500).
  pub status: String,
  pub token_type: Option<String>,
  pub reason: Option<String>,
  pub message: Option<String>,
  /// The authenticating token (signed-in).
  pub token: Option<String>,
  /// Verified session claims as JSON text; for machine tokens, the
  /// verification result (see `fromJwt`).
  pub claims: Option<String>,
  /// Machine tokens: `claims` is a JWT payload rather than Backend API JSON.
  pub from_jwt: Option<bool>,
  /// Response headers to append, sorted by name: `[name, value]` pairs.
  pub headers: Option<Vec<Vec<String>>>,
  /// A message to `console.log` (redirect loops).
  pub log: Option<String>,
  /// A message to `console.warn` once per process.
  pub warn_once: Option<String>,
  /// A message to `console.warn`.
  pub warn: Option<String>,
  /// Messages to `console.error`, in order.
  pub errors: Option<Vec<String>>,
  /// `authenticateCookie` only: until when (ms since the epoch) the same
  /// request facts get this same sign-in, as long as `keysEpoch()` still
  /// returns `keysEpoch` (see `dispatch::cookie_lease`).
  pub lease_until: Option<f64>,
  pub keys_epoch: Option<u32>,
}

impl From<Outcome> for AuthResult {
  fn from(outcome: Outcome) -> Self {
    let mut result = AuthResult {
      status: String::new(),
      token_type: None,
      reason: None,
      message: None,
      token: None,
      claims: None,
      from_jwt: None,
      headers: None,
      log: None,
      warn_once: None,
      warn: None,
      errors: None,
      lease_until: None,
      keys_epoch: None,
    };
    result.fill(outcome);
    result
  }
}

impl AuthResult {
  fn fill(&mut self, outcome: Outcome) {
    match outcome {
      Outcome::SignedInSession {
        token,
        payload_text,
        notice,
      } => {
        self.status = "signed-in".into();
        self.token_type = Some("session_token".into());
        self.token = Some(token);
        self.claims = Some(payload_text);
        self.note(notice);
      }
      Outcome::SignedInMachine {
        token_type,
        token,
        data_text,
        from_jwt,
      } => {
        self.status = "signed-in".into();
        self.token_type = Some(token_type.into());
        self.token = Some(token);
        self.claims = Some(data_text);
        self.from_jwt = Some(from_jwt);
      }
      Outcome::SignedOut {
        token_type,
        reason,
        message,
        notice,
      } => {
        self.status = "signed-out".into();
        self.token_type = Some(token_type.into());
        self.reason = Some(reason);
        self.message = Some(message);
        self.note(notice);
      }
      Outcome::Handshake {
        reason,
        message,
        headers,
      } => {
        self.status = "handshake".into();
        self.token_type = Some("session_token".into());
        self.reason = Some(reason);
        self.message = Some(message);
        self.headers = Some(
          headers
            .into_iter()
            .map(|(name, value)| vec![name, value])
            .collect(),
        );
      }
      Outcome::Fatal(message) => {
        self.status = "error".into();
        self.message = Some(message);
      }
      Outcome::WithHeaders(inner, headers) => {
        self.headers = Some(
          headers
            .into_iter()
            .map(|(name, value)| vec![name, value])
            .collect(),
        );
        self.fill(*inner);
      }
      Outcome::AfterErrors(errors, inner) => {
        self.errors.get_or_insert_with(Vec::new).extend(errors);
        self.fill(*inner);
      }
    }
  }

  fn note(&mut self, notice: Option<Notice>) {
    match notice {
      Some(Notice::Log(text)) => self.log = Some(text),
      Some(Notice::WarnOnce(text)) => self.warn_once = Some(text),
      Some(Notice::Warn(text)) => self.warn = Some(text),
      Some(Notice::Error(text)) => self.errors.get_or_insert_with(Vec::new).push(text),
      None => {}
    }
  }
}

/// The request facts the state machine reads (missing headers are absent).
#[napi(object)]
pub struct RequestInfo {
  pub method: String,
  /// `req.originalUrl || req.url`.
  pub url: String,
  /// The connection is TLS.
  pub encrypted: Option<bool>,
  pub host: Option<String>,
  pub forwarded_host: Option<String>,
  pub forwarded_proto: Option<String>,
  pub sec_fetch_dest: Option<String>,
  pub accept: Option<String>,
  pub referer: Option<String>,
  pub cookie: Option<String>,
  pub user_agent: Option<String>,
  /// Every header as `[name, value]`, sorted; only sent when a session
  /// refresh may be due (the refresh call forwards them).
  pub all_headers: Option<Vec<Vec<String>>>,
  /// Absolute proxy URL, if any (relative ones already resolved).
  pub proxy_url: Option<String>,
  pub domain: Option<String>,
  pub is_satellite: Option<bool>,
  pub sign_in_url: Option<String>,
  pub satellite_auto_sync: Option<bool>,
  /// `organization` or `personalAccount`: what `organizationSyncOptions`
  /// matched in the URL (the shim evaluates the patterns).
  pub org_target_type: Option<String>,
  pub org_target_id: Option<String>,
  pub org_target_slug: Option<String>,
}

impl From<RequestInfo> for RequestInput {
  fn from(info: RequestInfo) -> Self {
    RequestInput {
      site: SiteOptions {
        proxy_url: info.proxy_url.filter(|v| !v.is_empty()),
        domain: info.domain.filter(|v| !v.is_empty()),
        is_satellite: info.is_satellite.unwrap_or(false),
        sign_in_url: info.sign_in_url.filter(|v| !v.is_empty()),
        satellite_auto_sync: info.satellite_auto_sync.unwrap_or(false),
        org_target: match info.org_target_type.as_deref() {
          Some("organization") => Some(OrgTarget::Organization {
            id: info.org_target_id,
            slug: info.org_target_slug,
          }),
          Some("personalAccount") => Some(OrgTarget::PersonalAccount),
          _ => None,
        },
      },
      method: info.method,
      url: info.url,
      encrypted: info.encrypted.unwrap_or(false),
      host: info.host,
      forwarded_host: info.forwarded_host,
      forwarded_proto: info.forwarded_proto,
      sec_fetch_dest: info.sec_fetch_dest,
      accept: info.accept,
      referer: info.referer,
      cookie: info.cookie,
      user_agent: info.user_agent,
      all_headers: info.all_headers.map(pairs),
    }
  }
}

#[napi]
pub struct Authenticator {
  options: Arc<VerifyOptions>,
  instance: Arc<Instance>,
  config_error: Option<String>,
  id: u32,
}

impl Drop for Authenticator {
  fn drop(&mut self) {
    super::fast_path::unregister(self.id);
  }
}

#[napi]
impl Authenticator {
  #[napi(constructor)]
  pub fn new(options: AuthenticatorOptions) -> Self {
    let secret_key = options.secret_key.filter(|s| !s.is_empty());
    let publishable_key = options.publishable_key.unwrap_or_default();
    let parsed = config::parse_publishable_key(&publishable_key);
    let instance = parsed
      .as_ref()
      .map(|pk| {
        let user_agent = options
          .user_agent
          .clone()
          .unwrap_or_else(|| BACKEND_USER_AGENT.into());
        Instance::new(
          &publishable_key,
          pk,
          user_agent,
          options.client_secret_key.clone().filter(|k| !k.is_empty()),
        )
      })
      .unwrap_or_default();
    // The reference checks the publishable key first, then the secret key.
    let config_error = parsed.err().or_else(|| {
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
      machine_secret_key: options.machine_secret_key.filter(|k| !k.is_empty()),
      machine_token_cache_ttl_ms: options
        .machine_token_cache_ttl_ms
        .filter(|t| t.is_finite() && *t > 0.0),
      token_cache: options.session_token_cache.unwrap_or(true),
      ..Default::default()
    };
    let options = Arc::new(verify_options);
    Authenticator {
      id: super::fast_path::register(options.clone()),
      options,
      instance: Arc::new(instance),
      config_error,
    }
  }

  /// For `authenticateCachedToken(id, token)`, the cache-hit fast path.
  #[napi(getter)]
  pub fn id(&self) -> u32 {
    self.id
  }

  /// The error the reference throws for this configuration (missing or invalid
  /// keys), checked before any request is looked at.
  #[napi(getter)]
  pub fn config_error(&self) -> Option<String> {
    self.config_error.clone()
  }

  /// The bearer fast path: only the token crosses into Rust. A string is the
  /// claims (JSON text) of a signed-in session token, the common case, bare
  /// to spare building an object; an object is any other decided outcome;
  /// `null` means the outcome needs the request facts or a JWKS fetch: call
  /// `authenticateSync`.
  #[napi(catch_unwind, ts_return_type = "string | AuthResult | null")]
  pub fn authenticate_token(&self, token: String) -> Option<Either<String, AuthResult>> {
    let outcome = crate::authenticate::header::authenticate_token_only(
      &token,
      &self.options,
      crate::clock::now_ms(),
    )?;
    Some(match outcome {
      Outcome::SignedInSession {
        payload_text,
        notice: None,
        ..
      } => Either::A(payload_text),
      other => Either::B(AuthResult::from(other)),
    })
  }

  /// Fetches the JWKS this configuration verifies with (and starts the HTTP
  /// client), so that the first request finds the keys in memory. Resolves
  /// to `null`, or to the message of the failure; nothing to fetch with a
  /// `jwtKey` or without a secret key.
  #[napi(ts_return_type = "Promise<string | null>")]
  pub fn prefetch_jwks<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Option<String>>> {
    let options = self.options.clone();
    spawn_promise(env, async move {
      let has_jwt_key = options.jwt_key.is_some();
      let Some(source) = options.jwks_source().filter(|_| !has_jwt_key) else {
        return Ok(None);
      };
      let client = http::client();
      Ok(match source.prefetch(client).await {
        Ok(()) => None,
        Err(crate::errors::Failure::Token(err)) => Some(err.message),
        Err(
          crate::errors::Failure::Unexpected(message) | crate::errors::Failure::Fatal(message),
        ) => Some(message),
      })
    })
  }

  /// The cookie fast path: a few strings instead of the whole request. Only a
  /// plain sign-in is answered; `null` means: call `authenticateSync`. Not for
  /// satellites or organization sync (their options are not passed here).
  #[napi(catch_unwind)]
  pub fn authenticate_cookie(
    &self,
    method: String,
    url: String,
    cookie: String,
    sec_fetch_dest: Option<String>,
    referer: Option<String>,
  ) -> Option<AuthResult> {
    let input = RequestInput {
      method,
      url,
      cookie: Some(cookie),
      sec_fetch_dest,
      referer,
      ..Default::default()
    };
    let now_ms = crate::clock::now_ms();
    let outcome =
      dispatch::authenticate_cookie_fast(&input, &self.instance, &self.options, now_ms)?;
    let lease = dispatch::cookie_lease(&outcome, &self.options, now_ms);
    let mut result = AuthResult::from(outcome);
    if let Some((until_ms, keys_epoch)) = lease {
      result.lease_until = Some(until_ms);
      result.keys_epoch = Some(keys_epoch);
    }
    Some(result)
  }

  /// Authenticates from memory; `null` means the JWKS must be fetched first
  /// (call `authenticate`). `token` is the header token, if any.
  #[napi(catch_unwind)]
  pub fn authenticate_sync(
    &self,
    token: Option<String>,
    request: RequestInfo,
  ) -> Option<AuthResult> {
    let input = RequestInput::from(request);
    dispatch::authenticate_sync(
      token.as_deref(),
      &input,
      &self.instance,
      &self.options,
      crate::clock::now_ms(),
    )
    .map(AuthResult::from)
  }

  /// Authenticates, fetching the JWKS when needed.
  #[napi(ts_return_type = "Promise<AuthResult>")]
  pub fn authenticate<'env>(
    &self,
    env: &'env Env,
    token: Option<String>,
    request: RequestInfo,
  ) -> Result<PromiseRaw<'env, AuthResult>> {
    let (options, instance) = (self.options.clone(), self.instance.clone());
    let input = RequestInput::from(request);
    spawn_promise(env, async move {
      let outcome = dispatch::authenticate(
        http::client(),
        token.as_deref(),
        &input,
        &instance,
        &options,
      )
      .await;
      Ok(AuthResult::from(outcome))
    })
  }
}

/// `clerkUrl` of a request, for option functions (`domain`, `isSatellite`,
/// `proxyUrl`) that receive it.
#[napi(catch_unwind)]
pub fn derive_clerk_url(request: RequestInfo) -> Option<String> {
  crate::authenticate::request::clerk_url(&RequestInput::from(request)).map(|url| url.to_string())
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
  let options = Authenticator::new(options).options.clone();
  spawn_promise(env, async move {
    let result = crate::jwt::verify::verify(http::client(), &token, &options).await;
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
