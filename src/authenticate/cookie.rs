//! The start of the cookie path (`authenticateRequestWithTokenInCookie`) for
//! requests without a header token. Until the browser flow (handshake,
//! refresh, satellites) is implemented, every step that would redirect is
//! reported as signed-out with the same reason, and a session cookie is
//! never accepted: nothing here can sign a request in.

use super::{Outcome, SESSION_TOKEN};

/// The cookie-path inputs the reference reads, already extracted.
#[derive(Debug, Default)]
pub struct CookieFacts<'a> {
  pub production: bool,
  pub session_cookie: Option<&'a str>,
  pub client_uat: Option<&'a str>,
  pub dev_browser_in_query: bool,
  pub dev_browser_cookie: Option<&'a str>,
}

pub fn authenticate(facts: &CookieFacts) -> Outcome {
  let signed_out = |reason: &str| Outcome::SignedOut {
    token_type: SESSION_TOKEN,
    reason: reason.to_string(),
    message: String::new(),
  };
  // `Number.parseInt(v || '') || 0`: a leading integer, anything else is 0.
  let client_uat = facts.client_uat.map(parse_int_prefix).unwrap_or(0);
  let has_session = facts.session_cookie.is_some_and(|s| !s.is_empty());
  if !facts.production && facts.dev_browser_in_query {
    return signed_out("dev-browser-sync");
  }
  if !facts.production
    && !facts.dev_browser_in_query
    && facts.dev_browser_cookie.is_none_or(str::is_empty)
  {
    return signed_out("dev-browser-missing");
  }
  match (client_uat != 0, has_session) {
    (false, false) => signed_out("session-token-and-uat-missing"),
    (false, true) => signed_out("session-token-but-no-client-uat"),
    (true, false) => signed_out("client-uat-but-no-session-token"),
    // Verifying session cookies is part of the browser flow, not built yet.
    (true, true) => signed_out("session-token-and-uat-missing"),
  }
}

fn parse_int_prefix(text: &str) -> i64 {
  let trimmed = text.trim_start();
  let (sign, digits) = match trimmed.as_bytes().first() {
    Some(b'-') => (-1, &trimmed[1..]),
    Some(b'+') => (1, &trimmed[1..]),
    _ => (1, trimmed),
  };
  let end = digits
    .bytes()
    .position(|b| !b.is_ascii_digit())
    .unwrap_or(digits.len());
  digits[..end].parse::<i64>().map(|n| sign * n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
  use super::*;

  fn reason(facts: CookieFacts) -> String {
    match authenticate(&facts) {
      Outcome::SignedOut { reason, .. } => reason,
      other => panic!("unexpected {other:?}"),
    }
  }

  #[test]
  fn development_requires_a_dev_browser_first() {
    assert_eq!(reason(CookieFacts::default()), "dev-browser-missing");
    assert_eq!(
      reason(CookieFacts {
        dev_browser_in_query: true,
        ..Default::default()
      }),
      "dev-browser-sync"
    );
  }

  #[test]
  fn production_without_cookies_is_signed_out() {
    assert_eq!(
      reason(CookieFacts {
        production: true,
        ..Default::default()
      }),
      "session-token-and-uat-missing"
    );
    let uat_zero = CookieFacts {
      production: true,
      client_uat: Some("0"),
      ..Default::default()
    };
    assert_eq!(reason(uat_zero), "session-token-and-uat-missing");
    let uat_only = CookieFacts {
      production: true,
      client_uat: Some("12abc"),
      ..Default::default()
    };
    assert_eq!(reason(uat_only), "client-uat-but-no-session-token");
  }
}
