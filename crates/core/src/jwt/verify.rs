//! `verifyToken` of @clerk/backend, split so that the common case never
//! leaves the calling thread: `verify_with_cached_keys` answers from memory
//! or says which kid must be fetched; `verify` (async) fetches first.

use super::assertions;
use super::decode::{decode, DecodedJwt};
use super::token_cache;
use crate::errors::{action, reason, Failure, TokenError};
use crate::js_semantics;
use crate::jwt::token_kind::{classify, TokenKind};
use crate::keys::jwks::{self, JwksSource, Lookup};
use crate::keys::{pem, PublicKey};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

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
  /// Reuse successful session-token verifications (see `token_cache`).
  pub token_cache: bool,
  /// `jwksStaleIfErrorMs` (ours, opt-in; 0 for off): see `JwksSource`.
  pub jwks_stale_if_error_ms: f64,
  /// Values derived from the fields above, computed on first use.
  pub derived: Derived,
}

/// Values derived from the options on first use, so that the per-request
/// path does not recompute them. A clone starts empty, so options made from
/// others (`..options.clone()` with other values) never inherit what was
/// derived from the options they came from. Set the other fields before use.
#[derive(Default)]
pub struct Derived {
  cache_context: OnceLock<u64>,
  pem_key: OnceLock<Arc<PublicKey>>,
  jwks_scope: OnceLock<String>,
}

impl Clone for Derived {
  fn clone(&self) -> Self {
    Derived::default()
  }
}

impl std::fmt::Debug for Derived {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.write_str("Derived")
  }
}

impl VerifyOptions {
  pub fn jwks_source(&self) -> Option<JwksSource<'_>> {
    self
      .secret_key
      .as_deref()
      .filter(|s| !s.is_empty())
      .map(|secret_key| {
        let scope = self
          .derived
          .jwks_scope
          .get_or_init(|| jwks::scope_name(&self.api_url, &self.api_version, secret_key));
        JwksSource::with_scope(
          &self.api_url,
          &self.api_version,
          secret_key,
          self.skip_jwks_cache,
          Cow::Borrowed(scope),
        )
        .stale_if_error(self.jwks_stale_if_error_ms)
      })
  }

  /// The imported `jwtKey`, if any.
  fn pem_key(&self) -> Option<&Arc<PublicKey>> {
    let pem = self.jwt_key.as_deref().filter(|p| !p.is_empty())?;
    Some(self.derived.pem_key.get_or_init(|| pem::key_from_pem(pem)))
  }

  /// The verified-token cache context, or `None` when the cache is not used:
  /// turned off, or `skipJwksCache` (every verification must fetch).
  pub fn cache_context(&self) -> Option<u64> {
    if !self.token_cache || self.skip_jwks_cache {
      return None;
    }
    let id = self.derived.cache_context.get_or_init(|| {
      // Everything a verification's outcome depends on besides the token,
      // the key and the clock (time claims are checked on every hit).
      let fingerprint = serde_json::json!([
        self.jwt_key,
        self.secret_key,
        self.api_url,
        self.api_version,
        self.audience,
        self.authorized_parties,
        self.issuer,
        self.header_type,
      ]);
      token_cache::context_id(fingerprint.to_string())
    });
    Some(*id)
  }
}

/// How long a cache hit may be reused without asking again (JS keeps it,
/// lib/authenticate.js), as long as the keys do not change.
pub const LEASE_MS: f64 = 5_000.0;

/// A cached verification of a session token that holds now.
pub struct CacheHit {
  pub payload_text: String,
  /// `now + LEASE_MS` when the same answer is certain until then unless
  /// the keys change (`keys_epoch` moves on): the time claims and the
  /// JWKS freshness still hold at that instant, and both only ever stop
  /// holding as time passes, never start again. `None` near either limit.
  pub lease_until_ms: Option<f64>,
  /// `jwks::keys_epoch()`, read before the key was looked up.
  pub keys_epoch: u32,
}

/// The header path's shortcut: a cached verification of this session token
/// that still holds now, without decoding it again.
pub fn cached_session_hit(token: &str, options: &VerifyOptions, now_ms: f64) -> Option<CacheHit> {
  let (entry, lease_until_ms, keys_epoch) = holding_entry(token, options, now_ms)?;
  crate::events::cache("token", "hit", None);
  Some(CacheHit {
    payload_text: entry.payload_text.clone(),
    lease_until_ms,
    keys_epoch,
  })
}

/// A lease on a verification of this session token that has just succeeded
/// (see `CacheHit`): `(until_ms, keys_epoch)`, or `None` when the cache is
/// off, has no entry for it, or either limit is near.
pub fn session_lease(token: &str, options: &VerifyOptions, now_ms: f64) -> Option<(f64, u32)> {
  let (_, lease_until_ms, keys_epoch) = holding_entry(token, options, now_ms)?;
  Some((lease_until_ms?, keys_epoch))
}

/// The cached verification of this session token if it holds now, with the
/// lease it allows (see `CacheHit`) and the keys epoch read before the key
/// was looked up.
fn holding_entry(
  token: &str,
  options: &VerifyOptions,
  now_ms: f64,
) -> Option<(Arc<token_cache::Entry>, Option<f64>, u32)> {
  let keys_epoch = jwks::keys_epoch();
  let context = options.cache_context()?;
  let entry = token_cache::get(context, token)?;
  let holds_at = |at_ms: f64| entry_holds_at(&entry, options, at_ms);
  if !entry.session || !holds_at(now_ms) {
    return None;
  }
  let until_ms = now_ms + LEASE_MS;
  let lease_until_ms = holds_at(until_ms).then_some(until_ms);
  Some((entry, lease_until_ms, keys_epoch))
}

/// A cached verification still gives the same answer at `at_ms`: its key
/// is still the one cached for its kid (fresh enough to use without a
/// fetch), and the token's time claims hold.
fn entry_holds_at(entry: &token_cache::Entry, options: &VerifyOptions, at_ms: f64) -> bool {
  let key_unchanged = match resolve_key_for_kid(&entry.kid, options, at_ms) {
    KeyResolution::Ready(key) => Arc::ptr_eq(&key, &entry.key),
    _ => false,
  };
  key_unchanged && entry.time_claims_hold(options.clock_skew_ms, at_ms)
}

/// The payload text of `cached_session_hit`.
pub fn cached_session_payload(token: &str, options: &VerifyOptions, now_ms: f64) -> Option<String> {
  cached_session_hit(token, options, now_ms).map(|hit| hit.payload_text)
}

/// Verified claims: the payload as a value and as the text to hand to JS.
#[derive(Debug)]
pub struct VerifiedToken {
  pub payload: Value,
  pub payload_text: String,
}

impl From<DecodedJwt> for VerifiedToken {
  fn from(decoded: DecodedJwt) -> Self {
    VerifiedToken {
      payload: decoded.payload,
      payload_text: decoded.payload_text,
    }
  }
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
  SyncOutcome::Done(verify_jwt_cached(&decoded, &key, options, now_ms).map(|()| decoded.into()))
}

/// The full `verifyToken`, fetching the JWKS when the cache cannot answer.
pub async fn verify(
  client: &reqwest::Client,
  token: &str,
  options: &VerifyOptions,
) -> Result<VerifiedToken, Failure> {
  let decoded = check_category(decode(token)?)?;
  check_decoded(client, &decoded, options).await?;
  Ok(decoded.into())
}

/// The key (from memory, or the JWKS fetched), then `verifyJwt`; no category
/// check (`resolveKeyAndVerifyJwt` for machine JWTs uses it directly).
pub async fn verify_decoded(
  client: &reqwest::Client,
  decoded: &DecodedJwt,
  options: &VerifyOptions,
) -> Result<VerifiedToken, Failure> {
  check_decoded(client, decoded, options).await?;
  Ok(VerifiedToken {
    payload: decoded.payload.clone(),
    payload_text: decoded.payload_text.clone(),
  })
}

async fn check_decoded(
  client: &reqwest::Client,
  decoded: &DecodedJwt,
  options: &VerifyOptions,
) -> Result<(), Failure> {
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
  verify_jwt_cached(decoded, &key, options, crate::clock::now_ms())
}

fn check_category(decoded: DecodedJwt) -> Result<DecodedJwt, Failure> {
  // `const { kid } = header` throws outside any try block when header is null.
  if decoded.header.is_null() {
    return Err(Failure::Fatal(
      "Cannot destructure property 'kid' of 'header' as it is null.".into(),
    ));
  }
  if js_semantics::get(&decoded.header, "cat").and_then(Value::as_str) == Some(M2M_TOKEN_CATEGORY) {
    return Err(
      TokenError::new(reason::TOKEN_INVALID, "Invalid session token category.")
        .with_action(action::ENSURE_CLERK_JWT)
        .into(),
    );
  }
  Ok(decoded)
}

fn kid_of(decoded: &DecodedJwt) -> String {
  js_semantics::to_js_string(js_semantics::get(&decoded.header, "kid"))
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
  resolve_key_for_kid(&kid_of(decoded), options, now_ms)
}

fn resolve_key_for_kid(kid: &str, options: &VerifyOptions, now_ms: f64) -> KeyResolution {
  if let Some(key) = options.pem_key() {
    return KeyResolution::Ready(key.clone());
  }
  match options.jwks_source() {
    Some(source) => match source.lookup(kid, now_ms) {
      Lookup::Found(key) => KeyResolution::Ready(key),
      Lookup::KnownMissing => KeyResolution::Failed(jwks::kid_mismatch(kid)),
      Lookup::Fetch => KeyResolution::Fetch,
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

/// `verify_jwt`, answered by the verified-token cache when an entry for this
/// token was verified with this very key and its time claims still hold.
fn verify_jwt_cached(
  decoded: &DecodedJwt,
  key: &Arc<PublicKey>,
  options: &VerifyOptions,
  now_ms: f64,
) -> Result<(), Failure> {
  let Some(context) = options.cache_context() else {
    return verify_jwt(decoded, key, options, now_ms);
  };
  if let Some(entry) = token_cache::get(context, &decoded.token) {
    if Arc::ptr_eq(&entry.key, key) && entry.time_claims_hold(options.clock_skew_ms, now_ms) {
      crate::events::cache("token", "hit", None);
      return Ok(());
    }
    token_cache::remove(context, &decoded.token);
  }
  crate::events::cache("token", "miss", None);
  verify_jwt(decoded, key, options, now_ms)?;
  let entry = token_cache::Entry::new(
    kid_of(decoded),
    key.clone(),
    &decoded.payload,
    decoded.payload_text.clone(),
    classify(&decoded.token, Some(decoded)) == TokenKind::Session,
  );
  token_cache::insert(context, &decoded.token, entry);
  Ok(())
}

/// `verifyJwt`: header checks, signature, then claims, in the reference order.
fn verify_jwt(
  decoded: &DecodedJwt,
  key: &PublicKey,
  options: &VerifyOptions,
  now_ms: f64,
) -> Result<(), Failure> {
  let header = &decoded.header;
  assertions::header_type(
    js_semantics::get(header, "typ"),
    options.header_type.as_deref(),
  )?;
  let algorithm = assertions::header_algorithm(js_semantics::get(header, "alg"))?;
  match key.verify(
    algorithm,
    decoded.signed_part().as_bytes(),
    &decoded.signature,
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
  let claim = |name: &str| js_semantics::get(payload, name);
  let skew = options.clock_skew_ms;
  assertions::subject(claim("sub"))?;
  assertions::audience(claim("aud"), &options.audience)?;
  assertions::authorized_parties(claim("azp"), &options.authorized_parties)?;
  assertions::issuer(claim("iss"), &options.issuer)?;
  assertions::expiration(claim("exp"), skew, now_ms)?;
  assertions::activation(claim("nbf"), skew, now_ms)?;
  assertions::issued_at(claim("iat"), skew, now_ms)?;
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_support::{done, reason_of, session_claims, FakeServer, TestKey};
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
    done(verify_with_cached_keys(decode(token), options, NOW_MS))
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
