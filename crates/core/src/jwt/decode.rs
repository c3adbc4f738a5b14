//! `decodeJwt` of @clerk/backend: three dot-separated parts, strict base64url,
//! UTF-8 (lossy, like `TextDecoder`) and `JSON.parse` for header and payload.

use crate::base64url;
use crate::errors::{reason, TokenError};
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct DecodedJwt {
  pub header: Value,
  pub payload: Value,
  /// The payload as decoded text, handed to JS so that `JSON.parse` there
  /// yields exactly the object the reference builds (key order, numbers).
  pub payload_text: String,
  /// The token as given.
  pub token: String,
  /// The third part, decoded.
  pub signature: Vec<u8>,
  signed_len: usize,
}

impl DecodedJwt {
  /// `<raw header>.<raw payload>`: the bytes the signature covers.
  pub fn signed_part(&self) -> &str {
    &self.token[..self.signed_len]
  }
}

const BAD_FORM: &str = "Invalid JWT form. A JWT consists of three parts separated by dots.";
const UNDECODABLE: &str =
  "Invalid JWT form. The header, payload, or signature could not be decoded.";

/// Owned, so one decoding can be carried from token sniffing to verification.
pub fn decode(token: &str) -> Result<DecodedJwt, TokenError> {
  let mut parts = token.split('.');
  let (Some(header), Some(payload), Some(signature), None) =
    (parts.next(), parts.next(), parts.next(), parts.next())
  else {
    return Err(TokenError::new(reason::TOKEN_INVALID, BAD_FORM));
  };
  let undecodable = || TokenError::new(reason::TOKEN_INVALID, UNDECODABLE);
  let (header_json, _) = parse_json_part(header).ok_or_else(undecodable)?;
  let (payload_json, payload_text) = parse_json_part(payload).ok_or_else(undecodable)?;
  let signature_bytes = base64url::decode(signature).map_err(|_| undecodable())?;
  Ok(DecodedJwt {
    header: header_json,
    payload: payload_json,
    payload_text,
    token: token.to_string(),
    signature: signature_bytes,
    signed_len: header.len() + 1 + payload.len(),
  })
}

fn parse_json_part(part: &str) -> Option<(Value, String)> {
  let bytes = base64url::decode(part).ok()?;
  let text = crate::json::decode_text(&bytes);
  let value = serde_json::from_str(&text).ok()?;
  Some((value, text))
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn decodes_header_payload_and_signature() {
    // {"alg":"RS256"} . {"sub":"user_1"} . "sig"
    let jwt = decode("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ.c2ln").unwrap();
    assert_eq!(jwt.header["alg"], "RS256");
    assert_eq!(jwt.payload["sub"], "user_1");
    assert_eq!(jwt.signature, b"sig");
    assert_eq!(jwt.payload_text, r#"{"sub":"user_1"}"#);
    assert_eq!(
      jwt.signed_part(),
      "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzEifQ"
    );
  }

  #[test]
  fn reports_the_two_reference_messages() {
    for token in ["", "a.b", "a.b.c.d", "Bearer"] {
      assert_eq!(decode(token).err().unwrap().message, BAD_FORM, "{token}");
    }
    for token in [
      "a.b.c",
      "eyJhbGciOiJSUzI1NiJ9.e30.c2ln+",
      "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
    ] {
      let err = decode(token).err().unwrap();
      assert_eq!(
        (err.reason, err.message.as_str()),
        (reason::TOKEN_INVALID, UNDECODABLE),
        "{token}"
      );
    }
  }
}
