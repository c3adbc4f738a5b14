//! Remote JWKS from the Backend API (`GET {apiUrl}/{apiVersion}/jwks`), cached
//! per (apiUrl, apiVersion, secretKey) with the reference's rules: 300 s since
//! the last fetch, refetch on an unknown kid, fetched keys merged in, up to 5
//! attempts with exponential backoff. A warm lookup is synchronous.

use super::PublicKey;
use crate::constants::{BACKEND_USER_AGENT, CLERK_API_VERSION, JWKS_CACHE_TTL_MS};
use crate::errors::{action, reason, Failure, TokenError};
use crate::http_client::BodyError;
use crate::js_semantics;
use crate::paths::join_paths;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::Duration;

/// How long one JWKS request may take (connect to end of body) before it
/// counts as a failed attempt. The reference has no limit; a hung Backend
/// API would hold every request that needs the keys.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// After a fetch that did not contain a token's kid, further unknown kids
/// are answered from the cached keys (kid mismatch) for this long instead
/// of refetching, so that tokens with made-up kids cannot make the server
/// hammer the Backend API.
pub const UNKNOWN_KID_COOLDOWN_MS: f64 = 5_000.0;
/// The largest JWKS answer read: a Clerk JWKS is about a kilobyte, and
/// reading stops here, so a broken or hostile answer cannot fill the
/// server's memory (the reference reads any size).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Keys kept from one JWKS (a Clerk instance has one or two), and the
/// longest kid kept: the key cache stays small whatever an answer holds.
pub const MAX_KEYS: usize = 32;
pub const MAX_KID_LENGTH: usize = 256;
/// While keys are served stale (`jwksStaleIfErrorMs`), a refresh is tried
/// again this often; the requests in between do not wait for one.
pub const STALE_RETRY_INTERVAL_MS: f64 = 10_000.0;

struct ScopeKey {
  jwk: Value,
  key: Arc<PublicKey>,
}

/// The keys of one cache scope, replaced as a whole on every fetch.
pub struct ScopeKeys {
  keys: HashMap<String, ScopeKey, foldhash::fast::RandomState>,
  last_updated_ms: f64,
  /// Until when (ms since the epoch, as f64 bits) a kid missing from
  /// `keys` is a kid mismatch without a refetch.
  unknown_kid_cooldown_until: AtomicU64,
  /// Since a refresh of these keys failed and they were served stale: when
  /// that outage began and until when no refresh is tried (ms, f64 bits);
  /// 0 while there is none.
  outage_since: AtomicU64,
  stale_retry_after: AtomicU64,
}

impl ScopeKeys {
  fn expired(&self, now_ms: f64) -> bool {
    now_ms - self.last_updated_ms >= JWKS_CACHE_TTL_MS
  }

  fn cooling_down(&self, now_ms: f64) -> bool {
    now_ms < f64::from_bits(self.unknown_kid_cooldown_until.load(Ordering::Relaxed))
  }

  fn start_cooldown(&self, now_ms: f64) {
    let until = now_ms + UNKNOWN_KID_COOLDOWN_MS;
    self
      .unknown_kid_cooldown_until
      .store(until.to_bits(), Ordering::Relaxed);
  }

  fn key(&self, kid: &str) -> Option<Arc<PublicKey>> {
    self.keys.get(kid).map(|entry| entry.key.clone())
  }

  /// Whether these keys, past their lifetime, may still verify for a
  /// source that allows `stale_if_error_ms` when a refresh fails.
  fn within_stale_window(&self, now_ms: f64, stale_if_error_ms: f64) -> bool {
    stale_if_error_ms > 0.0 && now_ms - self.last_updated_ms < JWKS_CACHE_TTL_MS + stale_if_error_ms
  }

  /// In an outage, with the next refresh not yet due: served stale without one.
  fn stale_retry_pending(&self, now_ms: f64) -> bool {
    now_ms < f64::from_bits(self.stale_retry_after.load(Ordering::Relaxed))
  }

  /// Records a failed refresh; true for the first of an outage.
  fn record_failed_refresh(&self, now_ms: f64) -> bool {
    let retry = now_ms + STALE_RETRY_INTERVAL_MS;
    self
      .stale_retry_after
      .store(retry.to_bits(), Ordering::Relaxed);
    self
      .outage_since
      .compare_exchange(0, now_ms.to_bits(), Ordering::Relaxed, Ordering::Relaxed)
      .is_ok()
  }

  fn fresh(keys: HashMap<String, ScopeKey, foldhash::fast::RandomState>, now_ms: f64) -> ScopeKeys {
    ScopeKeys {
      keys,
      last_updated_ms: now_ms,
      unknown_kid_cooldown_until: AtomicU64::new(0f64.to_bits()),
      outage_since: AtomicU64::new(0),
      stale_retry_after: AtomicU64::new(0f64.to_bits()),
    }
  }
}

/// The keys per scope. Entries outlive the TTL (`ScopeKeys::expired`
/// decides) so that a refresh can keep the imported keys that did not
/// change. A warm lookup is a read lock and one hash of the scope name.
struct Scopes(RwLock<HashMap<String, Arc<ScopeKeys>, foldhash::fast::RandomState>>);

/// More scopes than this (distinct secret keys and API URLs) starts over.
const MAX_SCOPES: usize = 1024;

impl Scopes {
  fn get(&self, name: &str) -> Option<Arc<ScopeKeys>> {
    let scopes = self
      .0
      .read()
      .unwrap_or_else(|poisoned| poisoned.into_inner());
    scopes.get(name).cloned()
  }

  fn insert(&self, name: &str, keys: Arc<ScopeKeys>) {
    let mut scopes = self
      .0
      .write()
      .unwrap_or_else(|poisoned| poisoned.into_inner());
    if scopes.len() >= MAX_SCOPES && !scopes.contains_key(name) {
      scopes.clear();
    }
    scopes.insert(name.to_string(), keys);
    // Under the write lock: whoever reads the epoch and then looks a key
    // up sees either the old keys with the old epoch or a newer epoch.
    KEYS_EPOCH.fetch_add(1, Ordering::SeqCst);
  }
}

/// Changes whenever any scope's keys are stored (a fetch, even of the same
/// keys), so that an answer derived from the keys (a lease, see
/// `crate::jwt::verify::cached_session_hit`) can tell it may be stale.
static KEYS_EPOCH: AtomicU32 = AtomicU32::new(0);

pub fn keys_epoch() -> u32 {
  KEYS_EPOCH.load(Ordering::SeqCst)
}

/// Moves on when a fetch drops or replaces a key that was there before, so
/// that what was verified with the old keys can be forgotten (the
/// verified-token cache empties itself when it sees this move, see
/// `crate::jwt::token_cache`). Keys never call into what uses them.
static KEYS_REPLACED: AtomicU32 = AtomicU32::new(0);

pub fn keys_replaced_epoch() -> u32 {
  KEYS_REPLACED.load(Ordering::SeqCst)
}

fn scopes() -> &'static Scopes {
  static SCOPES: OnceLock<Scopes> = OnceLock::new();
  SCOPES.get_or_init(|| Scopes(RwLock::new(HashMap::default())))
}

type FetchResult = Result<Arc<ScopeKeys>, Failure>;
/// A fetch in flight: its id and the future everyone who needs it awaits.
type Flight = (u64, Shared<BoxFuture<'static, FetchResult>>);

/// The fetch in flight per scope.
fn in_flight() -> &'static Mutex<HashMap<String, Flight>> {
  static IN_FLIGHT: OnceLock<Mutex<HashMap<String, Flight>>> = OnceLock::new();
  IN_FLIGHT.get_or_init(Default::default)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
  mutex
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What the cached keys say about a kid.
pub enum Lookup {
  Found(Arc<PublicKey>),
  /// Not in the fresh keys, and an unknown kid was looked for recently.
  KnownMissing,
  /// The keys must be fetched.
  Fetch,
}

/// Where the keys come from and which one is wanted.
pub struct JwksSource<'a> {
  pub api_url: &'a str,
  pub api_version: &'a str,
  pub secret_key: &'a str,
  pub skip_cache: bool,
  /// Per attempt; `FETCH_TIMEOUT` unless a test shortens it.
  pub timeout: Duration,
  /// `apiUrl|apiVersion|secretKey`: the cache scope.
  pub scope: Cow<'a, str>,
  /// `jwksStaleIfErrorMs` (0: off): when a refresh fails, the last keys
  /// keep verifying this long past their lifetime.
  pub stale_if_error_ms: f64,
}

/// The owned parts of a `JwksSource`, for a fetch that outlives its caller.
struct OwnedSource {
  api_url: String,
  api_version: String,
  secret_key: String,
  timeout: Duration,
}

impl<'a> JwksSource<'a> {
  pub fn new(
    api_url: &'a str,
    api_version: &'a str,
    secret_key: &'a str,
    skip_cache: bool,
  ) -> Self {
    let scope = Cow::Owned(scope_name(api_url, api_version, secret_key));
    Self::with_scope(api_url, api_version, secret_key, skip_cache, scope)
  }

  /// `new` with the scope name already made (`scope_name` of the others).
  pub fn with_scope(
    api_url: &'a str,
    api_version: &'a str,
    secret_key: &'a str,
    skip_cache: bool,
    scope: Cow<'a, str>,
  ) -> Self {
    JwksSource {
      api_url,
      api_version,
      secret_key,
      skip_cache,
      timeout: FETCH_TIMEOUT,
      scope,
      stale_if_error_ms: 0.0,
    }
  }

  /// The same source, serving stale keys for `ms` when a refresh fails.
  pub fn stale_if_error(mut self, ms: f64) -> Self {
    self.stale_if_error_ms = if ms.is_finite() && ms > 0.0 { ms } else { 0.0 };
    self
  }

  fn scope(&self) -> &str {
    &self.scope
  }

  /// What the cache can answer for `kid` without a fetch.
  pub fn lookup(&self, kid: &str, now_ms: f64) -> Lookup {
    if self.skip_cache {
      return Lookup::Fetch;
    }
    let Some(scope) = scopes().get(self.scope()) else {
      return Lookup::Fetch;
    };
    if scope.expired(now_ms) {
      let serve_stale = scope.within_stale_window(now_ms, self.stale_if_error_ms)
        && scope.stale_retry_pending(now_ms);
      return match scope.key(kid) {
        Some(key) if serve_stale => Lookup::Found(key),
        None if serve_stale => Lookup::KnownMissing,
        _ => Lookup::Fetch,
      };
    }
    match scope.key(kid) {
      Some(key) => Lookup::Found(key),
      None if scope.cooling_down(now_ms) => Lookup::KnownMissing,
      None => Lookup::Fetch,
    }
  }

  /// The key for `kid` if the cache can answer without a fetch.
  pub fn cached(&self, kid: &str, now_ms: f64) -> Option<Arc<PublicKey>> {
    match self.lookup(kid, now_ms) {
      Lookup::Found(key) => Some(key),
      _ => None,
    }
  }

  /// The key for `kid`, fetching the JWKS (with retries) unless the cache
  /// answers; or the reference's error.
  pub async fn fetch(
    &self,
    client: &reqwest::Client,
    kid: &str,
  ) -> Result<Arc<PublicKey>, Failure> {
    match self.lookup(kid, crate::clock::now_ms()) {
      Lookup::Found(key) => return Ok(key),
      Lookup::KnownMissing => return Err(kid_mismatch(kid)),
      Lookup::Fetch => {}
    }
    if let Some(key) = self.stale_while_retrying(client, kid) {
      return Ok(key);
    }
    let scope = match self.refresh(client).await {
      Ok(scope) => scope,
      Err(failure) => return self.stale_key(kid, failure),
    };
    scope.key(kid).ok_or_else(|| {
      scope.start_cooldown(crate::clock::now_ms());
      kid_mismatch(kid)
    })
  }

  /// In an outage already under way (a refresh failed and stale keys were
  /// served), with a retry due: the stale key at once, while the retry runs
  /// in the background; a request does not wait for it.
  fn stale_while_retrying(&self, client: &reqwest::Client, kid: &str) -> Option<Arc<PublicKey>> {
    let now_ms = crate::clock::now_ms();
    let scope = scopes().get(self.scope())?;
    let in_outage = scope.outage_since.load(Ordering::Relaxed) != 0;
    if !in_outage || !scope.within_stale_window(now_ms, self.stale_if_error_ms) {
      return None;
    }
    let key = scope.key(kid)?;
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    // The next retry after this one is due later, whatever this one gives.
    scope.record_failed_refresh(now_ms);
    let flight = self.flight(client);
    runtime.spawn(async move {
      if flight.await.is_err() {
        scope.record_failed_refresh(crate::clock::now_ms());
      }
    });
    Some(key)
  }

  /// After a failed refresh: the cached key for `kid` if the source allows
  /// stale keys and they are within that window (the first time in an
  /// outage, with a warning), else the failure.
  fn stale_key(&self, kid: &str, failure: Failure) -> Result<Arc<PublicKey>, Failure> {
    let now_ms = crate::clock::now_ms();
    let Some(scope) = scopes().get(self.scope()) else {
      return Err(failure);
    };
    if !scope.within_stale_window(now_ms, self.stale_if_error_ms) {
      return Err(failure);
    }
    let Some(key) = scope.key(kid) else {
      return Err(failure);
    };
    if scope.record_failed_refresh(now_ms) {
      let age_s = ((now_ms - scope.last_updated_ms) / 1000.0).round();
      let left_s = ((scope.last_updated_ms + JWKS_CACHE_TTL_MS + self.stale_if_error_ms - now_ms)
        / 1000.0)
        .round();
      crate::log::warn(&format!(
        "Clerk: the JWKS could not be refreshed ({}); tokens are verified with the keys fetched {age_s} s ago for at most {left_s} s more (jwksStaleIfErrorMs).",
        failure_text(&failure)
      ));
    }
    Ok(key)
  }

  /// Fetches the JWKS unless fresh keys are cached (start-up prewarming).
  pub async fn prefetch(&self, client: &reqwest::Client) -> Result<(), Failure> {
    let now_ms = crate::clock::now_ms();
    if scopes()
      .get(self.scope())
      .is_some_and(|scope| !scope.expired(now_ms))
    {
      return Ok(());
    }
    self.refresh(client).await.map(|_| ())
  }

  /// Fetches the JWKS into the cache: one fetch per scope at a time, shared
  /// by every caller that arrives while it runs.
  pub async fn refresh(&self, client: &reqwest::Client) -> Result<Arc<ScopeKeys>, Failure> {
    self.flight(client).await
  }

  /// The fetch in flight for this scope, started if there is none.
  fn flight(&self, client: &reqwest::Client) -> Shared<BoxFuture<'static, FetchResult>> {
    static NEXT_FETCH: AtomicU64 = AtomicU64::new(1);
    let scope_name = self.scope().to_string();
    {
      let mut flights = lock(in_flight());
      match flights.get(&scope_name) {
        Some((_, shared)) => shared.clone(),
        None => {
          let id = NEXT_FETCH.fetch_add(1, Ordering::Relaxed);
          let source = OwnedSource {
            api_url: self.api_url.into(),
            api_version: self.api_version.into(),
            secret_key: self.secret_key.into(),
            timeout: self.timeout,
          };
          let (client, name) = (client.clone(), scope_name.clone());
          let shared = async move {
            let result = source.fetch_and_store(&client, &name).await;
            let mut flights = lock(in_flight());
            if flights
              .get(&name)
              .is_some_and(|(current, _)| *current == id)
            {
              flights.remove(&name);
            }
            result
          }
          .boxed()
          .shared();
          flights.insert(scope_name, (id, shared.clone()));
          shared
        }
      }
    }
  }
}

impl OwnedSource {
  fn borrowed(&self) -> JwksSource<'_> {
    JwksSource {
      timeout: self.timeout,
      ..JwksSource::new(&self.api_url, &self.api_version, &self.secret_key, true)
    }
  }

  /// Fetches and stores the keys: fetched keys merged over the unexpired
  /// cached ones, as the reference merges them.
  async fn fetch_and_store(&self, client: &reqwest::Client, scope_name: &str) -> FetchResult {
    let body = fetch_with_retries(client, &self.borrowed()).await?;
    let keys = match &body {
      Value::Null => {
        return Err(Failure::Unexpected(
          "Cannot destructure property 'keys' of null".into(),
        ))
      }
      other => js_semantics::get(other, "keys"),
    };
    let keys = match keys {
      Some(Value::Array(items)) if !items.is_empty() => items,
      Some(Value::String(s)) if !s.is_empty() => {
        return Err(Failure::Unexpected("keys.forEach is not a function".into()))
      }
      _ => {
        return Err(
          TokenError::new(
            reason::REMOTE_JWK_FAILED_TO_LOAD,
            "The JWKS endpoint did not contain any signing keys. Contact support@clerk.com.",
          )
          .with_action(action::CONTACT_SUPPORT)
          .into(),
        )
      }
    };
    let now_ms = crate::clock::now_ms();
    let previous = scopes().get(scope_name);
    let mut merged: HashMap<String, ScopeKey, foldhash::fast::RandomState> = HashMap::default();
    for jwk in keys.iter().take(MAX_KEYS) {
      if jwk.is_null() {
        return Err(Failure::Unexpected(
          "Cannot read properties of null (reading 'kid')".into(),
        ));
      }
      let kid = js_semantics::to_js_string(js_semantics::get(jwk, "kid"));
      if kid.len() > MAX_KID_LENGTH {
        continue;
      }
      // An unchanged JWK keeps its imported key, and with it the verified
      // tokens cached against that key.
      let unchanged = previous
        .as_ref()
        .and_then(|p| p.keys.get(&kid))
        .filter(|entry| entry.jwk == *jwk)
        .map(|entry| entry.key.clone());
      let key = unchanged.unwrap_or_else(|| Arc::new(PublicKey::from_jwk(jwk)));
      merged.insert(
        kid,
        ScopeKey {
          jwk: jwk.clone(),
          key,
        },
      );
    }
    // The unexpired cached keys stay beside the fetched ones, as the
    // reference merges them, while the cache holds fewer than MAX_KEYS.
    if let Some(previous) = previous.as_ref().filter(|p| !p.expired(now_ms)) {
      for (kid, entry) in &previous.keys {
        if merged.len() >= MAX_KEYS {
          break;
        }
        merged.entry(kid.clone()).or_insert_with(|| ScopeKey {
          jwk: entry.jwk.clone(),
          key: entry.key.clone(),
        });
      }
    }
    let keys_changed = previous.as_ref().is_some_and(|p| {
      p.keys.iter().any(|(kid, old)| {
        merged
          .get(kid)
          .is_none_or(|new| !Arc::ptr_eq(&new.key, &old.key))
      })
    });
    if let Some(since) = previous
      .as_ref()
      .map(|p| f64::from_bits(p.outage_since.load(Ordering::Relaxed)))
    {
      if since > 0.0 {
        let lasted_s = ((now_ms - since) / 1000.0).round();
        crate::log::warn(&format!(
          "Clerk: the JWKS was refreshed again after {lasted_s} s of verifying with stale keys (jwksStaleIfErrorMs)."
        ));
      }
    }
    let scope = Arc::new(ScopeKeys::fresh(merged, now_ms));
    scopes().insert(scope_name, scope.clone());
    if keys_changed {
      KEYS_REPLACED.fetch_add(1, Ordering::SeqCst);
    }
    Ok(scope)
  }
}

/// A failure's message, for the outage warning.
fn failure_text(failure: &Failure) -> &str {
  match failure {
    Failure::Token(err) => &err.message,
    Failure::Unexpected(message) | Failure::Fatal(message) => message,
  }
}

/// The cache scope of the reference: `apiUrl|apiVersion|secretKey`.
pub fn scope_name(api_url: &str, api_version: &str, secret_key: &str) -> String {
  format!("{api_url}|{api_version}|{secret_key}")
}

/// The reference's error for a kid the JWKS does not contain.
pub fn kid_mismatch(kid: &str) -> Failure {
  TokenError::new(
    reason::JWK_KID_MISMATCH,
    format!(
      "Unable to find a signing key in JWKS that matches the kid='{kid}' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT."
    ),
  )
  .with_action(action::KID_MISMATCH)
  .into()
}

const MAX_ATTEMPTS: u32 = 5;

async fn fetch_with_retries(
  client: &reqwest::Client,
  source: &JwksSource<'_>,
) -> Result<Value, Failure> {
  let mut attempt = 0;
  loop {
    match fetch_recorded(client, source, attempt + 1).await {
      Ok(body) => return Ok(body),
      Err(err) => {
        attempt += 1;
        if attempt >= MAX_ATTEMPTS {
          return Err(err);
        }
        // 125 ms · 2^n with jitter ×[1, 2), as @clerk/shared's `retry`.
        let delay = 125.0 * 2f64.powi(attempt as i32 - 1) * (1.0 + crate::clock::jitter());
        tokio::time::sleep(Duration::from_millis(delay as u64)).await;
      }
    }
  }
}

/// One attempt, recorded for the diagnostics channels (`crate::events`).
async fn fetch_recorded(
  client: &reqwest::Client,
  source: &JwksSource<'_>,
  attempt: u32,
) -> Result<Value, Failure> {
  let started = crate::events::Started::now();
  let mut status = None;
  let result = fetch_once(client, source, &mut status).await;
  crate::events::record(|| crate::events::Event::JwksFetch {
    url: jwks_url(source).map_or_else(|_| String::new(), |url| url.to_string()),
    started_at: started.at_ms,
    attempt,
    status,
    duration_ms: started.elapsed_ms(),
    keys: result
      .as_ref()
      .ok()
      .map(|body| match js_semantics::get(body, "keys") {
        Some(Value::Array(keys)) => u32::try_from(keys.len()).unwrap_or(u32::MAX),
        _ => 0,
      }),
    error: result
      .as_ref()
      .err()
      .map(|failure| failure_text(failure).to_string()),
  });
  result
}

/// `<apiUrl>/<apiVersion>/jwks`, joined as the reference joins it.
fn jwks_url(source: &JwksSource<'_>) -> Result<reqwest::Url, Failure> {
  let mut url = reqwest::Url::parse(source.api_url)
    .map_err(|_| Failure::Unexpected("TypeError: Invalid URL".into()))?;
  let path =
    join_paths(&[url.path(), source.api_version, "/jwks"]).map_err(|e| Failure::Unexpected(e.0))?;
  url.set_path(&path);
  Ok(url)
}

async fn fetch_once(
  client: &reqwest::Client,
  source: &JwksSource<'_>,
  status_seen: &mut Option<u16>,
) -> Result<Value, Failure> {
  let url = jwks_url(source)?;
  let response = client
    .get(url.clone())
    .timeout(source.timeout)
    .header("Authorization", format!("Bearer {}", source.secret_key))
    .header("Clerk-API-Version", CLERK_API_VERSION)
    .header("Content-Type", "application/json")
    .header("User-Agent", BACKEND_USER_AGENT)
    .send()
    .await
    .map_err(|e| Failure::Unexpected(format!("fetch failed: {e}")))?;
  let status = response.status();
  *status_seen = Some(status.as_u16());
  let bytes = match crate::http_client::read_body(response, MAX_BODY_BYTES).await {
    Ok(bytes) => bytes,
    Err(BodyError::Read) => return Err(Failure::Unexpected("fetch failed: terminated".into())),
    Err(BodyError::TooLarge) => {
      let message = format!(
        "Error loading Clerk JWKS from {url}: the answer is longer than {MAX_BODY_BYTES} bytes"
      );
      let error = TokenError::new(reason::REMOTE_JWK_FAILED_TO_LOAD, message);
      return Err(error.with_action(action::CONTACT_SUPPORT).into());
    }
  };
  // `response.json()` fails on any non-JSON body, on error responses too.
  let body =
    crate::json::parse_body(&bytes).ok_or_else(|| Failure::Unexpected("SyntaxError".into()))?;
  if status.is_success() {
    return Ok(body);
  }
  if let Some(invalid_key) = find_error_by_code(&body, "clerk_key_invalid")? {
    let message = match js_semantics::get(invalid_key, "message") {
      None | Some(Value::Null) => String::new(),
      message => js_semantics::to_js_string(message),
    };
    return Err(
      TokenError::new(reason::INVALID_SECRET_KEY, message)
        .with_action(action::CONTACT_SUPPORT)
        .into(),
    );
  }
  Err(
    TokenError::new(
      reason::REMOTE_JWK_FAILED_TO_LOAD,
      format!(
        "Error loading Clerk JWKS from {url} with code={}",
        status.as_u16()
      ),
    )
    .with_action(action::CONTACT_SUPPORT)
    .into(),
  )
}

/// `json?.errors?.find(e => e.code === code)`, failing where `find` would throw.
fn find_error_by_code<'v>(body: &'v Value, code: &str) -> Result<Option<&'v Value>, Failure> {
  match js_semantics::get(body, "errors") {
    None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(None),
    Some(Value::Array(errors)) => {
      for error in errors {
        if error.is_null() {
          return Err(Failure::Unexpected(
            "Cannot read properties of null (reading 'code')".into(),
          ));
        }
        if js_semantics::get(error, "code").and_then(Value::as_str) == Some(code) {
          return Ok(Some(error));
        }
      }
      Ok(None)
    }
    Some(other) if !js_semantics::truthy(Some(other)) => Ok(None),
    Some(_) => Err(Failure::Unexpected("errors.find is not a function".into())),
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::clock::{now_ms, test_clock};
  use crate::test_support::{FakeServer, SequenceServer, TestKey};
  use serde_json::json;
  use std::io::{Read, Write};
  use std::net::TcpListener;
  use std::sync::mpsc;

  // Every test has its own fake server (a fresh port) and secret key, so
  // its cache scope and its fetch in flight are its own even though both
  // maps are process-wide. The clock offset is per thread, and a
  // `#[tokio::test]` runs on the test's thread.

  fn jwks_body(keys: &[&TestKey]) -> String {
    json!({"keys": keys.iter().map(|key| key.jwk()).collect::<Vec<_>>()}).to_string()
  }

  fn reason_of(result: Result<Arc<PublicKey>, Failure>) -> &'static str {
    match result {
      Err(Failure::Token(err)) => err.reason,
      Err(other) => panic!("expected a token error, got {other:?}"),
      Ok(_) => panic!("expected a token error, got a key"),
    }
  }

  fn is_found(source: &JwksSource<'_>, kid: &str) -> bool {
    matches!(source.lookup(kid, now_ms()), Lookup::Found(_))
  }

  /// Answers one request with `body` (200) and hands back what was sent:
  /// the request line and headers.
  fn recording_server(body: String) -> (String, mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (sent, received) = mpsc::channel();
    std::thread::spawn(move || {
      let Ok((mut stream, _)) = listener.accept() else {
        return;
      };
      let mut buffer = [0u8; 8192];
      let n = stream.read(&mut buffer).unwrap_or(0);
      let _ = sent.send(String::from_utf8_lossy(&buffer[..n]).into_owned());
      let reply = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
      );
      let _ = stream.write_all(reply.as_bytes());
    });
    (url, received)
  }

  fn header<'r>(request: &'r str, name: &str) -> Option<&'r str> {
    request.lines().find_map(|line| {
      let (key, value) = line.split_once(':')?;
      key.eq_ignore_ascii_case(name).then(|| value.trim())
    })
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_fetch_asks_the_versioned_jwks_path_with_the_secret_key_and_returns_the_key() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_request");
    let (url, requests) = recording_server(jwks_body(&[&key]));
    let source = JwksSource::new(&url, "v1", "sk_test_jwks_request", false);
    let client = reqwest::Client::new();
    let fetched = source.fetch(&client, &key.kid).await.expect("the key");
    let request = requests.recv().expect("one request");
    assert!(
      request.starts_with("GET /v1/jwks HTTP/1.1\r\n"),
      "{request}"
    );
    assert_eq!(
      header(&request, "authorization"),
      Some("Bearer sk_test_jwks_request")
    );
    // The fetched key is the one the cache now hands out.
    let cached = source.cached(&key.kid, now_ms()).expect("cached");
    assert!(Arc::ptr_eq(&fetched, &cached));
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_fetch_is_recorded_for_the_diagnostics_channels_without_the_secret_key() {
    use crate::events::{self, Event};
    let _serial = crate::test_support::key_state_serialized();
    let _recording = events::test_lock::serialized();
    let key = TestKey::generate("kid_jwks_recorded");
    let (url, _requests) = recording_server(jwks_body(&[&key]));
    let source = JwksSource::new(&url, "v1", "sk_test_jwks_recorded", false);
    events::set_recording(true);
    source
      .fetch(&reqwest::Client::new(), &key.kid)
      .await
      .expect("the key");
    let (recorded, _) = events::drain();
    events::set_recording(false);
    let fetches: Vec<_> = recorded
      .into_iter()
      .filter(
        |event| matches!(event, Event::JwksFetch { url: fetched, .. } if fetched.starts_with(&url)),
      )
      .collect();
    let [Event::JwksFetch {
      url: fetched,
      attempt: 1,
      status: Some(200),
      keys: Some(1),
      error: None,
      ..
    }] = fetches.as_slice()
    else {
      panic!("{fetches:?}");
    };
    assert_eq!(fetched, &format!("{url}/v1/jwks"));
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn keys_are_served_from_memory_until_300_s_after_the_fetch() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_ttl");
    let server = FakeServer::start(200, jwks_body(&[&key]));
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_ttl", false);
    let client = reqwest::Client::new();
    source.fetch(&client, &key.kid).await.expect("the key");
    source.fetch(&client, &key.kid).await.expect("the key");
    assert_eq!(
      server.hits(),
      1,
      "the second lookup is answered from memory"
    );

    // Read when the keys were stored: the wall clock keeps moving, so a
    // check "1 ms before the TTL" must not be made relative to now.
    let fetched_at = scopes()
      .get(source.scope())
      .expect("stored")
      .last_updated_ms;
    let before_ttl = fetched_at + JWKS_CACHE_TTL_MS - 1.0;
    assert!(matches!(
      source.lookup(&key.kid, before_ttl),
      Lookup::Found(_)
    ));
    let at_ttl = fetched_at + JWKS_CACHE_TTL_MS;
    assert!(matches!(source.lookup(&key.kid, at_ttl), Lookup::Fetch));
    test_clock::advance(JWKS_CACHE_TTL_MS);
    source.fetch(&client, &key.kid).await.expect("the key");
    assert_eq!(server.hits(), 2, "refetched once the TTL is over");
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn the_cache_is_per_secret_key_and_api_version() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_scope");
    let server = FakeServer::start(200, jwks_body(&[&key]));
    let client = reqwest::Client::new();
    let first = JwksSource::new(&server.url, "v1", "sk_test_jwks_scope_a", false);
    first.fetch(&client, &key.kid).await.expect("the key");
    // Same server, but another secret key or version: not the same cache.
    let other_key = JwksSource::new(&server.url, "v1", "sk_test_jwks_scope_b", false);
    let other_version = JwksSource::new(&server.url, "v2", "sk_test_jwks_scope_a", false);
    assert!(!is_found(&other_key, &key.kid));
    assert!(!is_found(&other_version, &key.kid));
    other_key.fetch(&client, &key.kid).await.expect("the key");
    assert_eq!(server.hits(), 2);
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn an_unknown_kid_refetches_once_then_waits_for_the_cooldown() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_cooldown");
    let server = FakeServer::start(200, jwks_body(&[&key]));
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_cooldown", false);
    let client = reqwest::Client::new();
    source.fetch(&client, &key.kid).await.expect("the key");

    let mismatch = reason::JWK_KID_MISMATCH;
    assert_eq!(
      reason_of(source.fetch(&client, "made_up_1").await),
      mismatch
    );
    assert_eq!(server.hits(), 2, "an unknown kid refetches");
    assert_eq!(
      reason_of(source.fetch(&client, "made_up_2").await),
      mismatch
    );
    assert_eq!(server.hits(), 2, "no refetch within the cooldown");
    assert!(matches!(
      source.lookup("made_up_3", now_ms()),
      Lookup::KnownMissing
    ));
    assert!(is_found(&source, &key.kid), "known kids still resolve");

    test_clock::advance(UNKNOWN_KID_COOLDOWN_MS);
    assert_eq!(
      reason_of(source.fetch(&client, "made_up_4").await),
      mismatch
    );
    assert_eq!(server.hits(), 3, "refetched after the cooldown");
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn concurrent_lookups_share_one_fetch() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_flight");
    let server = FakeServer::start(200, jwks_body(&[&key]));
    // Long enough that every lookup starts while the first fetch runs.
    server.set_delay_ms(300);
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_flight", false);
    let client = reqwest::Client::new();
    let lookups = (0..20).map(|_| source.fetch(&client, &key.kid));
    let keys = futures_util::future::join_all(lookups).await;
    assert_eq!(server.hits(), 1);
    let first = keys[0].as_ref().expect("the key");
    for key in &keys {
      assert!(key.as_ref().is_ok_and(|key| Arc::ptr_eq(key, first)));
    }
    // The finished flight is forgotten: a later refresh fetches again.
    source.refresh(&client).await.expect("refreshed");
    assert_eq!(server.hits(), 2);
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn an_added_key_is_merged_in_and_unchanged_keys_stay_imported() {
    let _serial = crate::test_support::key_state_serialized();
    let old = TestKey::generate("kid_jwks_old");
    let new = TestKey::generate("kid_jwks_new");
    let server = FakeServer::start(200, jwks_body(&[&old]));
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_rotation", false);
    let client = reqwest::Client::new();
    let old_key = source.fetch(&client, &old.kid).await.expect("old key");

    server.set_body(jwks_body(&[&old, &new]));
    source
      .fetch(&client, &new.kid)
      .await
      .expect("new key after a refetch");
    assert_eq!(server.hits(), 2);
    // The unchanged JWK was not imported again: same key object.
    let still_old = source.cached(&old.kid, now_ms()).expect("old key");
    assert!(Arc::ptr_eq(&old_key, &still_old));
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_removed_key_resolves_until_the_cache_expires() {
    let _serial = crate::test_support::key_state_serialized();
    let kept = TestKey::generate("kid_jwks_kept");
    let removed = TestKey::generate("kid_jwks_removed");
    let server = FakeServer::start(200, jwks_body(&[&removed]));
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_removal", false);
    let client = reqwest::Client::new();
    source.fetch(&client, &removed.kid).await.expect("the key");

    // A refetch for an unknown kid merges over the cached keys, as the
    // reference does: the dropped key survives until the TTL.
    server.set_body(jwks_body(&[&kept]));
    source.fetch(&client, &kept.kid).await.expect("kept key");
    assert!(is_found(&source, &removed.kid));

    // After the TTL the fetched keys replace the cached ones. (This empties
    // the process-wide token cache: the keys changed.)
    test_clock::advance(JWKS_CACHE_TTL_MS);
    source.fetch(&client, &kept.kid).await.expect("kept key");
    assert_eq!(server.hits(), 3);
    assert!(is_found(&source, &kept.kid));
    assert!(!is_found(&source, &removed.kid));
    assert_eq!(
      reason_of(source.fetch(&client, &removed.kid).await),
      reason::JWK_KID_MISMATCH
    );
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_500_fails_after_five_attempts_and_is_not_cached() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_500");
    let mut answers = vec![(500, vec![], "{}".to_string()); 5];
    answers.push((200, vec![], jwks_body(&[&key])));
    let server = SequenceServer::start(answers);
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_500", false);
    let client = reqwest::Client::new();
    match source.fetch(&client, &key.kid).await {
      Err(Failure::Token(err)) => {
        assert_eq!(err.reason, reason::REMOTE_JWK_FAILED_TO_LOAD);
        assert_eq!(
          err.message,
          format!(
            "Error loading Clerk JWKS from {}/v1/jwks with code=500",
            server.url
          )
        );
      }
      Err(other) => panic!("unexpected {other:?}"),
      Ok(_) => panic!("a 500 gave a key"),
    }
    assert_eq!(server.hits(), 5, "five attempts");
    // Neither the failure nor its flight stays: the next lookup fetches.
    assert!(matches!(source.lookup(&key.kid, now_ms()), Lookup::Fetch));
    source.fetch(&client, &key.kid).await.expect("the key");
    assert_eq!(server.hits(), 6);
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn a_body_that_is_not_json_is_an_unexpected_error_and_is_not_cached() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_syntax");
    let server = FakeServer::start(200, "{\"keys\": [".into());
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_syntax", false);
    let client = reqwest::Client::new();
    assert!(matches!(
      source.fetch(&client, &key.kid).await,
      Err(Failure::Unexpected(message)) if message == "SyntaxError"
    ));
    assert_eq!(server.hits(), 5, "five attempts");
    server.set_body(jwks_body(&[&key]));
    source.fetch(&client, &key.kid).await.expect("the key");
    assert_eq!(server.hits(), 6);
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn an_answer_over_1_mib_is_a_load_failure_read_no_further() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_oversized");
    // Valid JSON with the key, padded past the limit with whitespace.
    let padded = format!("{}{}", jwks_body(&[&key]), " ".repeat(MAX_BODY_BYTES));
    let server = FakeServer::start(200, padded);
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_oversized", false);
    let client = reqwest::Client::new();
    match source.fetch(&client, &key.kid).await {
      Err(Failure::Token(err)) => {
        assert_eq!(err.reason, reason::REMOTE_JWK_FAILED_TO_LOAD);
        assert!(
          err
            .message
            .ends_with("the answer is longer than 1048576 bytes"),
          "{}",
          err.message
        );
      }
      Err(other) => panic!("expected a load failure, got {other:?}"),
      Ok(_) => panic!("expected a load failure, got the key"),
    }
    assert_eq!(server.hits(), 5, "five attempts, as for any failed load");
    server.set_body(jwks_body(&[&key]));
    source
      .fetch(&client, &key.kid)
      .await
      .expect("the key, once the answer is small");
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn the_cache_keeps_at_most_32_keys_and_no_kid_over_256_characters() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_bounds");
    let with_kid = |kid: String| {
      let mut jwk = key.jwk();
      jwk["kid"] = json!(kid);
      jwk
    };
    let long_kid = "k".repeat(MAX_KID_LENGTH + 1);
    let mut keys = vec![with_kid(long_kid.clone())];
    keys.extend((0..40).map(|i| with_kid(format!("kid_{i}"))));
    let server = FakeServer::start(200, json!({ "keys": keys }).to_string());
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_bounds", false);
    let client = reqwest::Client::new();
    source.fetch(&client, "kid_0").await.expect("the first key");
    assert!(is_found(&source, "kid_30"));
    assert!(
      !is_found(&source, "kid_31"),
      "the 33rd key of the answer is not kept"
    );
    assert!(!is_found(&source, &long_kid));
    // Later fetches merge the kept keys in without growing past the bound.
    server.set_body(
      json!({ "keys": (40..80).map(|i| with_kid(format!("kid_{i}"))).collect::<Vec<_>>() })
        .to_string(),
    );
    source.refresh(&client).await.expect("a refetch");
    let kept = (0..80)
      .filter(|i| is_found(&source, &format!("kid_{i}")))
      .count();
    assert_eq!(kept, MAX_KEYS);
    assert!(is_found(&source, "kid_40"), "fetched keys come first");
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn stale_if_error_serves_the_last_keys_through_an_outage_for_its_window() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_stale");
    let url = crate::test_support::one_shot_server(jwks_body(&[&key]));
    let source = JwksSource::new(&url, "v1", "sk_test_jwks_stale", false).stale_if_error(60_000.0);
    let client = reqwest::Client::new();
    source
      .fetch(&client, &key.kid)
      .await
      .expect("the key, while the API is up");
    // The API is gone; the keys' lifetime ends.
    test_clock::advance(JWKS_CACHE_TTL_MS + 1_000.0);
    assert!(matches!(source.lookup(&key.kid, now_ms()), Lookup::Fetch));
    source
      .fetch(&client, &key.kid)
      .await
      .expect("the stale key after the failed refresh");
    let warnings = crate::log::recorded::containing("sk_test_jwks_stale");
    assert!(
      warnings.is_empty(),
      "the warning does not name the secret key: {warnings:?}"
    );
    // This source's warnings (other tests log theirs to the same record).
    let warned = || crate::log::recorded::containing(&format!("{url}/v1/jwks"));
    assert_eq!(warned().len(), 1, "{:?}", warned());
    // The refresh's five attempts take a few seconds of the window.
    assert!(warned()[0].contains("keys fetched 30"), "{:?}", warned());
    assert!(
      warned()[0].ends_with(" s more (jwksStaleIfErrorMs)."),
      "{:?}",
      warned()
    );
    // Until the next retry is due, from memory; then at once, retrying behind.
    assert!(is_found(&source, &key.kid));
    assert!(matches!(
      source.lookup("kid_other", now_ms()),
      Lookup::KnownMissing
    ));
    test_clock::advance(STALE_RETRY_INTERVAL_MS);
    assert!(matches!(source.lookup(&key.kid, now_ms()), Lookup::Fetch));
    let started = std::time::Instant::now();
    source
      .fetch(&client, &key.kid)
      .await
      .expect("the stale key, without waiting for the retry");
    assert!(
      started.elapsed() < Duration::from_millis(200),
      "{:?}",
      started.elapsed()
    );
    assert_eq!(warned().len(), 1, "one warning per outage");
    // Past the window the failure is the caller's again.
    test_clock::advance(60_000.0);
    assert!(matches!(
      source.fetch(&client, &key.kid).await,
      Err(Failure::Unexpected(message)) if message.starts_with("fetch failed")
    ));
    test_clock::advance(-(JWKS_CACHE_TTL_MS + 1_000.0 + STALE_RETRY_INTERVAL_MS + 60_000.0));
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn without_stale_if_error_an_outage_fails_once_the_keys_expire_and_the_end_is_logged() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_not_stale");
    let server = FakeServer::start(200, jwks_body(&[&key]));
    let plain = JwksSource::new(&server.url, "v1", "sk_test_jwks_not_stale", false);
    let client = reqwest::Client::new();
    plain.fetch(&client, &key.kid).await.expect("the key");
    test_clock::advance(JWKS_CACHE_TTL_MS + 1_000.0);
    server.set_body("{\"errors\": []}".into());
    server.set_status(500);
    assert_eq!(
      reason_of(plain.fetch(&client, &key.kid).await),
      reason::REMOTE_JWK_FAILED_TO_LOAD
    );
    // The same scope with the option: stale until the API is back, and the end is logged.
    let stale =
      JwksSource::new(&server.url, "v1", "sk_test_jwks_not_stale", false).stale_if_error(60_000.0);
    stale.fetch(&client, &key.kid).await.expect("the stale key");
    server.set_status(200);
    server.set_body(jwks_body(&[&key]));
    stale.refresh(&client).await.expect("the API is back");
    assert!(!crate::log::recorded::containing("refreshed again after").is_empty());
    test_clock::advance(-(JWKS_CACHE_TTL_MS + 1_000.0));
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn skip_jwks_cache_fetches_on_every_lookup() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_skip");
    let server = FakeServer::start(200, jwks_body(&[&key]));
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_skip", true);
    let client = reqwest::Client::new();
    source.fetch(&client, &key.kid).await.expect("the key");
    source.fetch(&client, &key.kid).await.expect("the key");
    assert_eq!(server.hits(), 2);
    assert!(source.cached(&key.kid, now_ms()).is_none());
  }

  #[tokio::test]
  #[allow(clippy::await_holding_lock)]
  async fn prefetch_fills_the_cache_once() {
    let _serial = crate::test_support::key_state_serialized();
    let key = TestKey::generate("kid_jwks_prefetch");
    let server = FakeServer::start(200, jwks_body(&[&key]));
    let source = JwksSource::new(&server.url, "v1", "sk_test_jwks_prefetch", false);
    let client = reqwest::Client::new();
    source.prefetch(&client).await.expect("prefetched");
    source.prefetch(&client).await.expect("prefetched");
    assert_eq!(server.hits(), 1, "fresh keys are not fetched again");
    assert!(is_found(&source, &key.kid));
  }
}
