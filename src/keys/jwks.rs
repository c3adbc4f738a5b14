//! Remote JWKS from the Backend API (`GET {apiUrl}/{apiVersion}/jwks`), cached
//! per (apiUrl, apiVersion, secretKey) with the reference's rules: 300 s since
//! the last fetch, refetch on an unknown kid, fetched keys merged in, up to 5
//! attempts with exponential backoff. A warm lookup is synchronous.

use super::PublicKey;
use crate::constants::{BACKEND_USER_AGENT, CLERK_API_VERSION, JWKS_CACHE_TTL_MS};
use crate::errors::{action, reason, Failure, TokenError};
use crate::js;
use crate::paths::join_paths;
use moka::sync::Cache;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The keys of one cache scope, replaced as a whole on every fetch.
struct ScopeKeys {
  keys: HashMap<String, Arc<PublicKey>>,
  last_updated_ms: f64,
}

impl ScopeKeys {
  fn expired(&self, now_ms: f64) -> bool {
    now_ms - self.last_updated_ms >= JWKS_CACHE_TTL_MS
  }
}

fn scopes() -> &'static Cache<String, Arc<ScopeKeys>> {
  static CACHE: OnceLock<Cache<String, Arc<ScopeKeys>>> = OnceLock::new();
  CACHE.get_or_init(|| {
    Cache::builder()
      .max_capacity(1024)
      .time_to_live(Duration::from_millis(JWKS_CACHE_TTL_MS as u64))
      .build()
  })
}

/// Where the keys come from and which one is wanted.
pub struct JwksSource<'a> {
  pub api_url: &'a str,
  pub api_version: &'a str,
  pub secret_key: &'a str,
  pub skip_cache: bool,
}

impl JwksSource<'_> {
  fn scope(&self) -> String {
    format!("{}|{}|{}", self.api_url, self.api_version, self.secret_key)
  }

  /// The key for `kid` if the cache can answer without a fetch.
  pub fn cached(&self, kid: &str, now_ms: f64) -> Option<Arc<PublicKey>> {
    if self.skip_cache {
      return None;
    }
    let scope = scopes().get(&self.scope())?;
    if scope.expired(now_ms) {
      return None;
    }
    scope.keys.get(kid).cloned()
  }

  /// Fetches the JWKS (with retries), merges it into the cache and returns
  /// the key for `kid`, or the reference's error.
  pub async fn fetch(
    &self,
    client: &reqwest::Client,
    kid: &str,
  ) -> Result<Arc<PublicKey>, Failure> {
    let body = fetch_with_retries(client, self).await?;
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
    let scope_name = self.scope();
    let mut merged = match scopes().get(&scope_name) {
      Some(previous) if !previous.expired(now_ms) => previous.keys.clone(),
      _ => HashMap::new(),
    };
    for jwk in keys {
      if jwk.is_null() {
        return Err(Failure::Unexpected(
          "Cannot read properties of null (reading 'kid')".into(),
        ));
      }
      merged.insert(
        js::to_js_string(js::get(jwk, "kid")),
        Arc::new(PublicKey::from_jwk(jwk)),
      );
    }
    let found = merged.get(kid).cloned();
    scopes().insert(
      scope_name,
      Arc::new(ScopeKeys {
        keys: merged,
        last_updated_ms: now_ms,
      }),
    );
    found.ok_or_else(|| {
      TokenError::new(
        reason::JWK_KID_MISMATCH,
        format!(
          "Unable to find a signing key in JWKS that matches the kid='{kid}' of the provided session token. Please make sure that the __session cookie or the HTTP authorization header contain a Clerk-generated session JWT."
        ),
      )
      .with_action(action::KID_MISMATCH)
      .into()
    })
  }
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
