//! `authenticateAnyRequestWithTokenInHeader` for session tokens, and the
//! header branch of `handleSessionTokenError`.

use super::token_kind::{classify, TokenKind};
use super::{Outcome, SESSION_TOKEN};
use crate::errors::{reason, Failure, TokenError};
use crate::jwt::decode;
use crate::jwt::verify::{self, SyncOutcome, VerifiedToken, VerifyOptions};

/// The request facts that decide how an expired token is reported.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestFacts {
  pub is_get: bool,
  /// A `__refresh_<suffix>` cookie is present.
  pub has_refresh_cookie: bool,
}

/// Authenticates from memory, or returns `None` when the JWKS must be fetched.
pub fn authenticate_sync(
  token: &str,
  options: &VerifyOptions,
  facts: RequestFacts,
  now_ms: f64,
) -> Option<Outcome> {
  // Decoded once, for both the token-type sniffing and verification.
  let decoded = decode(token);
  if let Some(outcome) = outcome_before_verification(classify(token, decoded.as_ref().ok())) {
    return Some(outcome);
  }
  match verify::verify_with_cached_keys(decoded, options, now_ms) {
    SyncOutcome::Done(result) => Some(outcome_of(result, facts)),
    SyncOutcome::NeedsJwksFetch => None,
  }
}

/// Authenticates, fetching the JWKS if needed.
pub async fn authenticate(
  client: &reqwest::Client,
  token: &str,
  options: &VerifyOptions,
  facts: RequestFacts,
) -> Outcome {
  if let Some(outcome) = outcome_before_verification(classify(token, decode(token).ok().as_ref())) {
    return outcome;
  }
  outcome_of(verify::verify(client, token, options).await, facts)
}

fn outcome_before_verification(kind: TokenKind) -> Option<Outcome> {
  match kind {
    TokenKind::Session => None,
    TokenKind::NonSessionCategory => Some(Outcome::SignedOut {
      token_type: SESSION_TOKEN,
      reason: "token-type-mismatch".into(),
      message: String::new(),
    }),
    // Machine-token verification is not implemented yet: never signed in.
    TokenKind::Machine(token_type) => Some(Outcome::SignedOut {
      token_type,
      reason: "unexpected-error".into(),
      message: String::new(),
    }),
  }
}

fn outcome_of(result: Result<VerifiedToken, Failure>, facts: RequestFacts) -> Outcome {
  match result {
    Ok(verified) => Outcome::SignedInSession {
      payload_text: verified.payload_text,
    },
    Err(Failure::Fatal(message)) => Outcome::Fatal(message),
    Err(Failure::Unexpected(_)) => Outcome::SignedOut {
      token_type: SESSION_TOKEN,
      reason: "unexpected-error".into(),
      message: String::new(),
    },
    Err(Failure::Token(err)) => signed_out_for_token_error(&err, facts),
  }
}

/// Time-claim failures are renamed as the reference does before it decides
/// between a handshake and signed-out; other reasons pass through.
fn signed_out_for_token_error(err: &TokenError, facts: RequestFacts) -> Outcome {
  let refresh_error = if !facts.is_get {
    "non-eligible-non-get"
  } else if !facts.has_refresh_cookie {
    "non-eligible-no-refresh-cookie"
  } else {
    "null"
  };
  let reason = match err.reason {
    reason::TOKEN_EXPIRED => format!("session-token-expired-refresh-{refresh_error}"),
    reason::TOKEN_NOT_ACTIVE_YET => "session-token-nbf".into(),
    reason::TOKEN_IAT_IN_THE_FUTURE => "session-token-iat-in-the-future".into(),
    other => other.into(),
  };
  Outcome::SignedOut {
    token_type: SESSION_TOKEN,
    reason,
    message: err.full_message(Some("header")),
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_support::{session_claims, TestKey};
  use serde_json::json;

  const NOW_S: i64 = 1_700_000_000;

  fn reason(token: &str, options: &VerifyOptions, facts: RequestFacts) -> String {
    match authenticate_sync(token, options, facts, NOW_S as f64 * 1000.0) {
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
    let get = RequestFacts {
      is_get: true,
      has_refresh_cookie: false,
    };
    let post = RequestFacts {
      is_get: false,
      has_refresh_cookie: false,
    };

    let valid = key.sign(json!({}), session_claims(NOW_S));
    assert!(matches!(
      authenticate_sync(&valid, &options, get, NOW_S as f64 * 1000.0),
      Some(Outcome::SignedInSession { .. })
    ));

    let mut expired = session_claims(NOW_S);
    expired["exp"] = json!(NOW_S - 60);
    let expired = key.sign(json!({}), expired);
    assert_eq!(
      reason(&expired, &options, get),
      "session-token-expired-refresh-non-eligible-no-refresh-cookie"
    );
    assert_eq!(
      reason(&expired, &options, post),
      "session-token-expired-refresh-non-eligible-non-get"
    );

    let mut early = session_claims(NOW_S);
    early["nbf"] = json!(NOW_S + 60);
    assert_eq!(
      reason(&key.sign(json!({}), early), &options, get),
      "session-token-nbf"
    );

    assert_eq!(
      reason(
        &key.sign(json!({"cat": "cl_x"}), session_claims(NOW_S)),
        &options,
        get
      ),
      "token-type-mismatch"
    );
    assert_eq!(reason("ak_secret", &options, get), "unexpected-error");
    assert_eq!(reason("garbage", &options, get), "token-invalid");
  }
}
