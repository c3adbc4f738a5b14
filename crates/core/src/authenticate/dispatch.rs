//! The entry point: a header token takes the header path, anything else the
//! cookie path. Both answer synchronously when everything is in memory; the
//! async path also fetches JWKS, resolves handshakes and refreshes sessions.

use super::bearer;
use super::cookie::{self, CookieStep, RefreshNeeded};
use super::handshake_resolution::{self, Resolution};
use super::instance::Instance;
use super::refresh;
use super::request::{Request, RequestInput};
use super::{Notice, Outcome};
use crate::jwt::verify::{self, SyncOutcome, VerifyOptions};

/// `None`: the network is needed first (JWKS, handshake, refresh); call `authenticate`.
pub fn authenticate_sync(
  token: Option<&str>,
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
  now_ms: f64,
) -> Option<Outcome> {
  let instance = &instance.for_site(&input.site);
  if let Some(token) = token {
    return bearer::authenticate_sync(token, options, Some((input, instance)), now_ms);
  }
  let request = Request::new(input);
  match cookie::first_step(&request, instance) {
    CookieStep::Decided(outcome) => Some(outcome),
    CookieStep::ResolveHandshake { .. } => None,
    CookieStep::Verify {
      token,
      state,
      decoded,
    } => match verify::verify_with_cached_keys(Ok(*decoded), options, now_ms) {
      SyncOutcome::Done(result) => {
        cookie::after_verification(&request, instance, token.clone(), &state, result).ok()
      }
      SyncOutcome::NeedsJwksFetch => None,
    },
  }
}

/// The cookie fast path: only a plain sign-in is answered from these few
/// facts; anything that could depend on other headers (handshakes, the
/// cross-origin check, signed-out reasons) returns `None` for the full path.
pub fn authenticate_browser_session(
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
  now_ms: f64,
) -> Option<Outcome> {
  let cross_origin_possible =
    input.sec_fetch_dest.as_deref() == Some("document") && input.referer.is_some();
  if cross_origin_possible {
    return None;
  }
  match authenticate_sync(None, input, instance, options, now_ms)? {
    signed_in @ Outcome::SignedInSession { .. } => Some(signed_in),
    _ => None,
  }
}

/// A lease on a sign-in of the bearer or the cookie fast path:
/// `(until_ms, keys_epoch)`, during which the same question gets the same
/// sign-in (JS keeps it, lib/leases.js). Either fast path's outcome is a
/// function of the facts it is given (the token; or method, URL, cookies,
/// `Sec-Fetch-Dest`, `Referer`), the options, the keys and the clock; only
/// the session token's verification involves the last two, so the token's
/// lease (see `verify::session_lease`) is the outcome's. A sign-in that prints something
/// every time gets no lease: a repeat must print it again. A warning printed
/// once per process has already been printed.
pub fn sign_in_lease(
  outcome: &Outcome,
  options: &VerifyOptions,
  now_ms: f64,
) -> Option<(f64, u32)> {
  match outcome {
    Outcome::SignedInSession { token, notices, .. }
      if notices.iter().all(|n| matches!(n, Notice::WarnOnce(_))) =>
    {
      verify::session_lease(token, options, now_ms)
    }
    _ => None,
  }
}

pub async fn authenticate(
  client: &reqwest::Client,
  token: Option<&str>,
  input: &RequestInput,
  instance: &Instance,
  options: &VerifyOptions,
) -> Outcome {
  let instance = &instance.for_site(&input.site);
  let request = Request::new(input);
  if let Some(token) = token {
    let decided = bearer::authenticate(client, token, options, input, instance).await;
    return refresh_if_needed(client, &request, instance, options, decided).await;
  }
  match cookie::first_step(&request, instance) {
    CookieStep::ResolveHandshake { nonce, token } => {
      match handshake_resolution::resolve(client, &request, instance, options, nonce, token).await {
        Resolution::Decided(outcome) => outcome,
        // The reference logs the failure and goes on with the cookie path.
        Resolution::Continue(errors) => {
          let step = cookie::before_verification(&request, instance);
          let outcome = cookie_path(client, &request, instance, options, step).await;
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
    CookieStep::Verify { token, state, .. } => {
      let result = verify::verify(client, &token, options).await;
      let decided = cookie::after_verification(request, instance, token, &state, result);
      refresh_if_needed(client, request, instance, options, decided).await
    }
  }
}

/// Runs a due session refresh: signed in with the new cookies, or the
/// expiry outcome with the refresh's failure reason.
async fn refresh_if_needed(
  client: &reqwest::Client,
  request: &Request<'_>,
  instance: &Instance,
  options: &VerifyOptions,
  decided: Result<Outcome, RefreshNeeded>,
) -> Outcome {
  let due = match decided {
    Ok(outcome) => return outcome,
    Err(due) => due,
  };
  let attempt = refresh::attempt(
    client,
    request,
    instance,
    options,
    &due.expired_token,
    &due.refresh_token,
    due.uses_suffixed_cookies,
  )
  .await;
  match attempt {
    Ok(refreshed) => {
      let signed_in = Outcome::SignedInSession {
        token: refreshed.session_token,
        payload_text: refreshed.verified.payload_text,
        notices: Vec::new(),
      };
      let headers = refreshed
        .cookies
        .into_iter()
        .map(|cookie| ("set-cookie".to_string(), cookie))
        .collect();
      Outcome::WithHeaders(Box::new(signed_in), headers)
    }
    Err(refresh_error) => due.failed(request, instance, &refresh_error),
  }
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;
