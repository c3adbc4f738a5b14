//! `clerkFrontendApiProxy`: requests under the proxy path (default
//! `/__clerk`) are forwarded to Clerk's Frontend API without authentication,
//! with the reference's outbound headers, hop-by-hop filtering, error
//! responses and `Location` rewriting. Unlike the reference behind Express,
//! every upstream `Set-Cookie` is kept.

use crate::config;
use crate::http_client::BodyError;
use std::collections::HashSet;

const HOP_BY_HOP: [&str; 8] = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];
const LEGACY_DEV_SUFFIXES: [&str; 3] = [".lcl.dev", ".lclstage.dev", ".lclclerk.com"];
const LOCAL_SUFFIXES: [&str; 4] = [
  ".lcl.dev",
  "lclstage.dev",
  ".lclclerk.com",
  ".accounts.lclclerk.com",
];
const STAGING_SUFFIXES: [&str; 1] = [".accountsstage.dev"];
const PROD_FAPI_URL: &str = "https://frontend-api.clerk.dev";
const LOCAL_FAPI_URL: &str = "https://frontend-api.lclclerk.com";
const STAGING_FAPI_URL: &str = "https://frontend-api.clerkstage.dev";

pub struct ProxyRequest {
  pub method: String,
  /// The request URL as the shim rebuilt it (`protocol://host/originalUrl`).
  pub url: String,
  /// Request headers (lower-case names); arrays already joined with ", ".
  pub headers: Vec<(String, String)>,
  pub body: Option<Vec<u8>>,
  pub proxy_path: String,
  pub publishable_key: Option<String>,
  pub secret_key: Option<String>,
  /// `CLERK_FAPI_URL`, if set.
  pub fapi_url: Option<String>,
  /// A longer answer is a 502: answers are buffered, and this bounds them.
  pub max_body_bytes: usize,
}

/// The default `frontendApiProxy.maxBodyBytes`: above the largest Frontend
/// API answer (the clerk-js bundle, a few MB) and request (an image upload).
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

#[derive(Debug)]
pub struct ProxyResponse {
  pub status: u16,
  pub headers: Vec<(String, String)>,
  pub body: Vec<u8>,
}

fn error_response(code: &str, message: &str, status: u16) -> ProxyResponse {
  let body = serde_json::json!({"errors": [{"code": code, "message": message}]}).to_string();
  ProxyResponse {
    status,
    headers: vec![
      ("cache-control".into(), "no-store".into()),
      ("content-type".into(), "application/json".into()),
    ],
    body: body.into_bytes(),
  }
}

/// `fapiUrlFromPublishableKey`.
fn fapi_url_from_publishable_key(publishable_key: &str) -> &'static str {
  let frontend_api = config::parse_publishable_key(publishable_key)
    .map(|pk| pk.frontend_api)
    .unwrap_or_default();
  if frontend_api.starts_with("clerk.")
    && LEGACY_DEV_SUFFIXES
      .iter()
      .any(|s| frontend_api.ends_with(s))
  {
    return PROD_FAPI_URL;
  }
  if LOCAL_SUFFIXES.iter().any(|s| frontend_api.ends_with(s)) {
    return LOCAL_FAPI_URL;
  }
  if STAGING_SUFFIXES.iter().any(|s| frontend_api.ends_with(s)) {
    return STAGING_FAPI_URL;
  }
  PROD_FAPI_URL
}

fn normalize_fapi_url(fapi_url: &str) -> Result<String, String> {
  let url = reqwest::Url::parse(fapi_url).map_err(|_| "Invalid URL".to_string())?;
  if url.scheme() != "http" && url.scheme() != "https" {
    return Err("FAPI URL must use http or https".into());
  }
  if !url.username().is_empty()
    || url.password().is_some()
    || url.query().is_some()
    || url.fragment().is_some()
  {
    return Err("FAPI URL must not include credentials, a query string, or a hash".into());
  }
  Ok(url.to_string().trim_end_matches('/').to_string())
}

/// Names listed in a `Connection` header are hop-by-hop too.
fn dynamic_hop_by_hop(headers: &[(String, String)]) -> HashSet<String> {
  headers
    .iter()
    .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
    .flat_map(|(_, value)| {
      value
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect::<Vec<_>>()
    })
    .collect()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
  headers
    .iter()
    .find(|(n, _)| n.eq_ignore_ascii_case(name))
    .map(|(_, v)| v.as_str())
    .filter(|v| !v.is_empty())
}

fn host_with_port(url: &reqwest::Url) -> String {
  match (url.host_str(), url.port()) {
    (Some(host), Some(port)) => format!("{host}:{port}"),
    (Some(host), None) => host.to_string(),
    _ => String::new(),
  }
}

pub async fn forward(client: &reqwest::Client, request: ProxyRequest) -> ProxyResponse {
  let proxy_path = request.proxy_path.trim_end_matches('/').to_string();
  let Some(publishable_key) = request.publishable_key.filter(|k| !k.is_empty()) else {
    return error_response(
      "proxy_configuration_error",
      "Missing publishableKey. Provide it in options or set CLERK_PUBLISHABLE_KEY environment variable.",
      500,
    );
  };
  let Some(secret_key) = request.secret_key.filter(|k| !k.is_empty()) else {
    return error_response(
      "proxy_configuration_error",
      "Missing secretKey. Provide it in options or set CLERK_SECRET_KEY environment variable.",
      500,
    );
  };
  let Ok(request_url) = reqwest::Url::parse(&request.url) else {
    return error_response(
      "proxy_request_failed",
      "Failed to proxy request to Clerk FAPI: Invalid URL",
      502,
    );
  };
  let pathname = request_url.path();
  if pathname != proxy_path && !pathname.starts_with(&format!("{proxy_path}/")) {
    let message = format!("Request path \"{pathname}\" does not match proxy path \"{proxy_path}\"");
    return error_response("proxy_path_mismatch", &message, 400);
  }
  let fapi_source = request
    .fapi_url
    .filter(|u| !u.is_empty())
    .unwrap_or_else(|| fapi_url_from_publishable_key(&publishable_key).to_string());
  let fapi_base = match normalize_fapi_url(&fapi_source) {
    Ok(base) => base,
    Err(message) => return error_response("proxy_configuration_error", &message, 500),
  };
  let fapi_url = reqwest::Url::parse(&fapi_base).expect("normalized above");
  let fapi_host = host_with_port(&fapi_url);
  let target_path = match &pathname[proxy_path.len()..] {
    "" => "/",
    rest => rest,
  };
  let Ok(mut target) = reqwest::Url::parse(&format!("{fapi_base}{target_path}")) else {
    return error_response(
      "proxy_request_failed",
      "Resolved target does not match the expected host",
      400,
    );
  };
  target.set_query(request_url.query());
  if host_with_port(&target) != fapi_host {
    return error_response(
      "proxy_request_failed",
      "Resolved target does not match the expected host",
      400,
    );
  }

  let dynamic = dynamic_hop_by_hop(&request.headers);
  let mut outbound: Vec<(String, String)> = request
    .headers
    .iter()
    .filter(|(name, _)| {
      let lower = name.to_ascii_lowercase();
      !HOP_BY_HOP.contains(&lower.as_str()) && !dynamic.contains(&lower) && lower != "host"
    })
    .cloned()
    .collect();
  let set = |headers: &mut Vec<(String, String)>, name: &str, value: String| {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value));
  };
  let forwarded_proto = header(&request.headers, "x-forwarded-proto")
    .and_then(|v| v.split(',').next())
    .map(str::trim);
  let forwarded_host = header(&request.headers, "x-forwarded-host")
    .and_then(|v| v.split(',').next())
    .map(str::trim);
  let public_origin = match (forwarded_proto, forwarded_host) {
    (Some(proto), Some(host)) if !proto.is_empty() && !host.is_empty() => {
      format!("{proto}://{host}")
    }
    _ => request_url.origin().ascii_serialization(),
  };
  let proxy_url = format!("{public_origin}{proxy_path}");
  set(&mut outbound, "clerk-proxy-url", proxy_url.clone());
  set(&mut outbound, "clerk-secret-key", secret_key);
  set(&mut outbound, "accept-encoding", "identity".into());
  if header(&outbound, "x-forwarded-host").is_none() {
    set(
      &mut outbound,
      "x-forwarded-host",
      host_with_port(&request_url),
    );
  }
  if header(&outbound, "x-forwarded-proto").is_none() {
    set(
      &mut outbound,
      "x-forwarded-proto",
      request_url.scheme().to_string(),
    );
  }
  let client_ip = header(&request.headers, "cf-connecting-ip")
    .or_else(|| header(&request.headers, "x-real-ip"))
    .map(str::to_string)
    .or_else(|| {
      header(&request.headers, "x-forwarded-for")
        .map(|v| v.split(',').next().unwrap_or_default().trim().to_string())
    });
  if let Some(ip) = client_ip {
    set(&mut outbound, "x-forwarded-for", ip);
  }

  let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
    return error_response(
      "proxy_request_failed",
      "Failed to proxy request to Clerk FAPI: invalid method",
      502,
    );
  };
  let mut builder = client.request(method, target);
  for (name, value) in &outbound {
    builder = builder.header(name.as_str(), value.as_str());
  }
  if let Some(body) = request.body {
    builder = builder.body(body);
  }
  let response = match builder.send().await {
    Ok(response) => response,
    Err(_) => {
      return error_response(
        "proxy_request_failed",
        "Failed to proxy request to Clerk FAPI: fetch failed",
        502,
      )
    }
  };
  let status = response.status().as_u16();
  let upstream: Vec<(String, String)> = response
    .headers()
    .iter()
    .filter_map(|(name, value)| {
      value
        .to_str()
        .ok()
        .map(|v| (name.as_str().to_string(), v.to_string()))
    })
    .collect();
  let body = match crate::http_client::read_body(response, request.max_body_bytes).await {
    Ok(bytes) => bytes,
    Err(BodyError::Read) => {
      return error_response(
        "proxy_request_failed",
        "Failed to proxy request to Clerk FAPI: fetch failed",
        502,
      )
    }
    Err(BodyError::TooLarge) => {
      let limit = request.max_body_bytes;
      return error_response(
        "proxy_request_failed",
        &format!("Failed to proxy request to Clerk FAPI: the answer is longer than {limit} bytes"),
        502,
      );
    }
  };
  let dynamic = dynamic_hop_by_hop(&upstream);
  let mut headers: Vec<(String, String)> = Vec::new();
  for (name, value) in upstream {
    if HOP_BY_HOP.contains(&name.as_str())
      || name == "content-encoding"
      || name == "content-length"
      || dynamic.contains(&name)
    {
      continue;
    }
    // Fetch's `Headers` joins repeated fields with ", " (all but Set-Cookie).
    if name != "set-cookie" {
      if let Some((_, joined)) = headers.iter_mut().find(|(n, _)| n == &name) {
        joined.push_str(", ");
        joined.push_str(&value);
        continue;
      }
    }
    headers.push((name, value));
  }
  if let Some(location) = header(&headers, "location").map(str::to_string) {
    if let Ok(location_url) = fapi_url.join(&location) {
      if host_with_port(&location_url) == fapi_host {
        // As `url.search` and `url.hash`: empty when there is nothing after `?` or `#`.
        let query = location_url
          .query()
          .filter(|q| !q.is_empty())
          .map(|q| format!("?{q}"))
          .unwrap_or_default();
        let hash = location_url
          .fragment()
          .filter(|f| !f.is_empty())
          .map(|f| format!("#{f}"))
          .unwrap_or_default();
        let rewritten = format!("{proxy_url}{}{query}{hash}", location_url.path());
        headers.retain(|(n, _)| n != "location");
        headers.push(("location".into(), rewritten));
      }
    }
  }
  ProxyResponse {
    status,
    headers,
    body,
  }
}

#[cfg(test)]
#[path = "frontend_api_proxy_tests.rs"]
mod tests;
