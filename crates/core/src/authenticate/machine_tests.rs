//! Unit tests of machine token verification against a fake Backend API on
//! 127.0.0.1: opaque API keys, M2M and OAuth tokens (the verify endpoint,
//! body field and key of each, the error mapping to signed-out codes and
//! `<message> (code=…, status=…)` messages, the OAuth audience check), the
//! opt-in verification cache (`machine_token_cache_ttl_ms`), and the JWT
//! forms (M2M by `mch_` subject and category, OAuth by `typ`), verified with
//! a PEM key or, in one test holding the key state lock, the JWKS.

use super::*;
use crate::http_client::{build, ClientOptions};
use crate::test_support::{block_on, now_s, refused_url, RecordingServer, Reply, TestKey};
use base64::Engine as _;
use serde_json::json;

const SECRET_KEY: &str = "sk_test_machine_unit";
const USER_AGENT: &str = "ua-machine-unit";
const API_KEYS_PATH: &str = "/api_keys/verify";
const M2M_PATH: &str = "/m2m_tokens/verify";
const OAUTH_PATH: &str = "/oauth_applications/access_tokens/verify";

fn key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_machine"))
}

fn other_key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_machine"))
}

fn options(api_url: &str) -> VerifyOptions {
  VerifyOptions {
    jwt_key: Some(key().spki_pem()),
    secret_key: Some(SECRET_KEY.into()),
    api_url: api_url.into(),
    api_version: "v1".into(),
    clock_skew_ms: 5000.0,
    ..Default::default()
  }
}

fn context() -> MachineContext<'static> {
  MachineContext {
    secret_key: SECRET_KEY,
    machine_secret_key: None,
    user_agent: USER_AGENT,
  }
}

fn run(
  token: &str,
  token_type: &'static str,
  options: &VerifyOptions,
  context: &MachineContext<'_>,
) -> Outcome {
  let client = build(ClientOptions {
    follow_redirects: true,
  });
  block_on(authenticate(&client, token, token_type, options, context))
}

fn signed_out(token_type: &'static str, code: &str, message: &str) -> Outcome {
  Outcome::SignedOut {
    token_type,
    reason: code.into(),
    message: message.into(),
    notices: Vec::new(),
  }
}

fn signed_in(token_type: &'static str, token: &str, data: &Value, from_jwt: bool) -> Outcome {
  Outcome::SignedInMachine {
    token_type,
    token: token.into(),
    data_text: data.to_string(),
    from_jwt,
  }
}

/// A fake Backend API with the three verify endpoints answering `reply`.
fn backend(reply: Reply) -> RecordingServer {
  RecordingServer::start(vec![
    (API_KEYS_PATH, reply.clone()),
    (M2M_PATH, reply.clone()),
    (OAUTH_PATH, reply),
  ])
}

fn api_key_data() -> Value {
  json!({"object": "api_key", "id": "ak_id_1", "type": "api_key", "name": "ci", "subject": "user_1", "scopes": ["read"], "claims": null})
}

// --- opaque tokens: the Backend API calls --------------------------------

#[test]
fn an_api_key_is_verified_by_posting_its_secret_to_the_api_keys_endpoint_without_v1() {
  let server = backend(Reply::json(200, api_key_data()));
  let outcome = run("ak_secret_1", API_KEY, &options(&server.url), &context());
  assert_eq!(
    outcome,
    signed_in(API_KEY, "ak_secret_1", &api_key_data(), false)
  );
  let request = server.only_request();
  assert_eq!(request.method, "POST");
  assert_eq!(request.target, API_KEYS_PATH);
  assert_eq!(request.body_text(), r#"{"secret":"ak_secret_1"}"#);
  assert_eq!(
    request.header("authorization"),
    Some("Bearer sk_test_machine_unit")
  );
  assert_eq!(request.header("user-agent"), Some(USER_AGENT));
  assert_eq!(request.header("content-type"), Some("application/json"));
  assert_eq!(
    request.header("clerk-api-version"),
    Some(crate::constants::CLERK_API_VERSION)
  );
}

#[test]
fn the_verification_answer_is_handed_on_as_json_text_in_its_key_order() {
  let data_text =
    r#"{"subject":"user_1","object":"api_key","id":"ak_id_2","nested":{"b":1,"a":2}}"#;
  let server = backend(Reply::text(200, data_text));
  match run("ak_secret_2", API_KEY, &options(&server.url), &context()) {
    Outcome::SignedInMachine { data_text: got, .. } => assert_eq!(got, data_text),
    other => panic!("expected a signed-in machine, got {other:?}"),
  }
}

#[test]
fn an_m2m_token_is_verified_with_the_machine_secret_key_when_one_is_set() {
  let data = json!({"object": "machine_to_machine_token", "id": "mt_id", "subject": "mch_1"});
  let server = backend(Reply::json(200, data.clone()));
  let context = MachineContext {
    machine_secret_key: Some("ak_machine_secret"),
    ..context()
  };
  let outcome = run("mt_opaque_1", M2M_TOKEN, &options(&server.url), &context);
  assert_eq!(outcome, signed_in(M2M_TOKEN, "mt_opaque_1", &data, false));
  let request = server.only_request();
  assert_eq!(request.target, M2M_PATH);
  assert_eq!(request.json(), json!({"token": "mt_opaque_1"}));
  assert_eq!(
    request.header("authorization"),
    Some("Bearer ak_machine_secret")
  );
}

#[test]
fn without_a_machine_secret_key_m2m_tokens_are_verified_with_the_secret_key() {
  for machine_secret_key in [None, Some("")] {
    let server = backend(Reply::json(200, json!({"id": "mt_id"})));
    let context = MachineContext {
      machine_secret_key,
      ..context()
    };
    run("mt_opaque_2", M2M_TOKEN, &options(&server.url), &context);
    assert_eq!(
      server.only_request().header("authorization"),
      Some("Bearer sk_test_machine_unit"),
      "{machine_secret_key:?}"
    );
  }
}

#[test]
fn an_oauth_token_is_verified_at_the_access_tokens_endpoint() {
  let data = json!({"object": "clerk_idp_oauth_access_token", "id": "oat_id", "subject": "user_1"});
  let server = backend(Reply::json(200, data.clone()));
  let outcome = run(
    "oat_opaque_1",
    OAUTH_TOKEN,
    &options(&server.url),
    &context(),
  );
  assert_eq!(
    outcome,
    signed_in(OAUTH_TOKEN, "oat_opaque_1", &data, false)
  );
  let request = server.only_request();
  assert_eq!(request.target, OAUTH_PATH);
  assert_eq!(request.json(), json!({"access_token": "oat_opaque_1"}));
  assert_eq!(
    request.header("authorization"),
    Some("Bearer sk_test_machine_unit")
  );
}

#[test]
fn the_path_of_the_api_url_is_kept_before_the_verify_endpoint() {
  let server = RecordingServer::start(vec![(
    "/base/api_keys/verify",
    Reply::json(200, api_key_data()),
  )]);
  let options = options(&format!("{}/base/", server.url));
  let outcome = run("ak_secret_3", API_KEY, &options, &context());
  assert!(
    matches!(outcome, Outcome::SignedInMachine { .. }),
    "{outcome:?}"
  );
  assert_eq!(server.only_request().target, "/base/api_keys/verify");
}

// --- opaque tokens: failures ---------------------------------------------

#[test]
fn a_401_signs_out_with_secret_key_invalid_and_the_first_error_message() {
  let server = backend(Reply::json(
    401,
    json!({"errors": [{"code": "authentication_invalid", "message": "Bad key"}, {"message": "second"}]}),
  ));
  assert_eq!(
    run("ak_bad", API_KEY, &options(&server.url), &context()),
    signed_out(
      API_KEY,
      "secret-key-invalid",
      "Bad key (code=secret-key-invalid, status=401)"
    )
  );
}

#[test]
fn a_401_without_an_error_message_says_invalid_secret_key() {
  for reply in [
    Reply::json(401, json!({})),
    Reply::json(401, json!({"errors": []})),
    Reply::json(401, json!({"errors": [{"code": "x", "message": ""}]})),
    Reply::text(401, "Unauthorized").header("content-type", "text/plain"),
  ] {
    let server = backend(reply.clone());
    assert_eq!(
      run("mt_bad", M2M_TOKEN, &options(&server.url), &context()),
      signed_out(
        M2M_TOKEN,
        "secret-key-invalid",
        "Invalid secret key (code=secret-key-invalid, status=401)"
      ),
      "{reply:?}"
    );
  }
}

#[test]
fn a_404_signs_out_with_token_invalid_and_the_not_found_message_of_each_type() {
  let server = backend(Reply::json(404, json!({"errors": [{"code": "not_found"}]})));
  let cases = [
    (API_KEY, "ak_missing", "API key not found"),
    (M2M_TOKEN, "mt_missing", "Machine token not found"),
    (OAUTH_TOKEN, "oat_missing", "OAuth token not found"),
  ];
  for (token_type, token, message) in cases {
    assert_eq!(
      run(token, token_type, &options(&server.url), &context()),
      signed_out(
        token_type,
        "token-invalid",
        &format!("{message} (code=token-invalid, status=404)")
      )
    );
  }
  assert_eq!(server.hits(), 3);
}

#[test]
fn other_error_statuses_sign_out_with_unexpected_error_and_the_status() {
  for status in [400, 403, 422, 429, 500, 503] {
    let server = backend(Reply::json(status, json!({"errors": [{"message": "no"}]})));
    assert_eq!(
      run("oat_x", OAUTH_TOKEN, &options(&server.url), &context()),
      signed_out(
        OAUTH_TOKEN,
        "unexpected-error",
        &format!("Unexpected error (code=unexpected-error, status={status})")
      )
    );
  }
}

#[test]
fn an_unreachable_backend_api_signs_out_with_unexpected_error_without_a_status() {
  assert_eq!(
    run("ak_x", API_KEY, &options(&refused_url()), &context()),
    signed_out(
      API_KEY,
      "unexpected-error",
      "Unexpected error (code=unexpected-error, status=n/a)"
    )
  );
}

#[test]
fn an_api_url_that_is_not_a_url_signs_out_with_unexpected_error() {
  assert_eq!(
    run("ak_x", API_KEY, &options("not a url"), &context()),
    signed_out(
      API_KEY,
      "unexpected-error",
      "Unexpected error (code=unexpected-error, status=n/a)"
    )
  );
}

#[test]
fn a_success_whose_body_is_not_a_json_object_signs_out_with_unexpected_error() {
  for reply in [
    Reply::text(200, "ok").header("content-type", "text/plain"),
    Reply::json(200, json!([api_key_data()])),
    Reply::json(200, json!("ak")),
    Reply::text(200, "{broken"),
  ] {
    let server = backend(reply.clone());
    assert_eq!(
      run("ak_y", API_KEY, &options(&server.url), &context()),
      signed_out(
        API_KEY,
        "unexpected-error",
        "Unexpected error (code=unexpected-error, status=n/a)"
      ),
      "{reply:?}"
    );
  }
}

// --- opaque OAuth tokens: the audience -----------------------------------

fn with_audience(api_url: &str, audience: &[&str]) -> VerifyOptions {
  VerifyOptions {
    audience: audience.iter().map(|a| a.to_string()).collect(),
    ..options(api_url)
  }
}

#[test]
fn an_opaque_oauth_token_must_share_an_audience_with_the_configured_one() {
  let accepted = [json!("aud-a"), json!(["aud-x", "aud-a"])];
  for aud in accepted {
    let data = json!({"id": "oat_id", "aud": aud});
    let server = backend(Reply::json(200, data.clone()));
    let options = with_audience(&server.url, &["aud-a", "aud-b"]);
    assert_eq!(
      run("oat_aud", OAUTH_TOKEN, &options, &context()),
      signed_in(OAUTH_TOKEN, "oat_aud", &data, false)
    );
  }
  let server = backend(Reply::json(200, json!({"id": "oat_id", "aud": "aud-c"})));
  assert_eq!(
    run("oat_aud", OAUTH_TOKEN, &with_audience(&server.url, &["aud-a"]), &context()),
    signed_out(
      OAUTH_TOKEN,
      "token-verification-failed",
      "OAuth audience mismatch. Verification expected audience [\"aud-a\"], but incoming token has aud \"aud-c\". (code=token-verification-failed, status=n/a)"
    )
  );
}

#[test]
fn an_opaque_oauth_token_without_a_usable_audience_fails_when_one_is_configured() {
  for (data, shown) in [
    (json!({"id": "oat_id"}), "undefined"),
    (json!({"id": "oat_id", "aud": ""}), "\"\""),
    (
      json!({"id": "oat_id", "aud": ["aud-a", ""]}),
      "[\"aud-a\",\"\"]",
    ),
  ] {
    let server = backend(Reply::json(200, data.clone()));
    assert_eq!(
      run("oat_aud", OAUTH_TOKEN, &with_audience(&server.url, &["aud-a"]), &context()),
      signed_out(
        OAUTH_TOKEN,
        "token-verification-failed",
        &format!("Invalid OAuth audience claim (aud) {shown}. Expected a non-empty string or a non-empty array of non-empty strings. (code=token-verification-failed, status=n/a)")
      ),
      "{data}"
    );
  }
}

#[test]
fn api_keys_and_m2m_tokens_are_not_checked_against_the_audience() {
  let data = json!({"id": "x", "aud": "aud-c"});
  let server = backend(Reply::json(200, data.clone()));
  let options = with_audience(&server.url, &["aud-a"]);
  assert_eq!(
    run("ak_aud", API_KEY, &options, &context()),
    signed_in(API_KEY, "ak_aud", &data, false)
  );
  assert_eq!(
    run("mt_aud", M2M_TOKEN, &options, &context()),
    signed_in(M2M_TOKEN, "mt_aud", &data, false)
  );
}

// --- the verification cache ----------------------------------------------

fn with_cache_ttl(api_url: &str, ttl_ms: Option<f64>) -> VerifyOptions {
  VerifyOptions {
    machine_token_cache_ttl_ms: ttl_ms,
    ..options(api_url)
  }
}

#[test]
fn with_a_cache_ttl_a_verified_opaque_token_is_reused_without_another_backend_api_call() {
  let server = backend(Reply::json(200, api_key_data()));
  let options = with_cache_ttl(&server.url, Some(60_000.0));
  let expected = signed_in(API_KEY, "ak_cached_1", &api_key_data(), false);
  let before = crate::clock::now_ms();
  assert_eq!(run("ak_cached_1", API_KEY, &options, &context()), expected);
  let after = crate::clock::now_ms();
  assert_eq!(run("ak_cached_1", API_KEY, &options, &context()), expected);
  assert_eq!(server.hits(), 1);
  // Fresh until the TTL has passed since the verification.
  assert_eq!(
    cached("ak_cached_1", API_KEY, &options, before + 59_999.0),
    Some(expected)
  );
  assert_eq!(
    cached("ak_cached_1", API_KEY, &options, after + 60_000.0),
    None
  );
}

#[test]
fn an_expired_cache_entry_is_verified_again() {
  let server = backend(Reply::json(200, api_key_data()));
  let options = with_cache_ttl(&server.url, Some(1.0));
  run("ak_cached_2", API_KEY, &options, &context());
  std::thread::sleep(std::time::Duration::from_millis(5));
  run("ak_cached_2", API_KEY, &options, &context());
  assert_eq!(server.hits(), 2);
}

#[test]
fn without_a_positive_cache_ttl_every_verification_calls_the_backend_api() {
  for ttl in [None, Some(0.0), Some(-5.0)] {
    let server = backend(Reply::json(200, api_key_data()));
    let options = with_cache_ttl(&server.url, ttl);
    run("ak_uncached", API_KEY, &options, &context());
    run("ak_uncached", API_KEY, &options, &context());
    assert_eq!(server.hits(), 2, "{ttl:?}");
    let cache_on = with_cache_ttl(&server.url, Some(60_000.0));
    assert_eq!(
      cached("ak_uncached", API_KEY, &cache_on, crate::clock::now_ms()),
      None,
      "{ttl:?}: nothing was stored"
    );
  }
}

#[test]
fn failed_verifications_are_not_cached() {
  let server = backend(Reply::json(404, json!({"errors": []})));
  let options = with_cache_ttl(&server.url, Some(60_000.0));
  for _ in 0..2 {
    assert_eq!(
      run("mt_unknown", M2M_TOKEN, &options, &context()),
      signed_out(
        M2M_TOKEN,
        "token-invalid",
        "Machine token not found (code=token-invalid, status=404)"
      )
    );
  }
  assert_eq!(server.hits(), 2);
}

#[test]
fn cached_verifications_are_kept_apart_by_type_keys_audience_and_api_url() {
  let server = backend(Reply::json(200, api_key_data()));
  let options = with_cache_ttl(&server.url, Some(60_000.0));
  run("ak_shared", API_KEY, &options, &context());
  let now = crate::clock::now_ms();
  assert!(cached("ak_shared", API_KEY, &options, now).is_some());
  assert_eq!(cached("ak_shared", M2M_TOKEN, &options, now), None);
  let others = [
    VerifyOptions {
      secret_key: Some("sk_test_other".into()),
      ..options.clone()
    },
    VerifyOptions {
      machine_secret_key: Some("ak_machine".into()),
      ..options.clone()
    },
    VerifyOptions {
      audience: vec!["aud-a".into()],
      ..options.clone()
    },
    with_cache_ttl(&refused_url(), Some(60_000.0)),
  ];
  for other in others {
    assert_eq!(cached("ak_shared", API_KEY, &other, now), None, "{other:?}");
  }
}

#[test]
fn jwt_shaped_tokens_are_never_answered_from_the_cache() {
  let options = with_cache_ttl("http://127.0.0.1:9", Some(60_000.0));
  let token = "aaa.bbb.ccc";
  verification_cache().insert(
    cache_key(token, API_KEY, &options),
    Arc::new(("{}".to_string(), crate::clock::now_ms())),
  );
  assert_eq!(
    cached(token, API_KEY, &options, crate::clock::now_ms()),
    None
  );
  let opaque = "ak_opaque.bbb";
  verification_cache().insert(
    cache_key(opaque, API_KEY, &options),
    Arc::new(("{}".to_string(), crate::clock::now_ms())),
  );
  assert!(cached(opaque, API_KEY, &options, crate::clock::now_ms()).is_some());
}

// --- the token's form ----------------------------------------------------

#[test]
fn only_three_non_empty_base64url_parts_make_a_jwt_shaped_token() {
  for token in ["a.b.c", "ak_x.y-z.0_9", "eyJ.eyJ.sig"] {
    assert!(is_jwt_format(token), "{token}");
  }
  for token in [
    "ak_x", "a.b", "a.b.c.d", "a..c", ".b.c", "a.b.c=", "a+b.c.d", "a.b.c ",
  ] {
    assert!(!is_jwt_format(token), "{token}");
  }
}

#[test]
fn an_opaque_token_with_dots_is_still_verified_by_the_backend_api() {
  let server = backend(Reply::json(200, api_key_data()));
  let outcome = run("ak_x.y=.z", API_KEY, &options(&server.url), &context());
  assert!(
    matches!(
      outcome,
      Outcome::SignedInMachine {
        from_jwt: false,
        ..
      }
    ),
    "{outcome:?}"
  );
  assert_eq!(server.hits(), 1);
}

// --- JWT forms -------------------------------------------------------------

fn m2m_claims() -> Value {
  let now = now_s();
  json!({"sub": "mch_1", "jti": "mt_jwt_1", "scopes": "read write", "iat": now - 10, "nbf": now - 10, "exp": now + 3600})
}

fn oauth_claims() -> Value {
  let now = now_s();
  json!({"sub": "user_1", "client_id": "client_1", "jti": "oat_jwt_1", "aud": "aud-a", "scope": "read", "iat": now - 10, "exp": now + 3600})
}

/// Verifies a JWT-form token (the given type is not consulted) with no
/// Backend API call.
fn run_jwt(token: &str, options: &VerifyOptions) -> Outcome {
  run(token, API_KEY, options, &context())
}

#[test]
fn an_m2m_jwt_is_verified_locally_and_signs_in_with_its_payload() {
  let server = backend(Reply::json(500, json!({})));
  let claims = m2m_claims();
  for header in [json!({}), json!({"cat": "cl_B7d4PD333AAA"})] {
    let token = key().sign(header.clone(), claims.clone());
    assert_eq!(
      run_jwt(&token, &options(&server.url)),
      signed_in(M2M_TOKEN, &token, &claims, true),
      "{header}"
    );
  }
  assert_eq!(server.hits(), 0);
}

#[test]
fn m2m_jwts_ignore_the_authorized_parties_and_issuer_options() {
  let mut claims = m2m_claims();
  claims["azp"] = json!("https://elsewhere.example.com");
  claims["iss"] = json!("https://issuer.example.com");
  let token = key().sign(json!({}), claims.clone());
  let options = VerifyOptions {
    authorized_parties: vec!["https://app.example.com".into()],
    issuer: vec!["https://clerk.example.com".into()],
    ..options(&refused_url())
  };
  assert_eq!(
    run_jwt(&token, &options),
    signed_in(M2M_TOKEN, &token, &claims, true)
  );
}

#[test]
fn an_m2m_jwt_of_another_category_is_an_invalid_m2m_token() {
  for cat in [json!("cl_B7d4PD111AAA"), Value::Null, json!(1)] {
    let token = key().sign(json!({ "cat": cat.clone() }), m2m_claims());
    assert_eq!(
      run_jwt(&token, &options(&refused_url())),
      signed_out(
        M2M_TOKEN,
        "token-invalid",
        "Invalid M2M JWT category. (code=token-invalid, status=n/a)"
      ),
      "{cat}"
    );
  }
}

fn verification_failed(token_type: &'static str, message: &str) -> Outcome {
  signed_out(
    token_type,
    "token-verification-failed",
    &format!("{message} (code=token-verification-failed, status=n/a)"),
  )
}

#[test]
fn m2m_jwt_verification_failures_sign_out_with_token_verification_failed() {
  let options = VerifyOptions {
    audience: vec!["aud-a".into()],
    ..options(&refused_url())
  };
  let forged = other_key().sign(json!({}), m2m_claims());
  assert_eq!(
    run_jwt(&forged, &options),
    verification_failed(M2M_TOKEN, "JWT signature is invalid.")
  );
  let oauth_typed = key().sign(json!({"typ": "at+jwt"}), m2m_claims());
  assert_eq!(
    run_jwt(&oauth_typed, &options),
    verification_failed(M2M_TOKEN, "Invalid JWT type \"at+jwt\". Expected \"JWT\".")
  );
  let mut other_audience = m2m_claims();
  other_audience["aud"] = json!("aud-b");
  let token = key().sign(json!({}), other_audience);
  assert_eq!(
    run_jwt(&token, &options),
    verification_failed(
      M2M_TOKEN,
      "Invalid JWT audience claim (aud) \"aud-b\". Is not included in \"[\"aud-a\"]\"."
    )
  );
  let mut expired = m2m_claims();
  expired["exp"] = json!(now_s() - 600);
  let token = key().sign(json!({}), expired);
  match run_jwt(&token, &options) {
    Outcome::SignedOut {
      token_type,
      reason,
      message,
      ..
    } => {
      assert_eq!(
        (token_type, reason.as_str()),
        (M2M_TOKEN, "token-verification-failed")
      );
      assert!(
        message.starts_with("JWT is expired. Expiry date: "),
        "{message}"
      );
      assert!(message.ends_with("(code=token-verification-failed, status=n/a)"));
    }
    other => panic!("expected signed-out, got {other:?}"),
  }
}

#[test]
fn without_any_key_source_a_machine_jwt_cannot_be_verified() {
  let options = VerifyOptions {
    jwt_key: None,
    secret_key: None,
    ..options(&refused_url())
  };
  let token = key().sign(json!({}), m2m_claims());
  assert_eq!(
    run_jwt(&token, &options),
    verification_failed(M2M_TOKEN, "Failed to resolve JWK during verification.")
  );
}

#[test]
fn an_oauth_jwt_is_recognised_by_its_type_and_signs_in_with_its_payload() {
  let claims = oauth_claims();
  for typ in ["at+jwt", "application/at+jwt"] {
    let token = key().sign(json!({ "typ": typ }), claims.clone());
    assert_eq!(
      run_jwt(&token, &options(&refused_url())),
      signed_in(OAUTH_TOKEN, &token, &claims, true),
      "{typ}"
    );
  }
}

#[test]
fn an_oauth_jwt_is_checked_against_the_audience_with_the_oauth_rules_after_verification() {
  let claims = oauth_claims();
  let token = key().sign(json!({"typ": "at+jwt"}), claims.clone());
  let accepting = with_audience(&refused_url(), &["aud-z", "aud-a"]);
  assert_eq!(
    run_jwt(&token, &accepting),
    signed_in(OAUTH_TOKEN, &token, &claims, true)
  );
  let refusing = with_audience(&refused_url(), &["aud-b"]);
  assert_eq!(
    run_jwt(&token, &refusing),
    verification_failed(
      OAUTH_TOKEN,
      "OAuth audience mismatch. Verification expected audience [\"aud-b\"], but incoming token has aud \"aud-a\"."
    )
  );
}

#[test]
fn oauth_jwt_verification_failures_sign_out_with_token_verification_failed() {
  let forged = other_key().sign(json!({"typ": "at+jwt"}), oauth_claims());
  assert_eq!(
    run_jwt(&forged, &options(&refused_url())),
    verification_failed(OAUTH_TOKEN, "JWT signature is invalid.")
  );
  let bad_alg = key().sign(json!({"typ": "at+jwt", "alg": "HS256"}), oauth_claims());
  assert_eq!(
    run_jwt(&bad_alg, &options(&refused_url())),
    verification_failed(
      OAUTH_TOKEN,
      "Invalid JWT algorithm \"HS256\". Supported: RS256,RS384,RS512."
    )
  );
}

#[test]
fn a_jwt_that_is_neither_m2m_nor_oauth_signs_out_naming_its_type() {
  let message = |typ: &str| {
    format!("Invalid JWT type: {typ}. Expected one of: at+jwt, application/at+jwt for OAuth, or sub starting with 'mch_' for M2M")
  };
  let session_like = key().sign(json!({}), oauth_claims());
  assert_eq!(
    run_jwt(&session_like, &options(&refused_url())),
    verification_failed(OAUTH_TOKEN, &message("JWT"))
  );
  // A header without typ: built by hand, since `sign` always sets one.
  let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#);
  let without_typ = format!("{header}.e30.c2ln");
  assert_eq!(
    run_jwt(&without_typ, &options(&refused_url())),
    verification_failed(OAUTH_TOKEN, &message("missing"))
  );
}

#[test]
fn a_jwt_with_a_null_type_signs_out_naming_it_missing() {
  let token = key().sign(json!({"typ": null}), oauth_claims());
  assert_eq!(
    run_jwt(&token, &options(&refused_url())),
    verification_failed(
      OAUTH_TOKEN,
      "Invalid JWT type: missing. Expected one of: at+jwt, application/at+jwt for OAuth, or sub starting with 'mch_' for M2M"
    )
  );
}

#[test]
fn an_undecodable_jwt_shaped_token_is_an_invalid_m2m_token() {
  let server = backend(Reply::json(200, api_key_data()));
  assert_eq!(
    run("abc.def.ghi", OAUTH_TOKEN, &options(&server.url), &context()),
    signed_out(
      M2M_TOKEN,
      "token-invalid",
      "Invalid JWT form. The header, payload, or signature could not be decoded. (code=token-invalid, status=n/a)"
    )
  );
  assert_eq!(server.hits(), 0);
}

#[test]
fn an_m2m_jwt_key_is_fetched_from_the_jwks_when_there_is_no_pem_key() {
  let _serial = crate::test_support::key_state_serialized();
  let jwks_key = TestKey::generate("kid_machine_jwks");
  let server = RecordingServer::start(vec![(
    "/v1/jwks",
    Reply::json(200, json!({"keys": [jwks_key.jwk()]})),
  )]);
  let options = VerifyOptions {
    jwt_key: None,
    secret_key: Some("sk_test_machine_jwks_unit".into()),
    ..options(&server.url)
  };
  let claims = m2m_claims();
  let token = jwks_key.sign(json!({}), claims.clone());
  assert_eq!(
    run_jwt(&token, &options),
    signed_in(M2M_TOKEN, &token, &claims, true)
  );
  let request = server.only_request();
  assert_eq!(request.target, "/v1/jwks");
  assert_eq!(
    request.header("authorization"),
    Some("Bearer sk_test_machine_jwks_unit")
  );
}
