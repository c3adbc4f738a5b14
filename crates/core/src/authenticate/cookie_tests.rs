//! Unit tests of the cookie path (`cookie.rs`), branch by branch: the
//! handshake credentials resolved first, satellite and primary syncing, the
//! development browser, `client_uat` against the session cookie, the choice
//! between suffixed and unsuffixed cookies, what follows a verification (the
//! azp notice, the cross-origin referer check, organization sync) and
//! verification errors (`token_error_outcome`, `RefreshNeeded`). Session
//! tokens are verified with a PEM key: nothing here touches the network or
//! the process-wide caches.

use super::*;
use crate::authenticate::instance::Instance;
use crate::authenticate::request::{OrgTarget, Request, RequestInput, SiteOptions};
use crate::authenticate::{Notice, Outcome, SESSION_TOKEN};
use crate::config::parse_publishable_key;
use crate::errors::{Failure, TokenError};
use crate::jwt::verify::{verify_with_cached_keys, VerifiedToken, VerifyOptions};
use crate::test_support::{done, instance_claims, now_s, TestKey};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Frontend API `clerk.example.com`, cookie suffix `l2OS3d9k`.
const DEV_PK: &str = "pk_test_Y2xlcmsuZXhhbXBsZS5jb20k";
const PROD_PK: &str = "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k";
const LOOP_LOG_START: &str =
  "Clerk: Refreshing the session token resulted in an infinite redirect loop.";

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

/// `<name>_<suffix>` for the instance's cookie suffix.
fn suffixed(instance: &Instance, name: &str) -> String {
  format!("{name}_{}", instance.cookie_suffix)
}

/// One RSA key for the whole file (generating one takes a while).
fn key() -> &'static TestKey {
  static KEY: OnceLock<TestKey> = OnceLock::new();
  KEY.get_or_init(|| TestKey::generate("kid_cookie_tests"))
}

fn pem_options() -> VerifyOptions {
  VerifyOptions {
    jwt_key: Some(key().spki_pem()),
    clock_skew_ms: 5000.0,
    ..Default::default()
  }
}

fn token_with(changes: Value) -> String {
  key().sign(json!({}), instance_claims(changes))
}

/// A valid session token of this instance, issued 10 s ago.
fn session() -> String {
  token_with(json!({}))
}

/// A `__client_uat` older than the tokens' `iat` (the expired ones' too).
fn uat() -> String {
  (now_s() - 10_000).to_string()
}

fn cookies(pairs: &[(&str, &str)]) -> String {
  pairs
    .iter()
    .map(|(name, value)| format!("{name}={value}"))
    .collect::<Vec<_>>()
    .join("; ")
}

/// A signed-in browser's cookies (unsuffixed, with a development browser).
fn signed_in_cookies(token: &str) -> String {
  cookies(&[
    ("__session", token),
    ("__client_uat", &uat()),
    ("__clerk_db_jwt", "dbjwt"),
  ])
}

/// A navigation: GET with `Sec-Fetch-Dest: document`.
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

/// A `fetch()` from a page: GET with `Sec-Fetch-Dest: empty`.
fn fetch(url: &str, cookie: &str) -> RequestInput {
  RequestInput {
    sec_fetch_dest: Some("empty".into()),
    ..document(url, cookie)
  }
}

fn satellite(production: bool, auto_sync: bool) -> SiteOptions {
  SiteOptions {
    domain: Some("sat.example.net".into()),
    is_satellite: true,
    sign_in_url: (!production).then(|| "https://app.example.com/sign-in".to_string()),
    satellite_auto_sync: auto_sync,
    ..Default::default()
  }
}

/// A navigation on the satellite's own host.
fn satellite_document(site: SiteOptions, url: &str, cookie: &str) -> RequestInput {
  RequestInput {
    site,
    host: Some("sat.example.net".into()),
    ..document(url, cookie)
  }
}

fn with_org_target(mut input: RequestInput, target: OrgTarget) -> RequestInput {
  input.site.org_target = Some(target);
  input
}

fn org_slug(slug: &str) -> OrgTarget {
  OrgTarget::Organization {
    id: None,
    slug: Some(slug.into()),
  }
}

fn describe(step: &CookieStep) -> String {
  match step {
    CookieStep::Decided(outcome) => format!("Decided({outcome:?})"),
    CookieStep::ResolveHandshake { nonce, token } => {
      format!("ResolveHandshake({nonce:?}, {token:?})")
    }
    CookieStep::Verify { token, .. } => format!("Verify({token})"),
  }
}

/// `first_step` with the instance as the request's site sees it (as `dispatch` does).
fn first(input: &RequestInput, instance: &Instance) -> CookieStep {
  let instance = instance.for_site(&input.site);
  first_step(&Request::new(input), &instance)
}

#[track_caller]
fn decided(input: &RequestInput, instance: &Instance) -> Outcome {
  match first(input, instance) {
    CookieStep::Decided(outcome) => outcome,
    other => panic!("expected a decision, got {}", describe(&other)),
  }
}

#[track_caller]
fn handshake_credentials(
  input: &RequestInput,
  instance: &Instance,
) -> (Option<String>, Option<String>) {
  match first(input, instance) {
    CookieStep::ResolveHandshake { nonce, token } => (nonce, token),
    other => panic!("expected a handshake to resolve, got {}", describe(&other)),
  }
}

#[track_caller]
fn verify_step(input: &RequestInput, instance: &Instance) -> (String, CookieState) {
  match first(input, instance) {
    CookieStep::Verify { token, state, .. } => (token, *state),
    other => panic!("expected a verification, got {}", describe(&other)),
  }
}

#[track_caller]
fn read_state(input: &RequestInput, instance: &Instance) -> CookieState {
  match CookieState::read(&Request::new(input), instance) {
    Ok(state) => state,
    Err(failure) => panic!("expected cookies to read, got {failure:?}"),
  }
}

/// The whole cookie path from memory: the steps, the verification with
/// `options`, then `after_verification`.
fn run_with(
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
) -> Result<Outcome, RefreshNeeded> {
  let instance = instance.for_site(&input.site);
  let request = Request::new(input);
  match first_step(&request, &instance) {
    CookieStep::Decided(outcome) => Ok(outcome),
    CookieStep::Verify {
      token,
      state,
      decoded,
    } => {
      let result = done(verify_with_cached_keys(
        Ok(*decoded),
        options,
        crate::clock::now_ms(),
      ));
      after_verification(&request, &instance, token, &state, result)
    }
    other => panic!("unexpected {}", describe(&other)),
  }
}

#[track_caller]
fn outcome(input: &RequestInput, instance: &Instance) -> Outcome {
  match run_with(input, instance, &pem_options()) {
    Ok(outcome) => outcome,
    Err(due) => panic!("unexpected refresh {due:?}"),
  }
}

/// The message of a signed-out outcome with this reason and no notice.
#[track_caller]
fn signed_out(outcome: &Outcome, expected_reason: &str) -> String {
  match outcome {
    Outcome::SignedOut {
      token_type,
      reason,
      message,
      notices,
    } => {
      assert_eq!(*token_type, SESSION_TOKEN);
      assert_eq!(reason, expected_reason);
      assert!(notices.is_empty(), "no console message expected");
      message.clone()
    }
    other => panic!("expected signed-out ({expected_reason}), got {other:?}"),
  }
}

/// The token, payload text and notices of a cookie sign-in.
#[track_caller]
fn signed_in(outcome: Outcome) -> (String, String, Vec<Notice>) {
  match outcome {
    Outcome::SignedInSession {
      token,
      payload_text,
      notices,
    } => (token, payload_text, notices),
    other => panic!("expected a sign-in, got {other:?}"),
  }
}

/// A 307 as the state machine answers it.
struct Redirect {
  reason: String,
  message: String,
  location: reqwest::Url,
  /// The Location's query, first value of each name.
  params: HashMap<String, String>,
  set_cookie: String,
}

impl Redirect {
  #[track_caller]
  fn param(&self, name: &str) -> &str {
    self
      .params
      .get(name)
      .unwrap_or_else(|| panic!("no {name} in {}", self.location))
  }

  /// A redirect to `https://<host>/v1/client/handshake` for `reason`.
  #[track_caller]
  fn assert_handshake(&self, host: &str, reason: &str) {
    assert_eq!(self.reason, reason);
    assert_eq!(self.location.scheme(), "https");
    assert_eq!(self.location.host_str(), Some(host));
    assert_eq!(self.location.path(), "/v1/client/handshake");
    assert_eq!(self.param("__clerk_hs_reason"), reason);
    assert_eq!(self.param("format"), "nonce");
  }
}

#[track_caller]
fn redirect(outcome: Outcome) -> Redirect {
  match outcome {
    Outcome::Handshake {
      reason,
      message,
      headers,
    } => {
      let header = |name: &str| {
        headers
          .iter()
          .find(|(n, _)| n == name)
          .map(|(_, v)| v.clone())
          .unwrap_or_else(|| panic!("no {name} header in {headers:?}"))
      };
      assert_eq!(header("cache-control"), "no-store");
      let location = reqwest::Url::parse(&header("location")).expect("an absolute Location");
      let mut params = HashMap::new();
      for (name, value) in location.query_pairs() {
        params
          .entry(name.into_owned())
          .or_insert_with(|| value.into_owned());
      }
      Redirect {
        reason,
        message,
        location,
        params,
        set_cookie: header("set-cookie"),
      }
    }
    other => panic!("expected a handshake, got {other:?}"),
  }
}

fn first_redirect_cookie() -> &'static str {
  "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"
}

// Step 1: handshake credentials.

#[test]
fn a_handshake_nonce_in_the_query_is_resolved_before_anything_else() {
  // Without it, this development request would start a dev-browser handshake.
  let input = document("/page?__clerk_handshake_nonce=n1", "");
  assert_eq!(
    handshake_credentials(&input, &dev()),
    (Some("n1".into()), None)
  );
}

#[test]
fn handshake_cookies_are_resolved_before_anything_else() {
  let input = document(
    "/page",
    &cookies(&[
      ("__clerk_handshake", "hs_token"),
      ("__clerk_handshake_nonce", "n2"),
      ("__client_uat", "0"),
    ]),
  );
  assert_eq!(
    handshake_credentials(&input, &prod()),
    (Some("n2".into()), Some("hs_token".into()))
  );
}

#[test]
fn an_empty_handshake_query_value_falls_back_to_the_cookie() {
  let input = fetch(
    "/page?__clerk_handshake=",
    &cookies(&[("__clerk_handshake", "from_cookie")]),
  );
  assert_eq!(
    handshake_credentials(&input, &prod()),
    (None, Some("from_cookie".into()))
  );
}

#[test]
fn after_a_failed_resolution_the_cookie_path_ignores_the_handshake_credentials() {
  let input = document("/page?__clerk_handshake_nonce=n1", "");
  let instance = prod();
  match before_verification(&Request::new(&input), &instance) {
    CookieStep::Decided(outcome) => {
      signed_out(&outcome, "session-token-and-uat-missing");
    }
    other => panic!("expected a decision, got {}", describe(&other)),
  }
}

#[test]
fn a_null_payload_session_cookie_fails_even_when_a_handshake_nonce_is_present() {
  // header {"alg":"RS256"}, payload null: `tokenHasIssuer` reads `null.iss`.
  let null_payload = "eyJhbGciOiJSUzI1NiJ9.bnVsbA.c2ln";
  let input = document(
    "/page?__clerk_handshake_nonce=n1",
    &cookies(&[("__session", null_payload), ("__client_uat", "1")]),
  );
  assert!(matches!(
    first(&input, &prod()),
    CookieStep::Decided(Outcome::Fatal(_))
  ));
}

// Steps 2-4: satellite sync.

#[test]
fn a_production_satellite_navigation_without_cookies_or_auto_sync_is_signed_out() {
  let input = satellite_document(satellite(true, false), "/page", "");
  signed_out(&decided(&input, &prod()), "session-token-and-uat-missing");
}

#[test]
fn a_production_satellite_navigation_with_auto_sync_starts_a_handshake_with_the_satellite_frontend_api(
) {
  let input = satellite_document(satellite(true, true), "/page", "");
  let hs = redirect(decided(&input, &prod()));
  hs.assert_handshake("clerk.sat.example.net", "satellite-needs-syncing");
  assert_eq!(hs.param("redirect_url"), "http://sat.example.net/page");
  assert_eq!(hs.message, "");
  assert_eq!(hs.set_cookie, first_redirect_cookie());
}

#[test]
fn a_satellite_asked_to_sync_starts_a_handshake_even_with_cookies() {
  let token = token_with(json!({"iss": "https://clerk.sat.example.net"}));
  let input = satellite_document(
    satellite(true, false),
    "/page?__clerk_synced=false",
    &cookies(&[("__session", &token), ("__client_uat", &uat())]),
  );
  let hs = redirect(decided(&input, &prod()));
  hs.assert_handshake("clerk.sat.example.net", "satellite-needs-syncing");
  assert_eq!(hs.param("__session"), token);
}

#[test]
fn a_satellite_with_sync_completed_skips_the_sync() {
  // Auto sync would start a handshake without `__clerk_synced=true`.
  let input = satellite_document(satellite(true, true), "/page?__clerk_synced=true", "");
  signed_out(&decided(&input, &prod()), "session-token-and-uat-missing");
}

#[test]
fn a_satellite_with_cookies_goes_on_with_the_normal_flow() {
  let input = satellite_document(
    satellite(true, false),
    "/page",
    &cookies(&[("__client_uat", &uat())]),
  );
  let hs = redirect(decided(&input, &prod()));
  hs.assert_handshake("clerk.sat.example.net", "client-uat-but-no-session-token");
}

#[test]
fn a_satellite_with_a_session_goes_on_to_verification() {
  let token = token_with(json!({"iss": "https://clerk.sat.example.net"}));
  let input = satellite_document(
    satellite(true, false),
    "/page",
    &cookies(&[("__session", &token), ("__client_uat", &uat())]),
  );
  let (verified, state) = verify_step(&input, &prod());
  assert_eq!(verified, token);
  assert!(!state.uses_suffixed_cookies);
}

#[test]
fn a_development_satellite_redirects_to_the_sign_in_url_with_its_own_url() {
  let site = SiteOptions {
    domain: Some("sat.test".into()),
    is_satellite: true,
    sign_in_url: Some("https://primary.test/sign-in".into()),
    ..Default::default()
  };
  let input = RequestInput {
    site,
    host: Some("sat.test".into()),
    ..document("/p?__clerk_synced=false", "")
  };
  let hs = redirect(decided(&input, &dev()));
  assert_eq!(hs.reason, "satellite-needs-syncing");
  assert_eq!(
    hs.location.as_str(),
    "https://primary.test/sign-in?__clerk_redirect_url=http%3A%2F%2Fsat.test%2Fp%3F__clerk_synced%3Dfalse"
  );
  assert_eq!(hs.set_cookie, first_redirect_cookie());
}

#[test]
fn a_development_satellite_without_a_sign_in_url_fails_on_the_invalid_url() {
  let site = SiteOptions {
    sign_in_url: None,
    ..satellite(false, true)
  };
  let input = satellite_document(site, "/page", "");
  assert_eq!(
    decided(&input, &dev()),
    Outcome::Fatal("Invalid URL".into())
  );
}

#[test]
fn satellite_sync_is_only_for_document_gets() {
  let input = RequestInput {
    sec_fetch_dest: Some("empty".into()),
    ..satellite_document(satellite(false, true), "/page", "")
  };
  // Not redirected to sign in: the development browser is what is missing.
  signed_out(&decided(&input, &dev()), "dev-browser-missing");
  let post = RequestInput {
    method: "POST".into(),
    ..satellite_document(satellite(false, true), "/page", "")
  };
  signed_out(&decided(&post, &dev()), "dev-browser-missing");
}

#[test]
fn a_satellite_sync_loop_logs_the_satellite_message_and_signs_out() {
  let input = satellite_document(
    satellite(true, true),
    "/page",
    &cookies(&[("__clerk_redirect_count", "3")]),
  );
  match decided(&input, &prod()) {
    Outcome::SignedOut {
      reason, notices, ..
    } => {
      let [Notice::Log(text)] = notices.as_slice() else {
        panic!("expected one log line, got {notices:?}")
      };
      assert_eq!(reason, "satellite-needs-syncing");
      assert!(
        text.starts_with(
          "Clerk: Satellite-domain authentication resulted in an infinite redirect loop."
        ),
        "{text}"
      );
    }
    other => panic!("expected a logged sign-out, got {other:?}"),
  }
}

// Step 5: a development primary answering a satellite.

#[test]
fn a_development_primary_sends_the_browser_back_to_the_satellite_with_its_dev_browser() {
  let input = document(
    "/sign-in?__clerk_redirect_url=https%3A%2F%2Fsat.test%2Fp%3F__clerk_synced%3Dfalse",
    &cookies(&[("__clerk_db_jwt", "dbjwt123")]),
  );
  let hs = redirect(decided(&input, &dev()));
  assert_eq!(hs.reason, "primary-responds-to-syncing");
  assert_eq!(
    hs.location.as_str(),
    "https://sat.test/p?__clerk_synced=true&__clerk_db_jwt=dbjwt123"
  );
}

#[test]
fn the_primary_appends_clerk_synced_and_keeps_only_the_first_of_several() {
  let appended = document(
    "/sign-in?__clerk_redirect_url=https%3A%2F%2Fsat.test%2Fp%3Fa%3D1",
    "",
  );
  assert_eq!(
    redirect(decided(&appended, &dev())).location.as_str(),
    "https://sat.test/p?a=1&__clerk_synced=true"
  );
  let duplicated = document(
    "/sign-in?__clerk_redirect_url=https%3A%2F%2Fsat.test%2Fp%3F__clerk_synced%3Dx%26b%3D2%26__clerk_synced%3Dy",
    "",
  );
  assert_eq!(
    redirect(decided(&duplicated, &dev())).location.as_str(),
    "https://sat.test/p?__clerk_synced=true&b=2"
  );
}

#[test]
fn the_primary_fails_on_a_redirect_url_that_is_not_a_url() {
  let input = document("/sign-in?__clerk_redirect_url=not-a-url", "");
  assert_eq!(
    decided(&input, &dev()),
    Outcome::Fatal("Invalid URL".into())
  );
}

#[test]
fn the_primary_responds_to_syncing_only_with_a_navigation() {
  let input = fetch(
    "/sign-in?__clerk_redirect_url=https%3A%2F%2Fsat.test%2Fp",
    "",
  );
  signed_out(&decided(&input, &dev()), "primary-responds-to-syncing");
}

#[test]
fn an_empty_satellite_redirect_url_is_ignored_by_the_primary() {
  let input = document("/page?__clerk_redirect_url=", "");
  redirect(decided(&input, &dev())).assert_handshake("clerk.example.com", "dev-browser-missing");
}

#[test]
fn a_production_primary_ignores_the_satellite_redirect_url() {
  let input = document(
    "/sign-in?__clerk_redirect_url=https%3A%2F%2Fsat.test%2Fp",
    "",
  );
  signed_out(&decided(&input, &prod()), "session-token-and-uat-missing");
}

#[test]
fn a_development_satellite_does_not_answer_as_the_primary() {
  // Sync completed, so no sign-in redirect; the redirect URL parameter is the primary's business.
  let input = satellite_document(
    satellite(false, true),
    "/page?__clerk_synced=true&__clerk_redirect_url=https%3A%2F%2Fother.test%2F",
    &cookies(&[("__clerk_db_jwt", "db")]),
  );
  signed_out(&decided(&input, &dev()), "session-token-and-uat-missing");
}

// Steps 6-7: the development browser.

#[test]
fn a_development_navigation_without_a_dev_browser_starts_a_dev_browser_missing_handshake() {
  let hs = redirect(decided(&document("/page", ""), &dev()));
  assert_eq!(
    hs.location.as_str(),
    format!(
      "https://clerk.example.com/v1/client/handshake?redirect_url=http%3A%2F%2Fapp.example.com%2Fpage&__clerk_api_version={}&suffixed_cookies=false&__clerk_hs_reason=dev-browser-missing&format=nonce",
      crate::constants::CLERK_API_VERSION
    )
  );
  assert_eq!(hs.reason, "dev-browser-missing");
  assert_eq!(hs.set_cookie, first_redirect_cookie());
}

#[test]
fn a_development_fetch_without_a_dev_browser_is_signed_out() {
  signed_out(&decided(&fetch("/page", ""), &dev()), "dev-browser-missing");
}

#[test]
fn a_missing_dev_browser_starts_a_handshake_even_with_a_valid_session() {
  let token = session();
  let input = document(
    "/page",
    &cookies(&[("__session", &token), ("__client_uat", &uat())]),
  );
  let hs = redirect(decided(&input, &dev()));
  hs.assert_handshake("clerk.example.com", "dev-browser-missing");
  assert_eq!(hs.param("__session"), token);
}

#[test]
fn a_dev_browser_query_param_starts_a_sync_handshake_without_it_in_the_redirect_url() {
  let token = session();
  let input = document(
    "/page?__clerk_db_jwt=db_new&x=1",
    &signed_in_cookies(&token),
  );
  let hs = redirect(decided(&input, &dev()));
  hs.assert_handshake("clerk.example.com", "dev-browser-sync");
  assert_eq!(hs.param("redirect_url"), "http://app.example.com/page?x=1");
  // The query's dev browser wins over the cookie's.
  assert_eq!(hs.param("__clerk_db_jwt"), "db_new");
  assert_eq!(hs.param("__session"), token);
}

#[test]
fn production_ignores_the_dev_browser() {
  let input = document("/page?__clerk_db_jwt=db", "");
  signed_out(&decided(&input, &prod()), "session-token-and-uat-missing");
  // And needs none to sign in.
  let token = session();
  let signed = document(
    "/page",
    &cookies(&[("__session", &token), ("__client_uat", &uat())]),
  );
  assert_eq!(signed_in(outcome(&signed, &prod())).0, token);
}

#[test]
fn production_handshakes_never_carry_the_dev_browser() {
  let input = document(
    "/page",
    &cookies(&[("__client_uat", &uat()), ("__clerk_db_jwt", "db")]),
  );
  let hs = redirect(decided(&input, &prod()));
  hs.assert_handshake("clerk.example.com", "client-uat-but-no-session-token");
  assert!(!hs.params.contains_key("__clerk_db_jwt"));
}

// Steps 8-10: client_uat against the session cookie.

#[test]
fn no_cookies_is_signed_out_with_session_token_and_uat_missing() {
  let outcome = decided(&document("/page", ""), &prod());
  assert_eq!(signed_out(&outcome, "session-token-and-uat-missing"), "");
  let with_dev_browser = document("/page", &cookies(&[("__clerk_db_jwt", "db")]));
  signed_out(
    &decided(&with_dev_browser, &dev()),
    "session-token-and-uat-missing",
  );
}

#[test]
fn a_client_uat_of_zero_or_not_a_number_is_no_active_client() {
  for value in ["0", "abc", "-0"] {
    let input = document("/page", &cookies(&[("__client_uat", value)]));
    signed_out(&decided(&input, &prod()), "session-token-and-uat-missing");
  }
}

#[test]
fn client_uat_without_a_session_on_a_navigation_starts_a_handshake() {
  // `parseInt`: leading digits count.
  let input = document("/page", &cookies(&[("__client_uat", "12abc")]));
  let hs = redirect(decided(&input, &prod()));
  hs.assert_handshake("clerk.example.com", "client-uat-but-no-session-token");
  assert_eq!(hs.param("suffixed_cookies"), "false");
  assert!(!hs.params.contains_key("__session"));
}

#[test]
fn client_uat_without_a_session_on_a_fetch_is_signed_out() {
  let input = fetch("/page", &cookies(&[("__client_uat", &uat())]));
  signed_out(&decided(&input, &prod()), "client-uat-but-no-session-token");
}

#[test]
fn handshake_eligibility_follows_method_destination_and_accept() {
  let cookie = cookies(&[("__client_uat", &uat())]);
  let html = RequestInput {
    sec_fetch_dest: None,
    accept: Some("text/html,application/xhtml+xml".into()),
    ..document("/page", &cookie)
  };
  redirect(decided(&html, &prod()))
    .assert_handshake("clerk.example.com", "client-uat-but-no-session-token");
  let iframe = RequestInput {
    sec_fetch_dest: Some("iframe".into()),
    ..document("/page", &cookie)
  };
  redirect(decided(&iframe, &prod()));
  let json_accept = RequestInput {
    sec_fetch_dest: None,
    accept: Some("application/json".into()),
    ..document("/page", &cookie)
  };
  signed_out(
    &decided(&json_accept, &prod()),
    "client-uat-but-no-session-token",
  );
  let post = RequestInput {
    method: "POST".into(),
    ..document("/page", &cookie)
  };
  signed_out(&decided(&post, &prod()), "client-uat-but-no-session-token");
}

#[test]
fn a_session_without_client_uat_starts_a_handshake_carrying_the_session() {
  let token = session();
  let input = document("/page", &cookies(&[("__session", &token)]));
  let hs = redirect(decided(&input, &prod()));
  hs.assert_handshake("clerk.example.com", "session-token-but-no-client-uat");
  assert_eq!(hs.param("__session"), token);
  let on_fetch = fetch("/page", &cookies(&[("__session", &token)]));
  signed_out(
    &decided(&on_fetch, &prod()),
    "session-token-but-no-client-uat",
  );
}

#[test]
fn the_redirect_counter_grows_and_stops_at_exactly_three() {
  let with_count = |count: &str| {
    document(
      "/page",
      &cookies(&[("__client_uat", &uat()), ("__clerk_redirect_count", count)]),
    )
  };
  assert_eq!(
    redirect(decided(&with_count("2"), &prod())).set_cookie,
    "__clerk_redirect_count=3; SameSite=Lax; HttpOnly; Max-Age=2"
  );
  match decided(&with_count("3"), &prod()) {
    Outcome::SignedOut {
      reason, notices, ..
    } => {
      let [Notice::Log(text)] = notices.as_slice() else {
        panic!("expected one log line, got {notices:?}")
      };
      assert_eq!(reason, "client-uat-but-no-session-token");
      assert!(text.starts_with(LOOP_LOG_START), "{text}");
    }
    other => panic!("expected a logged sign-out, got {other:?}"),
  }
  // Only exactly 3 is a loop; anything that is not a number counts as 0.
  assert_eq!(
    redirect(decided(&with_count("4"), &prod())).set_cookie,
    "__clerk_redirect_count=5; SameSite=Lax; HttpOnly; Max-Age=2"
  );
  assert_eq!(
    redirect(decided(&with_count("x"), &prod())).set_cookie,
    first_redirect_cookie()
  );
}

// Steps 11-13: the session cookie before its verification.

#[test]
fn an_undecodable_session_cookie_is_signed_out_as_token_invalid() {
  let input = document(
    "/page",
    &cookies(&[("__session", "not-a-jwt"), ("__client_uat", &uat())]),
  );
  let message = signed_out(&decided(&input, &prod()), "token-invalid");
  assert_eq!(
    message,
    "Invalid JWT form. A JWT consists of three parts separated by dots. (reason=token-invalid, token-carrier=cookie)"
  );
}

#[test]
fn machine_and_other_category_tokens_in_the_session_cookie_are_a_type_mismatch() {
  let machine = token_with(json!({"sub": "mch_1"}));
  let oauth = key().sign(json!({"typ": "at+jwt"}), instance_claims(json!({})));
  let other_category = key().sign(json!({"cat": "cl_other"}), instance_claims(json!({})));
  for token in [machine, oauth, other_category] {
    let input = document(
      "/page",
      &cookies(&[("__session", &token), ("__client_uat", &uat())]),
    );
    assert_eq!(
      signed_out(&decided(&input, &prod()), "token-type-mismatch"),
      ""
    );
  }
}

#[test]
fn session_and_ignored_categories_go_on_to_verification() {
  for category in ["cl_B7d4PD111AAA", "cl_I7d4PD111III"] {
    let token = key().sign(json!({"cat": category}), instance_claims(json!({})));
    let input = document(
      "/page",
      &cookies(&[("__session", &token), ("__client_uat", &uat())]),
    );
    assert_eq!(verify_step(&input, &prod()).0, token);
  }
}

#[test]
fn a_session_cookie_with_a_null_payload_is_an_error_the_reference_throws() {
  // header {"alg":"RS256"}, payload null.
  let null_payload = "eyJhbGciOiJSUzI1NiJ9.bnVsbA.c2ln";
  let unsuffixed = document(
    "/page",
    &cookies(&[("__session", null_payload), ("__client_uat", "1")]),
  );
  assert!(matches!(decided(&unsuffixed, &prod()), Outcome::Fatal(_)));
  let instance = prod();
  let suffixed_input = document(
    "/page",
    &cookies(&[
      (&suffixed(&instance, "__session"), null_payload),
      (&suffixed(&instance, "__client_uat"), "1"),
    ]),
  );
  assert!(matches!(
    decided(&suffixed_input, &instance),
    Outcome::Fatal(_)
  ));
}

#[test]
fn a_client_uat_newer_than_the_token_iat_starts_a_handshake() {
  let token = session(); // iat = now - 10
  let newer = (now_s() - 5).to_string();
  let input = document(
    "/page",
    &cookies(&[("__session", &token), ("__client_uat", &newer)]),
  );
  let hs = redirect(decided(&input, &prod()));
  hs.assert_handshake("clerk.example.com", "session-token-iat-before-client-uat");
  assert_eq!(hs.param("__session"), token);
  let on_fetch = fetch(
    "/page",
    &cookies(&[("__session", &token), ("__client_uat", &newer)]),
  );
  signed_out(
    &decided(&on_fetch, &prod()),
    "session-token-iat-before-client-uat",
  );
}

#[test]
fn a_client_uat_equal_to_the_token_iat_goes_on_to_verification() {
  let iat = now_s() - 10;
  let token = token_with(json!({"iat": iat}));
  let input = document(
    "/page",
    &cookies(&[("__session", &token), ("__client_uat", &iat.to_string())]),
  );
  let (verified, state) = verify_step(&input, &prod());
  assert_eq!(verified, token);
  assert_eq!(state.client_uat, iat as f64);
}

#[test]
fn an_iat_claim_compares_with_client_uat_as_a_js_number() {
  // `null < clientUat` and `"5" < clientUat` are true in JS.
  for iat in [Value::Null, json!("5")] {
    let mut claims = instance_claims(json!({}));
    claims["iat"] = iat.clone();
    let token = key().sign(json!({}), claims);
    let input = document(
      "/page",
      &cookies(&[("__session", &token), ("__client_uat", &uat())]),
    );
    redirect(decided(&input, &prod()))
      .assert_handshake("clerk.example.com", "session-token-iat-before-client-uat");
  }
}

#[test]
fn a_token_without_iat_is_never_older_than_client_uat() {
  // `undefined < clientUat` is false in JS.
  let token = token_with(json!({"iat": null}));
  let input = document(
    "/page",
    &cookies(&[("__session", &token), ("__client_uat", "99999999999")]),
  );
  assert_eq!(verify_step(&input, &prod()).0, token);
}

#[test]
fn a_valid_session_cookie_goes_to_verification_with_the_cookies_it_was_read_with() {
  let instance = dev();
  let token = session();
  let client_uat = now_s() - 10_000;
  let input = document(
    "/page",
    &cookies(&[
      ("__session", &token),
      ("__client_uat", &client_uat.to_string()),
      ("__clerk_db_jwt", "dbjwt"),
      (&suffixed(&instance, "__refresh"), "refresh_1"),
    ]),
  );
  let (verified, state) = verify_step(&input, &instance);
  assert_eq!(verified, token);
  assert!(!state.uses_suffixed_cookies);
  assert_eq!(state.session_token.as_deref(), Some(token.as_str()));
  assert_eq!(state.client_uat, client_uat as f64);
  assert_eq!(state.refresh_token.as_deref(), Some("refresh_1"));
  assert_eq!(state.dev_browser_token.as_deref(), Some("dbjwt"));
}

// §3.2: suffixed or unsuffixed cookies.

#[test]
fn suffixed_cookies_are_used_when_the_suffixed_client_uat_and_session_are_there() {
  let instance = dev();
  let token = session();
  let input = document(
    "/page",
    &cookies(&[
      (&suffixed(&instance, "__session"), &token),
      (&suffixed(&instance, "__client_uat"), &uat()),
      (&suffixed(&instance, "__clerk_db_jwt"), "db_suffixed"),
      ("__clerk_db_jwt", "db_plain"),
    ]),
  );
  let (verified, state) = verify_step(&input, &instance);
  assert_eq!(verified, token);
  assert!(state.uses_suffixed_cookies);
  assert_eq!(state.dev_browser_token.as_deref(), Some("db_suffixed"));
}

#[test]
fn with_suffixed_cookies_an_unsuffixed_dev_browser_does_not_count() {
  let instance = dev();
  let input = document(
    "/page",
    &cookies(&[
      (&suffixed(&instance, "__session"), &session()),
      (&suffixed(&instance, "__client_uat"), &uat()),
      ("__clerk_db_jwt", "db_plain"),
    ]),
  );
  let hs = redirect(decided(&input, &instance));
  hs.assert_handshake("clerk.example.com", "dev-browser-missing");
  assert_eq!(hs.param("suffixed_cookies"), "true");
}

#[test]
fn an_unsuffixed_session_of_another_instance_switches_to_suffixed_cookies() {
  let instance = prod();
  let foreign = token_with(json!({"iss": "https://clerk.other.dev"}));
  let own = session();
  let input = document(
    "/page",
    &cookies(&[
      ("__session", &foreign),
      ("__client_uat", &uat()),
      (&suffixed(&instance, "__session"), &own),
      (&suffixed(&instance, "__client_uat"), &uat()),
    ]),
  );
  let (verified, state) = verify_step(&input, &instance);
  assert_eq!(verified, own);
  assert!(state.uses_suffixed_cookies);
}

#[test]
fn a_foreign_unsuffixed_session_alone_is_signed_out() {
  // Suffixed cookies are chosen, and there are none.
  let foreign = token_with(json!({"iss": "http://clerk.other.dev"}));
  let input = document(
    "/page",
    &cookies(&[("__session", &foreign), ("__client_uat", &uat())]),
  );
  signed_out(&decided(&input, &prod()), "session-token-and-uat-missing");
}

#[test]
fn an_unsuffixed_session_with_a_scheme_in_any_case_belongs_to_the_instance() {
  // `iss.replace(/https?:\/\//gi, '')` strips every scheme, in any case.
  for iss in [
    "HTTPS://clerk.example.com",
    "http://clerk.example.com",
    "https://https://clerk.example.com",
  ] {
    let token = token_with(json!({ "iss": iss }));
    let input = document(
      "/page",
      &cookies(&[("__session", &token), ("__client_uat", &uat())]),
    );
    let (verified, state) = verify_step(&input, &prod());
    assert_eq!(verified, token, "iss {iss}");
    assert!(!state.uses_suffixed_cookies, "iss {iss}");
  }
  // An `iss` that is not a string does not belong to the instance.
  let numeric = token_with(json!({"iss": 5}));
  let input = document(
    "/page",
    &cookies(&[("__session", &numeric), ("__client_uat", &uat())]),
  );
  assert!(read_state(&input, &prod()).uses_suffixed_cookies);
}

#[test]
fn a_null_payload_session_chosen_without_being_read_fails_on_its_iat() {
  // A foreign unsuffixed session selects the suffixed cookies before the
  // suffixed session is decoded; its null payload throws at the iat check.
  let instance = prod();
  let foreign = token_with(json!({"iss": "https://clerk.other.dev"}));
  let input = document(
    "/page",
    &cookies(&[
      ("__session", &foreign),
      (
        &suffixed(&instance, "__session"),
        "eyJhbGciOiJSUzI1NiJ9.bnVsbA.c2ln",
      ),
      (&suffixed(&instance, "__client_uat"), "1"),
    ]),
  );
  assert_eq!(
    decided(&input, &instance),
    Outcome::Fatal("Cannot read properties of null (reading 'iat')".into())
  );
}

#[test]
fn an_unsuffixed_session_without_iss_or_that_does_not_decode_keeps_unsuffixed_cookies() {
  let instance = prod();
  let suffixed_pair = |plain: &str| {
    document(
      "/page",
      &cookies(&[
        ("__session", plain),
        ("__client_uat", &uat()),
        (&suffixed(&instance, "__session"), &session()),
        (&suffixed(&instance, "__client_uat"), &uat()),
      ]),
    )
  };
  let no_iss = token_with(json!({"iss": null}));
  let (verified, state) = verify_step(&suffixed_pair(&no_iss), &instance);
  assert_eq!(verified, no_iss);
  assert!(!state.uses_suffixed_cookies);
  assert!(!read_state(&suffixed_pair("garbage"), &instance).uses_suffixed_cookies);
}

#[test]
fn a_newer_unsuffixed_session_wins_over_an_older_suffixed_one() {
  let instance = prod();
  let newer = token_with(json!({"iat": now_s() - 5}));
  let older = token_with(json!({"iat": now_s() - 50}));
  let input = |plain: &str, suffixed_token: &str| {
    document(
      "/page",
      &cookies(&[
        ("__session", plain),
        ("__client_uat", &uat()),
        (&suffixed(&instance, "__session"), suffixed_token),
        (&suffixed(&instance, "__client_uat"), &uat()),
      ]),
    )
  };
  let state = read_state(&input(&newer, &older), &instance);
  assert!(!state.uses_suffixed_cookies);
  assert_eq!(state.session_token.as_deref(), Some(newer.as_str()));
  let state = read_state(&input(&older, &newer), &instance);
  assert!(state.uses_suffixed_cookies);
  assert_eq!(state.session_token.as_deref(), Some(newer.as_str()));
}

#[test]
fn a_signed_out_suffixed_client_uat_falls_back_to_unsuffixed_cookies() {
  let instance = prod();
  let plain_token = session();
  for plain_uat in [Some(uat()), None] {
    let mut pairs = vec![
      ("__session".to_string(), plain_token.clone()),
      (suffixed(&instance, "__session"), session()),
      (suffixed(&instance, "__client_uat"), "0".to_string()),
    ];
    if let Some(plain_uat) = &plain_uat {
      pairs.push(("__client_uat".into(), plain_uat.clone()));
    }
    let pairs: Vec<(&str, &str)> = pairs
      .iter()
      .map(|(n, v)| (n.as_str(), v.as_str()))
      .collect();
    let state = read_state(&document("/page", &cookies(&pairs)), &instance);
    assert!(!state.uses_suffixed_cookies, "unsuffixed uat {plain_uat:?}");
    assert_eq!(state.session_token.as_deref(), Some(plain_token.as_str()));
  }
}

#[test]
fn in_development_an_expired_suffixed_session_falls_back_when_unsuffixed_uat_is_zero() {
  let expired = token_with(json!({"iat": now_s() - 7200, "exp": now_s() - 3600}));
  let input = |instance: &Instance| {
    document(
      "/page",
      &cookies(&[
        ("__client_uat", "0"),
        (&suffixed(instance, "__session"), &expired),
        (
          &suffixed(instance, "__client_uat"),
          &(now_s() - 7300).to_string(),
        ),
      ]),
    )
  };
  assert!(!read_state(&input(&dev()), &dev()).uses_suffixed_cookies);
  // Production keeps the suffixed cookies (and their expired session).
  let production = read_state(&input(&prod()), &prod());
  assert!(production.uses_suffixed_cookies);
  assert_eq!(production.session_token.as_deref(), Some(expired.as_str()));
  // A live suffixed session is kept in development too.
  let live = session();
  let instance = dev();
  let kept = document(
    "/page",
    &cookies(&[
      ("__client_uat", "0"),
      (&suffixed(&instance, "__session"), &live),
      (&suffixed(&instance, "__client_uat"), &uat()),
    ]),
  );
  assert!(read_state(&kept, &instance).uses_suffixed_cookies);
}

#[test]
fn a_suffixed_session_without_a_suffixed_client_uat_is_ignored() {
  let instance = prod();
  let input = document(
    "/page",
    &cookies(&[(&suffixed(&instance, "__session"), &session())]),
  );
  let state = read_state(&input, &instance);
  assert!(!state.uses_suffixed_cookies);
  assert_eq!(state.session_token, None);
  signed_out(&decided(&input, &instance), "session-token-and-uat-missing");
}

#[test]
fn a_suffixed_client_uat_alone_selects_suffixed_cookies() {
  let instance = prod();
  let input = document(
    "/page",
    &cookies(&[
      (&suffixed(&instance, "__client_uat"), &uat()),
      ("__session", &session()),
    ]),
  );
  // The unsuffixed session belongs to the instance but is newer than no suffixed session at all.
  assert!(!read_state(&input, &instance).uses_suffixed_cookies);
  let client_uat = now_s() - 10_000;
  let only_uat = document(
    "/page",
    &cookies(&[(
      &suffixed(&instance, "__client_uat"),
      &client_uat.to_string(),
    )]),
  );
  let state = read_state(&only_uat, &instance);
  assert!(state.uses_suffixed_cookies);
  assert_eq!(state.client_uat, client_uat as f64);
  let hs = redirect(decided(&only_uat, &instance));
  hs.assert_handshake("clerk.example.com", "client-uat-but-no-session-token");
  assert_eq!(hs.param("suffixed_cookies"), "true");
}

#[test]
fn a_handshake_from_suffixed_cookies_says_so() {
  let instance = prod();
  let token = session();
  let input = document(
    "/page",
    &cookies(&[
      (&suffixed(&instance, "__session"), &token),
      (
        &suffixed(&instance, "__client_uat"),
        &(now_s() + 100).to_string(),
      ),
    ]),
  );
  let hs = redirect(decided(&input, &instance));
  hs.assert_handshake("clerk.example.com", "session-token-iat-before-client-uat");
  assert_eq!(hs.param("suffixed_cookies"), "true");
  assert_eq!(hs.param("__session"), token);
}

#[test]
fn the_refresh_token_is_only_read_from_the_suffixed_cookie() {
  let instance = prod();
  let plain = document(
    "/page",
    &cookies(&[("__session", &session()), ("__refresh", "r_plain")]),
  );
  assert_eq!(read_state(&plain, &instance).refresh_token, None);
  let suffixed_refresh = document(
    "/page",
    &cookies(&[
      ("__session", &session()),
      (&suffixed(&instance, "__refresh"), "r_suffixed"),
    ]),
  );
  let state = read_state(&suffixed_refresh, &instance);
  assert!(!state.uses_suffixed_cookies);
  assert_eq!(state.refresh_token.as_deref(), Some("r_suffixed"));
}

// Step 14: after the verification.

#[test]
fn a_verified_session_cookie_is_signed_in_with_its_payload_text() {
  let claims = instance_claims(json!({}));
  let token = key().sign(json!({}), claims.clone());
  let input = fetch(
    "/api",
    &cookies(&[("__session", &token), ("__client_uat", &uat())]),
  );
  let (signed_token, payload_text, notice) = signed_in(outcome(&input, &prod()));
  assert_eq!(signed_token, token);
  assert_eq!(
    serde_json::from_str::<Value>(&payload_text).unwrap(),
    claims
  );
  assert!(notice.is_empty());
}

#[test]
fn a_session_without_azp_is_signed_in_with_a_warn_once_notice() {
  let token = token_with(json!({"azp": null}));
  let input = fetch("/api", &signed_in_cookies(&token));
  let (_, _, notice) = signed_in(outcome(&input, &dev()));
  assert_eq!(notice, vec![Notice::WarnOnce(MISSING_AZP.into())]);
  assert!(MISSING_AZP.starts_with("Clerk: Session token from cookie is missing the azp claim."));
  let empty_azp = token_with(json!({"azp": ""}));
  let (_, _, notice) = signed_in(outcome(
    &fetch("/api", &signed_in_cookies(&empty_azp)),
    &dev(),
  ));
  assert!(matches!(notice.as_slice(), [Notice::WarnOnce(_)]));
}

#[test]
fn a_session_with_azp_outside_the_authorized_parties_is_signed_out() {
  let token = token_with(json!({"azp": "https://evil.example"}));
  let options = VerifyOptions {
    authorized_parties: vec!["https://app.example.com".into()],
    ..pem_options()
  };
  let input = document("/page", &signed_in_cookies(&token));
  let outcome = run_with(&input, &dev(), &options).expect("no refresh");
  let message = signed_out(&outcome, "token-invalid-authorized-parties");
  assert!(message.contains("https://evil.example"), "{message}");
  assert!(
    message.ends_with("(reason=token-invalid-authorized-parties, token-carrier=cookie)"),
    "{message}"
  );
  // An authorized party signs in.
  let good = token_with(json!({"azp": "https://app.example.com"}));
  let good_input = document("/page", &signed_in_cookies(&good));
  assert_eq!(
    signed_in(run_with(&good_input, &dev(), &options).expect("no refresh")).0,
    good
  );
}

#[test]
fn a_session_signed_by_another_key_is_signed_out_without_a_handshake() {
  let stranger = TestKey::generate("kid_cookie_tests");
  let token = stranger.sign(json!({}), instance_claims(json!({})));
  let input = document("/page", &signed_in_cookies(&token));
  let message = signed_out(&outcome(&input, &dev()), "token-invalid-signature");
  assert_eq!(
    message,
    "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=cookie)"
  );
}

#[test]
fn a_cross_origin_navigation_on_the_primary_starts_a_handshake() {
  let token = session();
  let input = RequestInput {
    referer: Some("https://sat.example.net/page".into()),
    ..document("/page", &signed_in_cookies(&token))
  };
  let hs = redirect(outcome(&input, &dev()));
  hs.assert_handshake("clerk.example.com", "primary-domain-cross-origin-sync");
  assert_eq!(
    hs.message,
    "Cross-origin request from satellite domain requires handshake"
  );
  assert_eq!(hs.param("__session"), token);
  assert_eq!(hs.param("__clerk_db_jwt"), "dbjwt");
}

#[test]
fn a_cross_origin_referer_matters_only_for_primary_navigations() {
  let token = session();
  let referer = Some("https://sat.example.net/page".to_string());
  let on_fetch = RequestInput {
    referer: referer.clone(),
    ..fetch("/page", &signed_in_cookies(&token))
  };
  assert_eq!(signed_in(outcome(&on_fetch, &dev())).0, token);
  let on_post = RequestInput {
    method: "POST".into(),
    referer: referer.clone(),
    ..document("/page", &signed_in_cookies(&token))
  };
  assert_eq!(signed_in(outcome(&on_post, &dev())).0, token);
  let sat_token = token_with(json!({"iss": "https://clerk.sat.example.net"}));
  let on_satellite = RequestInput {
    referer: Some("https://app.example.com/".into()),
    ..satellite_document(
      satellite(true, false),
      "/page",
      &cookies(&[("__session", &sat_token), ("__client_uat", &uat())]),
    )
  };
  assert_eq!(signed_in(outcome(&on_satellite, &prod())).0, sat_token);
}

#[test]
fn same_origin_and_invalid_referers_are_not_cross_origin() {
  let token = session();
  for referer in ["http://app.example.com/other?x=1", "not a url", ""] {
    let input = RequestInput {
      referer: Some(referer.into()),
      ..document("/page", &signed_in_cookies(&token))
    };
    assert_eq!(
      signed_in(outcome(&input, &dev())).0,
      token,
      "referer {referer:?}"
    );
  }
  // Another scheme or port is another origin.
  for referer in ["https://app.example.com/", "http://app.example.com:8080/"] {
    let input = RequestInput {
      referer: Some(referer.into()),
      ..document("/page", &signed_in_cookies(&token))
    };
    redirect(outcome(&input, &dev()))
      .assert_handshake("clerk.example.com", "primary-domain-cross-origin-sync");
  }
}

#[test]
fn the_frontend_api_and_its_accounts_portal_are_known_referers() {
  let token = session();
  let production_cookies = cookies(&[("__session", &token), ("__client_uat", &uat())]);
  for referer in [
    "https://clerk.example.com/v1/client",
    "http://clerk.example.com:4000/",
    "https://accounts.example.com/sign-in",
  ] {
    let input = RequestInput {
      referer: Some(referer.into()),
      ..document("/page", &production_cookies)
    };
    assert_eq!(
      signed_in(outcome(&input, &prod())).0,
      token,
      "referer {referer}"
    );
  }
  // The accounts portal is matched by origin: another scheme is not it.
  let http_accounts = RequestInput {
    referer: Some("http://accounts.example.com/sign-in".into()),
    ..document("/page", &production_cookies)
  };
  redirect(outcome(&http_accounts, &prod()))
    .assert_handshake("clerk.example.com", "primary-domain-cross-origin-sync");
}

#[test]
fn development_account_portals_are_known_referers_only_in_development() {
  let token = session();
  for referer in [
    "https://happy-cat-12.accounts.dev/sign-in",
    "https://accounts.happy.cat-12.lcl.dev/",
    "https://x.accountsstage.dev/",
  ] {
    let dev_input = RequestInput {
      referer: Some(referer.into()),
      ..document("/page", &signed_in_cookies(&token))
    };
    assert_eq!(
      signed_in(outcome(&dev_input, &dev())).0,
      token,
      "referer {referer}"
    );
    let prod_input = RequestInput {
      referer: Some(referer.into()),
      ..document(
        "/page",
        &cookies(&[("__session", &token), ("__client_uat", &uat())]),
      )
    };
    redirect(outcome(&prod_input, &prod()))
      .assert_handshake("clerk.example.com", "primary-domain-cross-origin-sync");
  }
  // A Frontend API host under accounts.dev is not an account portal.
  let fapi_like = RequestInput {
    referer: Some("https://foo.clerk.accounts.dev/".into()),
    ..document("/page", &signed_in_cookies(&token))
  };
  redirect(outcome(&fapi_like, &dev()))
    .assert_handshake("clerk.example.com", "primary-domain-cross-origin-sync");
}

#[test]
fn a_development_account_portal_host_is_known_unless_it_ends_like_a_frontend_api() {
  let token = session();
  let input = RequestInput {
    referer: Some("https://a.clerk.accounts-x.accounts.dev/".into()),
    ..document("/page", &signed_in_cookies(&token))
  };
  assert_eq!(signed_in(outcome(&input, &dev())).0, token);
}

#[test]
fn a_staging_frontend_api_knows_its_accounts_portal() {
  let instance = Instance {
    production: true,
    frontend_api: "happy-cat-12.clerk.accountsstage.dev".into(),
    original_frontend_api: "happy-cat-12.clerk.accountsstage.dev".into(),
    cookie_suffix: "stagesfx".into(),
    ..Default::default()
  };
  let token = token_with(json!({"iss": "https://happy-cat-12.clerk.accountsstage.dev"}));
  let input = RequestInput {
    referer: Some("https://happy-cat-12.accountsstage.dev/sign-in".into()),
    ..document(
      "/page",
      &cookies(&[("__session", &token), ("__client_uat", &uat())]),
    )
  };
  assert_eq!(signed_in(outcome(&input, &instance)).0, token);
}

#[test]
fn the_proxy_host_is_a_known_referer() {
  let token = session();
  let input = RequestInput {
    site: SiteOptions {
      proxy_url: Some("https://proxy.example.org/__clerk".into()),
      ..Default::default()
    },
    referer: Some("https://proxy.example.org/__clerk/v1/client".into()),
    ..document("/page", &signed_in_cookies(&token))
  };
  assert_eq!(signed_in(outcome(&input, &dev())).0, token);
  // Without the proxy, the same referer is a cross-origin navigation.
  let unproxied = RequestInput {
    site: SiteOptions::default(),
    ..input
  };
  redirect(outcome(&unproxied, &dev()))
    .assert_handshake("clerk.example.com", "primary-domain-cross-origin-sync");
}

#[test]
fn a_counted_redirect_skips_the_cross_origin_check() {
  let token = session();
  let input = RequestInput {
    referer: Some("https://sat.example.net/".into()),
    ..document(
      "/page",
      &format!("{}; __clerk_redirect_count=1", signed_in_cookies(&token)),
    )
  };
  assert_eq!(signed_in(outcome(&input, &dev())).0, token);
}

// Organization sync.

#[test]
fn an_org_slug_other_than_the_active_one_starts_an_organization_handshake() {
  let token = token_with(json!({"org_id": "org_1", "org_slug": "other"}));
  let input = with_org_target(
    document("/orgs/acme", &signed_in_cookies(&token)),
    org_slug("acme"),
  );
  let hs = redirect(outcome(&input, &dev()));
  hs.assert_handshake("clerk.example.com", "active-organization-mismatch");
  assert_eq!(hs.message, "");
  assert_eq!(hs.param("organization_id"), "acme");
  assert_eq!(hs.param("__session"), token);
}

#[test]
fn an_org_id_other_than_the_active_one_starts_a_handshake_named_by_slug_when_known() {
  let token = token_with(json!({"org_id": "org_1", "org_slug": "acme"}));
  let by_id = with_org_target(
    document("/orgs/org_2", &signed_in_cookies(&token)),
    OrgTarget::Organization {
      id: Some("org_2".into()),
      slug: None,
    },
  );
  assert_eq!(
    redirect(outcome(&by_id, &dev())).param("organization_id"),
    "org_2"
  );
  let both = with_org_target(
    document("/orgs/org_2", &signed_in_cookies(&token)),
    OrgTarget::Organization {
      id: Some("org_2".into()),
      slug: Some("acme".into()),
    },
  );
  assert_eq!(
    redirect(outcome(&both, &dev())).param("organization_id"),
    "acme"
  );
}

#[test]
fn the_active_organization_stays_signed_in() {
  let token = token_with(json!({"org_id": "org_1", "org_slug": "acme"}));
  for target in [
    org_slug("acme"),
    OrgTarget::Organization {
      id: Some("org_1".into()),
      slug: Some("acme".into()),
    },
    OrgTarget::Organization {
      id: Some(String::new()),
      slug: None,
    },
  ] {
    let input = with_org_target(document("/orgs/acme", &signed_in_cookies(&token)), target);
    assert_eq!(signed_in(outcome(&input, &dev())).0, token);
  }
}

#[test]
fn the_personal_account_with_an_active_organization_starts_a_handshake() {
  let with_org = token_with(json!({"org_id": "org_1"}));
  let input = with_org_target(
    document("/me", &signed_in_cookies(&with_org)),
    OrgTarget::PersonalAccount,
  );
  let hs = redirect(outcome(&input, &dev()));
  hs.assert_handshake("clerk.example.com", "active-organization-mismatch");
  assert_eq!(hs.param("organization_id"), "");
  let personal = session();
  let already = with_org_target(
    document("/me", &signed_in_cookies(&personal)),
    OrgTarget::PersonalAccount,
  );
  assert_eq!(signed_in(outcome(&already, &dev())).0, personal);
}

#[test]
fn version_2_claims_name_the_organization_in_o() {
  let token = token_with(
    json!({"v": 2, "o": {"id": "org_1", "slg": "acme", "rol": "admin"}, "fea": "o:billing, u:files"}),
  );
  let same = with_org_target(
    document("/orgs/acme", &signed_in_cookies(&token)),
    org_slug("acme"),
  );
  assert_eq!(signed_in(outcome(&same, &dev())).0, token);
  let other = with_org_target(
    document("/orgs/beta", &signed_in_cookies(&token)),
    org_slug("beta"),
  );
  redirect(outcome(&other, &dev()))
    .assert_handshake("clerk.example.com", "active-organization-mismatch");
  // Version 2 without `o` has no organization, whatever `org_id` says.
  let no_org = token_with(json!({"v": 2, "org_id": "org_1"}));
  let personal = with_org_target(
    document("/me", &signed_in_cookies(&no_org)),
    OrgTarget::PersonalAccount,
  );
  assert_eq!(signed_in(outcome(&personal, &dev())).0, no_org);
}

#[test]
fn version_2_claims_with_features_that_do_not_parse_are_an_unexpected_error() {
  for fea in [json!("billing"), json!("o:ok,broken"), json!(5)] {
    let token = token_with(json!({"v": 2, "o": {"id": "org_1"}, "fea": fea.clone()}));
    let input = document("/page", &signed_in_cookies(&token));
    assert_eq!(
      signed_out(&outcome(&input, &dev()), "unexpected-error"),
      "",
      "fea {fea}"
    );
  }
  // Without an organization the features are not parsed.
  let no_org = token_with(json!({"v": 2, "fea": "billing"}));
  assert_eq!(
    signed_in(outcome(
      &document("/page", &signed_in_cookies(&no_org)),
      &dev()
    ))
    .0,
    no_org
  );
}

#[test]
fn version_2_permissions_that_do_not_parse_are_an_unexpected_error() {
  let token =
    token_with(json!({"v": 2, "o": {"id": "org_1", "per": 5, "fpm": "1"}, "fea": "o:billing"}));
  let input = document("/page", &signed_in_cookies(&token));
  signed_out(&outcome(&input, &dev()), "unexpected-error");
}

#[test]
fn a_pending_session_or_one_without_a_user_is_not_synced() {
  // An empty `sub` is a string, so it verifies; `toAuth()` has no user then.
  for changes in [
    json!({"sts": "pending", "org_id": "org_1"}),
    json!({"sub": "", "org_id": "org_1"}),
  ] {
    let token = token_with(changes);
    let input = with_org_target(
      document("/orgs/acme", &signed_in_cookies(&token)),
      org_slug("acme"),
    );
    assert_eq!(signed_in(outcome(&input, &dev())).0, token);
  }
}

#[test]
fn an_organization_loop_warns_and_stays_signed_in() {
  let token = token_with(json!({"org_slug": "other"}));
  let with_count = |count: &str| {
    with_org_target(
      document(
        "/orgs/acme",
        &format!(
          "{}; __clerk_redirect_count={count}",
          signed_in_cookies(&token)
        ),
      ),
      org_slug("acme"),
    )
  };
  let (_, _, notice) = signed_in(outcome(&with_count("3"), &dev()));
  assert_eq!(notice, vec![Notice::Warn(ORGANIZATION_LOOP.into())]);
  let (_, _, notice) = signed_in(outcome(&with_count("7"), &dev()));
  assert!(matches!(notice.as_slice(), [Notice::Warn(_)]));
  assert_eq!(
    redirect(outcome(&with_count("2"), &dev())).set_cookie,
    "__clerk_redirect_count=3; SameSite=Lax; HttpOnly; Max-Age=2"
  );
}

#[test]
fn a_session_without_azp_in_an_organization_loop_prints_both_warnings_azp_first() {
  let token = token_with(json!({"org_slug": "other", "azp": null}));
  let input = with_org_target(
    document(
      "/orgs/acme",
      &format!("{}; __clerk_redirect_count=3", signed_in_cookies(&token)),
    ),
    org_slug("acme"),
  );
  let (_, _, notices) = signed_in(outcome(&input, &dev()));
  assert_eq!(
    notices,
    vec![
      Notice::WarnOnce(MISSING_AZP.into()),
      Notice::Warn(ORGANIZATION_LOOP.into())
    ]
  );
}

#[test]
fn an_organization_mismatch_on_a_fetch_stays_signed_in() {
  let token = token_with(json!({"org_slug": "other"}));
  let input = with_org_target(
    fetch("/orgs/acme", &signed_in_cookies(&token)),
    org_slug("acme"),
  );
  let (signed, _, notice) = signed_in(outcome(&input, &dev()));
  assert_eq!(signed, token);
  assert!(notice.is_empty());
}

#[test]
fn an_organization_mismatch_on_a_satellite_navigation_starts_a_handshake() {
  let token = token_with(json!({"iss": "https://clerk.sat.example.net", "org_slug": "other"}));
  let input = with_org_target(
    satellite_document(
      satellite(true, false),
      "/orgs/acme",
      &cookies(&[("__session", &token), ("__client_uat", &uat())]),
    ),
    org_slug("acme"),
  );
  redirect(outcome(&input, &prod()))
    .assert_handshake("clerk.sat.example.net", "active-organization-mismatch");
}

#[test]
fn an_organization_mismatch_on_an_iframe_or_html_request_starts_a_handshake() {
  let token = token_with(json!({"org_slug": "other"}));
  let iframe = with_org_target(
    RequestInput {
      sec_fetch_dest: Some("iframe".into()),
      ..document("/orgs/acme", &signed_in_cookies(&token))
    },
    org_slug("acme"),
  );
  redirect(outcome(&iframe, &dev()))
    .assert_handshake("clerk.example.com", "active-organization-mismatch");
  let html = with_org_target(
    RequestInput {
      sec_fetch_dest: None,
      accept: Some("text/html".into()),
      ..document("/orgs/acme", &signed_in_cookies(&token))
    },
    org_slug("acme"),
  );
  redirect(outcome(&html, &dev()))
    .assert_handshake("clerk.example.com", "active-organization-mismatch");
}

#[test]
fn version_2_features_that_do_not_parse_are_an_unexpected_error_on_a_fetch_too() {
  let token = token_with(json!({"v": 2, "o": {"id": "org_1"}, "fea": "billing"}));
  let input = fetch("/api", &signed_in_cookies(&token));
  signed_out(&outcome(&input, &dev()), "unexpected-error");
}

// Verification errors (handleSessionTokenError).

fn expired_token() -> String {
  token_with(json!({"iat": now_s() - 7200, "nbf": now_s() - 7200, "exp": now_s() - 3600}))
}

#[test]
fn an_expired_token_on_a_document_request_starts_a_handshake() {
  let token = expired_token();
  let input = document("/page", &signed_in_cookies(&token));
  let hs = redirect(outcome(&input, &dev()));
  hs.assert_handshake(
    "clerk.example.com",
    "session-token-expired-refresh-non-eligible-no-refresh-cookie",
  );
  assert!(
    hs.message.starts_with("JWT is expired. Expiry date: "),
    "{}",
    hs.message
  );
  assert!(
    hs.message
      .ends_with("(reason=token-expired, token-carrier=cookie)"),
    "{}",
    hs.message
  );
  assert_eq!(hs.param("__session"), token);
  assert_eq!(hs.param("__clerk_db_jwt"), "dbjwt");
}

#[test]
fn an_expired_token_on_a_fetch_is_signed_out_with_the_expiry_message() {
  let input = fetch("/api", &signed_in_cookies(&expired_token()));
  let message = signed_out(
    &outcome(&input, &dev()),
    "session-token-expired-refresh-non-eligible-no-refresh-cookie",
  );
  assert!(message.ends_with("(reason=token-expired, token-carrier=cookie)"));
}

#[test]
fn an_expired_token_on_a_post_is_never_refreshed() {
  let instance = dev();
  let input = RequestInput {
    method: "POST".into(),
    ..document(
      "/form",
      &format!(
        "{}; {}=refresh_1",
        signed_in_cookies(&expired_token()),
        suffixed(&instance, "__refresh")
      ),
    )
  };
  signed_out(
    &outcome(&input, &instance),
    "session-token-expired-refresh-non-eligible-non-get",
  );
}

#[test]
fn an_expired_token_with_a_suffixed_refresh_cookie_on_a_get_needs_a_refresh() {
  let instance = dev();
  let token = expired_token();
  let input = fetch(
    "/api",
    &format!(
      "{}; {}=refresh_1",
      signed_in_cookies(&token),
      suffixed(&instance, "__refresh")
    ),
  );
  let due = run_with(&input, &instance, &pem_options()).expect_err("a refresh is due");
  assert_eq!(due.expired_token, token);
  assert_eq!(due.refresh_token, "refresh_1");
  assert!(!due.uses_suffixed_cookies);
  assert_eq!(due.dev_browser_token.as_deref(), Some("dbjwt"));
  assert!(
    due.message.starts_with("JWT is expired."),
    "{}",
    due.message
  );
  assert!(due
    .message
    .ends_with("(reason=token-expired, token-carrier=cookie)"));
}

#[test]
fn an_unsuffixed_refresh_cookie_does_not_make_a_refresh_due() {
  let input = document(
    "/page",
    &format!(
      "{}; __refresh=refresh_1",
      signed_in_cookies(&expired_token())
    ),
  );
  redirect(outcome(&input, &dev())).assert_handshake(
    "clerk.example.com",
    "session-token-expired-refresh-non-eligible-no-refresh-cookie",
  );
}

#[test]
fn a_token_not_active_yet_starts_a_session_token_nbf_handshake() {
  let token = token_with(json!({"nbf": now_s() + 600}));
  let hs = redirect(outcome(
    &document("/page", &signed_in_cookies(&token)),
    &dev(),
  ));
  hs.assert_handshake("clerk.example.com", "session-token-nbf");
  assert!(hs
    .message
    .ends_with("(reason=token-not-active-yet, token-carrier=cookie)"));
  let on_fetch = fetch("/api", &signed_in_cookies(&token));
  signed_out(&outcome(&on_fetch, &dev()), "session-token-nbf");
}

#[test]
fn a_token_issued_in_the_future_starts_a_session_token_iat_in_the_future_handshake() {
  let token = token_with(json!({"iat": now_s() + 600}));
  let hs = redirect(outcome(
    &document("/page", &signed_in_cookies(&token)),
    &dev(),
  ));
  hs.assert_handshake("clerk.example.com", "session-token-iat-in-the-future");
  assert!(hs
    .message
    .ends_with("(reason=token-iat-in-the-future, token-carrier=cookie)"));
}

#[test]
fn other_failures_of_the_verification_are_signed_out_without_a_message_or_fail() {
  let instance = dev();
  let input = document("/page", &signed_in_cookies(&session()));
  let request = Request::new(&input);
  let state = read_state(&input, &instance);
  let unexpected = after_verification(
    &request,
    &instance,
    session(),
    &state,
    Err(Failure::Unexpected("SyntaxError".into())),
  )
  .expect("no refresh");
  assert_eq!(signed_out(&unexpected, "unexpected-error"), "");
  let fatal = after_verification(
    &request,
    &instance,
    session(),
    &state,
    Err(Failure::Fatal("boom".into())),
  )
  .expect("no refresh");
  assert_eq!(fatal, Outcome::Fatal("boom".into()));
}

#[test]
fn after_verification_signs_in_with_the_given_payload() {
  let instance = prod();
  let input = fetch("/api", "");
  let request = Request::new(&input);
  let state = read_state(&input, &instance);
  let verified = VerifiedToken {
    payload: json!({"sub": "user_9", "azp": "x"}),
    payload_text: r#"{"sub":"user_9","azp":"x"}"#.into(),
  };
  let outcome = after_verification(&request, &instance, "tok".into(), &state, Ok(verified))
    .expect("no refresh");
  assert_eq!(
    outcome,
    Outcome::SignedInSession {
      token: "tok".into(),
      payload_text: r#"{"sub":"user_9","azp":"x"}"#.into(),
      notices: Vec::new(),
    }
  );
}

#[test]
fn a_header_token_error_uses_the_header_token_and_carrier() {
  let instance = dev();
  let expired = TokenError::new(crate::errors::reason::TOKEN_EXPIRED, "JWT is expired.");
  // No session cookie: the header token is the one to refresh or hand over.
  let with_refresh = document(
    "/page",
    &cookies(&[
      ("__clerk_db_jwt", "db"),
      (&suffixed(&instance, "__refresh"), "refresh_h"),
    ]),
  );
  let state = read_state(&with_refresh, &instance);
  let due = token_error_outcome(
    &expired,
    "header",
    &Request::new(&with_refresh),
    &instance,
    &state,
    Some("header_token"),
  )
  .expect_err("a refresh is due");
  assert_eq!(due.expired_token, "header_token");
  assert_eq!(due.refresh_token, "refresh_h");
  assert_eq!(
    due.message,
    "JWT is expired. (reason=token-expired, token-carrier=header)"
  );
  let without_refresh = document("/page", &cookies(&[("__clerk_db_jwt", "db")]));
  let state = read_state(&without_refresh, &instance);
  let outcome = token_error_outcome(
    &expired,
    "header",
    &Request::new(&without_refresh),
    &instance,
    &state,
    Some("header_token"),
  )
  .expect("no refresh");
  let hs = redirect(outcome);
  hs.assert_handshake(
    "clerk.example.com",
    "session-token-expired-refresh-non-eligible-no-refresh-cookie",
  );
  assert_eq!(hs.param("__session"), "header_token");
  assert_eq!(
    hs.message,
    "JWT is expired. (reason=token-expired, token-carrier=header)"
  );
}

#[test]
fn a_session_cookie_wins_over_the_header_token_in_a_due_refresh() {
  let instance = dev();
  let expired = TokenError::new(crate::errors::reason::TOKEN_EXPIRED, "JWT is expired.");
  let input = fetch(
    "/api",
    &cookies(&[
      ("__session", "cookie_token"),
      (&suffixed(&instance, "__refresh"), "refresh_c"),
    ]),
  );
  let state = read_state(&input, &instance);
  let due = token_error_outcome(
    &expired,
    "header",
    &Request::new(&input),
    &instance,
    &state,
    Some("header_token"),
  )
  .expect_err("a refresh is due");
  assert_eq!(due.expired_token, "cookie_token");
}

#[test]
fn other_token_errors_keep_their_reason_and_full_message() {
  let instance = dev();
  let input = document("/page", "");
  let state = read_state(&input, &instance);
  let err = TokenError::new(crate::errors::reason::JWK_KID_MISMATCH, "No key.")
    .with_action(crate::errors::action::KID_MISMATCH);
  let outcome = token_error_outcome(
    &err,
    "cookie",
    &Request::new(&input),
    &instance,
    &state,
    None,
  )
  .expect("no refresh");
  let message = signed_out(&outcome, "jwk-kid-mismatch");
  assert_eq!(
    message,
    format!(
      "No key. {} (reason=jwk-kid-mismatch, token-carrier=cookie)",
      crate::errors::action::KID_MISMATCH
    )
  );
}

#[test]
fn a_failed_refresh_becomes_the_expiry_handshake_with_the_refresh_error() {
  let instance = dev();
  let due = RefreshNeeded {
    expired_token: "expired_tok".into(),
    refresh_token: "refresh_1".into(),
    uses_suffixed_cookies: true,
    dev_browser_token: Some("db".into()),
    message: "JWT is expired. (reason=token-expired, token-carrier=cookie)".into(),
  };
  let navigation = document("/page", "");
  let hs = redirect(due.failed(&Request::new(&navigation), &instance, "fetch-error"));
  hs.assert_handshake(
    "clerk.example.com",
    "session-token-expired-refresh-fetch-error",
  );
  assert_eq!(hs.message, due.message);
  assert_eq!(hs.param("__session"), "expired_tok");
  assert_eq!(hs.param("suffixed_cookies"), "true");
  assert_eq!(hs.param("__clerk_db_jwt"), "db");
  let api = fetch("/api", "");
  let outcome = due.failed(&Request::new(&api), &instance, "refresh_token_invalid");
  assert_eq!(
    signed_out(
      &outcome,
      "session-token-expired-refresh-refresh_token_invalid"
    ),
    due.message
  );
  // Production handshakes leave the dev browser out.
  let hs = redirect(due.failed(&Request::new(&navigation), &prod(), "fetch-error"));
  assert!(!hs.params.contains_key("__clerk_db_jwt"));
}
