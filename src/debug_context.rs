//! What `debug()` shows of a request, as JS receives it (see
//! `clerk_core::authenticate::debug_context`).

use clerk_core::authenticate::debug_context;
use napi_derive::napi;

/// The fields of the reference's `AuthenticateContext` that come from the
/// request and the publishable key.
#[napi(object)]
pub struct DebugContext {
  pub cookie_suffix: String,
  pub original_frontend_api: String,
  /// `production` or `development`.
  pub instance_type: String,
  pub frontend_api: String,
  pub session_token_in_cookie: Option<String>,
  pub refresh_token_in_cookie: Option<String>,
  pub client_uat: f64,
  pub dev_browser_token: Option<String>,
  pub handshake_token: Option<String>,
  pub handshake_redirect_loop_counter: f64,
  pub handshake_nonce: Option<String>,
  /// `clerkUrl`, or null when the URL cannot be rebuilt.
  pub clerk_url: Option<String>,
  /// Every cookie as `[name, value]`, in order: cookie@1.1.1 `parse` keeps the first of a name.
  pub cookies: Vec<Vec<String>>,
}

impl From<debug_context::DebugContext> for DebugContext {
  fn from(context: debug_context::DebugContext) -> Self {
    DebugContext {
      cookie_suffix: context.cookie_suffix,
      original_frontend_api: context.original_frontend_api,
      instance_type: context.instance_type.to_string(),
      frontend_api: context.frontend_api,
      session_token_in_cookie: context.session_token_in_cookie,
      refresh_token_in_cookie: context.refresh_token_in_cookie,
      client_uat: context.client_uat,
      dev_browser_token: context.dev_browser_token,
      handshake_token: context.handshake_token,
      handshake_redirect_loop_counter: context.handshake_redirect_loop_counter,
      handshake_nonce: context.handshake_nonce,
      clerk_url: context.clerk_url,
      cookies: context
        .cookies
        .into_iter()
        .map(|(name, value)| vec![name, value])
        .collect(),
    }
  }
}
