//! An RSA public key imported from a JWK, with the import checks WebCrypto
//! applies in the reference (`kty`, `use`, `alg`). The checks that depend on
//! the token (its `alg`) run at verification time; the rest once, at import.

use aws_lc_rs::signature::{
  ParsedPublicKey, RsaParameters, RsaPublicKeyComponents, RSA_PKCS1_2048_8192_SHA256,
  RSA_PKCS1_2048_8192_SHA384, RSA_PKCS1_2048_8192_SHA512,
};
use serde_json::Value;
use std::sync::OnceLock;

pub struct PublicKey {
  /// Why WebCrypto would refuse to import this JWK at all.
  import_error: Option<String>,
  /// The JWK's own `alg`, which must match the token's when present.
  jwk_alg: Option<Value>,
  modulus: Vec<u8>,
  exponent: Vec<u8>,
  /// The key parsed once per hash (RS256, RS384, RS512): building the RSA
  /// key (and its Montgomery context) per verification would cost more than
  /// the verification. `None` inside: aws-lc refuses the components, so no
  /// signature verifies.
  parsed: [OnceLock<Option<ParsedPublicKey>>; 3],
}

const ALG_MISMATCH: &str = "JWK \"alg\" does not match the requested algorithm";

impl PublicKey {
  pub fn from_jwk(jwk: &Value) -> PublicKey {
    let field = |name: &str| crate::js_semantics::get(jwk, name);
    let import_error = match (field("kty"), field("use")) {
      (None, _) | (Some(Value::Null), _) => Some("Invalid keyData".to_string()),
      (Some(kty), _) if kty.as_str() != Some("RSA") => {
        Some("Invalid JWK \"kty\" Parameter".to_string())
      }
      (_, Some(usage)) if usage.as_str() != Some("sig") => {
        Some("Invalid JWK \"use\" Parameter".to_string())
      }
      _ => None,
    };
    let component = |name: &str| {
      field(name)
        .and_then(Value::as_str)
        .map(lenient_base64)
        .unwrap_or_default()
    };
    let modulus = component("n");
    let exponent = component("e");
    let import_error = import_error.or_else(|| {
      (modulus.is_empty() || exponent.is_empty()).then(|| "Invalid JWK RSA key".to_string())
    });
    PublicKey {
      import_error,
      jwk_alg: field("alg").cloned(),
      modulus: strip_leading_zeros(&modulus).to_vec(),
      exponent,
      parsed: Default::default(),
    }
  }

  fn parsed(&self, slot: usize, params: &'static RsaParameters) -> Option<&ParsedPublicKey> {
    self.parsed[slot]
      .get_or_init(|| {
        RsaPublicKeyComponents {
          n: &self.modulus,
          e: &self.exponent,
        }
        .to_parsed_public_key(params)
        .ok()
      })
      .as_ref()
  }

  /// Verifies an RSASSA-PKCS1-v1_5 signature. `Err` carries the message of the
  /// exception WebCrypto would throw (import failure); `Ok(false)` is a bad
  /// signature. `signature` is the token's decoded third part.
  pub fn verify(
    &self,
    algorithm: &str,
    signed_part: &[u8],
    signature: &[u8],
  ) -> Result<bool, String> {
    if let Some(err) = &self.import_error {
      return Err(err.clone());
    }
    if let Some(jwk_alg) = &self.jwk_alg {
      if jwk_alg.as_str() != Some(algorithm) {
        return Err(ALG_MISMATCH.to_string());
      }
    }
    let key = match algorithm {
      "RS256" => self.parsed(0, &RSA_PKCS1_2048_8192_SHA256),
      "RS384" => self.parsed(1, &RSA_PKCS1_2048_8192_SHA384),
      "RS512" => self.parsed(2, &RSA_PKCS1_2048_8192_SHA512),
      other => return Err(format!("Unsupported algorithm {other}")),
    };
    Ok(key.is_some_and(|key| key.verify_sig(signed_part, signature).is_ok()))
  }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
  let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
  &bytes[first..]
}

/// Node decodes JWK members with its forgiving base64 decoder: both alphabets,
/// unknown characters skipped, stops at `=`.
fn lenient_base64(input: &str) -> Vec<u8> {
  let mut out = Vec::with_capacity(input.len() * 3 / 4);
  let (mut buffer, mut bits) = (0u32, 0u32);
  for c in input.bytes() {
    let value = match c {
      b'A'..=b'Z' => c - b'A',
      b'a'..=b'z' => c - b'a' + 26,
      b'0'..=b'9' => c - b'0' + 52,
      b'+' | b'-' => 62,
      b'/' | b'_' => 63,
      b'=' => break,
      _ => continue,
    };
    buffer = (buffer << 6) | u32::from(value);
    bits += 6;
    if bits >= 8 {
      bits -= 8;
      out.push((buffer >> bits) as u8);
    }
  }
  out
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn import_checks_mirror_webcrypto() {
    let ec = PublicKey::from_jwk(&json!({"kty": "EC", "n": "AQAB", "e": "AQAB"}));
    assert_eq!(
      ec.verify("RS256", b"x", b"\0").unwrap_err(),
      "Invalid JWK \"kty\" Parameter"
    );
    let enc = PublicKey::from_jwk(&json!({"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB"}));
    assert_eq!(
      enc.verify("RS256", b"x", b"\0").unwrap_err(),
      "Invalid JWK \"use\" Parameter"
    );
    let rs256 =
      PublicKey::from_jwk(&json!({"kty": "RSA", "alg": "RS256", "n": "AQAB", "e": "AQAB"}));
    assert_eq!(
      rs256.verify("RS384", b"x", b"\0").unwrap_err(),
      ALG_MISMATCH
    );
    assert_eq!(rs256.verify("RS256", b"x", b"\0"), Ok(false));
  }
}
