//! The entry point: a header token takes the header path, anything else the
//! cookie path. Both answer synchronously when the keys are in memory.

use super::cookie::{self, CookieStep};
use super::handshake_resolution::{self, Resolution};
use super::header;
use super::instance::Instance;
use super::request::{Request, RequestInput};
use super::Outcome;
use crate::jwt::verify::{self, SyncOutcome, VerifyOptions};

/// `None`: the JWKS must be fetched first; call `authenticate`.
pub fn authenticate_sync(
  token: Option<&str>,
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
  now_ms: f64,
) -> Option<Outcome> {
  if let Some(token) = token {
    return header::authenticate_sync(token, options, input, instance, now_ms);
  }
  let request = Request::new(input);
  match cookie::first_step(&request, instance) {
    CookieStep::Decided(outcome) => Some(outcome),
    // Resolution needs the network (nonce) or may (JWKS): the async path.
    CookieStep::ResolveHandshake { .. } => None,
    CookieStep::Verify { token, state } => {
      match verify::verify_with_cached_keys(crate::jwt::decode(&token), options, now_ms) {
        SyncOutcome::Done(result) => Some(cookie::after_verification(
          &request,
          instance,
          token.clone(),
          &state,
          result,
        )),
        SyncOutcome::NeedsJwksFetch => None,
      }
    }
  }
}

pub async fn authenticate(
  client: &reqwest::Client,
  token: Option<&str>,
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
) -> Outcome {
  if let Some(token) = token {
    return header::authenticate(client, token, options, input, instance).await;
  }
  let request = Request::new(input);
  match cookie::first_step(&request, instance) {
    CookieStep::ResolveHandshake { nonce, token } => {
      match handshake_resolution::resolve(client, &request, instance, options, nonce, token).await {
        Resolution::Decided(outcome) => outcome,
        // The reference logs the failure and goes on with the cookie path.
        Resolution::Continue(errors) => {
          let outcome = cookie_path(
            client,
            &request,
            instance,
            options,
            cookie::before_verification(&request, instance),
          )
          .await;
          Outcome::AfterErrors(errors, Box::new(outcome))
        }
      }
    }
    step => cookie_path(client, &request, instance, options, step).await,
  }
}

async fn cookie_path(
  client: &reqwest::Client,
  request: &Request<'_>,
  instance: &Instance,
  options: &VerifyOptions,
  step: CookieStep,
) -> Outcome {
  match step {
    CookieStep::Decided(outcome) => outcome,
    CookieStep::ResolveHandshake { .. } => {
      unreachable!("resolution happens once, before the cookie path")
    }
    CookieStep::Verify { token, state } => {
      let result = verify::verify(client, &token, options).await;
      cookie::after_verification(request, instance, token, &state, result)
    }
  }
}
