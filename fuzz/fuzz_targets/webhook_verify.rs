//! Webhook verification with any secret, id, timestamp, signature header
//! and body. No panic; an answer that agrees with an HMAC computed here for
//! canonical base64 secrets; and a header that carries the right signature
//! is accepted whatever else it carries.
//!
//! Input: lines of secret, svix-id, svix-timestamp, svix-signature, then
//! the body (the rest, newlines included).
#![no_main]

use aws_lc_rs::hmac;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use clerk_core::webhooks::{verify, WebhookError};
use libfuzzer_sys::fuzz_target;

const NOW_S: f64 = 1_700_000_000.0;

fuzz_target!(|data: &[u8]| {
  let text = String::from_utf8_lossy(data);
  let mut fields = text.splitn(5, '\n');
  let mut field = || fields.next().unwrap_or_default();
  let (secret, id, timestamp, header, body) = (field(), field(), field(), field(), field());
  let result = verify(secret, id, timestamp, header, body, NOW_S);

  let base64 = secret.strip_prefix("whsec_").unwrap_or(secret);
  let Ok(key) = STANDARD.decode(base64) else {
    return;
  };
  if key.is_empty() {
    assert!(matches!(result, Err(WebhookError::Secret(_))), "{result:?}");
    return;
  }
  let Some(seconds) = clerk_core::js_semantics::parse_int(timestamp) else {
    assert_eq!(
      result,
      Err(WebhookError::Verification("Invalid Signature Headers"))
    );
    return;
  };
  if (NOW_S - seconds).abs() > 300.0 || seconds.is_nan() {
    assert!(
      matches!(result, Err(WebhookError::Verification(_))),
      "{result:?}"
    );
    return;
  }
  let signed = format!(
    "{id}.{}.{body}",
    clerk_core::js_semantics::number_to_string(seconds)
  );
  let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), signed.as_bytes());
  let expected = STANDARD.encode(tag.as_ref());
  let carries = header.split(' ').any(|versioned| {
    let mut parts = versioned.split(',');
    parts.next() == Some("v1") && parts.next() == Some(expected.as_str())
  });
  assert_eq!(result.is_ok(), carries, "{result:?}");
  // The right signature next to anything else still verifies.
  let with_good = format!("{header} v1,{expected}");
  assert_eq!(
    verify(secret, id, timestamp, &with_good, body, NOW_S),
    Ok(())
  );
});
