//! Verification against a fixed RSA public key (keys/token_verify.pem) of
//! any token text. Only keys/token_verify.jwt is signed by that key, so a
//! verification that succeeds must yield exactly its claims: a mutated
//! token never signs in with other claims.
#![no_main]

use clerk_core::jwt::verify::{verify_with_cached_keys, SyncOutcome, VerifyOptions};
use clerk_core::jwt::{self};
use clerk_core::keys::PublicKey;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use std::sync::OnceLock;

const PEM: &str = include_str!("../keys/token_verify.pem");
const VALID_TOKEN: &str = include_str!("../keys/token_verify.jwt");
/// Inside the valid token's lifetime (iat 1700000000, exp 1700003600).
const NOW_MS: f64 = 1_700_000_100_000.0;

struct Fixture {
  pem_options: VerifyOptions,
  strict_options: VerifyOptions,
  jwk_key: PublicKey,
  claims: Value,
  payload_text: String,
}

fn fixture() -> &'static Fixture {
  static FIXTURE: OnceLock<Fixture> = OnceLock::new();
  FIXTURE.get_or_init(|| {
    let pem_options = VerifyOptions {
      jwt_key: Some(PEM.to_string()),
      clock_skew_ms: 5000.0,
      ..Default::default()
    };
    let strict_options = VerifyOptions {
      jwt_key: Some(PEM.to_string()),
      clock_skew_ms: 5000.0,
      authorized_parties: vec!["http://localhost:3000".into()],
      issuer: vec!["https://clerk.example.com".into()],
      audience: vec!["aud_fuzz".into()],
      ..Default::default()
    };
    let modulus = clerk_core::keys::pem::modulus_from_pem(PEM);
    let jwk_key = PublicKey::from_jwk(
      &serde_json::json!({"kty": "RSA", "alg": "RS256", "use": "sig", "n": modulus, "e": "AQAB"}),
    );
    let valid = jwt::decode(VALID_TOKEN.trim()).expect("the valid token decodes");
    let fixture = Fixture {
      pem_options,
      strict_options,
      jwk_key,
      claims: valid.payload.clone(),
      payload_text: valid.payload_text.clone(),
    };
    // The property below is empty unless the valid token verifies.
    match verify_with_cached_keys(Ok(valid), &fixture.pem_options, NOW_MS) {
      SyncOutcome::Done(Ok(_)) => {}
      _ => panic!("keys/token_verify.jwt no longer verifies with keys/token_verify.pem"),
    }
    fixture
  })
}

fuzz_target!(|data: &[u8]| {
  let fixture = fixture();
  let token = String::from_utf8_lossy(data);
  for options in [&fixture.pem_options, &fixture.strict_options] {
    match verify_with_cached_keys(jwt::decode(&token), options, NOW_MS) {
      SyncOutcome::Done(Ok(verified)) => {
        assert_eq!(
          verified.payload, fixture.claims,
          "signed in with other claims"
        );
        assert_eq!(verified.payload_text, fixture.payload_text);
      }
      SyncOutcome::Done(Err(_)) => {}
      SyncOutcome::NeedsJwksFetch => panic!("a PEM key never needs a fetch"),
    }
  }
  // The same key imported from a JWK: a good signature is one over exactly
  // the valid token's signed part.
  if let Ok(decoded) = jwt::decode(&token) {
    for algorithm in ["RS256", "RS384", "RS512"] {
      if fixture.jwk_key.verify(
        algorithm,
        decoded.signed_part().as_bytes(),
        &decoded.signature,
      ) == Ok(true)
      {
        assert_eq!(
          decoded.payload, fixture.claims,
          "a signature verified other claims"
        );
      }
    }
  }
});
