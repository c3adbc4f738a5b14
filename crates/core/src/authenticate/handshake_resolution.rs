//! `resolveHandshake`: the browser is back from the Frontend API with a
//! handshake nonce (exchanged for cookie directives through the Backend API)
//! or a signed handshake token (whose payload lists them). The directives
//! become `Set-Cookie` headers and the session cookie among them decides.

use super::handshake::remove_query_params;
use super::instance::Instance;
use super::request::{session_from_directives, Request};
use super::{Outcome, SESSION_TOKEN};
use crate::backend_api::{self, ApiRequest};
use crate::errors::{action, reason, Failure, TokenError};
use crate::js_semantics;
use crate::jwt::assertions;
use crate::jwt::verify::{self, VerifyOptions};
use crate::jwt::{decode, DecodedJwt};
use crate::keys::jwks::JwksSource;
use crate::keys::{pem, PublicKey};
use serde_json::Value;
use std::sync::Arc;

const CLOCK_SKEW: &str = "Clerk: Clock skew detected. This usually means that your system clock is inaccurate. Clerk will attempt to account for the clock skew in development.\n\nTo resolve this issue, make sure your system's clock is set to the correct time (e.g. turn off and on automatic time synchronization).\n\n---\n\n";
const DEV_CLOCK_SKEW_MS: f64 = 86_400_000.0;

/// What resolving the handshake led to.
pub enum Resolution {
  /// The state to answer with.
  Decided(Outcome),
  /// Resolution failed: `console.error` these lines and go on with the cookie path.
  Continue(Vec<String>),
}

/// The handshake credentials on the request, if any.
pub fn credentials(request: &Request) -> Option<(Option<String>, Option<String>)> {
  let pick = |name: &str| {
    request
      .query_param(name)
      .filter(|v| !v.is_empty())
      .or_else(|| request.cookie(name).map(str::to_string))
  };
  let nonce = pick("__clerk_handshake_nonce");
  let token = pick("__clerk_handshake");
  (nonce.is_some() || token.is_some()).then_some((nonce, token))
}

/// Why resolution stopped: a verification error (fatal in development), a
/// JavaScript TypeError of the reference's code, or any other error.
enum Stop {
  Token(TokenError),
  Type(String),
  Other(String),
}

pub async fn resolve(
  client: &reqwest::Client,
  request: &Request<'_>,
  instance: &Instance,
  options: &VerifyOptions,
  nonce: Option<String>,
  token: Option<String>,
) -> Resolution {
  let mut errors = Vec::new();
  let result = resolve_inner(
    client,
    request,
    instance,
    options,
    nonce,
    token,
    &mut errors,
  )
  .await;
  match result {
    Ok(outcome) => Resolution::Decided(with_errors(errors, outcome)),
    Err(Stop::Token(err)) if !instance.production => {
      Resolution::Decided(with_errors(errors, development_failure(&err)))
    }
    Err(Stop::Token(err)) => {
      errors.push(format!(
        "Clerk: unable to resolve handshake: {}",
        err.to_js_string()
      ));
      Resolution::Continue(errors)
    }
    Err(Stop::Type(message)) => {
      errors.push(format!(
        "Clerk: unable to resolve handshake: TypeError: {message}"
      ));
      Resolution::Continue(errors)
    }
    Err(Stop::Other(message)) => {
      errors.push(format!(
        "Clerk: unable to resolve handshake: Error: {message}"
      ));
      Resolution::Continue(errors)
    }
  }
}

fn with_errors(errors: Vec<String>, outcome: Outcome) -> Outcome {
  if errors.is_empty() {
    outcome
  } else {
    Outcome::AfterErrors(errors, Box::new(outcome))
  }
}

/// `handleTokenVerificationErrorInDevelopment`: a 500 with a descriptive message.
fn development_failure(err: &TokenError) -> Outcome {
  if err.reason == reason::TOKEN_INVALID_SIGNATURE {
    return Outcome::Fatal("Clerk: Handshake token verification failed due to an invalid signature. If you have switched Clerk keys locally, clear your cookies and try again.".into());
  }
  Outcome::Fatal(format!(
    "Clerk: Handshake token verification failed: {}.",
    err.full_message(None)
  ))
}

async fn resolve_inner(
  client: &reqwest::Client,
  request: &Request<'_>,
  instance: &Instance,
  options: &VerifyOptions,
  nonce: Option<String>,
  token: Option<String>,
  errors: &mut Vec<String>,
) -> Result<Outcome, Stop> {
  let directives = match (nonce, token) {
    (Some(nonce), _) => match directives_from_nonce(client, instance, options, &nonce).await {
      Ok(directives) => directives,
      Err(message) => {
        errors.push(format!(
          "Clerk: HandshakeService: error getting handshake payload: {message}"
        ));
        Vec::new()
      }
    },
    (None, Some(token)) => directives_from_token(client, options, &token).await?,
    (None, None) => Vec::new(),
  };
  let mut headers: Vec<(String, String)> = vec![
    ("access-control-allow-credentials".into(), "true".into()),
    ("access-control-allow-origin".into(), "null".into()),
  ];
  let mut cookies = Vec::new();
  for directive in &directives {
    // The reference's `getCookieName(cookieDirective)` calls `cookieDirective.split`.
    let directive = match directive {
      Value::String(directive) => directive,
      Value::Null => {
        return Err(Stop::Type(
          "Cannot read properties of null (reading 'split')".into(),
        ))
      }
      _ => return Err(Stop::Type("cookieDirective.split is not a function".into())),
    };
    cookies.push(("set-cookie".to_string(), directive.clone()));
  }
  let session_token =
    session_from_directives(cookies.iter().map(|(_, directive)| directive.as_str()));
  if !instance.production {
    let mut url = request
      .clerk_url()
      .cloned()
      .ok_or(Stop::Other("Missing clerkUrl".into()))?;
    remove_query_params(
      &mut url,
      &[
        "__clerk_handshake",
        "__clerk_help",
        "__clerk_db_jwt",
        "__clerk_handshake_nonce",
      ],
    );
    headers.push(("cache-control".into(), "no-store".into()));
    headers.push(("location".into(), url.to_string()));
  }
  headers.extend(cookies);
  if session_token.is_empty() {
    let signed_out = Outcome::signed_out(SESSION_TOKEN, "session-token-missing", "");
    return Ok(Outcome::WithHeaders(Box::new(signed_out), headers));
  }
  let signed_in = |payload_text: String| {
    let outcome = Outcome::SignedInSession {
      token: session_token.clone(),
      payload_text,
      notices: Vec::new(),
    };
    Ok(Outcome::WithHeaders(Box::new(outcome), headers.clone()))
  };
  match verify::verify(client, &session_token, options).await {
    Ok(verified) => signed_in(verified.payload_text),
    Err(Failure::Token(err)) if !instance.production && is_time_error(&err) => {
      errors.push(format!("{CLOCK_SKEW}{}", err.full_message(Some("cookie"))));
      let lenient = VerifyOptions {
        clock_skew_ms: DEV_CLOCK_SKEW_MS,
        ..options.clone()
      };
      match verify::verify(client, &session_token, &lenient).await {
        Ok(verified) => signed_in(verified.payload_text),
        Err(retry) => Err(Stop::Other(failure_message(
          retry,
          "Clerk: Handshake retry failed.",
        ))),
      }
    }
    Err(failure) => Err(Stop::Other(failure_message(
      failure,
      "Clerk: Handshake failed.",
    ))),
  }
}

fn is_time_error(err: &TokenError) -> bool {
  matches!(
    err.reason,
    reason::TOKEN_EXPIRED | reason::TOKEN_NOT_ACTIVE_YET | reason::TOKEN_IAT_IN_THE_FUTURE
  )
}

fn failure_message(failure: Failure, fallback: &str) -> String {
  let message = match failure {
    Failure::Token(err) => err.message,
    Failure::Unexpected(message) | Failure::Fatal(message) => message,
  };
  if message.is_empty() {
    fallback.to_string()
  } else {
    message
  }
}

/// `GET /v1/clients/handshake_payload?nonce=…` → `directives`.
async fn directives_from_nonce(
  client: &reqwest::Client,
  instance: &Instance,
  options: &VerifyOptions,
  nonce: &str,
) -> Result<Vec<Value>, String> {
  let Some(secret_key) = instance.api_secret_key.as_deref() else {
    return Err(format!("Error: {}", crate::config::MISSING_SECRET_KEY));
  };
  let url = backend_api::build_url(
    &options.api_url,
    Some(&options.api_version),
    "/clients/handshake_payload",
    &[("nonce".into(), nonce.into())],
  )?;
  let request = ApiRequest {
    method: "GET".into(),
    url,
    headers: backend_api::default_headers(&instance.api_user_agent, secret_key),
    body: None,
    max_response_bytes: backend_api::AUTH_RESPONSE_LIMIT,
  };
  let response = backend_api::send(client, &request, None, "/clients/handshake_payload")
    .await
    .map_err(|e| e.message())?;
  if response.status == 204 {
    return Ok(Vec::new());
  }
  if !(200..300).contains(&response.status) {
    return Err(format!(
      "[ClerkAPIResponseError]\nMessage:{}\nStatus:{}",
      response.status_text, response.status
    ));
  }
  if response.content_type.as_deref() != Some("application/json") {
    return Err("handshakePayload.directives is not iterable".into());
  }
  let body: Value =
    serde_json::from_str(&response.body).map_err(|e| format!("SyntaxError: {e}"))?;
  match js_semantics::get(&body, "directives") {
    Some(Value::Array(items)) => Ok(items.clone()),
    _ => Err("handshakePayload.directives is not iterable".into()),
  }
}

/// `verifyHandshakeToken`: the key as for session tokens, then typ, alg,
/// category and signature only (no time claims).
async fn directives_from_token(
  client: &reqwest::Client,
  options: &VerifyOptions,
  token: &str,
) -> Result<Vec<Value>, Stop> {
  let decoded = decode(token).map_err(Stop::Token)?;
  if decoded.header.is_null() {
    return Err(Stop::Other(
      "Cannot destructure property 'kid' of 'data.header' as it is null.".into(),
    ));
  }
  let key = handshake_key(client, options, &decoded).await?;
  let header = &decoded.header;
  assertions::header_type(js_semantics::get(header, "typ"), None).map_err(Stop::Token)?;
  let algorithm =
    assertions::header_algorithm(js_semantics::get(header, "alg")).map_err(Stop::Token)?;
  if matches!(js_semantics::get(header, "cat"), Some(cat) if !is_session_category(cat)) {
    return Err(Stop::Token(
      TokenError::new(reason::TOKEN_INVALID, "Invalid handshake token category.")
        .with_action(action::ENSURE_CLERK_JWT),
    ));
  }
  match key.verify(
    algorithm,
    decoded.signed_part().as_bytes(),
    &decoded.signature,
  ) {
    Err(import_error) => Err(Stop::Token(TokenError::new(
      reason::TOKEN_VERIFICATION_FAILED,
      format!("Error verifying handshake token. Error: {import_error}"),
    ))),
    Ok(false) => Err(Stop::Token(TokenError::new(
      reason::TOKEN_INVALID_SIGNATURE,
      "Handshake signature is invalid.",
    ))),
    Ok(true) => Ok(match js_semantics::get(&decoded.payload, "handshake") {
      Some(Value::Array(items)) => items.clone(),
      _ => Vec::new(),
    }),
  }
}

fn is_session_category(cat: &Value) -> bool {
  matches!(
    cat.as_str(),
    Some(crate::jwt::token_kind::SESSION_TOKEN_CATEGORY)
      | Some(crate::jwt::token_kind::IGNORED_CATEGORY)
  )
}

async fn handshake_key(
  client: &reqwest::Client,
  options: &VerifyOptions,
  decoded: &DecodedJwt,
) -> Result<Arc<PublicKey>, Stop> {
  if let Some(pem_text) = options.jwt_key.as_deref() {
    return Ok(pem::key_from_pem(pem_text));
  }
  let Some(secret_key) = options.secret_key.as_deref() else {
    return Err(Stop::Token(
      TokenError::new(
        reason::JWK_FAILED_TO_RESOLVE,
        "Failed to resolve JWK during handshake verification.",
      )
      .with_action(action::SET_CLERK_JWT_KEY),
    ));
  };
  let source = JwksSource::new(
    &options.api_url,
    &options.api_version,
    secret_key,
    options.skip_jwks_cache,
  )
  .stale_if_error(options.jwks_stale_if_error_ms);
  let kid = js_semantics::to_js_string(js_semantics::get(&decoded.header, "kid"));
  if let Some(key) = source.cached(&kid, crate::clock::now_ms()) {
    return Ok(key);
  }
  source
    .fetch(client, &kid)
    .await
    .map_err(|failure| match failure {
      Failure::Token(err) => Stop::Token(err),
      Failure::Unexpected(message) | Failure::Fatal(message) => Stop::Other(message),
    })
}

#[cfg(test)]
#[path = "handshake_resolution_tests.rs"]
mod tests;
