//! Webhook signatures (Standard Webhooks / Svix, as `standardwebhooks` 1.1.1
//! verifies them for @clerk/backend): HMAC-SHA256 over `id.timestamp.body`
//! with the base64 secret, a 5-minute tolerance, and a constant-time
//! comparison against every `v1,` signature in the header.

use aws_lc_rs::{constant_time, hmac};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

const TOLERANCE_SECONDS: f64 = 300.0;
const SECRET_PREFIX: &str = "whsec_";

/// Why a webhook was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum WebhookError {
  /// Thrown as is by the reference (`new Webhook(secret)` is outside its try).
  Secret(String),
  /// Thrown as `@clerk/backend: Unable to verify incoming webhook: <message>`.
  Verification(&'static str),
}

pub fn verify(
  secret: &str,
  id: &str,
  timestamp: &str,
  signature_header: &str,
  body: &str,
  now_s: f64,
) -> Result<(), WebhookError> {
  let key = decode_secret(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))?;
  if key.is_empty() {
    return Err(WebhookError::Secret("Secret can't be empty.".into()));
  }
  let timestamp = crate::js_semantics::parse_int(timestamp)
    .ok_or(WebhookError::Verification("Invalid Signature Headers"))?;
  if now_s - timestamp > TOLERANCE_SECONDS {
    return Err(WebhookError::Verification("Message timestamp too old"));
  }
  if timestamp > now_s + TOLERANCE_SECONDS {
    return Err(WebhookError::Verification("Message timestamp too new"));
  }
  let signed = format!(
    "{id}.{}.{body}",
    crate::js_semantics::number_to_string(timestamp)
  );
  let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), signed.as_bytes());
  let expected = STANDARD.encode(tag.as_ref());
  for versioned in signature_header.split(' ') {
    let mut parts = versioned.split(',');
    if parts.next() != Some("v1") {
      continue;
    }
    let signature = parts.next().unwrap_or_default();
    if constant_time::verify_slices_are_equal(signature.as_bytes(), expected.as_bytes()).is_ok() {
      return Ok(());
    }
  }
  Err(WebhookError::Verification("No matching signature found"))
}

/// @stablelib/base64 `decode`: padding is the only length check, and what
/// follows the last full group of four is decoded only as far as the output
/// length (`length / 4 * 3`) allows.
fn decode_secret(text: &str) -> Result<Vec<u8>, WebhookError> {
  let units: Vec<u16> = text.encode_utf16().collect();
  if units.is_empty() {
    return Ok(Vec::new());
  }
  let padding = units
    .iter()
    .rev()
    .take_while(|u| **u == u16::from(b'='))
    .count();
  if units.len() < 4 || padding > 2 {
    return Err(WebhookError::Secret(
      "Base64Coder: incorrect padding".into(),
    ));
  }
  let length = units.len() - padding;
  // `length / 4 * 3 | 0` in JS: floating point, then truncated.
  let mut out = vec![0u8; length * 3 / 4];
  let value = |i: usize| -> u32 {
    match units.get(i).copied().unwrap_or(0) {
      c @ 65..=90 => u32::from(c - 65),
      c @ 97..=122 => u32::from(c - 97 + 26),
      c @ 48..=57 => u32::from(c - 48 + 52),
      43 => 62,
      47 => 63,
      _ => 256,
    }
  };
  let mut written = 0;
  let mut push = |byte: u32| {
    // Writes past a typed array's end are dropped in JS.
    if written < out.len() {
      out[written] = byte as u8;
    }
    written += 1;
  };
  let mut bad = 0;
  let mut i = 0;
  while i + 4 < length {
    let (v0, v1, v2, v3) = (value(i), value(i + 1), value(i + 2), value(i + 3));
    push((v0 << 2) | (v1 >> 4));
    push((v1 << 4) | (v2 >> 2));
    push((v2 << 6) | v3);
    bad |= (v0 | v1 | v2 | v3) & 256;
    i += 4;
  }
  let (mut v1, mut v2) = (0, 0);
  if i + 1 < length {
    let v0 = value(i);
    v1 = value(i + 1);
    push((v0 << 2) | (v1 >> 4));
    bad |= (v0 | v1) & 256;
  }
  if i + 2 < length {
    v2 = value(i + 2);
    push((v1 << 4) | (v2 >> 2));
    bad |= v2 & 256;
  }
  if i + 3 < length {
    let v3 = value(i + 3);
    push((v2 << 6) | v3);
    bad |= v3 & 256;
  }
  if bad != 0 {
    return Err(WebhookError::Secret(
      "Base64Coder: incorrect characters for decoding".into(),
    ));
  }
  Ok(out)
}

#[cfg(test)]
mod tests {
  use super::*;

  const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  fn sign(id: &str, ts: &str, body: &str) -> String {
    let key = decode_secret(&SECRET[6..]).unwrap();
    let tag = hmac::sign(
      &hmac::Key::new(hmac::HMAC_SHA256, &key),
      format!("{id}.{ts}.{body}").as_bytes(),
    );
    format!("v1,{}", STANDARD.encode(tag.as_ref()))
  }

  #[test]
  fn accepts_a_valid_signature_among_others_and_refuses_the_rest() {
    let good = sign("msg_1", "1700000000", "{}");
    let header = format!("v1,bogus {good} v2,ignored");
    assert_eq!(
      verify(
        SECRET,
        "msg_1",
        "1700000000",
        &header,
        "{}",
        1_700_000_100.0
      ),
      Ok(())
    );
    assert_eq!(
      verify(
        SECRET,
        "msg_1",
        "1700000000",
        &header,
        "{ }",
        1_700_000_100.0
      ),
      Err(WebhookError::Verification("No matching signature found"))
    );
    assert_eq!(
      verify(SECRET, "msg_1", "1700000000", &good, "{}", 1_700_000_301.0),
      Err(WebhookError::Verification("Message timestamp too old"))
    );
    assert_eq!(
      verify(SECRET, "msg_1", "1700000000", &good, "{}", 1_699_999_699.0),
      Err(WebhookError::Verification("Message timestamp too new"))
    );
    assert_eq!(
      verify(SECRET, "msg_1", "x", &good, "{}", 0.0),
      Err(WebhookError::Verification("Invalid Signature Headers"))
    );
  }

  #[test]
  fn secrets_decode_like_stablelib() {
    assert_eq!(
      verify("whsec_", "i", "1", "v1,x", "", 1.0),
      Err(WebhookError::Secret("Secret can't be empty.".into()))
    );
    assert_eq!(
      decode_secret("ab"),
      Err(WebhookError::Secret(
        "Base64Coder: incorrect padding".into()
      ))
    );
    assert_eq!(
      decode_secret("a!=="),
      Err(WebhookError::Secret(
        "Base64Coder: incorrect characters for decoding".into()
      ))
    );
    assert_eq!(decode_secret("YWJj").unwrap(), b"abc");
    assert_eq!(decode_secret("YWJjZA==").unwrap(), b"abcd");
    assert_eq!(
      decode_secret("YWJjZ").unwrap(),
      b"abc",
      "a fifth character is dropped"
    );
  }
}
