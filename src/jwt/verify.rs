//! `verifyToken` of @clerk/backend, split so that the common case never
//! leaves the calling thread: `verify_with_cached_keys` answers from memory
//! or says which kid must be fetched; `verify` (async) fetches first.

use super::assertions;
use super::decode::{decode, DecodedJwt};
use crate::errors::{action, reason, Failure, TokenError};
use crate::js;
use crate::keys::jwks::JwksSource;
use crate::keys::{pem, PublicKey};
use serde_json::Value;
use std::sync::Arc;

const M2M_TOKEN_CATEGORY: &str = "cl_B7d4PD333AAA";

/// Verification options, already normalised the way the reference reads them.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
  /// PEM public key: networkless verification, takes precedence.
  pub jwt_key: Option<String>,
  pub secret_key: Option<String>,
  pub api_url: String,
  pub api_version: String,
  pub skip_jwks_cache: bool,
  /// Flattened, without empty values.
  pub audience: Vec<String>,
  pub authorized_parties: Vec<String>,
  /// Flattened, without empty values.
  pub issuer: Vec<String>,
  /// `None` is the default (`typ` absent or `JWT`).
  pub header_type: Option<Vec<String>>,
  pub clock_skew_ms: f64,
}

impl VerifyOptions {
  fn jwks_source(&self) -> Option<JwksSource<'_>> {
    self
      .secret_key
      .as_deref()
      .filter(|s| !s.is_empty())
      .map(|secret_key| JwksSource {
        api_url: &self.api_url,
        api_version: &self.api_version,
        secret_key,
        skip_cache: self.skip_jwks_cache,
      })
  }
}

/// Verified claims: the payload as a value and as the text to hand to JS.
#[derive(Debug)]
pub struct VerifiedToken {
  pub payload: Value,
  pub payload_text: String,
}

pub enum SyncOutcome {
  Done(Result<VerifiedToken, Failure>),
  /// The key is not in memory: run `verify` to fetch the JWKS.
  NeedsJwksFetch,
}

/// Verifies with keys already in memory, or reports that a fetch is needed.
/// `decoded` is `decode(token)`, which the caller already needed.
pub fn verify_with_cached_keys(
  decoded: Result<DecodedJwt<'_>, TokenError>,
  options: &VerifyOptions,
  now_ms: f64,
) -> SyncOutcome {
  let decoded = match decoded.map_err(Failure::from).and_then(check_category) {
    Ok(decoded) => decoded,
    Err(err) => return SyncOutcome::Done(Err(err)),
  };
  let key = match resolve_key_without_network(&decoded, options, now_ms) {
    KeyResolution::Ready(key) => key,
    KeyResolution::Failed(err) => return SyncOutcome::Done(Err(err)),
    KeyResolution::Fetch => return SyncOutcome::NeedsJwksFetch,
  };
  SyncOutcome::Done(verify_jwt(&decoded, &key, options, now_ms))
}

/// The full `verifyToken`, fetching the JWKS when the cache cannot answer.
pub async fn verify(
  client: &reqwest::Client,
  token: &str,
  options: &VerifyOptions,
) -> Result<VerifiedToken, Failure> {
  let decoded = check_category(decode(token)?)?;
  let key = match resolve_key_without_network(&decoded, options, crate::clock::now_ms()) {
    KeyResolution::Ready(key) => key,
    KeyResolution::Failed(err) => return Err(err),
    KeyResolution::Fetch => {
      let source = options
        .jwks_source()
        .expect("a fetch is only requested with a secret key");
      source.fetch(client, &kid_of(&decoded)).await?
    }
  };
  verify_jwt(&decoded, &key, options, crate::clock::now_ms())
}

/// The checks `verifyToken` makes between decoding and key resolution.
fn check_category(decoded: DecodedJwt<'_>) -> Result<DecodedJwt<'_>, Failure> {
  // `const { kid } = header` throws outside any try block when header is null.
  if decoded.header.is_null() {
    return Err(Failure::Fatal(
      "Cannot destructure property 'kid' of 'header' as it is null.".into(),
    ));
  }
  if js::get(&decoded.header, "cat").and_then(Value::as_str) == Some(M2M_TOKEN_CATEGORY) {
    return Err(
      TokenError::new(reason::TOKEN_INVALID, "Invalid session token category.")
        .with_action(action::ENSURE_CLERK_JWT)
        .into(),
    );
  }
  Ok(decoded)
}

fn kid_of(decoded: &DecodedJwt) -> String {
  js::to_js_string(js::get(&decoded.header, "kid"))
}

enum KeyResolution {
  Ready(Arc<PublicKey>),
  Failed(Failure),
  Fetch,
}

fn resolve_key_without_network(
  decoded: &DecodedJwt,
  options: &VerifyOptions,
  now_ms: f64,
) -> KeyResolution {
  if let Some(pem) = options.jwt_key.as_deref().filter(|p| !p.is_empty()) {
    return KeyResolution::Ready(pem::key_from_pem(pem));
  }
  match options.jwks_source() {
    Some(source) => match source.cached(&kid_of(decoded), now_ms) {
      Some(key) => KeyResolution::Ready(key),
      None => KeyResolution::Fetch,
    },
    None => KeyResolution::Failed(
      TokenError::new(
        reason::JWK_FAILED_TO_RESOLVE,
        "Failed to resolve JWK during verification.",
      )
      .with_action(action::SET_CLERK_JWT_KEY)
      .into(),
    ),
  }
}

/// `verifyJwt`: header checks, signature, then claims, in the reference order.
fn verify_jwt(
  decoded: &DecodedJwt,
  key: &PublicKey,
  options: &VerifyOptions,
  now_ms: f64,
) -> Result<VerifiedToken, Failure> {
  let header = &decoded.header;
  assertions::header_type(js::get(header, "typ"), options.header_type.as_deref())?;
  let algorithm = assertions::header_algorithm(js::get(header, "alg"))?;
  match key.verify(
    algorithm,
    decoded.signed_part.as_bytes(),
    decoded.signature_b64,
  ) {
    Err(import_error) => {
      return Err(
        TokenError::new(
          reason::TOKEN_VERIFICATION_FAILED,
          format!(
            "Error verifying JWT signature. {}",
            TokenError::new(reason::TOKEN_INVALID_SIGNATURE, import_error).to_js_string()
          ),
        )
        .with_action(action::ENSURE_CLERK_JWT)
        .into(),
      )
    }
    Ok(false) => {
      return Err(
        TokenError::new(reason::TOKEN_INVALID_SIGNATURE, "JWT signature is invalid.").into(),
      )
    }
    Ok(true) => {}
  }
  let payload = &decoded.payload;
  if payload.is_null() {
    // Destructuring a null payload throws a TypeError inside the try block.
    return Err(Failure::Unexpected("Cannot destructure payload".into()));
  }
  let claim = |name: &str| js::get(payload, name);
  let skew = options.clock_skew_ms;
  assertions::subject(claim("sub"))?;
  assertions::audience(claim("aud"), &options.audience)?;
  assertions::authorized_parties(claim("azp"), &options.authorized_parties)?;
  assertions::issuer(claim("iss"), &options.issuer)?;
  assertions::expiration(claim("exp"), skew, now_ms)?;
  assertions::activation(claim("nbf"), skew, now_ms)?;
  assertions::issued_at(claim("iat"), skew, now_ms)?;
  Ok(VerifiedToken {
    payload: decoded.payload.clone(),
    payload_text: decoded.payload_text.clone(),
  })
}
