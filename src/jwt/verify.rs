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
  /// `machineSecretKey`, for M2M token verification calls.
  pub machine_secret_key: Option<String>,
  /// `machineTokenCacheTtlMs` (ours, opt-in): reuse opaque verifications.
  pub machine_token_cache_ttl_ms: Option<f64>,
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
  decoded: Result<DecodedJwt, TokenError>,
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
  verify_decoded(client, &decoded, options).await
}

/// The key (from memory, or the JWKS fetched), then `verifyJwt`; no category
/// check (`resolveKeyAndVerifyJwt` for machine JWTs uses it directly).
pub async fn verify_decoded(
  client: &reqwest::Client,
  decoded: &DecodedJwt,
  options: &VerifyOptions,
) -> Result<VerifiedToken, Failure> {
  let key = match resolve_key_without_network(decoded, options, crate::clock::now_ms()) {
    KeyResolution::Ready(key) => key,
    KeyResolution::Failed(err) => return Err(err),
    KeyResolution::Fetch => {
      let source = options
        .jwks_source()
        .expect("a fetch is only requested with a secret key");
      source.fetch(client, &kid_of(decoded)).await?
    }
  };
  verify_jwt(decoded, &key, options, crate::clock::now_ms())
}

fn check_category(decoded: DecodedJwt) -> Result<DecodedJwt, Failure> {
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
    &decoded.signature_b64,
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

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_support::{session_claims, FakeServer, TestKey};
  use serde_json::json;

  const NOW_S: i64 = 1_700_000_000;
  const NOW_MS: f64 = 1_700_000_000_000.0;

  fn pem_options(key: &TestKey) -> VerifyOptions {
    VerifyOptions {
      jwt_key: Some(key.spki_pem()),
      clock_skew_ms: 5000.0,
      ..Default::default()
    }
  }

  fn sync_result(token: &str, options: &VerifyOptions) -> Result<VerifiedToken, Failure> {
    match verify_with_cached_keys(decode(token), options, NOW_MS) {
      SyncOutcome::Done(result) => result,
      SyncOutcome::NeedsJwksFetch => panic!("no fetch expected"),
    }
  }

  fn reason_of(result: Result<VerifiedToken, Failure>) -> &'static str {
    match result {
      Err(Failure::Token(err)) => err.reason,
      other => panic!("expected a token error, got {other:?}"),
    }
  }

  #[test]
  fn a_pem_key_verifies_without_network_and_keeps_the_payload_text() {
    let key = TestKey::generate("kid_1");
    let token = key.sign(json!({}), session_claims(NOW_S));
    let verified = sync_result(&token, &pem_options(&key)).unwrap();
    assert_eq!(verified.payload["sub"], "user_1");
    assert_eq!(
      serde_json::from_str::<serde_json::Value>(&verified.payload_text).unwrap(),
      session_claims(NOW_S)
    );
  }

  #[test]
  fn failures_come_in_the_reference_order() {
    let key = TestKey::generate("kid_1");
    let other = TestKey::generate("kid_1");
    let options = pem_options(&key);
    let claims = session_claims(NOW_S);
    // typ is checked before alg, alg before the signature, the signature before claims.
    let bad_typ_and_alg = key.sign(json!({"typ": "jwt", "alg": "HS256"}), claims.clone());
    assert_eq!(
      reason_of(sync_result(&bad_typ_and_alg, &options)),
      reason::TOKEN_INVALID
    );
    let bad_alg = key.sign(json!({"alg": "none"}), claims.clone());
    assert_eq!(
      reason_of(sync_result(&bad_alg, &options)),
      reason::TOKEN_INVALID_ALGORITHM
    );
    let mut expired = claims.clone();
    expired["exp"] = json!(NOW_S - 60);
    let wrong_key_and_expired = other.sign(json!({}), expired.clone());
    assert_eq!(
      reason_of(sync_result(&wrong_key_and_expired, &options)),
      reason::TOKEN_INVALID_SIGNATURE
    );
    assert_eq!(
      reason_of(sync_result(&key.sign(json!({}), expired), &options)),
      reason::TOKEN_EXPIRED
    );
    let m2m = key.sign(json!({"cat": "cl_B7d4PD333AAA"}), claims);
    assert_eq!(
      reason_of(sync_result(&m2m, &options)),
      reason::TOKEN_INVALID
    );
  }

  #[test]
  fn without_any_key_source_the_jwk_cannot_be_resolved() {
    let key = TestKey::generate("kid_1");
    let token = key.sign(json!({}), session_claims(NOW_S));
    let options = VerifyOptions {
      clock_skew_ms: 5000.0,
      ..Default::default()
    };
    assert_eq!(
      reason_of(sync_result(&token, &options)),
      reason::JWK_FAILED_TO_RESOLVE
    );
  }

  #[test]
  fn a_null_header_is_an_error_the_reference_does_not_catch() {
    let token = "bnVsbA.e30.c2ln"; // null . {} . "sig"
    assert!(matches!(
      sync_result(token, &VerifyOptions::default()),
      Err(Failure::Fatal(_))
    ));
  }

  fn jwks_options(server: &FakeServer, secret_key: &str) -> VerifyOptions {
    VerifyOptions {
      secret_key: Some(secret_key.into()),
      api_url: server.url.clone(),
      api_version: "v1".into(),
      clock_skew_ms: 5000.0,
      ..Default::default()
    }
  }

  #[tokio::test]
  async fn jwks_is_fetched_once_then_served_from_memory_and_refetched_for_unknown_kids() {
    let key = TestKey::generate("kid_cached");
    let server = FakeServer::start(200, json!({"keys": [key.jwk()]}).to_string());
    let options = jwks_options(&server, "sk_test_cache_unit");
    let now_s = (crate::clock::now_ms() / 1000.0) as i64;
    let token = key.sign(json!({}), session_claims(now_s));
    let client = reqwest::Client::new();

    assert!(matches!(
      verify_with_cached_keys(decode(&token), &options, crate::clock::now_ms()),
      SyncOutcome::NeedsJwksFetch
    ));
    verify(&client, &token, &options)
      .await
      .expect("verified after a fetch");
    assert_eq!(server.hits(), 1);
    assert!(matches!(
      verify_with_cached_keys(decode(&token), &options, crate::clock::now_ms()),
      SyncOutcome::Done(Ok(_))
    ));

    let stranger = TestKey::generate("kid_unknown").sign(json!({}), session_claims(now_s));
    assert!(matches!(
      verify_with_cached_keys(decode(&stranger), &options, crate::clock::now_ms()),
      SyncOutcome::NeedsJwksFetch
    ));
    assert_eq!(
      reason_of(verify(&client, &stranger, &options).await),
      reason::JWK_KID_MISMATCH
    );
    assert_eq!(server.hits(), 2, "an unknown kid refetches");
    // The earlier key is still cached (fetched keys are merged).
    assert!(matches!(
      verify_with_cached_keys(decode(&token), &options, crate::clock::now_ms()),
      SyncOutcome::Done(Ok(_))
    ));
  }

  #[tokio::test]
  async fn jwks_errors_map_to_the_reference_reasons_after_five_attempts() {
    let key = TestKey::generate("kid_err");
    let now_s = (crate::clock::now_ms() / 1000.0) as i64;
    let token = key.sign(json!({}), session_claims(now_s));
    let client = reqwest::Client::new();

    let invalid = FakeServer::start(
      401,
      json!({"errors": [{"code": "clerk_key_invalid", "message": "bad key"}]}).to_string(),
    );
    let failure = verify(
      &client,
      &token,
      &jwks_options(&invalid, "sk_test_invalid_unit"),
    )
    .await;
    match failure {
      Err(Failure::Token(err)) => {
        assert_eq!(err.reason, reason::INVALID_SECRET_KEY);
        assert_eq!(
          err.full_message(Some("header")),
          "bad key Contact support@clerk.com (reason=secret-key-invalid, token-carrier=header)"
        );
      }
      other => panic!("unexpected {other:?}"),
    }
    assert_eq!(invalid.hits(), 5);

    let html = FakeServer::start(502, "<html>".into());
    assert!(matches!(
      verify(&client, &token, &jwks_options(&html, "sk_test_html_unit")).await,
      Err(Failure::Unexpected(_))
    ));

    let empty = FakeServer::start(200, json!({"keys": []}).to_string());
    assert_eq!(
      reason_of(verify(&client, &token, &jwks_options(&empty, "sk_test_empty_unit")).await),
      reason::REMOTE_JWK_FAILED_TO_LOAD
    );
    assert_eq!(empty.hits(), 1, "a successful response is not retried");
  }
}
