//! The first verification in a process pays for aws-lc's one-time set-up
//! (its CPU feature detection and method tables, and the first run of the RSA
//! code, whose pages are not yet in memory). The middleware's background
//! warm-up (the addon's src/warm_up.rs) verifies a signature with a throwaway key
//! once, so the first request that imports the real JWKS does not wait for it.

use super::public_key::PublicKey;

/// The modulus of a throwaway RSA-2048 key (base64url), with exponent 65537.
/// No signature made with it is ever accepted anywhere: it only gives the RSA
/// code something of the usual size to run on.
const THROWAWAY_MODULUS: &str = "\
  5GKbMzR26Sxojp-YI9Bc46ZVzkxEzAJ8VkqRoD2O3Rzp9AVq4vSWD47Fbd0rFv6qSW9as_GScYa0XFut\
  lVgZXIWna8H3fvsNykOU7JX6rLUGJEgxKm3tMzIZyA7RkMi7skHmJTgHBNQqU3gr5BV7xTwzNzZSQhe_\
  mOslLevzaGuQZoGwiF1SGBAVvo2prkGE0GOfwArfXup8lk6J8rk-7pFkpG5DAuNdKDZ0e7EUKgxs_a9m\
  yzm9ZCgjeKEN48MCrAEX3sUL1CvAjTMQ1UvRr9bcG-3HSiGN9CSjDVxxIH4yrbLik3msXiYEB3S2VAwn\
  8QRbtmWaoR6Y2jlDmaPcyw";

/// Imports the throwaway key and checks an all-zero signature against it, the
/// path a session token takes. Returns whether it verified: never.
pub fn warm_up_rsa() -> bool {
  let jwk = serde_json::json!({ "kty": "RSA", "n": THROWAWAY_MODULUS, "e": "AQAB" });
  let key = PublicKey::from_jwk(&jwk);
  key
    .verify("RS256", b"clerk-express-native warm-up", &[0u8; 256])
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
  use super::*;

  use base64::Engine;

  #[test]
  fn the_throwaway_key_is_a_full_size_rsa_2048_modulus() {
    let modulus = base64::engine::general_purpose::URL_SAFE_NO_PAD
      .decode(THROWAWAY_MODULUS)
      .expect("base64url");
    assert_eq!(modulus.len(), 256);
    assert!(
      modulus[0] & 0x80 != 0,
      "the top bit is set: 2048 bits, not fewer"
    );
    assert!(modulus[255] & 1 == 1, "an RSA modulus is odd");
  }

  #[test]
  fn the_warm_up_verification_never_succeeds() {
    assert!(!warm_up_rsa());
  }
}
