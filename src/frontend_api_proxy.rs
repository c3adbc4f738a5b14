//! `frontendApiProxy` forwarding, for the shim.

use crate::pairs;
use crate::promise::spawn_promise;
use clerk_core::frontend_api_proxy::{self, ProxyRequest, DEFAULT_MAX_BODY_BYTES};
use napi::bindgen_prelude::*;
use napi_derive::napi;

#[napi(object)]
pub struct FrontendApiProxyRequest {
  pub method: String,
  pub url: String,
  pub headers: Vec<Vec<String>>,
  pub body: Option<Buffer>,
  pub proxy_path: String,
  pub publishable_key: Option<String>,
  pub secret_key: Option<String>,
  pub fapi_url: Option<String>,
  /// Answers longer than this are a 502; absent for the default.
  pub max_body_bytes: Option<f64>,
}

#[napi(object)]
pub struct FrontendApiProxyResponse {
  pub status: u32,
  /// `[name, value]` pairs; `set-cookie` may repeat.
  pub headers: Vec<Vec<String>>,
  pub body: Buffer,
}

/// Forwards a request to the Frontend API; configuration and network
/// problems are JSON error responses, as in the reference.
#[napi(ts_return_type = "Promise<FrontendApiProxyResponse>")]
pub fn proxy_frontend_api(
  env: &Env,
  request: FrontendApiProxyRequest,
) -> Result<PromiseRaw<'_, FrontendApiProxyResponse>> {
  let request = ProxyRequest {
    method: request.method,
    url: request.url,
    headers: pairs(request.headers),
    body: request.body.map(|b| b.to_vec()),
    proxy_path: request.proxy_path,
    publishable_key: request.publishable_key,
    secret_key: request.secret_key,
    fapi_url: request.fapi_url,
    max_body_bytes: request
      .max_body_bytes
      .filter(|bytes| bytes.is_finite() && *bytes >= 1.0)
      .map_or(DEFAULT_MAX_BODY_BYTES, |bytes| bytes as usize),
  };
  spawn_promise(env, async move {
    let response =
      frontend_api_proxy::forward(clerk_core::http_client::proxy_client(), request).await;
    Ok(FrontendApiProxyResponse {
      status: u32::from(response.status),
      headers: response
        .headers
        .into_iter()
        .map(|(n, v)| vec![n, v])
        .collect(),
      body: response.body.into(),
    })
  })
}
