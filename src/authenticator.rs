//! `Authenticator`: one per effective configuration (keys, verification and
//! site options). The JS shim keeps it across requests and asks one of three
//! questions, passing only what the answer depends on: a bearer token alone
//! (`authenticateBearer`), a browser session's five facts
//! (`authenticateBrowserSession`), or any request (`authenticateRequest`,
//! synchronous when everything is in memory, else a promise).

use crate::debug_context::DebugContext;
use crate::diagnostics::{call_events, DiagnosticEvent};
use crate::pairs;
use crate::promise::spawn_promise;
use clerk_core::authenticate::debug_context;
use clerk_core::authenticate::request::{OrgTarget, RequestInput, SiteOptions};
use clerk_core::authenticate::{Notice, Outcome};
use clerk_core::authenticator::UserOptions;
use clerk_core::clock;
use clerk_core::events;
use clerk_core::http_client::api_client;
use clerk_core::jwt::verify;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::sync::Arc;

/// The options as the user gave them, lists flattened (see `UserOptions`).
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
  /// Keep verifying with the last JWKS this long (ms) past its lifetime
  /// while it cannot be refreshed; off by default.
  pub jwks_stale_if_error_ms: Option<f64>,
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
  /// `authenticateBrowserSession` only: until when (ms since the epoch) the
  /// same request facts get this same sign-in, as long as `keysEpoch()`
  /// still returns `keysEpoch` (see `dispatch::sign_in_lease`).
  pub lease_until: Option<f64>,
  pub keys_epoch: Option<u32>,
  /// What this authentication recorded while it waited for the network
  /// (JWKS fetches, Backend API attempts), while the diagnostics channels are observed.
  pub events: Option<Vec<DiagnosticEvent>>,
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
      events: None,
    };
    result.fill(outcome);
    result
  }
}

impl AuthResult {
  /// The result with its lease, if any: until `leaseUntil` (ms since the
  /// epoch) the same question gets this same sign-in, as long as
  /// `keysEpoch()` still returns `keysEpoch`.
  fn leased(outcome: Outcome, lease: Option<(f64, u32)>) -> Self {
    let mut result = AuthResult::from(outcome);
    if let Some((until_ms, keys_epoch)) = lease {
      result.lease_until = Some(until_ms);
      result.keys_epoch = Some(keys_epoch);
    }
    result
  }

  fn fill(&mut self, outcome: Outcome) {
    match outcome {
      Outcome::SignedInSession {
        token,
        payload_text,
        notices,
      } => {
        self.status = "signed-in".into();
        self.token_type = Some("session_token".into());
        self.token = Some(token);
        self.claims = Some(payload_text);
        self.note(notices);
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
        notices,
      } => {
        self.status = "signed-out".into();
        self.token_type = Some(token_type.into());
        self.reason = Some(reason);
        self.message = Some(message);
        self.note(notices);
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

  fn note(&mut self, notices: Vec<Notice>) {
    for notice in notices {
      match notice {
        Notice::Log(text) => self.log = Some(text),
        Notice::WarnOnce(text) => self.warn_once = Some(text),
        Notice::Warn(text) => self.warn = Some(text),
        Notice::Error(text) => self.errors.get_or_insert_with(Vec::new).push(text),
      }
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
      all_headers: None,
    }
  }
}

#[napi]
pub struct Authenticator {
  inner: Arc<clerk_core::authenticator::Authenticator>,
}

impl From<AuthenticatorOptions> for UserOptions {
  fn from(options: AuthenticatorOptions) -> Self {
    UserOptions {
      secret_key: options.secret_key,
      publishable_key: options.publishable_key,
      jwt_key: options.jwt_key,
      api_url: options.api_url,
      api_version: options.api_version,
      skip_jwks_cache: options.skip_jwks_cache,
      audience: options.audience.unwrap_or_default(),
      authorized_parties: options.authorized_parties.unwrap_or_default(),
      issuer: options.issuer.unwrap_or_default(),
      header_type: options.header_type,
      clock_skew_in_ms: options.clock_skew_in_ms,
      user_agent: options.user_agent,
      machine_secret_key: options.machine_secret_key,
      machine_token_cache_ttl_ms: options.machine_token_cache_ttl_ms,
      client_secret_key: options.client_secret_key,
      session_token_cache: options.session_token_cache,
      jwks_stale_if_error_ms: options.jwks_stale_if_error_ms,
    }
  }
}

#[napi]
impl Authenticator {
  #[napi(constructor)]
  pub fn new(options: AuthenticatorOptions) -> Self {
    Authenticator {
      inner: Arc::new(clerk_core::authenticator::Authenticator::new(
        options.into(),
      )),
    }
  }

  /// The error the reference throws for this configuration (missing or invalid
  /// keys), checked before any request is looked at.
  #[napi(getter)]
  pub fn config_error(&self) -> Option<String> {
    self.inner.config_error.clone()
  }

  /// A bearer token alone. A string is the claims (JSON text) of a plain
  /// session sign-in, the common case, bare because a result object costs
  /// more than the rest of the call; its lease is written into `lease` as
  /// `[until, keysEpoch]` (`until` 0: no lease; see `AuthResult`). An object
  /// is any other decided outcome. `null`: the outcome needs the rest of the
  /// request or the network; ask `authenticateRequest`.
  #[napi(catch_unwind, ts_return_type = "string | AuthResult | null")]
  pub fn authenticate_bearer(
    &self,
    token: String,
    mut lease: Float64ArraySlice<'_>,
  ) -> Option<Either<String, AuthResult>> {
    let (outcome, offered) = self.inner.authenticate_bearer(&token, clock::now_ms())?;
    Some(match outcome {
      Outcome::SignedInSession {
        payload_text,
        notices,
        ..
      } if notices.is_empty() => {
        let (until, epoch) = offered.unwrap_or((0.0, 0));
        // SAFETY: the array is the caller's, read by nothing else during
        // this synchronous call on its thread.
        if let [until_slot, epoch_slot, ..] = unsafe { lease.as_mut() } {
          (*until_slot, *epoch_slot) = (until, f64::from(epoch));
        }
        Either::A(payload_text)
      }
      other => Either::B(AuthResult::from(other)),
    })
  }

  /// A browser session, from the five facts the cookie path reads. Only a
  /// plain sign-in is answered; `null`: ask `authenticateRequest`. Not for
  /// satellites or organization sync (their options are not passed here).
  #[napi(catch_unwind)]
  pub fn authenticate_browser_session(
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
    let (outcome, lease) = self
      .inner
      .authenticate_browser_session(&input, clock::now_ms())?;
    Some(AuthResult::leased(outcome, lease))
  }

  /// Any request: the result when everything it needs is in memory, else a
  /// promise of it (a JWKS fetch, a handshake, a refresh, a machine token).
  /// `token` is the Authorization header's token, if any. `allHeaders`
  /// gives every request header as `[name, value]`, sorted: it is called
  /// only when the network is needed (a session refresh forwards them).
  #[napi(
    catch_unwind,
    ts_args_type = "token: string | undefined | null, request: RequestInfo, allHeaders?: () => Array<Array<string>>",
    ts_return_type = "AuthResult | Promise<AuthResult>"
  )]
  pub fn authenticate_request<'env>(
    &self,
    env: &'env Env,
    token: Option<String>,
    request: RequestInfo,
    all_headers: Option<Function<'env, (), Vec<Vec<String>>>>,
  ) -> Result<Either<AuthResult, PromiseRaw<'env, AuthResult>>> {
    let mut input = RequestInput::from(request);
    let now_ms = clock::now_ms();
    if let Some(outcome) = self
      .inner
      .authenticate_sync(token.as_deref(), &input, now_ms)
    {
      return Ok(Either::A(AuthResult::from(outcome)));
    }
    if let Some(all_headers) = all_headers {
      input.all_headers = Some(pairs(all_headers.call(())?));
    }
    let inner = self.inner.clone();
    let promise = spawn_promise(env, async move {
      let (outcome, recorded) = events::collect(inner.authenticate(token.as_deref(), &input)).await;
      let mut result = AuthResult::from(outcome);
      result.events = call_events(recorded);
      Ok(result)
    })?;
    Ok(Either::B(promise))
  }

  /// Fetches the JWKS this configuration verifies with (and starts the HTTP
  /// client), so that the first request finds the keys in memory. Resolves
  /// to `null`, or to the message of the failure; nothing to fetch with a
  /// `jwtKey` or without a secret key.
  #[napi(ts_return_type = "Promise<string | null>")]
  pub fn prefetch_jwks<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Option<String>>> {
    let inner = self.inner.clone();
    spawn_promise(env, async move { Ok(inner.prefetch_jwks().await) })
  }

  /// The request's side of `debug()`: only `debug()` asks.
  #[napi(catch_unwind)]
  pub fn debug_context(&self, request: RequestInfo) -> DebugContext {
    let input = RequestInput::from(request);
    debug_context::debug_context(&input, &self.inner.instance).into()
  }
}

/// The current keys epoch: a lease (`leaseUntil`, `keysEpoch` of an
/// `AuthResult`) holds while this still returns its `keysEpoch`.
#[napi]
pub fn keys_epoch() -> u32 {
  clerk_core::keys::jwks::keys_epoch()
}

/// `clerkUrl` of a request, for option functions (`domain`, `isSatellite`,
/// `proxyUrl`) that receive it.
#[napi(catch_unwind)]
pub fn derive_clerk_url(request: RequestInfo) -> Option<String> {
  clerk_core::authenticate::request::clerk_url(&RequestInput::from(request))
    .map(|url| url.to_string())
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
  let options = clerk_core::authenticator::Authenticator::new(options.into()).options;
  spawn_promise(env, async move {
    let result = verify::verify(api_client(), &token, &options).await;
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
      Err(clerk_core::errors::Failure::Token(err)) => VerifyTokenResult {
        reason: Some(err.reason.into()),
        message: Some(err.message),
        action: err.action.map(str::to_string),
        ..empty
      },
      Err(clerk_core::errors::Failure::Unexpected(message))
      | Err(clerk_core::errors::Failure::Fatal(message)) => VerifyTokenResult {
        unexpected: Some(message),
        ..empty
      },
    })
  })
}
