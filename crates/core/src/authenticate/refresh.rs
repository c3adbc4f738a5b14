//! Session refresh (`attemptRefresh`): an expired session token, a
//! `__refresh_<suffix>` cookie and a GET are exchanged, through
//! `POST /v1/sessions/{sid}/refresh`, for new cookies. The reason codes of a
//! failed refresh become part of the signed-out/handshake reason.

use super::instance::Instance;
use super::request::{session_from_directives, Request};
use crate::backend_api::{self, ApiRequest};
use crate::js_semantics;
use crate::jwt::decode;
use crate::jwt::verify::{self, VerifiedToken, VerifyOptions};
use serde_json::{json, Map, Value};

/// New cookies and the session they carry.
pub struct Refreshed {
  pub cookies: Vec<String>,
  pub session_token: String,
  pub verified: VerifiedToken,
}

/// Refreshes, or returns the `refreshError` reason code.
pub async fn attempt(
  client: &reqwest::Client,
  request: &Request<'_>,
  instance: &Instance,
  options: &VerifyOptions,
  expired_token: &str,
  refresh_token: &str,
  uses_suffixed_cookies: bool,
) -> Result<Refreshed, String> {
  let Ok(decoded) = decode(expired_token) else {
    return Err("expired-session-token-decode-failed".into());
  };
  let sid = match js_semantics::get(&decoded.payload, "sid") {
    Some(sid) if js_semantics::truthy(Some(sid)) => js_semantics::to_js_string(Some(sid)),
    _ => return Err("expired-session-token-missing-sid-claim".into()),
  };
  let cookies = request_refresh(
    client,
    request,
    instance,
    options,
    &sid,
    expired_token,
    refresh_token,
    uses_suffixed_cookies,
  )
  .await?;
  if cookies.is_empty() {
    return Err("unexpected-sdk-error".into());
  }
  let session_token = session_from_directives(cookies.iter().map(String::as_str));
  match verify::verify(client, &session_token, options).await {
    Ok(verified) => Ok(Refreshed {
      cookies,
      session_token,
      verified,
    }),
    Err(_) => Err("invalid-session-token".into()),
  }
}

#[allow(clippy::too_many_arguments)]
async fn request_refresh(
  client: &reqwest::Client,
  request: &Request<'_>,
  instance: &Instance,
  options: &VerifyOptions,
  sid: &str,
  expired_token: &str,
  refresh_token: &str,
  uses_suffixed_cookies: bool,
) -> Result<Vec<String>, String> {
  // The client's own API client makes this call: its key, or a plain Error.
  let Some(secret_key) = instance.api_secret_key.as_deref() else {
    return Err("unexpected-bapi-error".into());
  };
  let path = crate::paths::join_paths(&["/sessions", sid, "refresh"])
    .map_err(|_| "unexpected-bapi-error".to_string())?;
  // `suffixed_cookies: false` is a falsy query value, so it is not sent.
  let query = if uses_suffixed_cookies {
    vec![("suffixed_cookies".to_string(), "true".to_string())]
  } else {
    Vec::new()
  };
  let url = backend_api::build_url(&options.api_url, Some(&options.api_version), &path, &query)
    .map_err(|_| "unexpected-bapi-error".to_string())?;
  let mut headers = Map::new();
  for (name, value) in request.input.all_headers.iter().flatten() {
    headers.insert(name.clone(), json!([value]));
  }
  let origin = request
    .clerk_url()
    .map(|u| u.origin().ascii_serialization())
    .unwrap_or_default();
  let body = json!({
    "format": "cookie",
    "expired_token": expired_token,
    "refresh_token": refresh_token,
    "request_origin": origin,
    "request_headers": Value::Object(headers),
  });
  let api_request = ApiRequest {
    method: "POST".into(),
    url,
    headers: backend_api::default_headers(&instance.api_user_agent, secret_key),
    body: Some(body.to_string().into_bytes()),
    max_response_bytes: backend_api::AUTH_RESPONSE_LIMIT,
  };
  let response = match backend_api::send(client, &api_request, None, "/sessions/:id/refresh").await
  {
    Ok(response) => response,
    Err(_) => return Err("fetch-error".into()),
  };
  // The API client answers a 204 with no data, whose `.cookies` throws a
  // TypeError inside the reference's try block.
  if response.status == 204 {
    return Err("unexpected-bapi-error".into());
  }
  let is_json = response.content_type.as_deref() == Some("application/json");
  let parsed = if is_json {
    serde_json::from_str::<Value>(&response.body).ok()
  } else {
    None
  };
  if is_json && parsed.is_none() {
    return Err("fetch-error".into());
  }
  if !(200..300).contains(&response.status) {
    // `errors[0].code` verbatim (`unexpected_error` is reported as a fetch
    // error), else an unexpected Backend API error.
    let code = parsed
      .as_ref()
      .and_then(|body| js_semantics::get(body, "errors"))
      .and_then(Value::as_array)
      .and_then(|errors| errors.first())
      .and_then(|error| js_semantics::get(error, "code"))
      .map(|code| js_semantics::to_js_string(Some(code)));
    return Err(match code.as_deref() {
      Some("unexpected_error") => "fetch-error".into(),
      Some(_) => code.unwrap_or_default(),
      None => "unexpected-bapi-error".into(),
    });
  }
  Ok(
    parsed
      .as_ref()
      .and_then(|body| js_semantics::get(body, "cookies"))
      .and_then(Value::as_array)
      .map(|cookies| {
        cookies
          .iter()
          .map(|c| js_semantics::to_js_string(Some(c)))
          .collect()
      })
      .unwrap_or_default(),
  )
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
