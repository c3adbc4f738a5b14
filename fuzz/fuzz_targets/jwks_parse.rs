//! Key import: `PublicKey::from_jwk` on any JSON value (a JWK, or each key of
//! a JWKS body), and the `jwtKey` PEM reader on any text, each followed by a
//! verification. No panic; a key that imports must refuse a signature that
//! was never made with it.
#![no_main]

use clerk_core::keys::{pem, PublicKey};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const SIGNED: &[u8] = b"eyJhbGciOiJSUzI1NiJ9.e30";

fn exercise(key: &PublicKey, signature: &[u8]) {
  for algorithm in ["RS256", "RS384", "RS512", "HS256", ""] {
    if let Ok(valid) = key.verify(algorithm, SIGNED, signature) {
      // Forging PKCS#1 v1.5 is out of reach: a fuzzer-made key and
      // signature that verify mean the checks are not being made.
      assert!(!valid, "a fuzzed signature verified");
    }
  }
}

fuzz_target!(|data: &[u8]| {
  // The last 256 bytes (at most) double as a signature, the rest as the key.
  let signature = &data[data.len().saturating_sub(256)..];
  if let Ok(value) = serde_json::from_slice::<Value>(data) {
    let key = PublicKey::from_jwk(&value);
    exercise(&key, signature);
    if let Some(keys) = value.get("keys").and_then(Value::as_array) {
      for jwk in keys {
        exercise(&PublicKey::from_jwk(jwk), signature);
      }
    }
  }
  let text = String::from_utf8_lossy(data);
  let modulus = pem::modulus_from_pem(&text);
  assert!(!modulus.contains(['\n', '\r', '+', '/']));
  exercise(&pem::key_from_pem(&text), signature);
});
