//! Backend API calls, executed in Rust and returned as raw responses for the
//! shim to deserialize.

use crate::diagnostics::{call_events, DiagnosticEvent};
use crate::pairs;
use crate::promise::spawn_promise;
use clerk_core::backend_api::retry::{send_with_retries, RetryPolicy};
use clerk_core::backend_api::{ApiRequest, DEFAULT_MAX_RESPONSE_BYTES};
use clerk_core::events;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use std::time::Duration;

#[napi(object)]
pub struct BackendApiRequest {
  pub method: String,
  /// Built by the shim with `joinPaths` and `new URL`, exactly as the
  /// reference builds it.
  pub url: String,
  pub headers: Vec<Vec<String>>,
  /// JSON text, or the bytes of a multipart form.
  pub body: Option<Either<String, Buffer>>,
  /// Per attempt; absent or 0 for no limit.
  pub timeout_ms: Option<f64>,
  /// Opt-in retries of idempotent requests on 429/502/503/504.
  pub max_retries: Option<u32>,
  /// The longest `Retry-After` (or backoff) honoured, in ms.
  pub max_retry_delay_ms: Option<f64>,
  /// A longer answer fails; absent for the default.
  pub max_response_bytes: Option<f64>,
  /// The endpoint's path with its ids left out (`/users/:userId`), for the
  /// diagnostics channels.
  pub path_template: Option<String>,
}

#[napi(object)]
pub struct BackendApiResponse {
  pub status: u32,
  pub status_text: String,
  pub content_type: Option<String>,
  pub retry_after: Option<String>,
  pub cf_ray: Option<String>,
  pub body: String,
  /// This request's attempts, while the diagnostics channels are observed.
  pub events: Option<Vec<DiagnosticEvent>>,
}

/// Sends a Backend API request. Rejects with `fetch failed` on transport
/// errors, like Node's fetch, or with a timeout message when the caller's
/// limit elapsed.
#[napi(ts_return_type = "Promise<BackendApiResponse>")]
pub fn send_backend_api_request<'env>(
  env: &'env Env,
  request: BackendApiRequest,
) -> Result<PromiseRaw<'env, BackendApiResponse>> {
  let api_request = ApiRequest {
    method: request.method,
    url: request.url,
    headers: pairs(request.headers),
    body: request.body.map(|body| match body {
      Either::A(text) => text.into_bytes(),
      Either::B(bytes) => bytes.to_vec(),
    }),
    max_response_bytes: request
      .max_response_bytes
      .filter(|bytes| bytes.is_finite() && *bytes >= 1.0)
      .map_or(DEFAULT_MAX_RESPONSE_BYTES, |bytes| bytes as usize),
  };
  let millis = |ms: Option<f64>| {
    ms.filter(|ms| ms.is_finite() && *ms > 0.0)
      .map(|ms| Duration::from_millis(ms as u64))
  };
  let timeout = millis(request.timeout_ms);
  let policy = RetryPolicy {
    max_retries: request.max_retries.unwrap_or(0),
    max_delay: millis(request.max_retry_delay_ms).unwrap_or(Duration::ZERO),
    base_delay: Duration::from_millis(250),
  };
  let path_template = request.path_template.unwrap_or_default();
  spawn_promise(env, async move {
    let (result, recorded) = events::collect(send_with_retries(
      clerk_core::http_client::api_client(),
      &api_request,
      timeout,
      &policy,
      &path_template,
    ))
    .await;
    let response = match result {
      Ok(response) => response,
      Err(e) => {
        // A rejection carries no result: its attempts wait in the process queue.
        events::requeue(recorded);
        return Err(Error::from_reason(e.message()));
      }
    };
    Ok(BackendApiResponse {
      events: call_events(recorded),
      status: u32::from(response.status),
      status_text: response.status_text,
      content_type: response.content_type,
      retry_after: response.retry_after,
      cf_ray: response.cf_ray,
      body: response.body,
    })
  })
}

/// `joinPaths` of @clerk/backend (`clerk_core::paths`), for the shim's
/// endpoint paths: one implementation for JS and Rust. Throws the
/// reference's message when it refuses the path.
#[napi(catch_unwind)]
pub fn join_paths(parts: Vec<String>) -> Result<String> {
  let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
  clerk_core::paths::join_paths(&parts).map_err(|error| Error::from_reason(error.0))
}
