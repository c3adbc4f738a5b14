//! `jwtKey` (a PEM public key) as the reference reads it: it does not parse
//! the DER, it strips the fixed RSA-2048 SPKI prefix and the exponent suffix
//! from the base64 text and uses the rest as the modulus. Keys of other sizes
//! therefore fail exactly as they fail there.

use super::PublicKey;
use moka::sync::Cache;
use serde_json::json;
use std::sync::{Arc, OnceLock};

const PEM_HEADER: &str = "-----BEGIN PUBLIC KEY-----";
const PEM_TRAILER: &str = "-----END PUBLIC KEY-----";
const RSA_PREFIX: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA";
const RSA_SUFFIX: &str = "IDAQAB";

/// The modulus string of `loadClerkJwkFromPem`.
pub fn modulus_from_pem(pem: &str) -> String {
  pem
    .replace("\r\n", "")
    .replace(['\n', '\r'], "")
    .replacen(PEM_HEADER, "", 1)
    .replacen(PEM_TRAILER, "", 1)
    .replacen(RSA_PREFIX, "", 1)
    .replacen(RSA_SUFFIX, "", 1)
    .replace('+', "-")
    .replace('/', "_")
}

/// The imported key for a `jwtKey`, parsed once per distinct PEM.
pub fn key_from_pem(pem: &str) -> Arc<PublicKey> {
  static CACHE: OnceLock<Cache<String, Arc<PublicKey>>> = OnceLock::new();
  let cache = CACHE.get_or_init(|| Cache::new(64));
  if let Some(key) = cache.get(pem) {
    return key;
  }
  let jwk = json!({"kty": "RSA", "alg": "RS256", "n": modulus_from_pem(pem), "e": "AQAB"});
  let key = Arc::new(PublicKey::from_jwk(&jwk));
  cache.insert(pem.to_string(), key.clone());
  key
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn strips_the_spki_prefix_and_exponent() {
    let pem = format!("{PEM_HEADER}\n{RSA_PREFIX}abc+/\ndefIDAQAB\n{PEM_TRAILER}\n");
    assert_eq!(modulus_from_pem(&pem), "abc-_def");
  }
}
