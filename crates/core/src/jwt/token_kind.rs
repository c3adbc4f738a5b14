//! Telling session tokens from machine tokens before verification, as
//! `isMachineToken` and `hasNonSessionJwtCategory` do.

use crate::js_semantics;
use crate::jwt::DecodedJwt;
use serde_json::Value;

pub const SESSION_TOKEN_CATEGORY: &str = "cl_B7d4PD111AAA";
pub const IGNORED_CATEGORY: &str = "cl_I7d4PD111III";

#[derive(Debug, PartialEq, Eq)]
pub enum TokenKind {
  /// `m2m_token`, `oauth_token` or `api_key`.
  Machine(&'static str),
  /// A JWT with a `cat` header other than the session and ignore categories.
  NonSessionCategory,
  Session,
}

/// `decoded` is the token's decoding, when it decodes.
pub fn classify(token: &str, decoded: Option<&DecodedJwt>) -> TokenKind {
  if token.starts_with("mt_") {
    return TokenKind::Machine("m2m_token");
  }
  if token.starts_with("oat_") {
    return TokenKind::Machine("oauth_token");
  }
  if token.starts_with("ak_") {
    return TokenKind::Machine("api_key");
  }
  let Some(decoded) = decoded else {
    return TokenKind::Session;
  };
  if is_jwt_format(token) {
    // `getMachineTokenType` tests the M2M subject before the OAuth type.
    let sub = js_semantics::get(&decoded.payload, "sub").and_then(Value::as_str);
    if sub.is_some_and(|s| s.starts_with("mch_")) {
      return TokenKind::Machine("m2m_token");
    }
    let typ = js_semantics::get(&decoded.header, "typ").and_then(Value::as_str);
    if matches!(typ, Some("at+jwt") | Some("application/at+jwt")) {
      return TokenKind::Machine("oauth_token");
    }
  }
  match js_semantics::get(&decoded.header, "cat") {
    Some(Value::String(cat)) if cat == SESSION_TOKEN_CATEGORY || cat == IGNORED_CATEGORY => {
      TokenKind::Session
    }
    None => TokenKind::Session,
    Some(_) => TokenKind::NonSessionCategory,
  }
}

/// `^[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+\.[a-zA-Z0-9\-_]+$`
fn is_jwt_format(token: &str) -> bool {
  let mut parts = 0;
  for part in token.split('.') {
    parts += 1;
    // Every byte is looked at, without stopping at the first bad one: the
    // compiler then checks many at a time, which is faster for tokens that
    // are valid, the common case.
    let url_safe = part.bytes().fold(true, |ok, b| {
      ok & (b.is_ascii_alphanumeric() | (b == b'-') | (b == b'_'))
    });
    if part.is_empty() || !url_safe {
      return false;
    }
  }
  parts == 3
}

#[cfg(test)]
mod tests {
  use super::*;

  fn classify(token: &str) -> TokenKind {
    super::classify(token, crate::jwt::decode(token).ok().as_ref())
  }

  fn jwt(header: &str, payload: &str) -> String {
    use base64::Engine;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!("{}.{}.c2ln", e.encode(header), e.encode(payload))
  }

  #[test]
  fn prefixes_and_jwt_shapes_pick_the_machine_type() {
    assert_eq!(classify("ak_123"), TokenKind::Machine("api_key"));
    assert_eq!(classify("mt_123"), TokenKind::Machine("m2m_token"));
    assert_eq!(classify("oat_123"), TokenKind::Machine("oauth_token"));
    assert_eq!(
      classify(&jwt(r#"{"alg":"RS256"}"#, r#"{"sub":"mch_1"}"#)),
      TokenKind::Machine("m2m_token")
    );
    assert_eq!(
      classify(&jwt(r#"{"typ":"at+jwt"}"#, r#"{"sub":"user_1"}"#)),
      TokenKind::Machine("oauth_token")
    );
    assert_eq!(
      classify(&jwt(r#"{"cat":"cl_other"}"#, r#"{"sub":"user_1"}"#)),
      TokenKind::NonSessionCategory
    );
    assert_eq!(
      classify(&jwt(r#"{"cat":"cl_B7d4PD111AAA"}"#, r#"{"sub":"user_1"}"#)),
      TokenKind::Session
    );
    assert_eq!(classify("garbage"), TokenKind::Session);
  }

  #[test]
  fn the_jwt_format_is_three_non_empty_base64url_parts() {
    assert!(is_jwt_format("aA0-_.bB1.cC2_-"));
    for bad in [
      "a.b",
      "a.b.c.d",
      ".b.c",
      "a..c",
      "a.b.",
      "a.b=.c",
      "a.b.c/",
      "a b.c.d",
      "a.\u{e9}.c",
      "",
    ] {
      assert!(!is_jwt_format(bad), "{bad:?}");
    }
    // A bad byte anywhere in a long part, first, last or in the middle.
    let long = "x".repeat(900);
    assert!(is_jwt_format(&format!("{long}.{long}.{long}")));
    for at in [0, 450, 899] {
      let mut part = long.clone().into_bytes();
      part[at] = b'+';
      let part = String::from_utf8(part).unwrap();
      assert!(!is_jwt_format(&format!("{long}.{part}.{long}")), "{at}");
    }
  }
}
