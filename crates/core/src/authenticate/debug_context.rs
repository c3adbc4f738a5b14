//! The request's side of `debug()`: the fields of the reference's
//! `AuthenticateContext` that come from the request and the publishable key,
//! read by the rules the state machine itself uses (suffixed or unsuffixed
//! cookies, a query parameter before its cookie). Only `debug()` asks, so
//! nothing here is on the request path.

use super::cookie::{js_number_or_zero, CookieState};
use super::handshake_resolution::credentials;
use super::instance::Instance;
use super::request::{parse_cookies, Request, RequestInput};

#[derive(Debug, Clone, PartialEq)]
pub struct DebugContext {
  pub cookie_suffix: String,
  pub original_frontend_api: String,
  /// `production` or `development`.
  pub instance_type: &'static str,
  pub frontend_api: String,
  pub session_token_in_cookie: Option<String>,
  pub refresh_token_in_cookie: Option<String>,
  pub client_uat: f64,
  pub dev_browser_token: Option<String>,
  pub handshake_token: Option<String>,
  pub handshake_redirect_loop_counter: f64,
  pub handshake_nonce: Option<String>,
  /// `clerkUrl`, or `None` when the URL cannot be rebuilt.
  pub clerk_url: Option<String>,
  /// Every cookie pair as cookie@1.1.1 `parse` reads it, in order; the
  /// first of a name is the one it keeps.
  pub cookies: Vec<(String, String)>,
}

pub fn debug_context(input: &RequestInput, instance: &Instance) -> DebugContext {
  let instance = instance.for_site(&input.site);
  let request = Request::new(input);
  // A `__session` whose payload is JSON null fails the whole request before
  // anyone can call `debug()`; for anything else the cookie state reads.
  let cookies = CookieState::read(&request, &instance).ok();
  let (handshake_nonce, handshake_token) = credentials(&request).unwrap_or_default();
  DebugContext {
    cookie_suffix: instance.cookie_suffix.clone(),
    original_frontend_api: instance.original_frontend_api.clone(),
    instance_type: if instance.production {
      "production"
    } else {
      "development"
    },
    frontend_api: instance.frontend_api.clone(),
    session_token_in_cookie: cookies.as_ref().and_then(|c| c.session_token.clone()),
    refresh_token_in_cookie: cookies.as_ref().and_then(|c| c.refresh_token.clone()),
    client_uat: cookies.as_ref().map_or(0.0, |c| c.client_uat),
    dev_browser_token: cookies.as_ref().and_then(|c| c.dev_browser_token.clone()),
    handshake_token,
    handshake_redirect_loop_counter: request
      .cookie("__clerk_redirect_count")
      .map_or(0.0, js_number_or_zero),
    handshake_nonce,
    clerk_url: request.clerk_url().map(|url| url.to_string()),
    cookies: parse_cookies(input.cookie.as_deref().unwrap_or_default())
      .into_iter()
      .map(|(name, value)| (name.to_string(), value.into_owned()))
      .collect(),
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::authenticate::request::SiteOptions;
  use crate::config::parse_publishable_key;

  const PK_TEST: &str = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k";

  fn instance(publishable_key: &str) -> Instance {
    let parsed = parse_publishable_key(publishable_key).unwrap();
    Instance::new(publishable_key, &parsed, String::new(), None)
  }

  fn input(url: &str, cookie: &str) -> RequestInput {
    RequestInput {
      method: "GET".into(),
      url: url.into(),
      host: Some("app.example.com".into()),
      cookie: Some(cookie.into()),
      ..Default::default()
    }
  }

  #[test]
  fn reads_the_cookies_and_the_query_as_the_state_machine_does() {
    let instance = instance(PK_TEST);
    let cookie = "__client_uat=17; __clerk_db_jwt=dvb_cookie; __clerk_redirect_count=2; a=%41; a=second; __refresh_x=r";
    let context = debug_context(
      &input("/p?__clerk_handshake=hs&__clerk_db_jwt=", cookie),
      &instance,
    );
    assert_eq!(context.instance_type, "development");
    assert_eq!(context.frontend_api, "clerk.example.com");
    assert_eq!(context.original_frontend_api, "clerk.example.com");
    assert_eq!(context.cookie_suffix.len(), 8);
    assert_eq!(context.client_uat, 17.0);
    // An empty query parameter falls back to the cookie.
    assert_eq!(context.dev_browser_token.as_deref(), Some("dvb_cookie"));
    assert_eq!(context.handshake_token.as_deref(), Some("hs"));
    assert_eq!(context.handshake_nonce, None);
    assert_eq!(context.handshake_redirect_loop_counter, 2.0);
    assert_eq!(context.session_token_in_cookie, None);
    assert_eq!(
      context.clerk_url.as_deref(),
      Some("http://app.example.com/p?__clerk_handshake=hs&__clerk_db_jwt=")
    );
    assert_eq!(context.cookies[3], ("a".into(), "A".into()));
    assert_eq!(context.cookies[4], ("a".into(), "second".into()));
  }

  #[test]
  fn a_proxy_url_or_a_production_satellite_names_the_frontend_api() {
    let production = instance("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k");
    let mut request = input("/", "");
    request.site = SiteOptions {
      is_satellite: true,
      domain: Some("satellite.test".into()),
      ..Default::default()
    };
    let context = debug_context(&request, &production);
    assert_eq!(context.instance_type, "production");
    assert_eq!(context.frontend_api, "clerk.satellite.test");
    assert_eq!(context.original_frontend_api, "clerk.satellite.test");
    request.site.proxy_url = Some("https://app.example.com/__clerk".into());
    assert_eq!(
      debug_context(&request, &production).frontend_api,
      "https://app.example.com/__clerk"
    );
  }
}
