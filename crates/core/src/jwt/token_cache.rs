//! Verified session tokens, so that a token reused across requests (the
//! normal case: a session token lives for up to a minute and the browser
//! sends it with every request) pays for its signature check once.
//!
//! An entry records that one exact token verified under one exact set of
//! verification options (a context, see `VerifyOptions::cache_context`)
//! with one exact key. It is only used while everything else that decision
//! depends on is unchanged, so a hit answers as a fresh verification would:
//! - the key the key source returns for the token's kid is still the very key
//!   that verified the signature (a JWKS refresh that drops or replaces the
//!   key ends the entry; the cache also empties itself when it sees that
//!   keys were replaced);
//! - the time claims (`exp`, `nbf`, `iat`) are checked again against the
//!   clock, with the caller's clock skew, on every hit.
//!
//! Anything else falls through to a full verification. Only successes are
//! stored, and the cache is bounded in bytes. One cache per process, shared
//! by every worker thread.

use super::assertions;
use crate::keys::{jwks, PublicKey};
use moka::sync::Cache;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The memory the entries may take (tokens, claims and bookkeeping).
pub const CAPACITY_BYTES: u64 = 4 * 1024 * 1024;
/// An entry is verified afresh at least this often, whatever its `exp`.
const TIME_TO_LIVE: Duration = Duration::from_secs(300);
/// Bookkeeping per entry beyond its strings, for the byte budget.
const ENTRY_OVERHEAD_BYTES: usize = 256;

/// A successful verification of a token.
pub struct Entry {
  /// `String(header.kid)`, to look the key up again.
  pub kid: String,
  /// The key that verified the signature.
  pub key: Arc<PublicKey>,
  exp: Option<Value>,
  nbf: Option<Value>,
  iat: Option<Value>,
  /// The verified payload, as the text handed to JS.
  pub payload_text: String,
  /// The token is a session token for the header path (not a machine JWT
  /// and no other `cat`), so a hit may skip the token-type sniffing.
  pub session: bool,
}

impl Entry {
  pub fn new(
    kid: String,
    key: Arc<PublicKey>,
    payload: &Value,
    payload_text: String,
    session: bool,
  ) -> Self {
    let claim = |name: &str| crate::js_semantics::get(payload, name).cloned();
    Entry {
      kid,
      key,
      exp: claim("exp"),
      nbf: claim("nbf"),
      iat: claim("iat"),
      payload_text,
      session,
    }
  }

  /// The time claims still pass, as `verifyJwt` checks them.
  pub fn time_claims_hold(&self, skew_ms: f64, now_ms: f64) -> bool {
    assertions::expiration(self.exp.as_ref(), skew_ms, now_ms).is_ok()
      && assertions::activation(self.nbf.as_ref(), skew_ms, now_ms).is_ok()
      && assertions::issued_at(self.iat.as_ref(), skew_ms, now_ms).is_ok()
  }

  fn weight(&self, key: &str) -> u32 {
    let bytes = key.len() + self.kid.len() + self.payload_text.len() + ENTRY_OVERHEAD_BYTES;
    u32::try_from(bytes).unwrap_or(u32::MAX)
  }
}

type Hasher = foldhash::fast::RandomState;

fn cache() -> &'static Cache<String, Arc<Entry>, Hasher> {
  static CACHE: OnceLock<Cache<String, Arc<Entry>, Hasher>> = OnceLock::new();
  CACHE.get_or_init(|| {
    Cache::builder()
      .max_capacity(CAPACITY_BYTES)
      .weigher(|key: &String, entry: &Arc<Entry>| entry.weight(key))
      .time_to_live(TIME_TO_LIVE)
      .eviction_listener(|_, _, cause| record_eviction("token", cause))
      .build_with_hasher(Hasher::default())
  })
}

/// An entry dropped by a cache (for the diagnostics channels); one replaced
/// by a fresh verification of the same token is not an eviction.
pub fn record_eviction(cache: &'static str, cause: moka::notification::RemovalCause) {
  use moka::notification::RemovalCause;
  let cause = match cause {
    RemovalCause::Size => "size",
    RemovalCause::Expired => "expired",
    RemovalCause::Explicit => "invalidated",
    RemovalCause::Replaced => return,
  };
  crate::events::cache(cache, "eviction", Some(cause));
}

/// `<context as 16 hex digits>:<token>`.
fn cache_key(context: u64, token: &str) -> String {
  const HEX: &[u8; 16] = b"0123456789abcdef";
  let mut key = String::with_capacity(token.len() + 17);
  for shift in (0..16).rev() {
    key.push(char::from(HEX[((context >> (shift * 4)) & 0xf) as usize]));
  }
  key.push(':');
  key.push_str(token);
  key
}

/// Empties the cache when keys were replaced since the last look (see
/// `jwks::keys_replaced_epoch`): entries verified with the old keys would
/// only miss, but they should not take the memory of the new ones.
fn forget_replaced_keys() {
  static SEEN: AtomicU32 = AtomicU32::new(0);
  let now = jwks::keys_replaced_epoch();
  if SEEN.load(Ordering::Relaxed) != now && SEEN.swap(now, Ordering::Relaxed) != now {
    cache().invalidate_all();
  }
}

pub fn get(context: u64, token: &str) -> Option<Arc<Entry>> {
  forget_replaced_keys();
  cache().get(&cache_key(context, token))
}

pub fn insert(context: u64, token: &str, entry: Entry) {
  forget_replaced_keys();
  cache().insert(cache_key(context, token), Arc::new(entry));
}

pub fn remove(context: u64, token: &str) {
  cache().invalidate(&cache_key(context, token));
}

/// The id of a verification context: equal ids mean equal options. Ids are
/// never reused, so a forgotten context only costs misses.
pub fn context_id(fingerprint: String) -> u64 {
  static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
  static IDS: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();
  const MAX_CONTEXTS: usize = 1024;
  let mut ids = IDS
    .get_or_init(Default::default)
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner());
  if let Some(id) = ids.get(&fingerprint) {
    return *id;
  }
  if ids.len() >= MAX_CONTEXTS {
    ids.clear();
  }
  let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
  ids.insert(fingerprint, id);
  id
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  const NOW_MS: f64 = 1_700_000_000_000.0;

  fn key() -> Arc<PublicKey> {
    Arc::new(PublicKey::from_jwk(
      &json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
    ))
  }

  #[test]
  fn time_claims_are_checked_with_the_skew_of_the_caller() {
    let payload = json!({"exp": 1_700_000_060, "nbf": 1_699_999_990, "iat": 1_699_999_990});
    let entry = Entry::new("kid".into(), key(), &payload, payload.to_string(), true);
    assert!(entry.time_claims_hold(5000.0, NOW_MS));
    assert!(
      !entry.time_claims_hold(5000.0, NOW_MS + 65_000.0),
      "expired"
    );
    assert!(
      entry.time_claims_hold(10_000.0, NOW_MS + 65_000.0),
      "within a larger skew"
    );
    assert!(
      !entry.time_claims_hold(0.0, NOW_MS - 15_000.0),
      "not active yet"
    );
  }

  #[test]
  fn contexts_are_equal_exactly_when_fingerprints_are() {
    let a = context_id("ctx-test-a".into());
    assert_eq!(context_id("ctx-test-a".into()), a);
    assert_ne!(context_id("ctx-test-b".into()), a);
  }

  #[test]
  fn entries_are_per_context_and_token() {
    let payload = json!({"exp": 1});
    let context = context_id("ctx-test-entries".into());
    insert(
      context,
      "tok",
      Entry::new("kid".into(), key(), &payload, "{}".into(), true),
    );
    assert!(get(context, "tok").is_some());
    assert!(get(context, "tok2").is_none());
    assert!(get(context + 1_000_000, "tok").is_none());
    remove(context, "tok");
    assert!(get(context, "tok").is_none());
  }
}

/// The cache seen through verification: it never changes an outcome.
#[cfg(test)]
mod verification_tests {
  use crate::clock::{now_ms, test_clock};
  use crate::constants::JWKS_CACHE_TTL_MS;
  use crate::errors::{reason, Failure};
  use crate::jwt::decode;
  use crate::jwt::verify::{
    cached_session_hit, cached_session_payload, verify, verify_with_cached_keys, SyncOutcome,
    VerifyOptions, LEASE_MS,
  };
  use crate::keys::jwks::JwksSource;
  use crate::keys::jwks::UNKNOWN_KID_COOLDOWN_MS;
  use crate::test_support::{done, now_s, reason_of, session_claims, FakeServer, TestKey};
  use serde_json::json;
  use std::sync::Arc;
  use std::time::{Duration, Instant};

  /// Tests that look at cache entries do not run while another one changes
  /// keys (which empties the process-wide cache), here or in `keys::jwks`.
  fn serialized() -> std::sync::MutexGuard<'static, ()> {
    crate::test_support::key_state_serialized()
  }

  fn pem_options(key: &TestKey) -> VerifyOptions {
    VerifyOptions {
      jwt_key: Some(key.spki_pem()),
      clock_skew_ms: 5000.0,
      token_cache: true,
      ..Default::default()
    }
  }

  fn jwks_options(server: &FakeServer, secret_key: &str) -> VerifyOptions {
    VerifyOptions {
      secret_key: Some(secret_key.into()),
      api_url: server.url.clone(),
      api_version: "v1".into(),
      clock_skew_ms: 5000.0,
      token_cache: true,
      ..Default::default()
    }
  }

  #[test]
  fn a_miss_a_hit_and_an_invalidation_are_recorded_for_the_diagnostics_channels() {
    use crate::events::{self, Event};
    let _serial = serialized();
    let _recording = events::test_lock::serialized();
    let key = TestKey::generate("kid_tc_events");
    let options = pem_options(&key);
    let token = key.sign(json!({}), session_claims(now_s()));
    events::set_recording(true);
    let now = now_ms();
    assert!(done(verify_with_cached_keys(decode(&token), &options, now)).is_ok());
    assert!(done(verify_with_cached_keys(decode(&token), &options, now)).is_ok());
    super::remove(options.cache_context().unwrap(), &token);
    let (recorded, _) = events::drain();
    events::set_recording(false);
    // Other tests may record too while this one runs: its own three come in order.
    let token_events: Vec<_> = recorded
      .into_iter()
      .filter_map(|event| match event {
        Event::Cache {
          cache: "token",
          kind,
          cause,
        } => Some((kind, cause)),
        _ => None,
      })
      .collect();
    for expected in [
      ("miss", None),
      ("hit", None),
      ("eviction", Some("invalidated")),
    ] {
      assert!(token_events.contains(&expected), "{token_events:?}");
    }
  }

  #[test]
  fn an_expired_token_is_rejected_even_when_cached() {
    let _serial = serialized();
    let key = TestKey::generate("kid_tc_exp");
    let options = pem_options(&key);
    let mut claims = session_claims(now_s());
    claims["exp"] = json!(now_s() + 30);
    let token = key.sign(json!({}), claims);
    let now = now_ms();
    assert!(done(verify_with_cached_keys(decode(&token), &options, now)).is_ok());
    assert!(
      cached_session_payload(&token, &options, now).is_some(),
      "cached"
    );
    assert!(
      done(verify_with_cached_keys(decode(&token), &options, now)).is_ok(),
      "a hit"
    );

    let later = now + 40_000.0; // past exp + 5 s of skew
    assert!(cached_session_payload(&token, &options, later).is_none());
    assert_eq!(
      reason_of(done(verify_with_cached_keys(
        decode(&token),
        &options,
        later
      ))),
      reason::TOKEN_EXPIRED
    );
    let lenient = VerifyOptions {
      clock_skew_ms: 60_000.0,
      ..options.clone()
    };
    assert!(
      done(verify_with_cached_keys(decode(&token), &lenient, later)).is_ok(),
      "the skew of the caller decides"
    );
  }

  #[test]
  fn a_hit_is_leased_only_while_its_time_claims_hold_for_the_whole_lease() {
    let _serial = serialized();
    let key = TestKey::generate("kid_tc_lease");
    let options = pem_options(&key); // 5 s of clock skew
    let now = now_ms();
    let lease_of = |exp_in_s: i64| {
      let mut claims = session_claims(now_s());
      claims["exp"] = json!(now_s() + exp_in_s);
      let token = key.sign(json!({}), claims);
      assert!(done(verify_with_cached_keys(decode(&token), &options, now)).is_ok());
      let hit = cached_session_hit(&token, &options, now).expect("a hit");
      assert!(hit
        .lease_until_ms
        .is_none_or(|until| until == now + LEASE_MS));
      hit.lease_until_ms.is_some()
    };
    assert!(lease_of(60), "a minute to go");
    // exp + skew falls within the lease: every request asks again.
    assert!(!lease_of(-3), "expired, but within the skew");
    assert!(lease_of(1), "exp + skew is 6 s away, the lease 5 s");
    assert!(!lease_of(-1), "exp + skew is 4 s away");
  }

  #[test]
  fn a_session_lease_needs_a_cached_verification_that_holds_for_the_whole_lease() {
    use crate::jwt::verify::session_lease;
    let _serial = serialized();
    let key = TestKey::generate("kid_tc_session_lease");
    let options = pem_options(&key);
    let token = key.sign(json!({}), session_claims(now_s()));
    let now = now_ms();
    assert_eq!(
      session_lease(&token, &options, now),
      None,
      "no verification cached yet"
    );
    assert!(done(verify_with_cached_keys(decode(&token), &options, now)).is_ok());
    let (until, _) = session_lease(&token, &options, now).expect("a lease");
    assert_eq!(until, now + LEASE_MS);
    let uncached = VerifyOptions {
      token_cache: false,
      ..options.clone()
    };
    assert_eq!(session_lease(&token, &uncached, now), None);
    let late = now + 3_600_000.0; // long past exp
    assert_eq!(session_lease(&token, &options, late), None);
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_lease_ends_with_the_jwks_freshness_and_any_key_fetch_moves_the_epoch() {
    let _serial = serialized();
    let key = TestKey::generate("kid_lease_jwks");
    let server = FakeServer::start(200, json!({"keys": [key.jwk()]}).to_string());
    let options = jwks_options(&server, "sk_test_lease_unit");
    let token = key.sign(json!({}), session_claims(now_s()));
    let client = reqwest::Client::new();
    verify(&client, &token, &options).await.expect("verified");
    let hit = cached_session_hit(&token, &options, now_ms()).expect("a hit");
    assert!(hit.lease_until_ms.is_some());
    // The keys were fetched 5 s short of their 300 s: a hit, but no lease.
    test_clock::advance(JWKS_CACHE_TTL_MS - LEASE_MS + 1.0);
    let late = cached_session_hit(&token, &options, now_ms()).expect("still a hit");
    assert!(late.lease_until_ms.is_none());
    assert_eq!(late.keys_epoch, hit.keys_epoch);
    // Any fetch of keys, even the same ones, moves the epoch on.
    test_clock::advance(LEASE_MS);
    verify(&client, &token, &options)
      .await
      .expect("verified after a refresh");
    let refreshed = cached_session_hit(&token, &options, now_ms()).expect("a hit");
    assert_ne!(refreshed.keys_epoch, hit.keys_epoch);
    assert!(refreshed.lease_until_ms.is_some());
  }

  #[test]
  fn a_token_cached_under_some_authorized_parties_is_not_accepted_under_others() {
    let _serial = serialized();
    let key = TestKey::generate("kid_tc_azp");
    let token = key.sign(json!({}), session_claims(now_s())); // azp http://localhost:3000
    let allowed = VerifyOptions {
      authorized_parties: vec!["http://localhost:3000".into()],
      ..pem_options(&key)
    };
    let other = VerifyOptions {
      authorized_parties: vec!["https://other.example".into()],
      ..pem_options(&key)
    };
    let now = now_ms();
    assert!(done(verify_with_cached_keys(decode(&token), &allowed, now)).is_ok());
    assert!(cached_session_payload(&token, &allowed, now).is_some());
    assert!(cached_session_payload(&token, &other, now).is_none());
    assert_eq!(
      reason_of(done(verify_with_cached_keys(decode(&token), &other, now))),
      reason::TOKEN_INVALID_AUTHORIZED_PARTIES
    );
    assert!(cached_session_payload(&token, &allowed, now).is_some());
  }

  #[test]
  fn only_session_tokens_take_the_header_shortcut_and_only_when_enabled() {
    let _serial = serialized();
    let key = TestKey::generate("kid_tc_kind");
    let now = now_ms();
    let mut machine = session_claims(now_s());
    machine["sub"] = json!("mch_1");
    let machine = key.sign(json!({}), machine);
    assert!(done(verify_with_cached_keys(
      decode(&machine),
      &pem_options(&key),
      now
    ))
    .is_ok());
    assert!(cached_session_payload(&machine, &pem_options(&key), now).is_none());

    let off = VerifyOptions {
      token_cache: false,
      ..pem_options(&key)
    };
    let token = key.sign(json!({}), session_claims(now_s()));
    assert!(done(verify_with_cached_keys(decode(&token), &off, now)).is_ok());
    assert!(cached_session_payload(&token, &off, now).is_none());
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_key_removed_from_the_jwks_stops_its_tokens_after_the_next_refresh() {
    let _serial = serialized();
    let kept = TestKey::generate("kid_kept");
    let dropped = TestKey::generate("kid_dropped");
    let server = FakeServer::start(
      200,
      json!({"keys": [kept.jwk(), dropped.jwk()]}).to_string(),
    );
    let options = jwks_options(&server, "sk_test_removal_unit");
    let token = dropped.sign(json!({}), session_claims(now_s()));
    let client = reqwest::Client::new();
    verify(&client, &token, &options).await.expect("verified");
    assert!(cached_session_payload(&token, &options, now_ms()).is_some());

    server.set_body(json!({"keys": [kept.jwk()]}).to_string());
    // The keys are refreshed when the JWKS cache expires (as in the reference,
    // a refetch for an unknown kid merges and keeps the old key until then).
    test_clock::advance(JWKS_CACHE_TTL_MS + 1.0);
    assert!(cached_session_payload(&token, &options, now_ms()).is_none());
    assert!(matches!(
      verify_with_cached_keys(decode(&token), &options, now_ms()),
      SyncOutcome::NeedsJwksFetch
    ));
    assert_eq!(
      reason_of(verify(&client, &token, &options).await),
      reason::JWK_KID_MISMATCH
    );
    assert_eq!(server.hits(), 2);
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_refresh_that_keeps_a_key_keeps_its_cached_tokens() {
    let _serial = serialized();
    let key = TestKey::generate("kid_unchanged");
    let server = FakeServer::start(200, json!({"keys": [key.jwk()]}).to_string());
    let options = jwks_options(&server, "sk_test_unchanged_unit");
    let token = key.sign(json!({}), session_claims(now_s()));
    let client = reqwest::Client::new();
    verify(&client, &token, &options).await.expect("verified");
    test_clock::advance(JWKS_CACHE_TTL_MS + 1.0);
    verify(&client, &token, &options)
      .await
      .expect("verified after a refresh");
    assert_eq!(server.hits(), 2);
    assert!(cached_session_payload(&token, &options, now_ms()).is_some());
  }

  #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
  async fn concurrent_first_requests_share_one_jwks_fetch() {
    let key = TestKey::generate("kid_single_flight");
    let server = FakeServer::start(200, json!({"keys": [key.jwk()]}).to_string());
    server.set_delay_ms(200);
    let options = Arc::new(jwks_options(&server, "sk_test_single_flight_unit"));
    let token = Arc::new(key.sign(json!({}), session_claims(now_s())));
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..200)
      .map(|_| {
        let (options, token, client) = (options.clone(), token.clone(), client.clone());
        tokio::spawn(async move { verify(&client, &token, &options).await.is_ok() })
      })
      .collect();
    for task in tasks {
      assert!(task.await.unwrap());
    }
    assert_eq!(server.hits(), 1);
  }

  #[tokio::test]
  async fn unknown_kids_refetch_at_most_once_per_cooldown() {
    let key = TestKey::generate("kid_known");
    let server = FakeServer::start(200, json!({"keys": [key.jwk()]}).to_string());
    let options = VerifyOptions {
      token_cache: false,
      ..jwks_options(&server, "sk_test_cooldown_unit")
    };
    let client = reqwest::Client::new();
    let valid = key.sign(json!({}), session_claims(now_s()));
    verify(&client, &valid, &options).await.expect("verified");
    let stranger = TestKey::generate("unused");
    let garbage = |i: usize| {
      stranger.sign(
        json!({"kid": format!("made_up_{i}")}),
        session_claims(now_s()),
      )
    };
    for i in 0..20 {
      assert_eq!(
        reason_of(verify(&client, &garbage(i), &options).await),
        reason::JWK_KID_MISMATCH
      );
    }
    assert_eq!(server.hits(), 2, "one refetch, then the cooldown");
    assert_eq!(
      reason_of(done(verify_with_cached_keys(
        decode(&garbage(99)),
        &options,
        now_ms()
      ))),
      reason::JWK_KID_MISMATCH,
      "answered from memory during the cooldown"
    );
    assert!(verify(&client, &valid, &options).await.is_ok());

    test_clock::advance(UNKNOWN_KID_COOLDOWN_MS);
    assert_eq!(
      reason_of(verify(&client, &garbage(100), &options).await),
      reason::JWK_KID_MISMATCH
    );
    assert_eq!(server.hits(), 3, "refetched after the cooldown");
  }

  #[tokio::test]
  async fn a_hung_jwks_endpoint_times_out() {
    let server = FakeServer::start(200, json!({"keys": []}).to_string());
    server.set_delay_ms(3000);
    let source = JwksSource {
      timeout: Duration::from_millis(100),
      ..JwksSource::new(&server.url, "v1", "sk_test_timeout_unit", false)
    };
    let started = Instant::now();
    let result = source.fetch(&reqwest::Client::new(), "kid").await;
    assert!(
      matches!(&result, Err(Failure::Unexpected(message)) if message.starts_with("fetch failed")),
      "{:?}",
      result.err()
    );
    assert!(started.elapsed() < Duration::from_secs(8));
  }
}
