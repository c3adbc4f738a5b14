//! Unit tests of session refresh (`attempt`) against a fake Backend API on
//! 127.0.0.1: the `POST /v1/sessions/{sid}/refresh` request (URL and query,
//! Backend API headers, the JSON body with both tokens, the request origin
//! and the forwarded request headers), the new cookies and verified session
//! of a success, and each `refreshError` reason code of a failure. Session
//! tokens are verified with a PEM key, so no JWKS (and no process-wide key
//! state) is involved.

use super::*;
use crate::authenticate::request::RequestInput;
use crate::http_client::{build, ClientOptions};
use crate::test_support::{block_on, now_s, refused_url, RecordingServer, Reply, TestKey};
use serde_json::json;
use std::sync::OnceLock;

const SECRET_KEY: &str = "sk_test_refresh_unit";
const USER_AGENT: &str = "@clerk/backend@3.25.0";
const REFRESH_PATH: &str = "/v1/sessions/sess_1/refresh";
const REFRESH_TOKEN: &str = "refresh_token_1";

fn key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_refresh"))
}

fn other_key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_refresh"))
}

/// Session claims with `sid` replaced (or removed when `None`), expired a
/// minute ago.
fn expired_claims(sid: Option<Value>) -> Value {
  let now = now_s();
  let mut claims = json!({"sub": "user_1", "azp": "http://app.example.com", "iat": now - 3600, "nbf": now - 3600, "exp": now - 60});
  if let Some(sid) = sid {
    claims["sid"] = sid;
  }
  claims
}

fn expired_token() -> String {
  key().sign(json!({}), expired_claims(Some(json!("sess_1"))))
}

/// A session token valid for an hour, for the refreshed cookies.
fn fresh_token(signer: &TestKey) -> String {
  let now = now_s();
  signer.sign(
    json!({}),
    json!({"sub": "user_1", "sid": "sess_1", "iat": now - 1, "nbf": now - 1, "exp": now + 3600}),
  )
}

fn options(api_url: &str) -> VerifyOptions {
  VerifyOptions {
    jwt_key: Some(key().spki_pem()),
    api_url: api_url.into(),
    api_version: "v1".into(),
    clock_skew_ms: 5000.0,
    ..Default::default()
  }
}

fn instance() -> Instance {
  Instance {
    api_user_agent: USER_AGENT.into(),
    api_secret_key: Some(SECRET_KEY.into()),
    ..Default::default()
  }
}

fn input() -> RequestInput {
  RequestInput {
    method: "GET".into(),
    url: "/dashboard?tab=1".into(),
    host: Some("app.example.com".into()),
    cookie: Some("__session=old; __refresh_abc=rt".into()),
    all_headers: Some(vec![
      ("host".into(), "app.example.com".into()),
      ("cookie".into(), "__session=old; __refresh_abc=rt".into()),
      ("user-agent".into(), "Mozilla/5.0".into()),
      ("accept".into(), "text/html".into()),
    ]),
    ..Default::default()
  }
}

fn refresh_with(
  api_url: &str,
  input: &RequestInput,
  instance: &Instance,
  expired: &str,
  uses_suffixed_cookies: bool,
) -> Result<Refreshed, String> {
  let request = Request::new(input);
  let client = build(ClientOptions {
    follow_redirects: true,
  });
  block_on(attempt(
    &client,
    &request,
    instance,
    &options(api_url),
    expired,
    REFRESH_TOKEN,
    uses_suffixed_cookies,
  ))
}

/// A refresh of the standard request and expired token against `api_url`.
fn refresh(api_url: &str) -> Result<Refreshed, String> {
  refresh_with(api_url, &input(), &instance(), &expired_token(), false)
}

fn failure(result: Result<Refreshed, String>) -> String {
  match result {
    Ok(refreshed) => panic!("expected a failure, got cookies {:?}", refreshed.cookies),
    Err(reason) => reason,
  }
}

fn success(result: Result<Refreshed, String>) -> Refreshed {
  match result {
    Ok(refreshed) => refreshed,
    Err(reason) => panic!("expected a refresh, got {reason}"),
  }
}

/// A fake Backend API answering the refresh of `sess_1` with `reply`.
fn backend(reply: Reply) -> RecordingServer {
  RecordingServer::start(vec![(REFRESH_PATH, reply)])
}

fn cookies_reply(cookies: Vec<String>) -> Reply {
  Reply::json(200, json!({"object": "cookies", "cookies": cookies}))
}

#[test]
fn a_refresh_posts_both_tokens_to_the_session_refresh_endpoint_with_the_backend_api_headers() {
  let server = backend(cookies_reply(vec![format!(
    "__session={}; Path=/",
    fresh_token(key())
  )]));
  let expired = expired_token();
  success(refresh_with(
    &server.url,
    &input(),
    &instance(),
    &expired,
    false,
  ));
  let request = server.only_request();
  assert_eq!(request.method, "POST");
  // `suffixed_cookies: false` is a falsy query value: no query at all.
  assert_eq!(request.target, REFRESH_PATH);
  assert_eq!(
    request.header("authorization"),
    Some("Bearer sk_test_refresh_unit")
  );
  assert_eq!(request.header("user-agent"), Some(USER_AGENT));
  assert_eq!(
    request.header("clerk-api-version"),
    Some(crate::constants::CLERK_API_VERSION)
  );
  assert_eq!(request.header("content-type"), Some("application/json"));
  let body = request.json();
  assert_eq!(body["format"], "cookie");
  assert_eq!(body["expired_token"], expired.as_str());
  assert_eq!(body["refresh_token"], REFRESH_TOKEN);
  assert_eq!(body["request_origin"], "http://app.example.com");
  // The reference's key order (JSON.stringify of the snake-cased params).
  let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
  assert_eq!(
    keys,
    [
      "format",
      "expired_token",
      "refresh_token",
      "request_origin",
      "request_headers"
    ]
  );
}

#[test]
fn the_refresh_forwards_every_request_header_as_a_one_value_list() {
  let server = backend(cookies_reply(vec![format!(
    "__session={}",
    fresh_token(key())
  )]));
  success(refresh(&server.url));
  assert_eq!(
    server.only_request().json()["request_headers"],
    json!({
      "host": ["app.example.com"],
      "cookie": ["__session=old; __refresh_abc=rt"],
      "user-agent": ["Mozilla/5.0"],
      "accept": ["text/html"],
    })
  );
}

#[test]
fn without_request_headers_the_refresh_forwards_an_empty_header_object() {
  let server = backend(cookies_reply(vec![format!(
    "__session={}",
    fresh_token(key())
  )]));
  let input = RequestInput {
    all_headers: None,
    ..input()
  };
  success(refresh_with(
    &server.url,
    &input,
    &instance(),
    &expired_token(),
    false,
  ));
  assert_eq!(server.only_request().json()["request_headers"], json!({}));
}

#[test]
fn the_request_origin_is_the_origin_of_the_url_rebuilt_from_forwarded_headers() {
  let server = backend(cookies_reply(vec![format!(
    "__session={}",
    fresh_token(key())
  )]));
  let input = RequestInput {
    host: Some("internal:8080".into()),
    forwarded_host: Some("app.example.com:8443, proxy".into()),
    forwarded_proto: Some("https".into()),
    ..input()
  };
  success(refresh_with(
    &server.url,
    &input,
    &instance(),
    &expired_token(),
    false,
  ));
  assert_eq!(
    server.only_request().json()["request_origin"],
    "https://app.example.com:8443"
  );
}

#[test]
fn suffixed_cookies_ask_for_suffixed_cookies_in_the_query() {
  let server = backend(cookies_reply(vec![format!(
    "__session_abc={}",
    fresh_token(key())
  )]));
  success(refresh_with(
    &server.url,
    &input(),
    &instance(),
    &expired_token(),
    true,
  ));
  let request = server.only_request();
  assert_eq!(
    request.target,
    format!("{REFRESH_PATH}?suffixed_cookies=true")
  );
  assert!(request.json().get("suffixed_cookies").is_none());
}

#[test]
fn a_numeric_sid_is_sent_in_its_string_form() {
  let server = RecordingServer::start(vec![(
    "/v1/sessions/42/refresh",
    cookies_reply(vec![format!("__session={}", fresh_token(key()))]),
  )]);
  let expired = key().sign(json!({}), expired_claims(Some(json!(42))));
  success(refresh_with(
    &server.url,
    &input(),
    &instance(),
    &expired,
    false,
  ));
  assert_eq!(server.only_request().path(), "/v1/sessions/42/refresh");
}

#[test]
fn a_successful_refresh_returns_the_new_cookies_and_the_verified_new_session() {
  let fresh = fresh_token(key());
  let cookies = vec![
    format!("__session={fresh}; Path=/; SameSite=Lax"),
    "__client_uat=1700000000; Path=/".to_string(),
  ];
  let server = backend(cookies_reply(cookies.clone()));
  let refreshed = success(refresh(&server.url));
  assert_eq!(refreshed.cookies, cookies);
  assert_eq!(refreshed.session_token, fresh);
  assert_eq!(refreshed.verified.payload["sid"], "sess_1");
  assert_eq!(
    serde_json::from_str::<Value>(&refreshed.verified.payload_text).unwrap()["sub"],
    "user_1"
  );
}

#[test]
fn the_last_session_cookie_among_the_refreshed_cookies_is_the_session() {
  let fresh = fresh_token(key());
  let server = backend(cookies_reply(vec![
    "__session=not-a-jwt; Path=/".to_string(),
    "__client_uat=1; Path=/".to_string(),
    format!("__session_suffix={fresh}; Path=/"),
  ]));
  let refreshed = success(refresh(&server.url));
  assert_eq!(refreshed.session_token, fresh);
  assert_eq!(refreshed.cookies.len(), 3);
}

#[test]
fn an_undecodable_expired_token_fails_with_decode_failed_without_calling_the_api() {
  let server = backend(cookies_reply(vec![]));
  for expired in ["not-a-jwt", "a.b.c", ""] {
    let reason = failure(refresh_with(
      &server.url,
      &input(),
      &instance(),
      expired,
      false,
    ));
    assert_eq!(reason, "expired-session-token-decode-failed", "{expired:?}");
  }
  assert_eq!(server.hits(), 0);
}

#[test]
fn an_expired_token_without_a_truthy_sid_fails_with_missing_sid_claim() {
  let server = backend(cookies_reply(vec![]));
  for sid in [
    None,
    Some(json!("")),
    Some(json!(0)),
    Some(json!(false)),
    Some(Value::Null),
  ] {
    let expired = key().sign(json!({}), expired_claims(sid.clone()));
    let reason = failure(refresh_with(
      &server.url,
      &input(),
      &instance(),
      &expired,
      false,
    ));
    assert_eq!(reason, "expired-session-token-missing-sid-claim", "{sid:?}");
  }
  assert_eq!(server.hits(), 0);
}

#[test]
fn a_sid_that_is_a_dot_segment_fails_with_unexpected_bapi_error_without_calling_the_api() {
  let server = backend(cookies_reply(vec![]));
  let expired = key().sign(json!({}), expired_claims(Some(json!(".."))));
  let reason = failure(refresh_with(
    &server.url,
    &input(),
    &instance(),
    &expired,
    false,
  ));
  assert_eq!(reason, "unexpected-bapi-error");
  assert_eq!(server.hits(), 0);
}

#[test]
fn without_an_api_secret_key_the_refresh_fails_with_unexpected_bapi_error() {
  let server = backend(cookies_reply(vec![]));
  let instance = Instance {
    api_secret_key: None,
    ..instance()
  };
  let reason = failure(refresh_with(
    &server.url,
    &input(),
    &instance,
    &expired_token(),
    false,
  ));
  assert_eq!(reason, "unexpected-bapi-error");
  assert_eq!(server.hits(), 0);
}

#[test]
fn a_refresh_answered_with_an_api_error_fails_with_its_first_error_code() {
  for (status, code) in [
    (401, "authentication_invalid"),
    (400, "session_not_found"),
    (422, "form_param_missing"),
    (500, "internal_clerk_error"),
  ] {
    let server = backend(Reply::json(
      status,
      json!({"errors": [{"code": code, "message": "m"}, {"code": "second"}]}),
    ));
    assert_eq!(failure(refresh(&server.url)), code, "status {status}");
    assert_eq!(server.hits(), 1);
  }
}

#[test]
fn an_api_error_without_an_error_code_fails_with_unexpected_bapi_error() {
  let answers = [
    Reply::text(502, "<html>Bad gateway</html>").header("content-type", "text/html"),
    Reply::json(500, json!({})),
    Reply::json(500, json!({"errors": []})),
    Reply::json(400, json!({"errors": [{"message": "no code"}]})),
  ];
  for reply in answers {
    let server = backend(reply.clone());
    assert_eq!(
      failure(refresh(&server.url)),
      "unexpected-bapi-error",
      "{reply:?}"
    );
  }
}

#[test]
fn a_malformed_json_answer_fails_with_fetch_error() {
  for status in [200, 500] {
    let server = backend(Reply::text(status, "{not json"));
    assert_eq!(failure(refresh(&server.url)), "fetch-error", "{status}");
  }
}

#[test]
fn an_unreachable_backend_api_fails_with_fetch_error() {
  assert_eq!(failure(refresh(&refused_url())), "fetch-error");
}

#[test]
fn an_answer_without_cookies_fails_with_unexpected_sdk_error() {
  let answers = [
    cookies_reply(vec![]),
    Reply::json(200, json!({"object": "cookies"})),
    Reply::text(200, "__session=x").header("content-type", "text/plain"),
  ];
  for reply in answers {
    let server = backend(reply.clone());
    assert_eq!(
      failure(refresh(&server.url)),
      "unexpected-sdk-error",
      "{reply:?}"
    );
  }
}

#[test]
fn refreshed_cookies_without_a_valid_session_token_fail_with_invalid_session_token() {
  let now = now_s();
  let expired_again = key().sign(
    json!({}),
    json!({"sub": "user_1", "sid": "sess_1", "iat": now - 7200, "exp": now - 3600}),
  );
  let cookie_sets = [
    vec!["__client_uat=1; Path=/".to_string()],
    vec![format!("__session={}; Path=/", fresh_token(other_key()))],
    vec![format!("__session={expired_again}; Path=/")],
    vec!["__session=; Path=/".to_string()],
  ];
  for cookies in cookie_sets {
    let server = backend(cookies_reply(cookies.clone()));
    assert_eq!(
      failure(refresh(&server.url)),
      "invalid-session-token",
      "{cookies:?}"
    );
  }
}

#[test]
fn an_api_error_coded_unexpected_error_fails_with_fetch_error() {
  let server = backend(Reply::json(
    500,
    json!({"errors": [{"code": "unexpected_error", "message": "boom"}]}),
  ));
  assert_eq!(failure(refresh(&server.url)), "fetch-error");
}

#[test]
fn a_204_answer_fails_with_unexpected_bapi_error() {
  let server = backend(Reply::text(204, ""));
  assert_eq!(failure(refresh(&server.url)), "unexpected-bapi-error");
}
