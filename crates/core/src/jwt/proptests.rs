//! Property tests: decoding never panics, a signed token changed in any one
//! byte never verifies, and the Cookie header reads as cookie@1.1.1 parses
//! it. Case counts are kept small: `cargo test` runs these every time, and
//! the cargo-fuzz targets (fuzz/) search the same inputs for much longer.

use super::decode::decode;
use super::verify::{verify_with_cached_keys, SyncOutcome, VerifiedToken, VerifyOptions};
use crate::authenticate::request::{Request, RequestInput};
use crate::errors::Failure;
use crate::test_support::{session_claims, TestKey};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::OnceLock;

const NOW_S: i64 = 1_700_000_000;
const NOW_MS: f64 = 1_700_000_000_000.0;

/// A failing case is reported, not written next to the sources.
fn config(cases: u32) -> ProptestConfig {
  ProptestConfig {
    cases,
    failure_persistence: None,
    ..ProptestConfig::default()
  }
}

struct Signed {
  options: VerifyOptions,
  token: String,
  claims: Value,
}

fn signed() -> &'static Signed {
  static SIGNED: OnceLock<Signed> = OnceLock::new();
  SIGNED.get_or_init(|| {
    let key = TestKey::generate("kid_proptest");
    let claims = session_claims(NOW_S);
    Signed {
      options: VerifyOptions {
        jwt_key: Some(key.spki_pem()),
        clock_skew_ms: 5000.0,
        ..Default::default()
      },
      token: key.sign(json!({}), claims.clone()),
      claims,
    }
  })
}

fn verify(token: &str) -> Result<VerifiedToken, Failure> {
  match verify_with_cached_keys(decode(token), &signed().options, NOW_MS) {
    SyncOutcome::Done(result) => result,
    SyncOutcome::NeedsJwksFetch => panic!("a PEM key never needs a fetch"),
  }
}

/// Three base64url parts of arbitrary bytes or JSON-like text: most decode
/// far enough to reach the JSON parser.
fn token_like() -> impl Strategy<Value = String> {
  let part = prop_oneof![
    prop::collection::vec(any::<u8>(), 0..48).prop_map(|bytes| URL_SAFE_NO_PAD.encode(bytes)),
    r#"[{}\[\]":,a-z0-9 .\\-]{0,40}"#.prop_map(|text| URL_SAFE_NO_PAD.encode(text)),
    "[A-Za-z0-9_=+/-]{0,12}",
  ];
  (part.clone(), part.clone(), part).prop_map(|(h, p, s)| format!("{h}.{p}.{s}"))
}

proptest! {
  #![proptest_config(config(512))]

  #[test]
  fn decoding_any_text_never_panics(text in any::<String>()) {
    let _ = decode(&text);
  }

  #[test]
  fn decoding_token_like_text_never_panics_and_keeps_the_signed_part(token in token_like()) {
    if let Ok(decoded) = decode(&token) {
      let signed_part = token.rsplit_once('.').map(|(signed, _)| signed);
      prop_assert_eq!(Some(decoded.signed_part()), signed_part);
    }
  }
}

proptest! {
  #![proptest_config(config(1024))]

  /// Any position, any byte: the result is decoded as the header would be
  /// (lossy UTF-8). Every alphabet character of the three parts carries
  /// signed bits or is checked to be zero (the base64url decoder refuses
  /// non-zero trailing bits), and `=` is only dropped at the end, so no
  /// single-byte change is a no-op: none verifies, whatever its claims.
  #[test]
  fn a_token_changed_in_one_byte_never_verifies(at in any::<prop::sample::Index>(), byte in any::<u8>()) {
    let signed = signed();
    let mut bytes = signed.token.clone().into_bytes();
    let at = at.index(bytes.len());
    bytes[at] = byte;
    let changed = String::from_utf8_lossy(&bytes);
    match verify(&changed) {
      Ok(verified) => {
        prop_assert_eq!(&*changed, signed.token.as_str(), "a changed token verified");
        prop_assert_eq!(&verified.payload, &signed.claims);
      }
      Err(_) => prop_assert_ne!(&*changed, signed.token.as_str()),
    }
  }
}

#[test]
fn the_unchanged_token_verifies_and_trailing_padding_is_tolerated() {
  let signed = signed();
  assert_eq!(verify(&signed.token).unwrap().payload, signed.claims);
  // As in the reference's decoder: trailing `=` of the signature are ignored,
  // so a padded copy is the same token with the same claims.
  let padded = format!("{}==", signed.token);
  assert_eq!(verify(&padded).unwrap().payload, signed.claims);
}

/// `decodeURIComponent`: `%` and exactly two hex digits per escape, the
/// bytes valid UTF-8; `None` where it throws.
fn decode_uri_component(text: &str) -> Option<String> {
  let bytes = text.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut i = 0;
  while i < bytes.len() {
    if bytes[i] == b'%' {
      let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
      out.push((hex(i + 1)? * 16 + hex(i + 2)?) as u8);
      i += 3;
    } else {
      out.push(bytes[i]);
      i += 1;
    }
  }
  String::from_utf8(out).ok()
}

/// cookie@1.1.1 `parse(header)[name]` as the state machine reads it: pairs
/// split on `;`, those without `=` skipped, spaces and tabs trimmed around
/// name and value, the first pair of a name kept, `%` values decoded when
/// they decode, and an empty value read as absent.
fn model_cookie(header: &str, name: &str) -> Option<String> {
  let trim = |s: &str| s.trim_matches([' ', '\t']).to_string();
  let value = header
    .split(';')
    .filter_map(|pair| pair.split_once('='))
    .find(|(key, _)| trim(key) == name)
    .map(|(_, value)| trim(value))?;
  let value = match value.contains('%') {
    true => decode_uri_component(&value).unwrap_or(value),
    false => value,
  };
  (!value.is_empty()).then_some(value)
}

/// Cookie headers built from the pieces that matter to the parser.
fn cookie_header() -> impl Strategy<Value = String> {
  let piece = prop_oneof![
    Just(";"),
    Just("="),
    Just(" "),
    Just("\t"),
    Just("%"),
    Just("%41"),
    Just("%e2%9c%93"),
    Just("%E2%9C"),
    Just("%zz"),
    Just("%0"),
    Just("%+1"),
    Just("+"),
    Just("__session"),
    Just("__client_uat"),
    Just("a"),
    Just("b"),
    Just("1"),
    Just("é"),
    Just("\u{a0}"),
    Just("\u{c}"),
    Just("\""),
  ];
  prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
  #![proptest_config(config(512))]

  #[test]
  fn cookies_read_as_cookie_1_parses_them(header in cookie_header()) {
    let input = RequestInput {
      cookie: Some(header.clone()),
      ..Default::default()
    };
    let request = Request::new(&input);
    let names_in_header = header
      .split(';')
      .filter_map(|pair| pair.split_once('='))
      .map(|(name, _)| name.trim_matches([' ', '\t']));
    for name in ["__session", "__client_uat", "a", "b", ""].into_iter().chain(names_in_header) {
      prop_assert_eq!(
        request.cookie(name).map(str::to_string),
        model_cookie(&header, name),
        "cookie {:?} of {:?}", name, header
      );
    }
  }
}
