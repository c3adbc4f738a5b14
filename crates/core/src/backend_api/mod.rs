//! The Backend API transport: URL building exactly as @clerk/backend's
//! `buildRequest` does (`joinPaths`, `new URL`, `searchParams.append`), and the
//! HTTP exchange (with opt-in retries, see `retry`). Shaping parameters and
//! deserializing resources is the JS shim's job, because the results are JS
//! class instances.

pub mod retry;

use crate::http_client::BodyError;
use crate::paths::join_paths;
use std::time::Duration;

pub struct ApiRequest {
  pub method: String,
  pub url: String,
  pub headers: Vec<(String, String)>,
  /// JSON text, or the bytes of a multipart form.
  pub body: Option<Vec<u8>>,
  /// A longer answer fails (`TransportError::TooLarge`) without being read
  /// further.
  pub max_response_bytes: usize,
}

/// The default `maxResponseBytes` of a Backend API client: far above any
/// answer Clerk gives (a page of 500 users is a few MB), low enough that a
/// broken or hostile answer cannot exhaust the server's memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The limit of the calls made while authenticating a request (handshake
/// payload, session refresh, machine token verification), whose answers are
/// a few kilobytes.
pub const AUTH_RESPONSE_LIMIT: usize = 1024 * 1024;

/// Why no response came back. Both surface as `unexpected_error` in JS, like
/// a rejected `fetch`.
#[derive(Debug, PartialEq, Eq)]
pub enum TransportError {
  /// Connection refused or reset, DNS, TLS: `fetch failed`.
  Failed,
  /// The connection broke while the body was read: Node's fetch then says
  /// `terminated`.
  Terminated,
  /// The caller's timeout elapsed first.
  TimedOut(Duration),
  /// The answer was longer than the request's `max_response_bytes`.
  TooLarge(usize),
}

impl TransportError {
  /// A short name of what went wrong, for the diagnostics channels.
  pub fn kind(&self) -> &'static str {
    match self {
      TransportError::Failed => "connection",
      TransportError::Terminated => "terminated",
      TransportError::TimedOut(_) => "timeout",
      TransportError::TooLarge(_) => "too-large",
    }
  }

  pub fn message(&self) -> String {
    match self {
      TransportError::Failed => "fetch failed".to_string(),
      TransportError::Terminated => "terminated".to_string(),
      TransportError::TimedOut(limit) => format!(
        "The Clerk Backend API did not answer within {} ms",
        limit.as_millis()
      ),
      TransportError::TooLarge(limit) => {
        format!("The Clerk Backend API answered with more than {limit} bytes")
      }
    }
  }
}

#[derive(Debug)]
pub struct ApiResponse {
  pub status: u16,
  pub status_text: String,
  pub content_type: Option<String>,
  pub retry_after: Option<String>,
  pub cf_ray: Option<String>,
  pub body: String,
}

/// The headers of a Backend API call: API version, User-Agent, the secret key
/// and (on every non-form request) a JSON content type.
pub fn default_headers(user_agent: &str, secret_key: &str) -> Vec<(String, String)> {
  vec![
    (
      "Clerk-API-Version".into(),
      crate::constants::CLERK_API_VERSION.into(),
    ),
    ("User-Agent".into(), user_agent.into()),
    ("Authorization".into(), format!("Bearer {secret_key}")),
    ("Content-Type".into(), "application/json".into()),
  ]
}

/// `new URL(joinPaths(apiUrl, [apiVersion], path))` plus the query pairs,
/// appended with `URLSearchParams` encoding. `Err` carries the message of the
/// exception the reference would throw.
pub fn build_url(
  api_url: &str,
  api_version: Option<&str>,
  path: &str,
  query: &[(String, String)],
) -> Result<String, String> {
  let joined = match api_version {
    Some(version) => join_paths(&[api_url, version, path]),
    None => join_paths(&[api_url, path]),
  }
  .map_err(|e| e.0)?;
  let mut url = reqwest::Url::parse(&joined).map_err(|_| "Invalid URL".to_string())?;
  if !query.is_empty() {
    let mut pairs = url.query_pairs_mut();
    for (key, value) in query {
      pairs.append_pair(key, value);
    }
  }
  Ok(url.to_string())
}

/// Sends the request once, recording the attempt for the diagnostics
/// channels under `path_template` (its path with the ids left out).
pub async fn send(
  client: &reqwest::Client,
  request: &ApiRequest,
  timeout: Option<Duration>,
  path_template: &str,
) -> Result<ApiResponse, TransportError> {
  let started = crate::events::Started::now();
  let result = send_unrecorded(client, request, timeout).await;
  record_attempt(request, path_template, 1, &result, &started, None);
  result
}

/// The attempt's event (see `crate::events`): status or error, duration,
/// and the wait before the next attempt if one follows.
pub(crate) fn record_attempt(
  request: &ApiRequest,
  path_template: &str,
  attempt: u32,
  result: &Result<ApiResponse, TransportError>,
  started: &crate::events::Started,
  retry_delay: Option<Duration>,
) {
  crate::events::record(|| crate::events::Event::BackendApiAttempt {
    origin: reqwest::Url::parse(&request.url)
      .map(|url| url.origin().ascii_serialization())
      .unwrap_or_default(),
    method: request.method.clone(),
    path: path_template.to_string(),
    attempt,
    started_at: started.at_ms,
    status: result.as_ref().ok().map(|response| response.status),
    duration_ms: started.elapsed_ms(),
    retry_delay_ms: retry_delay.map(|delay| delay.as_secs_f64() * 1000.0),
    trace_id: result.as_ref().ok().and_then(trace_id_of),
    error_type: result.as_ref().err().map(TransportError::kind),
    error: result.as_ref().err().map(TransportError::message),
  });
}

/// `clerk_trace_id` of an error answer's body, else `cf-ray`, as the
/// reference's `clerkTraceId`.
fn trace_id_of(response: &ApiResponse) -> Option<String> {
  let from_body = (response.status >= 400)
    .then(|| serde_json::from_str::<serde_json::Value>(&response.body).ok())
    .flatten()
    .and_then(|body| body.get("clerk_trace_id")?.as_str().map(str::to_string));
  from_body.or_else(|| response.cf_ray.clone())
}

/// Sends the request once.
pub(crate) async fn send_unrecorded(
  client: &reqwest::Client,
  request: &ApiRequest,
  timeout: Option<Duration>,
) -> Result<ApiResponse, TransportError> {
  let exchange = exchange(client, request);
  match timeout {
    // One deadline for the headers and the body together: a server that
    // trickles its body must not hold the caller longer than asked.
    Some(limit) => tokio::time::timeout(limit, exchange)
      .await
      .unwrap_or(Err(TransportError::TimedOut(limit))),
    None => exchange.await,
  }
}

async fn exchange(
  client: &reqwest::Client,
  request: &ApiRequest,
) -> Result<ApiResponse, TransportError> {
  let method =
    reqwest::Method::from_bytes(request.method.as_bytes()).map_err(|_| TransportError::Failed)?;
  let mut builder = client.request(method, &request.url);
  for (name, value) in &request.headers {
    builder = builder.header(name.as_str(), value.as_str());
  }
  if let Some(body) = &request.body {
    builder = builder.body(body.clone());
  }
  let response = builder.send().await.map_err(|_| TransportError::Failed)?;
  let header = |name: &str| {
    response
      .headers()
      .get(name)
      .and_then(|v| v.to_str().ok())
      .map(str::to_string)
  };
  let status = response.status();
  // HTTP/2 has no reason phrase, so Node's fetch reports an empty statusText.
  let status_text = if response.version() == reqwest::Version::HTTP_2 {
    String::new()
  } else {
    status.canonical_reason().unwrap_or_default().to_string()
  };
  let content_type = header("content-type");
  let retry_after = header("retry-after");
  let cf_ray = header("cf-ray");
  let limit = request.max_response_bytes;
  let bytes = crate::http_client::read_body(response, limit)
    .await
    .map_err(|error| match error {
      BodyError::TooLarge => TransportError::TooLarge(limit),
      BodyError::Read => TransportError::Terminated,
    })?;
  Ok(ApiResponse {
    status: status.as_u16(),
    status_text,
    content_type,
    retry_after,
    cf_ray,
    body: crate::json::decode_text(&bytes),
  })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn builds_urls_like_the_reference() {
    let query = vec![
      ("email_address".to_string(), "a@b.com".to_string()),
      ("q".to_string(), "x y".to_string()),
    ];
    assert_eq!(
      build_url("https://api.clerk.com", Some("v1"), "/users", &query).unwrap(),
      "https://api.clerk.com/v1/users?email_address=a%40b.com&q=x+y"
    );
    assert_eq!(
      build_url("http://127.0.0.1:9/", Some("v1"), "/users/a?b", &[]).unwrap(),
      "http://127.0.0.1:9/v1/users/a?b"
    );
    assert_eq!(
      build_url("https://api.clerk.com", None, "/api_keys/verify", &[]).unwrap(),
      "https://api.clerk.com/api_keys/verify"
    );
    assert!(
      build_url("https://api.clerk.com", Some("v1"), "/users/..", &[])
        .unwrap_err()
        .starts_with("joinPaths:")
    );
  }
}
