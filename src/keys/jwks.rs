//! Remote JWKS from the Backend API (`GET {apiUrl}/{apiVersion}/jwks`), cached
//! per (apiUrl, apiVersion, secretKey) with the reference's rules: 300 s since
//! the last fetch, refetch on an unknown kid, fetched keys merged in, up to 5
//! attempts with exponential backoff. A warm lookup is synchronous.

use super::PublicKey;
use crate::constants::{BACKEND_USER_AGENT, CLERK_API_VERSION, JWKS_CACHE_TTL_MS};
use crate::errors::{action, reason, Failure, TokenError};
use crate::js;
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

/// The epoch's own memory, for a view that reads it without a call (see
/// `crate::binding::fast_path`).
pub fn keys_epoch_cell() -> &'static AtomicU32 {
  &KEYS_EPOCH
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
    }
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
      return Lookup::Fetch;
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
    let scope = self.refresh(client).await?;
    scope.key(kid).ok_or_else(|| {
      scope.start_cooldown(crate::clock::now_ms());
      kid_mismatch(kid)
    })
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
    static NEXT_FETCH: AtomicU64 = AtomicU64::new(1);
    let scope_name = self.scope().to_string();
    let shared = {
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
    };
    shared.await
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
      other => js::get(other, "keys"),
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
    if let Some(previous) = previous.as_ref().filter(|p| !p.expired(now_ms)) {
      for (kid, entry) in &previous.keys {
        let (jwk, key) = (entry.jwk.clone(), entry.key.clone());
        merged.insert(kid.clone(), ScopeKey { jwk, key });
      }
    }
    for jwk in keys {
      if jwk.is_null() {
        return Err(Failure::Unexpected(
          "Cannot read properties of null (reading 'kid')".into(),
        ));
      }
      let kid = js::to_js_string(js::get(jwk, "kid"));
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
    let keys_changed = previous.as_ref().is_some_and(|p| {
      p.keys.iter().any(|(kid, old)| {
        merged
          .get(kid)
          .is_none_or(|new| !Arc::ptr_eq(&new.key, &old.key))
      })
    });
    let scope = Arc::new(ScopeKeys {
      keys: merged,
      last_updated_ms: now_ms,
      unknown_kid_cooldown_until: AtomicU64::new(0f64.to_bits()),
    });
    scopes().insert(scope_name, scope.clone());
    if keys_changed {
      crate::jwt::token_cache::clear();
    }
    Ok(scope)
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
    match fetch_once(client, source).await {
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

async fn fetch_once(client: &reqwest::Client, source: &JwksSource<'_>) -> Result<Value, Failure> {
  let mut url = reqwest::Url::parse(source.api_url)
    .map_err(|_| Failure::Unexpected("TypeError: Invalid URL".into()))?;
  let path =
    join_paths(&[url.path(), source.api_version, "/jwks"]).map_err(|e| Failure::Unexpected(e.0))?;
  url.set_path(&path);
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
  let bytes = response
    .bytes()
    .await
    .map_err(|e| Failure::Unexpected(format!("fetch failed: {e}")))?;
  // `response.json()` fails on any non-JSON body, on error responses too.
  let body =
    crate::json::parse_body(&bytes).ok_or_else(|| Failure::Unexpected("SyntaxError".into()))?;
  if status.is_success() {
    return Ok(body);
  }
  if let Some(invalid_key) = find_error_by_code(&body, "clerk_key_invalid")? {
    let message = match js::get(invalid_key, "message") {
      None | Some(Value::Null) => String::new(),
      message => js::to_js_string(message),
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
  match js::get(body, "errors") {
    None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(None),
    Some(Value::Array(errors)) => {
      for error in errors {
        if error.is_null() {
          return Err(Failure::Unexpected(
            "Cannot read properties of null (reading 'code')".into(),
          ));
        }
        if js::get(error, "code").and_then(Value::as_str) == Some(code) {
          return Ok(Some(error));
        }
      }
      Ok(None)
    }
    Some(other) if !js::truthy(Some(other)) => Ok(None),
    Some(_) => Err(Failure::Unexpected("errors.find is not a function".into())),
  }
}
