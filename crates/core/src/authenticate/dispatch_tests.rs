//! Unit tests of the entry points (`dispatch.rs`): `authenticate_sync`
//! routing a header token to the header path and anything else to the
//! cookie path (or `None` when the network is needed), the cookie fast path
//! that only answers plain sign-ins, the lease on those sign-ins, and the
//! async `authenticate` with a JWKS, a handshake token or a session refresh
//! served by the test servers. Keys are PEM unless a test fetches a JWKS;
//! tests that fetch keys or use the process-wide token cache hold
//! `key_state_serialized()`.

use super::*;
use crate::authenticate::instance::Instance;
use crate::authenticate::request::{OrgTarget, RequestInput, SiteOptions};
use crate::authenticate::{Notice, Outcome};
use crate::config::parse_publishable_key;
use crate::jwt::verify::{VerifyOptions, LEASE_MS};
use crate::keys::jwks;
use crate::test_support::{instance_claims, key_state_serialized, now_s, FakeServer, TestKey};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Frontend API `clerk.example.com`, cookie suffix `l2OS3d9k`.
const DEV_PK: &str = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k";
const PROD_PK: &str = "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k";

fn instance(publishable_key: &str) -> Instance {
  let parsed = parse_publishable_key(publishable_key).expect("a valid publishable key");
  Instance::new(publishable_key, &parsed, "test-agent".into(), None)
}

fn dev() -> Instance {
  instance(DEV_PK)
}

fn prod() -> Instance {
  instance(PROD_PK)
}

fn refresh_cookie(instance: &Instance) -> String {
  format!("__refresh_{}", instance.cookie_suffix)
}

fn key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_dispatch_tests"))
}

fn pem_options() -> VerifyOptions {
  VerifyOptions {
    jwt_key: Some(key().spki_pem()),
    clock_skew_ms: 5000.0,
    ..Default::default()
  }
}

/// JWKS from `api_url` with this secret key (a scope of its own per test).
fn jwks_options(api_url: &str, secret_key: &str) -> VerifyOptions {
  VerifyOptions {
    secret_key: Some(secret_key.into()),
    api_url: api_url.into(),
    api_version: "v1".into(),
    clock_skew_ms: 5000.0,
    ..Default::default()
  }
}

fn now_ms() -> f64 {
  crate::clock::now_ms()
}

fn token_with(changes: Value) -> String {
  key().sign(json!({}), instance_claims(changes))
}

fn session() -> String {
  token_with(json!({}))
}

fn expired_token() -> String {
  token_with(json!({"iat": now_s() - 7200, "nbf": now_s() - 7200, "exp": now_s() - 3600}))
}

/// Cookies of a signed-in browser (with a development browser), `extra` appended.
fn signed_in_cookies(token: &str, extra: &str) -> String {
  let base = format!(
    "__session={token}; __client_uat={}; __clerk_db_jwt=dbjwt",
    now_s() - 10_000
  );
  if extra.is_empty() {
    base
  } else {
    format!("{base}; {extra}")
  }
}

fn document(url: &str, cookie: &str) -> RequestInput {
  RequestInput {
    method: "GET".into(),
    url: url.into(),
    host: Some("app.example.com".into()),
    sec_fetch_dest: Some("document".into()),
    cookie: (!cookie.is_empty()).then(|| cookie.to_string()),
    ..Default::default()
  }
}

fn fetch(url: &str, cookie: &str) -> RequestInput {
  RequestInput {
    sec_fetch_dest: Some("empty".into()),
    ..document(url, cookie)
  }
}

fn sync(
  token: Option<&str>,
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
) -> Option<Outcome> {
  authenticate_sync(token, input, instance, options, now_ms())
}

#[track_caller]
fn signed_in_token(outcome: Option<Outcome>) -> String {
  match outcome {
    Some(Outcome::SignedInSession { token, .. }) => token,
    other => panic!("expected a sign-in, got {other:?}"),
  }
}

/// The reason and the Location of a handshake.
#[track_caller]
fn handshake(outcome: Option<Outcome>) -> (String, reqwest::Url) {
  match outcome {
    Some(Outcome::Handshake {
      reason, headers, ..
    }) => {
      let location = headers
        .iter()
        .find(|(name, _)| name == "location")
        .map(|(_, value)| reqwest::Url::parse(value).expect("an absolute Location"))
        .expect("a Location");
      (reason, location)
    }
    other => panic!("expected a handshake, got {other:?}"),
  }
}

/// The reason and message of a signed-out outcome.
#[track_caller]
fn signed_out(outcome: Option<Outcome>) -> (String, String) {
  match outcome {
    Some(Outcome::SignedOut {
      reason, message, ..
    }) => (reason, message),
    other => panic!("expected signed-out, got {other:?}"),
  }
}

fn query_value(url: &reqwest::Url, name: &str) -> Option<String> {
  url
    .query_pairs()
    .find(|(k, _)| k == name)
    .map(|(_, v)| v.into_owned())
}

// authenticate_sync

#[test]
fn a_header_token_takes_the_header_path_whatever_the_cookies_say() {
  // The cookie path would start a dev-browser handshake; the header path
  // does not look at the development browser nor warn about azp.
  let claims = instance_claims(json!({"azp": null}));
  let token = key().sign(json!({}), claims.clone());
  let input = document("/page", "");
  match sync(Some(&token), &input, &dev(), &pem_options()) {
    Some(Outcome::SignedInSession {
      token: signed,
      payload_text,
      notices,
    }) => {
      assert_eq!(signed, token);
      assert_eq!(
        serde_json::from_str::<Value>(&payload_text).unwrap(),
        claims
      );
      assert!(notices.is_empty());
    }
    other => panic!("expected a header sign-in, got {other:?}"),
  }
}

#[test]
fn without_a_header_token_the_cookie_path_decides() {
  let (reason, location) = handshake(sync(None, &document("/page", ""), &dev(), &pem_options()));
  assert_eq!(reason, "dev-browser-missing");
  assert_eq!(location.host_str(), Some("clerk.example.com"));
  // And a cookie session signs in with the cookie's token and its azp notice.
  let token = token_with(json!({"azp": null}));
  match sync(
    None,
    &fetch("/api", &signed_in_cookies(&token, "")),
    &dev(),
    &pem_options(),
  ) {
    Some(Outcome::SignedInSession {
      token: signed,
      notices,
      ..
    }) if matches!(notices.as_slice(), [Notice::WarnOnce(_)]) => assert_eq!(signed, token),
    other => panic!("expected a cookie sign-in with a notice, got {other:?}"),
  }
}

#[test]
fn a_header_token_error_is_reported_for_the_header_carrier() {
  let expired = expired_token();
  let (reason, message) = signed_out(sync(
    Some(&expired),
    &fetch("/api", ""),
    &prod(),
    &pem_options(),
  ));
  assert_eq!(
    reason,
    "session-token-expired-refresh-non-eligible-no-refresh-cookie"
  );
  assert!(
    message.ends_with("(reason=token-expired, token-carrier=header)"),
    "{message}"
  );
}

#[test]
fn a_handshake_to_resolve_needs_the_async_path() {
  let in_query = document("/page?__clerk_handshake_nonce=n1", "");
  assert_eq!(sync(None, &in_query, &dev(), &pem_options()), None);
  let in_cookie = fetch("/api", "__clerk_handshake=hs_token");
  assert_eq!(sync(None, &in_cookie, &prod(), &pem_options()), None);
  // A header token never resolves handshakes.
  let token = session();
  assert_eq!(
    signed_in_token(sync(Some(&token), &in_query, &dev(), &pem_options())),
    token
  );
}

#[test]
fn a_session_whose_key_is_not_in_memory_needs_the_async_path() {
  let _serial = key_state_serialized();
  // Nothing listens there: nothing may be fetched.
  let options = jwks_options("http://127.0.0.1:9", "sk_test_dispatch_not_in_memory");
  let token = session();
  let cookie_input = fetch("/api", &signed_in_cookies(&token, ""));
  assert_eq!(sync(None, &cookie_input, &dev(), &options), None);
  assert_eq!(
    sync(Some(&token), &fetch("/api", ""), &dev(), &options),
    None
  );
  // A decision before the verification needs no key.
  let (reason, _) = signed_out(sync(None, &fetch("/api", ""), &prod(), &options));
  assert_eq!(reason, "session-token-and-uat-missing");
}

#[test]
fn an_expired_cookie_needs_the_async_path_only_when_a_refresh_is_due() {
  let instance = dev();
  let expired = expired_token();
  let due = document(
    "/page",
    &signed_in_cookies(&expired, &format!("{}=r1", refresh_cookie(&instance))),
  );
  assert_eq!(sync(None, &due, &instance, &pem_options()), None);
  let not_due = document("/page", &signed_in_cookies(&expired, ""));
  let (reason, location) = handshake(sync(None, &not_due, &instance, &pem_options()));
  assert_eq!(
    reason,
    "session-token-expired-refresh-non-eligible-no-refresh-cookie"
  );
  assert_eq!(query_value(&location, "__session"), Some(expired));
}

#[test]
fn the_site_options_shape_the_instance_of_the_request() {
  // A production satellite's handshakes go to clerk.<domain>.
  let satellite = RequestInput {
    site: SiteOptions {
      domain: Some("sat.example.net".into()),
      is_satellite: true,
      satellite_auto_sync: true,
      ..Default::default()
    },
    host: Some("sat.example.net".into()),
    ..document("/page", "")
  };
  let (reason, location) = handshake(sync(None, &satellite, &prod(), &pem_options()));
  assert_eq!(reason, "satellite-needs-syncing");
  assert_eq!(location.host_str(), Some("clerk.sat.example.net"));
  // A proxy URL carries the handshake, path included.
  let proxied = RequestInput {
    site: SiteOptions {
      proxy_url: Some("https://app.example.com/__clerk".into()),
      ..Default::default()
    },
    ..document("/page", "")
  };
  let (reason, location) = handshake(sync(None, &proxied, &dev(), &pem_options()));
  assert_eq!(reason, "dev-browser-missing");
  assert!(
    location
      .as_str()
      .starts_with("https://app.example.com/__clerk/v1/client/handshake?"),
    "{location}"
  );
  // The proxy does not change whose session cookies are.
  let token = session();
  let proxied_session = RequestInput {
    site: proxied.site.clone(),
    ..fetch("/api", &signed_in_cookies(&token, ""))
  };
  assert_eq!(
    signed_in_token(sync(None, &proxied_session, &dev(), &pem_options())),
    token
  );
}

// authenticate_browser_session

#[test]
fn a_plain_cookie_sign_in_comes_out_of_the_fast_path() {
  let token = session();
  let options = pem_options();
  let on_fetch = RequestInput {
    referer: Some("https://elsewhere.example/".into()),
    ..fetch("/api", &signed_in_cookies(&token, ""))
  };
  assert_eq!(
    signed_in_token(authenticate_browser_session(
      &on_fetch,
      &dev(),
      &options,
      now_ms()
    )),
    token
  );
  let navigation = document("/page", &signed_in_cookies(&token, ""));
  assert_eq!(
    signed_in_token(authenticate_browser_session(
      &navigation,
      &dev(),
      &options,
      now_ms()
    )),
    token
  );
}

#[test]
fn a_navigation_with_a_referer_is_left_to_the_full_path() {
  let token = session();
  let options = pem_options();
  let same_origin = RequestInput {
    referer: Some("http://app.example.com/other".into()),
    ..document("/page", &signed_in_cookies(&token, ""))
  };
  assert_eq!(
    authenticate_browser_session(&same_origin, &dev(), &options, now_ms()),
    None
  );
  assert_eq!(
    signed_in_token(sync(None, &same_origin, &dev(), &options)),
    token
  );
  let cross_origin = RequestInput {
    referer: Some("https://sat.example.net/".into()),
    ..document("/page", &signed_in_cookies(&token, ""))
  };
  assert_eq!(
    authenticate_browser_session(&cross_origin, &dev(), &options, now_ms()),
    None
  );
  let (reason, _) = handshake(sync(None, &cross_origin, &dev(), &options));
  assert_eq!(reason, "primary-domain-cross-origin-sync");
}

#[test]
fn only_sign_ins_come_out_of_the_fast_path() {
  let options = pem_options();
  let fast = |input: &RequestInput, instance: &Instance| {
    authenticate_browser_session(input, instance, &options, now_ms())
  };
  let no_cookies = fetch("/api", "");
  assert!(matches!(
    sync(None, &no_cookies, &prod(), &options),
    Some(Outcome::SignedOut { .. })
  ));
  assert_eq!(fast(&no_cookies, &prod()), None);
  let no_dev_browser = document("/page", "");
  assert!(matches!(
    sync(None, &no_dev_browser, &dev(), &options),
    Some(Outcome::Handshake { .. })
  ));
  assert_eq!(fast(&no_dev_browser, &dev()), None);
  let expired = fetch("/api", &signed_in_cookies(&expired_token(), ""));
  assert_eq!(fast(&expired, &dev()), None);
  let nonce = fetch("/api?__clerk_handshake_nonce=n1", "");
  assert_eq!(fast(&nonce, &dev()), None);
}

#[test]
fn the_fast_path_keeps_the_missing_azp_notice() {
  let token = token_with(json!({"azp": null}));
  let input = fetch("/api", &signed_in_cookies(&token, ""));
  assert!(matches!(
    authenticate_browser_session(&input, &dev(), &pem_options(), now_ms()),
    Some(Outcome::SignedInSession { notices, .. }) if matches!(notices.as_slice(), [Notice::WarnOnce(_)])
  ));
}

// sign_in_lease

fn cached_options() -> VerifyOptions {
  VerifyOptions {
    token_cache: true,
    ..pem_options()
  }
}

#[test]
fn a_fast_path_sign_in_is_leased_for_lease_ms_under_the_current_keys_epoch() {
  let _serial = key_state_serialized();
  let options = cached_options();
  let input = fetch("/api", &signed_in_cookies(&session(), ""));
  let now = now_ms();
  let outcome = authenticate_browser_session(&input, &dev(), &options, now).expect("a sign-in");
  assert_eq!(
    sign_in_lease(&outcome, &options, now),
    Some((now + LEASE_MS, jwks::keys_epoch()))
  );
}

#[test]
fn a_sign_in_that_prints_every_time_gets_no_lease_but_one_printed_once_does() {
  let _serial = key_state_serialized();
  let options = cached_options();
  // An organization activation loop warns on every request.
  let token = token_with(json!({"org_slug": "other"}));
  let mut looping = document(
    "/orgs/acme",
    &signed_in_cookies(&token, "__clerk_redirect_count=3"),
  );
  looping.site.org_target = Some(OrgTarget::Organization {
    id: None,
    slug: Some("acme".into()),
  });
  let now = now_ms();
  let warned = sync(None, &looping, &dev(), &options).expect("decided in memory");
  assert!(matches!(
    warned,
    Outcome::SignedInSession { ref notices, .. } if matches!(notices.as_slice(), [Notice::Warn(_)])
  ));
  assert_eq!(sign_in_lease(&warned, &options, now), None);
  let quiet = Outcome::SignedInSession {
    token: token.clone(),
    payload_text: String::new(),
    notices: Vec::new(),
  };
  assert!(sign_in_lease(&quiet, &options, now).is_some());
  for notice in [Notice::Log("log".into()), Notice::Error("error".into())] {
    let printing = Outcome::SignedInSession {
      token: token.clone(),
      payload_text: String::new(),
      notices: vec![notice],
    };
    assert_eq!(sign_in_lease(&printing, &options, now), None);
  }
  // The missing-azp warning is printed once per process.
  let no_azp = token_with(json!({"azp": null}));
  let input = fetch("/api", &signed_in_cookies(&no_azp, ""));
  let once = authenticate_browser_session(&input, &dev(), &options, now).expect("a sign-in");
  assert!(matches!(
    once,
    Outcome::SignedInSession { ref notices, .. } if matches!(notices.as_slice(), [Notice::WarnOnce(_)])
  ));
  assert!(sign_in_lease(&once, &options, now).is_some());
}

#[test]
fn outcomes_other_than_plain_sign_ins_get_no_lease() {
  let _serial = key_state_serialized();
  let options = cached_options();
  let now = now_ms();
  let out = sync(None, &fetch("/api", ""), &prod(), &options).expect("decided");
  assert_eq!(sign_in_lease(&out, &options, now), None);
  let redirect = sync(None, &document("/page", ""), &dev(), &options).expect("decided");
  assert_eq!(sign_in_lease(&redirect, &options, now), None);
  // A verified token wrapped with headers of its own is not leased either.
  let token = session();
  let input = fetch("/api", &signed_in_cookies(&token, ""));
  let signed_in = sync(None, &input, &dev(), &options).expect("decided");
  assert!(sign_in_lease(&signed_in, &options, now).is_some());
  let with_headers = Outcome::WithHeaders(Box::new(signed_in), vec![]);
  assert_eq!(sign_in_lease(&with_headers, &options, now), None);
}

#[test]
fn without_the_token_cache_a_sign_in_gets_no_lease() {
  let options = pem_options();
  let input = fetch("/api", &signed_in_cookies(&session(), ""));
  let now = now_ms();
  let outcome = authenticate_browser_session(&input, &dev(), &options, now).expect("a sign-in");
  assert_eq!(sign_in_lease(&outcome, &options, now), None);
}

// authenticate (async)

#[tokio::test]
#[allow(clippy::await_holding_lock)]
async fn the_async_path_fetches_the_jwks_for_a_cookie_session() {
  let _serial = key_state_serialized();
  let jwks_key = TestKey::generate("kid_dispatch_jwks");
  let server = FakeServer::start(200, json!({"keys": [jwks_key.jwk()]}).to_string());
  let options = jwks_options(&server.url, "sk_test_dispatch_jwks");
  let token = jwks_key.sign(json!({}), instance_claims(json!({})));
  let input = fetch(
    "/api",
    &format!("__session={token}; __client_uat={}", now_s() - 10_000),
  );
  let instance = prod();
  assert_eq!(sync(None, &input, &instance, &options), None);
  let outcome = authenticate(&reqwest::Client::new(), None, &input, &instance, &options).await;
  assert_eq!(signed_in_token(Some(outcome)), token);
  assert_eq!(server.hits(), 1);
  // The key is in memory now.
  assert_eq!(
    signed_in_token(sync(None, &input, &instance, &options)),
    token
  );
  assert_eq!(server.hits(), 1);
}

#[tokio::test]
#[allow(clippy::await_holding_lock)]
async fn a_cookie_session_whose_kid_is_not_in_the_jwks_is_signed_out() {
  let _serial = key_state_serialized();
  let served = TestKey::generate("kid_dispatch_served");
  let server = FakeServer::start(200, json!({"keys": [served.jwk()]}).to_string());
  let options = jwks_options(&server.url, "sk_test_dispatch_kid_mismatch");
  let stranger = TestKey::generate("kid_dispatch_stranger");
  let token = stranger.sign(json!({}), instance_claims(json!({})));
  let input = document(
    "/page",
    &format!("__session={token}; __client_uat={}", now_s() - 10_000),
  );
  let outcome = authenticate(&reqwest::Client::new(), None, &input, &prod(), &options).await;
  let (reason, message) = signed_out(Some(outcome));
  assert_eq!(reason, "jwk-kid-mismatch");
  assert!(message.contains("kid='kid_dispatch_stranger'"), "{message}");
  assert!(
    message.ends_with("(reason=jwk-kid-mismatch, token-carrier=cookie)"),
    "{message}"
  );
}

#[tokio::test]
#[allow(clippy::await_holding_lock)]
async fn an_empty_jwks_signs_the_cookie_session_out() {
  let _serial = key_state_serialized();
  let server = FakeServer::start(200, json!({"keys": []}).to_string());
  let options = jwks_options(&server.url, "sk_test_dispatch_empty_jwks");
  let input = fetch("/api", &signed_in_cookies(&session(), ""));
  let outcome = authenticate(&reqwest::Client::new(), None, &input, &dev(), &options).await;
  let (reason, _) = signed_out(Some(outcome));
  assert_eq!(reason, "jwk-remote-failed-to-load");
}

#[tokio::test]
async fn the_async_path_decides_as_the_sync_path_when_nothing_is_fetched() {
  let client = reqwest::Client::new();
  let options = pem_options();
  let token = session();
  let cases: Vec<(Option<&str>, RequestInput, Instance)> = vec![
    (None, document("/page", ""), dev()),
    (None, fetch("/api", ""), prod()),
    (None, fetch("/api", &signed_in_cookies(&token, "")), dev()),
    (
      None,
      RequestInput {
        referer: Some("https://sat.example.net/".into()),
        ..document("/page", &signed_in_cookies(&token, ""))
      },
      dev(),
    ),
    (Some(token.as_str()), document("/page", ""), dev()),
  ];
  for (header, input, instance) in cases {
    let expected = sync(header, &input, &instance, &options).expect("decided in memory");
    let outcome = authenticate(&client, header, &input, &instance, &options).await;
    assert_eq!(outcome, expected);
  }
}

#[tokio::test]
async fn a_production_handshake_token_that_fails_verification_is_logged_and_the_cookie_path_goes_on(
) {
  let stranger = TestKey::generate("kid_dispatch_tests");
  let handshake_token = stranger.sign(json!({}), json!({"handshake": []}));
  let input = document(&format!("/page?__clerk_handshake={handshake_token}"), "");
  let outcome = authenticate(
    &reqwest::Client::new(),
    None,
    &input,
    &prod(),
    &pem_options(),
  )
  .await;
  match outcome {
    Outcome::AfterErrors(errors, inner) => {
      assert_eq!(
        errors,
        vec![
          "Clerk: unable to resolve handshake: Error: Handshake signature is invalid.".to_string()
        ]
      );
      let (reason, _) = signed_out(Some(*inner));
      assert_eq!(reason, "session-token-and-uat-missing");
    }
    other => panic!("expected errors then the cookie path, got {other:?}"),
  }
}

#[tokio::test]
async fn in_development_a_handshake_token_that_fails_verification_is_fatal() {
  let stranger = TestKey::generate("kid_dispatch_tests");
  let handshake_token = stranger.sign(json!({}), json!({"handshake": []}));
  let input = document(&format!("/page?__clerk_handshake={handshake_token}"), "");
  let outcome = authenticate(
    &reqwest::Client::new(),
    None,
    &input,
    &dev(),
    &pem_options(),
  )
  .await;
  assert_eq!(
    outcome,
    Outcome::Fatal("Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.".into())
  );
}

#[tokio::test]
async fn a_verified_handshake_token_signs_in_with_its_cookies() {
  let token = session();
  let directives = vec![
    format!("__session={token}; Path=/; Secure"),
    "__client_uat=1700000000; Path=/".to_string(),
  ];
  let handshake_token = key().sign(json!({}), json!({"handshake": directives}));
  let url = format!("/page?__clerk_handshake={handshake_token}&x=1");
  let client = reqwest::Client::new();

  let production = authenticate(&client, None, &document(&url, ""), &prod(), &pem_options()).await;
  let (inner, headers) = with_headers(production);
  assert_eq!(signed_in_token(Some(inner)), token);
  assert_eq!(header_values(&headers, "set-cookie"), directives);
  assert_eq!(
    header_values(&headers, "access-control-allow-origin"),
    vec!["null"]
  );
  assert_eq!(
    header_values(&headers, "access-control-allow-credentials"),
    vec!["true"]
  );
  assert!(
    header_values(&headers, "location").is_empty(),
    "no redirect in production"
  );

  // Development goes back to the URL without the handshake parameters.
  let development = authenticate(&client, None, &document(&url, ""), &dev(), &pem_options()).await;
  let (_, headers) = with_headers(development);
  assert_eq!(
    header_values(&headers, "location"),
    vec!["http://app.example.com/page?x=1"]
  );
}

#[track_caller]
fn with_headers(outcome: Outcome) -> (Outcome, Vec<(String, String)>) {
  match outcome {
    Outcome::WithHeaders(inner, headers) => (*inner, headers),
    other => panic!("expected an outcome with headers, got {other:?}"),
  }
}

fn header_values(headers: &[(String, String)], name: &str) -> Vec<String> {
  headers
    .iter()
    .filter(|(n, _)| n == name)
    .map(|(_, v)| v.clone())
    .collect()
}

fn refresh_instance() -> Instance {
  Instance {
    api_secret_key: Some("sk_test_dispatch_refresh".into()),
    ..dev()
  }
}

#[tokio::test]
async fn an_expired_cookie_with_a_refresh_cookie_is_refreshed_through_the_backend_api() {
  let fresh = session();
  let directives = vec![
    format!("__session={fresh}; Path=/; Secure"),
    "__client_uat=1700000000; Path=/".to_string(),
  ];
  let server = FakeServer::start(
    200,
    json!({"object": "cookies", "cookies": directives}).to_string(),
  );
  let instance = refresh_instance();
  let options = VerifyOptions {
    api_url: server.url.clone(),
    api_version: "v1".into(),
    ..pem_options()
  };
  let input = fetch(
    "/api",
    &signed_in_cookies(
      &expired_token(),
      &format!("{}=r1", refresh_cookie(&instance)),
    ),
  );
  assert_eq!(sync(None, &input, &instance, &options), None);
  let outcome = authenticate(&reqwest::Client::new(), None, &input, &instance, &options).await;
  let (inner, headers) = with_headers(outcome);
  match inner {
    Outcome::SignedInSession { token, notices, .. } => {
      assert_eq!(token, fresh);
      assert!(notices.is_empty());
    }
    other => panic!("expected a sign-in, got {other:?}"),
  }
  let expected: Vec<(String, String)> = directives
    .into_iter()
    .map(|d| ("set-cookie".to_string(), d))
    .collect();
  assert_eq!(headers, expected);
  assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn an_expired_header_token_with_a_refresh_cookie_is_refreshed_too() {
  let fresh = session();
  let server = FakeServer::start(
    200,
    json!({"object": "cookies", "cookies": [format!("__session={fresh}; Path=/")]}).to_string(),
  );
  let instance = refresh_instance();
  let options = VerifyOptions {
    api_url: server.url.clone(),
    api_version: "v1".into(),
    ..pem_options()
  };
  let input = fetch("/api", &format!("{}=r1", refresh_cookie(&instance)));
  let expired = expired_token();
  assert_eq!(sync(Some(&expired), &input, &instance, &options), None);
  let outcome = authenticate(
    &reqwest::Client::new(),
    Some(&expired),
    &input,
    &instance,
    &options,
  )
  .await;
  let (inner, _) = with_headers(outcome);
  assert_eq!(signed_in_token(Some(inner)), fresh);
  assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn a_refresh_refused_by_the_backend_api_becomes_the_expiry_handshake() {
  let server = FakeServer::start(
    400,
    json!({"errors": [{"code": "refresh_token_invalid", "message": "invalid"}]}).to_string(),
  );
  let instance = refresh_instance();
  let options = VerifyOptions {
    api_url: server.url.clone(),
    api_version: "v1".into(),
    ..pem_options()
  };
  let expired = expired_token();
  let input = document(
    "/page",
    &signed_in_cookies(&expired, &format!("{}=r1", refresh_cookie(&instance))),
  );
  let outcome = authenticate(&reqwest::Client::new(), None, &input, &instance, &options).await;
  let (reason, location) = handshake(Some(outcome));
  assert_eq!(
    reason,
    "session-token-expired-refresh-refresh_token_invalid"
  );
  assert_eq!(query_value(&location, "__session"), Some(expired));
  assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn without_a_secret_key_the_refresh_fails_without_asking() {
  let instance = dev(); // no API secret key
  let input = fetch(
    "/api",
    &signed_in_cookies(
      &expired_token(),
      &format!("{}=r1", refresh_cookie(&instance)),
    ),
  );
  let outcome = authenticate(
    &reqwest::Client::new(),
    None,
    &input,
    &instance,
    &pem_options(),
  )
  .await;
  let (reason, message) = signed_out(Some(outcome));
  assert_eq!(
    reason,
    "session-token-expired-refresh-unexpected-bapi-error"
  );
  assert!(
    message.ends_with("(reason=token-expired, token-carrier=cookie)"),
    "{message}"
  );
}
