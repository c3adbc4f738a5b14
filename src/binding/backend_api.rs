//! Backend API calls, executed in Rust and returned as raw responses for the
//! shim to deserialize.

use super::{http, pairs, panic};
use crate::backend_api::{self, ApiRequest};
use napi::bindgen_prelude::*;
use napi_derive::napi;

#[napi(object)]
pub struct BackendApiRequest {
  pub method: String,
  pub api_url: String,
  /// Absent for endpoints without the version segment (`skipApiVersionInUrl`).
  pub api_version: Option<String>,
  pub path: String,
  /// Already snake_cased and filtered; repeated keys for arrays.
  pub query: Vec<Vec<String>>,
  pub headers: Vec<Vec<String>>,
  pub body: Option<String>,
  pub timeout_ms: Option<f64>,
}

#[napi(object)]
pub struct BackendApiResponse {
  pub status: u32,
  pub status_text: String,
  pub content_type: Option<String>,
  pub retry_after: Option<String>,
  pub cf_ray: Option<String>,
  pub body: String,
}

/// Builds the URL the way the reference does; throws its error (dot segments,
/// invalid URL) synchronously.
#[napi(catch_unwind)]
pub fn build_backend_api_url(
  api_url: String,
  api_version: Option<String>,
  path: String,
  query: Vec<Vec<String>>,
) -> Result<String> {
  backend_api::build_url(&api_url, api_version.as_deref(), &path, &pairs(query))
    .map_err(Error::from_reason)
}

/// Sends a Backend API request. Rejects with `fetch failed` on transport
/// errors, like Node's fetch, or with the URL error.
#[napi(ts_return_type = "Promise<BackendApiResponse>")]
pub fn send_backend_api_request<'env>(
  env: &'env Env,
  request: BackendApiRequest,
) -> Result<PromiseRaw<'env, BackendApiResponse>> {
  let url = backend_api::build_url(
    &request.api_url,
    request.api_version.as_deref(),
    &request.path,
    &pairs(request.query),
  )
  .map_err(Error::from_reason)?;
  let api_request = ApiRequest {
    method: request.method,
    url,
    headers: pairs(request.headers),
    body: request.body,
  };
  let timeout = request
    .timeout_ms
    .filter(|t| *t > 0.0)
    .map(|t| std::time::Duration::from_millis(t as u64));
  env.spawn_future(async move {
    let response = panic::catch_async(backend_api::send(http::client(), api_request, timeout))
      .await?
      .map_err(Error::from_reason)?;
    Ok(BackendApiResponse {
      status: u32::from(response.status),
      status_text: response.status_text,
      content_type: response.content_type,
      retry_after: response.retry_after,
      cf_ray: response.cf_ray,
      body: response.body,
    })
  })
}

/// `joinPaths` for endpoint paths; throws the reference's dot-segment error.
#[napi(catch_unwind)]
pub fn join_paths(parts: Vec<String>) -> Result<String> {
  let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
  crate::paths::join_paths(&parts).map_err(|e| Error::from_reason(e.0))
}
