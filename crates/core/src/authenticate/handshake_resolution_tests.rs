//! Unit tests of handshake resolution against a fake Backend API on
//! 127.0.0.1: where the credentials are read from (`credentials`), the nonce
//! exchanged through `GET /v1/clients/handshake_payload`, the signed
//! handshake token and its header/signature checks (no time claims), the
//! cookies, CORS and development redirect headers produced, the clock-skew
//! retry of development, the errors that are logged before going on
//! (`Resolution::Continue`, or an outcome after `console.error` lines) and the
//! fatal development failures. Session tokens are verified with a PEM key
//! except in the JWKS tests, which hold the process-wide key state lock.

use super::*;
use crate::authenticate::request::RequestInput;
use crate::http_client::{build, ClientOptions};
use crate::test_support::{block_on, now_s, refused_url, RecordingServer, Reply, TestKey};
use serde_json::json;
use std::sync::OnceLock;

const SECRET_KEY: &str = "sk_test_handshake_unit";
const USER_AGENT: &str = "ua-handshake-unit";
const PAYLOAD_PATH: &str = "/v1/clients/handshake_payload";
const LOG_PREFIX: &str = "Clerk: unable to resolve handshake: ";
const PAYLOAD_LOG_PREFIX: &str = "Clerk: HandshakeService: error getting handshake payload: ";

fn key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_handshake"))
}

fn other_key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_handshake"))
}

/// A session token whose time claims are `offset_s` seconds away from now
/// (0: valid for an hour).
fn session_token(signer: &TestKey, offset_s: i64) -> String {
  let now = now_s() + offset_s;
  signer.sign(
    json!({}),
    json!({"sub": "user_1", "sid": "sess_1", "iat": now - 10, "nbf": now - 10, "exp": now + 3600}),
  )
}

fn instance(production: bool) -> Instance {
  Instance {
    production,
    api_user_agent: USER_AGENT.into(),
    api_secret_key: Some(SECRET_KEY.into()),
    ..Default::default()
  }
}

fn pem_options(api_url: &str) -> VerifyOptions {
  VerifyOptions {
    jwt_key: Some(key().spki_pem()),
    api_url: api_url.into(),
    api_version: "v1".into(),
    clock_skew_ms: 5000.0,
    ..Default::default()
  }
}

fn input(url: &str) -> RequestInput {
  RequestInput {
    method: "GET".into(),
    url: url.into(),
    host: Some("app.example.com".into()),
    ..Default::default()
  }
}

fn resolve_with(
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
  nonce: Option<&str>,
  token: Option<&str>,
) -> Resolution {
  let request = Request::new(input);
  let client = build(ClientOptions {
    follow_redirects: true,
  });
  block_on(resolve(
    &client,
    &request,
    instance,
    options,
    nonce.map(str::to_string),
    token.map(str::to_string),
  ))
}

/// Resolves a nonce for `/page?__clerk_handshake_nonce=…` against `api_url`.
fn resolve_nonce(api_url: &str, production: bool, nonce: &str) -> Resolution {
  resolve_with(
    &input(&format!("/page?__clerk_handshake_nonce={nonce}")),
    &instance(production),
    &pem_options(api_url),
    Some(nonce),
    None,
  )
}

/// Resolves a handshake token (verified with the PEM key, no network).
fn resolve_token(production: bool, token: &str) -> Resolution {
  resolve_with(
    &input("/page?__clerk_handshake=x"),
    &instance(production),
    &pem_options(&refused_url()),
    None,
    Some(token),
  )
}

fn decided(resolution: Resolution) -> Outcome {
  match resolution {
    Resolution::Decided(outcome) => outcome,
    Resolution::Continue(lines) => panic!("expected a decided outcome, got Continue({lines:?})"),
  }
}

fn continued(resolution: Resolution) -> Vec<String> {
  match resolution {
    Resolution::Continue(lines) => lines,
    Resolution::Decided(outcome) => panic!("expected Continue, got {outcome:?}"),
  }
}

/// The outcome inside `WithHeaders`, and its headers.
fn with_headers(outcome: Outcome) -> (Outcome, Vec<(String, String)>) {
  match outcome {
    Outcome::WithHeaders(inner, headers) => (*inner, headers),
    other => panic!("expected an outcome with headers, got {other:?}"),
  }
}

fn header_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
  pairs
    .iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect()
}

const CORS: [(&str, &str); 2] = [
  ("access-control-allow-credentials", "true"),
  ("access-control-allow-origin", "null"),
];

fn signed_in_token(outcome: Outcome) -> String {
  match outcome {
    Outcome::SignedInSession {
      token,
      payload_text,
      notices,
    } => {
      assert!(notices.is_empty());
      let payload: Value = serde_json::from_str(&payload_text).expect("payload JSON");
      assert_eq!(payload["sub"], "user_1");
      token
    }
    other => panic!("expected a signed-in session, got {other:?}"),
  }
}

fn session_token_missing() -> Outcome {
  Outcome::signed_out(SESSION_TOKEN, "session-token-missing", "")
}

fn payload_server(reply: Reply) -> RecordingServer {
  RecordingServer::start(vec![(PAYLOAD_PATH, reply)])
}

fn directives_reply(directives: Value) -> Reply {
  Reply::json(200, json!({ "directives": directives }))
}

// --- credentials ---------------------------------------------------------

#[test]
fn there_are_no_credentials_without_a_handshake_parameter_or_cookie() {
  let input = RequestInput {
    cookie: Some("__session=a; __client_uat=1".into()),
    ..input("/page?x=1")
  };
  assert_eq!(credentials(&Request::new(&input)), None);
}

#[test]
fn credentials_are_read_from_the_query_before_the_cookies() {
  let input = RequestInput {
    cookie: Some("__clerk_handshake_nonce=cookie_nonce; __clerk_handshake=cookie_token".into()),
    ..input("/page?__clerk_handshake_nonce=query_nonce")
  };
  assert_eq!(
    credentials(&Request::new(&input)),
    Some((Some("query_nonce".into()), Some("cookie_token".into())))
  );
}

#[test]
fn an_empty_query_value_falls_back_to_the_cookie_and_empty_values_do_not_count() {
  let with_cookie = RequestInput {
    cookie: Some("__clerk_handshake=cookie_token".into()),
    ..input("/page?__clerk_handshake=")
  };
  assert_eq!(
    credentials(&Request::new(&with_cookie)),
    Some((None, Some("cookie_token".into())))
  );
  let empty = RequestInput {
    cookie: Some("__clerk_handshake=".into()),
    ..input("/page?__clerk_handshake_nonce=&__clerk_handshake=")
  };
  assert_eq!(credentials(&Request::new(&empty)), None);
}

// --- nonce ---------------------------------------------------------------

#[test]
fn a_nonce_is_exchanged_through_the_backend_api_with_the_clients_key_and_user_agent() {
  let session = session_token(key(), 0);
  let server = payload_server(directives_reply(json!([format!(
    "__session={session}; Path=/"
  )])));
  decided(resolve_nonce(&server.url, true, "nonce_1"));
  let request = server.only_request();
  assert_eq!(request.method, "GET");
  assert_eq!(request.target, format!("{PAYLOAD_PATH}?nonce=nonce_1"));
  assert_eq!(
    request.header("authorization"),
    Some("Bearer sk_test_handshake_unit")
  );
  assert_eq!(request.header("user-agent"), Some(USER_AGENT));
  assert_eq!(
    request.header("clerk-api-version"),
    Some(crate::constants::CLERK_API_VERSION)
  );
}

#[test]
fn the_nonce_is_form_encoded_in_the_query() {
  let server = payload_server(Reply::text(204, ""));
  resolve_with(
    &input("/page"),
    &instance(true),
    &pem_options(&server.url),
    Some("a b&c=d/é"),
    None,
  );
  assert_eq!(
    server.only_request().target,
    format!("{PAYLOAD_PATH}?nonce=a+b%26c%3Dd%2F%C3%A9")
  );
}

#[test]
fn in_production_the_payload_directives_become_cookies_and_a_valid_session_signs_in() {
  let session = session_token(key(), 0);
  let directives = [
    format!("__session={session}; Path=/; SameSite=Lax"),
    "__client_uat=1700000000; Path=/".to_string(),
  ];
  let server = payload_server(directives_reply(json!(directives)));
  let (inner, headers) = with_headers(decided(resolve_nonce(&server.url, true, "n")));
  assert_eq!(signed_in_token(inner), session);
  let mut expected = header_pairs(&CORS);
  for directive in &directives {
    expected.push(("set-cookie".into(), directive.clone()));
  }
  assert_eq!(headers, expected, "no redirect in production");
}

#[test]
fn in_development_the_resolution_redirects_to_the_url_without_the_handshake_parameters() {
  let session = session_token(key(), 0);
  let server = payload_server(directives_reply(json!([format!("__session={session}")])));
  let input = input(
    "/page?__clerk_handshake_nonce=n&keep=1&__clerk_help=1&__clerk_db_jwt=dvb&__clerk_handshake=t&other=a%20b",
  );
  let resolution = resolve_with(
    &input,
    &instance(false),
    &pem_options(&server.url),
    Some("n"),
    None,
  );
  let (inner, headers) = with_headers(decided(resolution));
  assert_eq!(signed_in_token(inner), session);
  let mut expected = header_pairs(&CORS);
  expected.extend(header_pairs(&[
    ("cache-control", "no-store"),
    ("location", "http://app.example.com/page?keep=1&other=a+b"),
    ("set-cookie", format!("__session={session}").as_str()),
  ]));
  assert_eq!(headers, expected);
}

#[test]
fn in_development_a_query_left_empty_is_dropped_from_the_redirect() {
  let server = payload_server(directives_reply(json!([])));
  let (_, headers) = with_headers(decided(resolve_nonce(&server.url, false, "n")));
  assert!(
    headers.contains(&("location".into(), "http://app.example.com/page".into())),
    "{headers:?}"
  );
}

#[test]
fn a_204_payload_sets_no_cookies_and_signs_out_with_session_token_missing() {
  let server = payload_server(Reply::text(204, ""));
  let (inner, headers) = with_headers(decided(resolve_nonce(&server.url, true, "n")));
  assert_eq!(inner, session_token_missing());
  assert_eq!(headers, header_pairs(&CORS));
}

#[test]
fn directives_without_a_session_cookie_sign_out_with_session_token_missing_and_keep_the_cookies() {
  let server = payload_server(directives_reply(json!([
    "__client_uat=0; Path=/",
    "__clerk_db_jwt=dvb; Path=/"
  ])));
  let (inner, headers) = with_headers(decided(resolve_nonce(&server.url, true, "n")));
  assert_eq!(inner, session_token_missing());
  let mut expected = header_pairs(&CORS);
  expected.extend(header_pairs(&[
    ("set-cookie", "__client_uat=0; Path=/"),
    ("set-cookie", "__clerk_db_jwt=dvb; Path=/"),
  ]));
  assert_eq!(headers, expected);
}

#[test]
fn the_last_session_directive_is_the_session_token() {
  let session = session_token(key(), 0);
  let server = payload_server(directives_reply(json!([
    "__session=first-not-a-jwt; Path=/",
    format!("__session_suffix={session}; Path=/"),
    "__client_uat=1"
  ])));
  let (inner, headers) = with_headers(decided(resolve_nonce(&server.url, true, "n")));
  assert_eq!(signed_in_token(inner), session);
  assert_eq!(headers.len(), 5);
}

#[test]
fn a_failed_payload_request_is_logged_and_the_resolution_goes_on_without_cookies() {
  let server = payload_server(Reply::json(
    500,
    json!({"errors": [{"code": "internal", "message": "boom"}]}),
  ));
  let outcome = decided(resolve_nonce(&server.url, true, "n"));
  let expected = Outcome::AfterErrors(
    vec![format!(
      "{PAYLOAD_LOG_PREFIX}[ClerkAPIResponseError]\nMessage:Internal Server Error\nStatus:500"
    )],
    Box::new(Outcome::WithHeaders(
      Box::new(session_token_missing()),
      header_pairs(&CORS),
    )),
  );
  assert_eq!(outcome, expected);
}

fn logged_payload_error(reply: Reply) -> String {
  let server = payload_server(reply);
  match decided(resolve_nonce(&server.url, true, "n")) {
    Outcome::AfterErrors(lines, inner) => {
      assert_eq!(
        *inner,
        Outcome::WithHeaders(Box::new(session_token_missing()), header_pairs(&CORS))
      );
      assert_eq!(lines.len(), 1, "{lines:?}");
      lines[0]
        .strip_prefix(PAYLOAD_LOG_PREFIX)
        .unwrap_or_else(|| panic!("unexpected log line {:?}", lines[0]))
        .to_string()
    }
    other => panic!("expected logged errors, got {other:?}"),
  }
}

#[test]
fn payload_answers_without_a_directive_list_are_logged_as_not_iterable() {
  for reply in [
    Reply::text(200, r#"{"directives":[]}"#).header("content-type", "text/plain"),
    Reply::json(200, json!({})),
    Reply::json(200, json!({"directives": "__session=x"})),
    Reply::json(200, json!([])),
  ] {
    assert_eq!(
      logged_payload_error(reply.clone()),
      "handshakePayload.directives is not iterable",
      "{reply:?}"
    );
  }
}

#[test]
fn a_payload_that_is_not_json_is_logged_as_a_syntax_error() {
  let message = logged_payload_error(Reply::text(200, "{oops"));
  assert!(message.starts_with("SyntaxError: "), "{message}");
}

#[test]
fn an_unreachable_backend_api_is_logged_as_fetch_failed() {
  let outcome = decided(resolve_nonce(&refused_url(), true, "n"));
  let Outcome::AfterErrors(lines, _) = outcome else {
    panic!("expected logged errors, got {outcome:?}");
  };
  assert_eq!(lines, vec![format!("{PAYLOAD_LOG_PREFIX}fetch failed")]);
}

#[test]
fn without_an_api_secret_key_the_nonce_is_not_exchanged_and_the_missing_key_is_logged() {
  let server = payload_server(directives_reply(json!([])));
  let instance = Instance {
    api_secret_key: None,
    ..instance(true)
  };
  let outcome = decided(resolve_with(
    &input("/page"),
    &instance,
    &pem_options(&server.url),
    Some("n"),
    None,
  ));
  let Outcome::AfterErrors(lines, _) = outcome else {
    panic!("expected logged errors, got {outcome:?}");
  };
  assert_eq!(
    lines,
    vec![format!(
      "{PAYLOAD_LOG_PREFIX}Error: {}",
      crate::config::MISSING_SECRET_KEY
    )]
  );
  assert_eq!(server.hits(), 0);
}

#[test]
fn a_directive_that_is_not_a_string_stops_the_resolution_in_both_instance_types() {
  for production in [true, false] {
    for (directive, error) in [
      (
        json!(42),
        "TypeError: cookieDirective.split is not a function",
      ),
      (
        json!({"a": 1}),
        "TypeError: cookieDirective.split is not a function",
      ),
      (
        json!(null),
        "TypeError: Cannot read properties of null (reading 'split')",
      ),
    ] {
      let server = payload_server(directives_reply(json!(["__client_uat=1", directive])));
      assert_eq!(
        continued(resolve_nonce(&server.url, production, "n")),
        vec![format!("{LOG_PREFIX}{error}")],
        "production: {production}"
      );
    }
  }
}

#[test]
fn a_nonce_is_preferred_over_a_handshake_token() {
  let server = payload_server(directives_reply(json!([])));
  let resolution = resolve_with(
    &input("/page"),
    &instance(true),
    &pem_options(&server.url),
    Some("n"),
    Some("not-a-jwt"),
  );
  let (inner, _) = with_headers(decided(resolution));
  assert_eq!(inner, session_token_missing());
  assert_eq!(server.hits(), 1);
}

#[test]
fn without_any_credential_the_resolution_signs_out_with_only_the_cors_headers() {
  let server = payload_server(directives_reply(json!([])));
  let resolution = resolve_with(
    &input("/page"),
    &instance(true),
    &pem_options(&server.url),
    None,
    None,
  );
  let (inner, headers) = with_headers(decided(resolution));
  assert_eq!(inner, session_token_missing());
  assert_eq!(headers, header_pairs(&CORS));
  assert_eq!(server.hits(), 0);
}

#[test]
fn in_development_a_request_url_that_cannot_be_rebuilt_stops_the_resolution() {
  let resolution = resolve_with(
    &input("http://[oops"),
    &instance(false),
    &pem_options(&refused_url()),
    None,
    None,
  );
  assert_eq!(
    continued(resolution),
    vec![format!("{LOG_PREFIX}Error: Missing clerkUrl")]
  );
}

// --- the session cookie's verification -----------------------------------

fn resolve_session(production: bool, session: &str) -> Resolution {
  let server = payload_server(directives_reply(json!([format!(
    "__session={session}; Path=/"
  )])));
  resolve_nonce(&server.url, production, "n")
}

#[test]
fn a_session_cookie_with_an_invalid_signature_stops_the_resolution_in_both_instance_types() {
  let forged = session_token(other_key(), 0);
  for production in [true, false] {
    assert_eq!(
      continued(resolve_session(production, &forged)),
      vec![format!("{LOG_PREFIX}Error: JWT signature is invalid.")],
      "production: {production}"
    );
  }
}

#[test]
fn an_undecodable_session_cookie_stops_the_resolution_with_the_decoding_message() {
  assert_eq!(
    continued(resolve_session(true, "a.b.c")),
    vec![format!(
      "{LOG_PREFIX}Error: Invalid JWT form. The header, payload, or signature could not be decoded."
    )]
  );
}

#[test]
fn in_production_an_expired_session_cookie_stops_the_resolution() {
  let lines = continued(resolve_session(true, &session_token(key(), -7200)));
  assert_eq!(lines.len(), 1, "{lines:?}");
  assert!(
    lines[0].starts_with(&format!("{LOG_PREFIX}Error: JWT is expired. Expiry date: ")),
    "{lines:?}"
  );
}

#[test]
fn in_development_clock_skew_is_logged_and_the_session_is_verified_again_with_a_day_of_skew() {
  let cases = [
    (session_token(key(), -7200), "token-expired"),
    (session_token(key(), 7200), "token-not-active-yet"),
  ];
  for (session, reason) in cases {
    let outcome = decided(resolve_session(false, &session));
    let Outcome::AfterErrors(lines, inner) = outcome else {
      panic!("expected the clock skew log, got {outcome:?}");
    };
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with(CLOCK_SKEW), "{lines:?}");
    assert!(
      lines[0].ends_with(&format!("(reason={reason}, token-carrier=cookie)")),
      "{lines:?}"
    );
    let (inner, headers) = with_headers(*inner);
    assert_eq!(signed_in_token(inner), session);
    assert!(headers.contains(&("set-cookie".into(), format!("__session={session}; Path=/"))));
  }
}

#[test]
fn in_development_an_iat_in_the_future_counts_as_clock_skew() {
  let now = now_s();
  let session = key().sign(
    json!({}),
    json!({"sub": "user_1", "iat": now + 7200, "exp": now + 9000}),
  );
  let outcome = decided(resolve_session(false, &session));
  let Outcome::AfterErrors(lines, _) = outcome else {
    panic!("expected the clock skew log, got {outcome:?}");
  };
  assert!(lines[0].ends_with("(reason=token-iat-in-the-future, token-carrier=cookie)"));
}

#[test]
fn in_development_a_session_expired_beyond_a_day_of_skew_stops_after_the_clock_skew_log() {
  let lines = continued(resolve_session(false, &session_token(key(), -3 * 86_400)));
  assert_eq!(lines.len(), 2, "{lines:?}");
  assert!(lines[0].starts_with(CLOCK_SKEW));
  assert!(
    lines[1].starts_with(&format!("{LOG_PREFIX}Error: JWT is expired. Expiry date: ")),
    "{lines:?}"
  );
}

// --- handshake token -----------------------------------------------------

fn handshake_token(signer: &TestKey, header: Value, directives: Value) -> String {
  signer.sign(header, json!({ "handshake": directives }))
}

#[test]
fn a_signed_handshake_token_lists_the_cookies_to_set_and_the_session_signs_in() {
  let session = session_token(key(), 0);
  let directives = json!([format!("__session={session}; Path=/"), "__client_uat=1"]);
  let token = handshake_token(key(), json!({}), directives);
  let (inner, headers) = with_headers(decided(resolve_token(true, &token)));
  assert_eq!(signed_in_token(inner), session);
  let mut expected = header_pairs(&CORS);
  expected.extend(header_pairs(&[
    (
      "set-cookie",
      format!("__session={session}; Path=/").as_str(),
    ),
    ("set-cookie", "__client_uat=1"),
  ]));
  assert_eq!(headers, expected);
}

#[test]
fn handshake_token_time_claims_are_not_checked() {
  let session = session_token(key(), 0);
  let now = now_s();
  let token = key().sign(
    json!({}),
    json!({"handshake": [format!("__session={session}")], "exp": now - 86_400, "nbf": now + 86_400, "iat": now + 86_400}),
  );
  let (inner, _) = with_headers(decided(resolve_token(true, &token)));
  assert_eq!(signed_in_token(inner), session);
}

#[test]
fn session_and_ignored_token_categories_are_accepted_in_a_handshake_token() {
  let session = session_token(key(), 0);
  for cat in [
    crate::jwt::token_kind::SESSION_TOKEN_CATEGORY,
    crate::jwt::token_kind::IGNORED_CATEGORY,
  ] {
    let token = handshake_token(
      key(),
      json!({ "cat": cat }),
      json!([format!("__session={session}")]),
    );
    let (inner, _) = with_headers(decided(resolve_token(true, &token)));
    assert_eq!(signed_in_token(inner), session, "{cat}");
  }
}

#[test]
fn a_handshake_claim_that_is_not_a_list_sets_no_cookies() {
  for claim in [
    json!("__session=x"),
    json!({"0": "__session=x"}),
    Value::Null,
  ] {
    let token = handshake_token(key(), json!({}), claim.clone());
    let (inner, headers) = with_headers(decided(resolve_token(true, &token)));
    assert_eq!(inner, session_token_missing(), "{claim}");
    assert_eq!(headers, header_pairs(&CORS));
  }
}

#[test]
fn in_development_a_handshake_token_with_a_bad_signature_is_a_fatal_error_about_switched_keys() {
  let token = handshake_token(other_key(), json!({}), json!([]));
  assert_eq!(
    decided(resolve_token(false, &token)),
    Outcome::Fatal("Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.".into())
  );
}

#[test]
fn in_production_a_handshake_token_with_a_bad_signature_is_logged_and_the_resolution_goes_on() {
  let token = handshake_token(other_key(), json!({}), json!([]));
  assert_eq!(
    continued(resolve_token(true, &token)),
    vec![format!(
      "{LOG_PREFIX}Error: Handshake signature is invalid."
    )]
  );
}

/// The development failure and the production log line of a handshake token.
fn token_failures(token: &str) -> (Outcome, Vec<String>) {
  (
    decided(resolve_token(false, token)),
    continued(resolve_token(true, token)),
  )
}

#[test]
fn handshake_token_header_checks_fail_with_their_reasons() {
  let cases = [
    (
      json!({"typ": "at+jwt"}),
      "Invalid JWT type \"at+jwt\". Expected \"JWT\".",
      "Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=undefined)",
    ),
    (
      json!({"alg": "HS256"}),
      "Invalid JWT algorithm \"HS256\". Supported: RS256,RS384,RS512.",
      "Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid-algorithm, token-carrier=undefined)",
    ),
    (
      json!({"cat": "cl_B7d4PD333AAA"}),
      "Invalid handshake token category.",
      "Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid, token-carrier=undefined)",
    ),
  ];
  for (header, message, rest) in cases {
    let token = handshake_token(key(), header.clone(), json!([]));
    let (development, production) = token_failures(&token);
    assert_eq!(
      development,
      Outcome::Fatal(format!(
        "Clerk: Handshake token verification failed: {message} {rest}."
      )),
      "{header}"
    );
    assert_eq!(
      production,
      vec![format!("{LOG_PREFIX}Error: {message}")],
      "{header}"
    );
  }
}

#[test]
fn a_key_that_refuses_the_handshake_tokens_algorithm_fails_verification() {
  // The PEM key is imported as RS256: an RS384 header cannot use it.
  let token = handshake_token(key(), json!({"alg": "RS384"}), json!([]));
  let message =
    "Error verifying handshake token. Error: JWK \"alg\" does not match the requested algorithm";
  let (development, production) = token_failures(&token);
  assert_eq!(
    development,
    Outcome::Fatal(format!(
      "Clerk: Handshake token verification failed: {message} (reason=token-verification-failed, token-carrier=undefined)."
    ))
  );
  assert_eq!(production, vec![format!("{LOG_PREFIX}Error: {message}")]);
}

#[test]
fn an_undecodable_handshake_token_is_fatal_in_development_and_logged_in_production() {
  let message = "Invalid JWT form. The header, payload, or signature could not be decoded.";
  let (development, production) = token_failures("a.b.c");
  assert_eq!(
    development,
    Outcome::Fatal(format!(
      "Clerk: Handshake token verification failed: {message} (reason=token-invalid, token-carrier=undefined)."
    ))
  );
  assert_eq!(production, vec![format!("{LOG_PREFIX}Error: {message}")]);
}

#[test]
fn a_handshake_token_with_a_null_header_is_logged_even_in_development() {
  let expected = vec![format!(
    "{LOG_PREFIX}Error: Cannot destructure property 'kid' of 'data.header' as it is null."
  )];
  for production in [true, false] {
    assert_eq!(
      continued(resolve_token(production, "bnVsbA.e30.c2ln")),
      expected
    );
  }
}

#[test]
fn without_any_key_source_a_handshake_token_cannot_be_verified() {
  let token = handshake_token(key(), json!({}), json!([]));
  let options = VerifyOptions {
    jwt_key: None,
    secret_key: None,
    ..pem_options(&refused_url())
  };
  let resolution = resolve_with(
    &input("/page"),
    &instance(false),
    &options,
    None,
    Some(&token),
  );
  assert_eq!(
    decided(resolution),
    Outcome::Fatal("Clerk: Handshake token verification failed: Failed to resolve JWK during handshake verification. Set the CLERK_JWT_KEY environment variable. (reason=jwk-failed-to-resolve, token-carrier=undefined).".into())
  );
}

// --- handshake token keys from the JWKS ----------------------------------

fn jwks_options(api_url: &str, secret_key: &str) -> VerifyOptions {
  VerifyOptions {
    jwt_key: None,
    secret_key: Some(secret_key.into()),
    ..pem_options(api_url)
  }
}

#[test]
fn a_handshake_token_key_is_fetched_from_the_jwks_once_and_then_served_from_memory() {
  let _serial = crate::test_support::key_state_serialized();
  let jwks_key = TestKey::generate("kid_handshake_jwks");
  let server = RecordingServer::start(vec![(
    "/v1/jwks",
    Reply::json(200, json!({"keys": [jwks_key.jwk()]})),
  )]);
  let options = jwks_options(&server.url, "sk_test_handshake_jwks_unit");
  let session = session_token(&jwks_key, 0);
  let token = handshake_token(
    &jwks_key,
    json!({}),
    json!([format!("__session={session}")]),
  );
  for _ in 0..2 {
    let resolution = resolve_with(
      &input("/page"),
      &instance(true),
      &options,
      None,
      Some(&token),
    );
    let (inner, _) = with_headers(decided(resolution));
    assert_eq!(signed_in_token(inner), session);
  }
  let requests = server.requests();
  assert_eq!(requests.len(), 1, "{requests:?}");
  assert_eq!(requests[0].target, "/v1/jwks");
  assert_eq!(
    requests[0].header("authorization"),
    Some("Bearer sk_test_handshake_jwks_unit")
  );
}

#[test]
fn a_handshake_token_whose_kid_is_not_in_the_jwks_fails_with_kid_mismatch() {
  let _serial = crate::test_support::key_state_serialized();
  let listed = TestKey::generate("kid_listed");
  let server = RecordingServer::start(vec![(
    "/v1/jwks",
    Reply::json(200, json!({"keys": [listed.jwk()]})),
  )]);
  let options = jwks_options(&server.url, "sk_test_handshake_kid_unit");
  let token = handshake_token(&TestKey::generate("kid_unlisted"), json!({}), json!([]));
  let resolution = resolve_with(
    &input("/page"),
    &instance(false),
    &options,
    None,
    Some(&token),
  );
  match decided(resolution) {
    Outcome::Fatal(message) => {
      assert!(
        message.starts_with(
          "Clerk: Handshake token verification failed: Unable to find a signing key in JWKS that matches the kid='kid_unlisted'"
        ),
        "{message}"
      );
      assert!(message.ends_with("(reason=jwk-kid-mismatch, token-carrier=undefined)."));
    }
    other => panic!("expected a fatal failure, got {other:?}"),
  }
}

#[test]
fn a_jwks_answer_that_is_not_an_error_code_is_logged_even_in_development() {
  let _serial = crate::test_support::key_state_serialized();
  let server = RecordingServer::start(vec![("/v1/jwks", Reply::text(200, "null"))]);
  let options = jwks_options(&server.url, "sk_test_handshake_null_unit");
  let token = handshake_token(key(), json!({}), json!([]));
  let resolution = resolve_with(
    &input("/page"),
    &instance(false),
    &options,
    None,
    Some(&token),
  );
  assert_eq!(
    continued(resolution),
    vec![format!(
      "{LOG_PREFIX}Error: Cannot destructure property 'keys' of null"
    )]
  );
}

#[test]
fn a_session_verification_failure_without_a_message_is_logged_as_handshake_failed() {
  let _serial = crate::test_support::key_state_serialized();
  // The JWKS refuses the secret key without a message (after the five
  // attempts of a JWKS fetch): the error message is empty.
  let server = RecordingServer::start(vec![
    (
      PAYLOAD_PATH,
      directives_reply(json!([format!("__session={}", session_token(key(), 0))])),
    ),
    (
      "/v1/jwks",
      Reply::json(401, json!({"errors": [{"code": "clerk_key_invalid"}]})),
    ),
  ]);
  let options = jwks_options(&server.url, "sk_test_handshake_refused_unit");
  let resolution = resolve_with(&input("/page"), &instance(true), &options, Some("n"), None);
  assert_eq!(
    continued(resolution),
    vec![format!("{LOG_PREFIX}Error: Clerk: Handshake failed.")]
  );
  let jwks_fetches = server
    .requests()
    .iter()
    .filter(|r| r.path() == "/v1/jwks")
    .count();
  assert_eq!(jwks_fetches, 5);
}
