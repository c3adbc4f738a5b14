//! The bearer path: `authenticateAnyRequestWithTokenInHeader` for a token in
//! the Authorization header, and the header branch of `handleSessionTokenError`.

use super::cookie::{token_error_outcome, CookieState, RefreshNeeded};
use super::instance::Instance;
use super::machine;
use super::request::{Request, RequestInput};
use super::{Outcome, SESSION_TOKEN};
use crate::errors::Failure;
use crate::jwt::decode;
use crate::jwt::token_kind::{classify, TokenKind};
use crate::jwt::verify::{self, SyncOutcome, VerifiedToken, VerifyOptions};

/// Sniffing and verification from memory, with the token decoded once:
/// `Err(Some)` is a decided outcome (a non-session JWT category), `Err(None)`
/// a machine token (verified on the async path), `Ok` the verification.
fn verify_in_memory(
  token: &str,
  options: &VerifyOptions,
  now_ms: f64,
) -> Result<SyncOutcome, Option<Outcome>> {
  let decoded = decode(token);
  match classify(token, decoded.as_ref().ok()) {
    TokenKind::Session => Ok(verify::verify_with_cached_keys(decoded, options, now_ms)),
    TokenKind::NonSessionCategory => Err(Some(Outcome::signed_out(
      SESSION_TOKEN,
      "token-type-mismatch",
      "",
    ))),
    // Machine tokens need the network, unless a cached verification answers.
    TokenKind::Machine(token_type) => Err(machine::cached(token, token_type, options, now_ms)),
  }
}

/// Authenticates from memory. `None` when the network is needed (a JWKS
/// fetch, a session refresh, a machine token), or, when the request is not
/// given (the bearer token alone), when the outcome depends on it: a
/// time-claim failure may become a handshake.
pub fn authenticate_sync(
  token: &str,
  options: &VerifyOptions,
  request: Option<(&RequestInput, &Instance)>,
  now_ms: f64,
) -> Option<Outcome> {
  if let Some(signed_in) = cached_sign_in(token, options, now_ms) {
    return Some(signed_in);
  }
  let result = match verify_in_memory(token, options, now_ms) {
    Err(decided) => return decided,
    Ok(SyncOutcome::NeedsJwksFetch) => return None,
    Ok(SyncOutcome::Done(result)) => result,
  };
  match (request, result) {
    (Some((input, instance)), result) => outcome_of(token, result, input, instance).ok(),
    (None, Err(Failure::Token(err))) if needs_request(&err) => None,
    (None, result) => outcome_of(
      token,
      result,
      &RequestInput::default(),
      &Instance::default(),
    )
    .ok(),
  }
}

/// A session token verified before, whose verification still holds: the
/// outcome a fresh verification would have, without decoding or verifying.
fn cached_sign_in(token: &str, options: &VerifyOptions, now_ms: f64) -> Option<Outcome> {
  verify::cached_session_payload(token, options, now_ms).map(|payload_text| {
    Outcome::SignedInSession {
      token: token.into(),
      payload_text,
      notices: Vec::new(),
    }
  })
}

/// Reasons whose outcome depends on the request (method, cookies, headers).
fn needs_request(err: &crate::errors::TokenError) -> bool {
  use crate::errors::reason;
  matches!(
    err.reason,
    reason::TOKEN_EXPIRED | reason::TOKEN_NOT_ACTIVE_YET | reason::TOKEN_IAT_IN_THE_FUTURE
  )
}

/// Authenticates, fetching the JWKS or asking the Backend API (machine
/// tokens) if needed; a due refresh is the caller's.
pub async fn authenticate(
  client: &reqwest::Client,
  token: &str,
  options: &VerifyOptions,
  input: &RequestInput,
  instance: &Instance,
) -> Result<Outcome, RefreshNeeded> {
  match classify(token, decode(token).ok().as_ref()) {
    TokenKind::Session => {}
    TokenKind::NonSessionCategory => {
      return Ok(Outcome::signed_out(
        SESSION_TOKEN,
        "token-type-mismatch",
        "",
      ))
    }
    TokenKind::Machine(token_type) => {
      let context = machine::MachineContext {
        secret_key: options.secret_key.as_deref().unwrap_or_default(),
        machine_secret_key: options.machine_secret_key.as_deref(),
        user_agent: input
          .user_agent
          .as_deref()
          .unwrap_or(crate::constants::BACKEND_USER_AGENT),
      };
      return Ok(machine::authenticate(client, token, token_type, options, &context).await);
    }
  }
  outcome_of(
    token,
    verify::verify(client, token, options).await,
    input,
    instance,
  )
}

fn outcome_of(
  token: &str,
  result: Result<VerifiedToken, Failure>,
  input: &RequestInput,
  instance: &Instance,
) -> Result<Outcome, RefreshNeeded> {
  match result {
    Ok(verified) => Ok(Outcome::SignedInSession {
      token: token.into(),
      payload_text: verified.payload_text,
      notices: Vec::new(),
    }),
    Err(Failure::Fatal(message)) => Ok(Outcome::Fatal(message)),
    Err(Failure::Unexpected(_)) => Ok(Outcome::signed_out(SESSION_TOKEN, "unexpected-error", "")),
    // The request's cookies and URL matter only on this (rare) path.
    Err(Failure::Token(err)) => {
      let request = Request::new(input);
      match CookieState::read(&request, instance) {
        Ok(state) => token_error_outcome(&err, "header", &request, instance, &state, Some(token)),
        Err(Failure::Fatal(message) | Failure::Unexpected(message)) => Ok(Outcome::Fatal(message)),
        Err(Failure::Token(err)) => Ok(Outcome::Fatal(err.message)),
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_support::{session_claims, TestKey};
  use serde_json::json;

  const NOW_S: i64 = 1_700_000_000;

  fn reason(token: &str, options: &VerifyOptions, input: &RequestInput) -> String {
    let instance = Instance::default();
    match authenticate_sync(
      token,
      options,
      Some((input, &instance)),
      NOW_S as f64 * 1000.0,
    ) {
      Some(Outcome::SignedOut { reason, .. }) => reason,
      other => panic!("expected signed-out, got {other:?}"),
    }
  }

  #[test]
  fn outcomes_of_header_tokens() {
    let key = TestKey::generate("kid_h");
    let options = VerifyOptions {
      jwt_key: Some(key.spki_pem()),
      clock_skew_ms: 5000.0,
      ..Default::default()
    };
    let get = RequestInput {
      method: "GET".into(),
      url: "/".into(),
      ..Default::default()
    };
    let post = RequestInput {
      method: "POST".into(),
      url: "/".into(),
      ..Default::default()
    };

    let valid = key.sign(json!({}), session_claims(NOW_S));
    let instance = Instance::default();
    let signed_in = authenticate_sync(
      &valid,
      &options,
      Some((&get, &instance)),
      NOW_S as f64 * 1000.0,
    );
    assert!(matches!(signed_in, Some(Outcome::SignedInSession { .. })));

    let mut expired = session_claims(NOW_S);
    expired["exp"] = json!(NOW_S - 60);
    let expired = key.sign(json!({}), expired);
    assert_eq!(
      reason(&expired, &options, &get),
      "session-token-expired-refresh-non-eligible-no-refresh-cookie"
    );
    assert_eq!(
      reason(&expired, &options, &post),
      "session-token-expired-refresh-non-eligible-non-get"
    );

    let mut early = session_claims(NOW_S);
    early["nbf"] = json!(NOW_S + 60);
    assert_eq!(
      reason(&key.sign(json!({}), early), &options, &get),
      "session-token-nbf"
    );

    assert_eq!(
      reason(
        &key.sign(json!({"cat": "cl_x"}), session_claims(NOW_S)),
        &options,
        &get
      ),
      "token-type-mismatch"
    );
    assert!(
      authenticate_sync("ak_secret", &options, Some((&get, &instance)), 0.0).is_none(),
      "machine tokens go async"
    );
    assert_eq!(reason("garbage", &options, &get), "token-invalid");
  }

  #[test]
  fn the_token_only_path_defers_request_dependent_outcomes() {
    let key = TestKey::generate("kid_fast");
    let options = VerifyOptions {
      jwt_key: Some(key.spki_pem()),
      clock_skew_ms: 5000.0,
      ..Default::default()
    };
    let now_ms = NOW_S as f64 * 1000.0;
    let valid = key.sign(json!({}), session_claims(NOW_S));
    assert!(matches!(
      authenticate_sync(&valid, &options, None, now_ms),
      Some(Outcome::SignedInSession { .. })
    ));
    let mut expired = session_claims(NOW_S);
    expired["exp"] = json!(NOW_S - 60);
    assert!(authenticate_sync(&key.sign(json!({}), expired), &options, None, now_ms).is_none());
    assert!(matches!(
      authenticate_sync("garbage", &options, None, now_ms),
      Some(Outcome::SignedOut { .. })
    ));
  }
}
