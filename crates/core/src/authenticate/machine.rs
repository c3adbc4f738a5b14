//! Machine tokens (`verifyMachineAuthToken`): opaque API keys, M2M and OAuth
//! tokens are verified by the Backend API (paths without `/v1`); their JWT
//! forms locally, against the JWKS or the PEM key. Failures carry the
//! reference's codes and `<message> (code=…, status=…)` messages.

use super::Outcome;
use crate::backend_api::{self, ApiRequest};
use crate::errors::Failure;
use crate::js_semantics;
use crate::jwt::assertions;
use crate::jwt::decode;
use crate::jwt::verify::{self, VerifyOptions};
use moka::sync::Cache;
use serde_json::Value;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const API_KEY: &str = "api_key";
pub const M2M_TOKEN: &str = "m2m_token";
pub const OAUTH_TOKEN: &str = "oauth_token";
const M2M_CATEGORY: &str = "cl_B7d4PD333AAA";
const OAUTH_TYPES: [&str; 2] = ["at+jwt", "application/at+jwt"];

/// Keys and identity for the Backend API calls: built, as in the reference,
/// from the request's context (its User-Agent header, if any).
pub struct MachineContext<'a> {
  pub secret_key: &'a str,
  pub machine_secret_key: Option<&'a str>,
  pub user_agent: &'a str,
}

fn failed(token_type: &'static str, code: &str, message: &str, status: Option<u16>) -> Outcome {
  let status = status
    .map(|s| s.to_string())
    .unwrap_or_else(|| "n/a".into());
  Outcome::SignedOut {
    token_type,
    reason: code.into(),
    message: format!("{message} (code={code}, status={status})"),
    notices: Vec::new(),
  }
}

fn verified(token_type: &'static str, token: &str, data: Value, from_jwt: bool) -> Outcome {
  Outcome::SignedInMachine {
    token_type,
    token: token.into(),
    data_text: data.to_string(),
    from_jwt,
  }
}

/// Opt-in (`machineTokenCacheTtlMs`): successful opaque verifications are
/// reused for that long, so an API key used on every request does not cost a
/// Backend API call each time. A revoked key keeps working until its entry
/// expires: that is the trade-off users opt into.
fn verification_cache() -> &'static Cache<String, Arc<(String, f64)>> {
  static CACHE: OnceLock<Cache<String, Arc<(String, f64)>>> = OnceLock::new();
  CACHE.get_or_init(|| {
    Cache::builder()
      .max_capacity(10_000)
      .time_to_live(Duration::from_secs(3600))
      .eviction_listener(|_, _, cause| {
        crate::jwt::token_cache::record_eviction("machine-token", cause)
      })
      .build()
  })
}

fn cache_key(token: &str, token_type: &str, options: &VerifyOptions) -> String {
  let secret = options.secret_key.as_deref().unwrap_or_default();
  let machine_secret = options.machine_secret_key.as_deref().unwrap_or_default();
  let audience = options.audience.join("\u{1}");
  format!(
    "{}\u{0}{secret}\u{0}{machine_secret}\u{0}{audience}\u{0}{token_type}\u{0}{token}",
    options.api_url
  )
}

/// A cached verification of an opaque token, when caching is on and fresh.
pub fn cached(
  token: &str,
  token_type: &'static str,
  options: &VerifyOptions,
  now_ms: f64,
) -> Option<Outcome> {
  let ttl = options.machine_token_cache_ttl_ms.filter(|t| *t > 0.0)?;
  if is_jwt_format(token) {
    return None;
  }
  let entry = verification_cache().get(&cache_key(token, token_type, options))?;
  let (data_text, verified_at) = entry.as_ref();
  let fresh = now_ms - verified_at < ttl;
  if fresh {
    crate::events::cache("machine-token", "hit", None);
  }
  fresh.then(|| Outcome::SignedInMachine {
    token_type,
    token: token.into(),
    data_text: data_text.clone(),
    from_jwt: false,
  })
}

pub async fn authenticate(
  client: &reqwest::Client,
  token: &str,
  token_type: &'static str,
  options: &VerifyOptions,
  context: &MachineContext<'_>,
) -> Outcome {
  if is_jwt_format(token) {
    return authenticate_jwt(client, token, options).await;
  }
  if let Some(hit) = cached(token, token_type, options, crate::clock::now_ms()) {
    return hit;
  }
  let caching = options.machine_token_cache_ttl_ms.is_some_and(|t| t > 0.0);
  if caching {
    crate::events::cache("machine-token", "miss", None);
  }
  let outcome = authenticate_opaque(client, token, token_type, options, context).await;
  if let Outcome::SignedInMachine { data_text, .. } = &outcome {
    if caching {
      let entry = Arc::new((data_text.clone(), crate::clock::now_ms()));
      verification_cache().insert(cache_key(token, token_type, options), entry);
    }
  }
  outcome
}

async fn authenticate_opaque(
  client: &reqwest::Client,
  token: &str,
  token_type: &'static str,
  options: &VerifyOptions,
  context: &MachineContext<'_>,
) -> Outcome {
  let (path, field, not_found, secret) = match token_type {
    API_KEY => (
      "/api_keys/verify",
      "secret",
      "API key not found",
      context.secret_key,
    ),
    M2M_TOKEN => (
      "/m2m_tokens/verify",
      "token",
      "Machine token not found",
      context
        .machine_secret_key
        .filter(|k| !k.is_empty())
        .unwrap_or(context.secret_key),
    ),
    _ => (
      "/oauth_applications/access_tokens/verify",
      "access_token",
      "OAuth token not found",
      context.secret_key,
    ),
  };
  let body = serde_json::json!({ field: token }).to_string();
  let unexpected = || failed(token_type, "unexpected-error", "Unexpected error", None);
  let Ok(url) = backend_api::build_url(&options.api_url, None, path, &[]) else {
    return unexpected();
  };
  let request = ApiRequest {
    method: "POST".into(),
    url,
    headers: backend_api::default_headers(context.user_agent, secret),
    body: Some(body.into_bytes()),
    max_response_bytes: backend_api::AUTH_RESPONSE_LIMIT,
  };
  let Ok(response) = backend_api::send(client, &request, None, path).await else {
    return unexpected();
  };
  let is_json = response.content_type.as_deref() == Some("application/json");
  let parsed: Option<Value> = if is_json {
    serde_json::from_str(&response.body).ok()
  } else {
    None
  };
  if !(200..300).contains(&response.status) {
    return match response.status {
      401 => {
        let first = parsed
          .as_ref()
          .and_then(|b| js_semantics::get(b, "errors"))
          .and_then(Value::as_array)
          .and_then(|e| e.first())
          .and_then(|e| js_semantics::get(e, "message"))
          .filter(|m| js_semantics::truthy(Some(m)))
          .map(|m| js_semantics::to_js_string(Some(m)))
          .unwrap_or_else(|| "Invalid secret key".into());
        failed(token_type, "secret-key-invalid", &first, Some(401))
      }
      404 => failed(token_type, "token-invalid", not_found, Some(404)),
      status => failed(
        token_type,
        "unexpected-error",
        "Unexpected error",
        Some(status),
      ),
    };
  }
  let Some(data) = parsed.filter(Value::is_object) else {
    return unexpected();
  };
  if token_type == OAUTH_TOKEN {
    if let Err(message) =
      assertions::oauth_audience(js_semantics::get(&data, "aud"), &options.audience)
    {
      return failed(OAUTH_TOKEN, "token-verification-failed", &message, None);
    }
  }
  verified(token_type, token, data, false)
}

async fn authenticate_jwt(
  client: &reqwest::Client,
  token: &str,
  options: &VerifyOptions,
) -> Outcome {
  let decoded = match decode(token) {
    Ok(decoded) => decoded,
    Err(err) => return failed(M2M_TOKEN, "token-invalid", &err.message, None),
  };
  let sub = js_semantics::get(&decoded.payload, "sub").and_then(Value::as_str);
  if sub.is_some_and(|s| s.starts_with("mch_")) {
    if let Some(cat) = js_semantics::get(&decoded.header, "cat") {
      if cat.as_str() != Some(M2M_CATEGORY) {
        return failed(
          M2M_TOKEN,
          "token-invalid",
          "Invalid M2M JWT category.",
          None,
        );
      }
    }
    let m2m_options = VerifyOptions {
      authorized_parties: vec![],
      issuer: vec![],
      header_type: None,
      ..options.clone()
    };
    return match verify::verify_decoded(client, &decoded, &m2m_options).await {
      Ok(verified) => self::verified(M2M_TOKEN, token, verified.payload, true),
      Err(failure) => failed(
        M2M_TOKEN,
        "token-verification-failed",
        &failure_message(failure),
        None,
      ),
    };
  }
  let typ = js_semantics::get(&decoded.header, "typ").and_then(Value::as_str);
  if typ.is_some_and(|t| OAUTH_TYPES.contains(&t)) {
    let oauth_options = VerifyOptions {
      audience: vec![],
      authorized_parties: vec![],
      issuer: vec![],
      header_type: Some(OAUTH_TYPES.iter().map(|t| t.to_string()).collect()),
      ..options.clone()
    };
    return match verify::verify_decoded(client, &decoded, &oauth_options).await {
      Err(failure) => failed(
        OAUTH_TOKEN,
        "token-verification-failed",
        &failure_message(failure),
        None,
      ),
      Ok(verified) => {
        match assertions::oauth_audience(
          js_semantics::get(&verified.payload, "aud"),
          &options.audience,
        ) {
          Err(message) => failed(OAUTH_TOKEN, "token-verification-failed", &message, None),
          Ok(()) => self::verified(OAUTH_TOKEN, token, verified.payload, true),
        }
      }
    };
  }
  // `typ ?? "missing"`: null counts as missing too.
  let shown = js_semantics::get(&decoded.header, "typ")
    .filter(|t| !t.is_null())
    .map(|t| js_semantics::to_js_string(Some(t)))
    .unwrap_or_else(|| "missing".into());
  failed(
    OAUTH_TOKEN,
    "token-verification-failed",
    &format!("Invalid JWT type: {shown}. Expected one of: at+jwt, application/at+jwt for OAuth, or sub starting with 'mch_' for M2M"),
    None,
  )
}

fn failure_message(failure: Failure) -> String {
  match failure {
    Failure::Token(err) => err.message,
    Failure::Unexpected(message) | Failure::Fatal(message) => message,
  }
}

fn is_jwt_format(token: &str) -> bool {
  let parts: Vec<&str> = token.split('.').collect();
  parts.len() == 3
    && parts.iter().all(|p| {
      !p.is_empty()
        && p
          .bytes()
          .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
