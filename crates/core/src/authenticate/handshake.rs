//! `handleMaybeHandshakeStatus` and `buildRedirectToHandshake`: whether a
//! request may be redirected, the redirect to the Frontend API's handshake
//! endpoint (parameters in the reference's order), and loop protection.

use super::instance::Instance;
use super::request::Request;
use super::{Notice, Outcome, SESSION_TOKEN};
use crate::constants::CLERK_API_VERSION;
use reqwest::Url;

const LOOP_MESSAGE: &str = "Clerk: Refreshing the session token resulted in an infinite redirect loop. This usually means that your Clerk instance keys do not match - make sure to copy the correct publishable and secret keys from the Clerk dashboard.";
const SATELLITE_LOOP_MESSAGE: &str = "Clerk: Satellite-domain authentication resulted in an infinite redirect loop. Check that this request is using a configured primary or satellite domain for the production instance. For preview deployments, use a development/staging Clerk instance or a supported configured preview-domain setup.";

/// What the handshake URL carries besides the request itself.
pub struct HandshakeFacts<'a> {
  pub uses_suffixed_cookies: bool,
  /// `sessionTokenInCookie || tokenInHeader`.
  pub session_token: Option<&'a str>,
  pub dev_browser_token: Option<&'a str>,
}

/// GET, and a document/iframe destination or (without one) an HTML accept.
pub fn is_eligible(request: &Request) -> bool {
  if !request.is_get() {
    return false;
  }
  match Request::header(&request.input.sec_fetch_dest) {
    Some("document") | Some("iframe") => true,
    Some(_) => false,
    None => Request::header(&request.input.accept).is_some_and(|a| a.starts_with("text/html")),
  }
}

/// Either a handshake redirect, or signed-out with the same reason when the
/// request is not eligible or the redirect counter says we are looping.
pub fn maybe_handshake(
  request: &Request,
  instance: &Instance,
  facts: &HandshakeFacts,
  reason: &str,
  message: &str,
) -> Outcome {
  if !is_eligible(request) {
    return Outcome::signed_out(SESSION_TOKEN, reason, message);
  }
  match redirect_url(request, instance, facts, reason) {
    Ok(location) => redirect_unless_looping(request, location, reason, message),
    Err(err) => Outcome::Fatal(err),
  }
}

/// `handleMaybeHandshakeStatus` with headers of its own (a redirect that is
/// not to the Frontend API).
pub fn redirect_to(request: &Request, location: String, reason: &str) -> Outcome {
  if !is_eligible(request) {
    return Outcome::signed_out(SESSION_TOKEN, reason, "");
  }
  redirect_unless_looping(request, location, reason, "")
}

fn redirect_unless_looping(
  request: &Request,
  location: String,
  reason: &str,
  message: &str,
) -> Outcome {
  // `Number(cookie) || 0`; only exactly 3 counts as a loop.
  let counter = request
    .cookie("__clerk_redirect_count")
    .map(js_number)
    .unwrap_or(0.0);
  let counter = if counter.is_nan() { 0.0 } else { counter };
  if counter == 3.0 {
    let text = if reason == "satellite-needs-syncing" {
      SATELLITE_LOOP_MESSAGE
    } else {
      LOOP_MESSAGE
    };
    return Outcome::SignedOut {
      token_type: SESSION_TOKEN,
      reason: reason.into(),
      message: message.into(),
      notices: vec![Notice::Log(text.into())],
    };
  }
  let next = crate::js_semantics::number_to_string(counter + 1.0);
  Outcome::Handshake {
    reason: reason.into(),
    message: message.into(),
    headers: vec![
      ("cache-control".into(), "no-store".into()),
      ("location".into(), location),
      (
        "set-cookie".into(),
        format!("__clerk_redirect_count={next}; SameSite=Lax; HttpOnly; Max-Age=2"),
      ),
    ],
  }
}

/// `Number(text)`: decimal text, `Infinity`, or `0x`/`0o`/`0b` digits (either
/// case, no sign), between JS white space; NaN otherwise.
pub fn js_number(text: &str) -> f64 {
  let trimmed = text.trim_matches(is_js_space);
  if trimmed.is_empty() {
    return 0.0;
  }
  let radix = match trimmed.get(..2).map(str::to_ascii_lowercase).as_deref() {
    Some("0x") => Some(16),
    Some("0o") => Some(8),
    Some("0b") => Some(2),
    _ => None,
  };
  if let Some(radix) = radix {
    // `from_str_radix` alone would take a sign (`0x+3`), which JS refuses.
    let digits = &trimmed[2..];
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
      return f64::NAN;
    }
    return u128::from_str_radix(digits, radix).map_or_else(
      |_| {
        digits.chars().fold(0.0, |value, c| {
          value * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
        })
      },
      |n| n as f64,
    );
  }
  match trimmed {
    "Infinity" | "+Infinity" => f64::INFINITY,
    "-Infinity" => f64::NEG_INFINITY,
    _ if trimmed.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') => f64::NAN,
    _ => trimmed.parse::<f64>().unwrap_or(f64::NAN),
  }
}

/// JS `StrWhiteSpaceChar` (WhiteSpace and LineTerminator): Unicode's
/// White_Space, as Rust's `char::is_whitespace` has it, but U+0085, plus
/// U+FEFF.
fn is_js_space(c: char) -> bool {
  (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

/// `https://<frontendApi>/v1/client/handshake?redirect_url=…&…`
fn redirect_url(
  request: &Request,
  instance: &Instance,
  facts: &HandshakeFacts,
  reason: &str,
) -> Result<String, String> {
  let clerk_url = request
    .clerk_url()
    .ok_or("Missing clerkUrl in authenticateContext")?;
  let mut redirect_to = clerk_url.clone();
  remove_query_params(&mut redirect_to, &["__clerk_db_jwt", "__dev_session"]);
  let base = if instance.frontend_api.starts_with("http") {
    instance.frontend_api.clone()
  } else {
    format!("https://{}", instance.frontend_api)
  };
  let base = format!("{}/", base.trim_end_matches('/'));
  let mut url = Url::parse(&base)
    .and_then(|b| b.join("v1/client/handshake"))
    .map_err(|_| "Invalid URL".to_string())?;
  {
    let mut params = url.query_pairs_mut();
    params.append_pair("redirect_url", redirect_to.as_str());
    params.append_pair("__clerk_api_version", CLERK_API_VERSION);
    params.append_pair(
      "suffixed_cookies",
      if facts.uses_suffixed_cookies {
        "true"
      } else {
        "false"
      },
    );
    params.append_pair("__clerk_hs_reason", reason);
    params.append_pair("format", "nonce");
    if let Some(session) = facts.session_token {
      params.append_pair("__session", session);
    }
    if !instance.production {
      if let Some(dev_browser) = facts.dev_browser_token {
        params.append_pair("__clerk_db_jwt", dev_browser);
      }
    }
    if let Some(organization) = request
      .input
      .site
      .org_target
      .as_ref()
      .and_then(|t| t.query_value())
    {
      params.append_pair("organization_id", &organization);
    }
  }
  Ok(url.to_string())
}

/// `url.searchParams.delete(name)` for each name: the query is re-serialized
/// (form-urlencoded) even when nothing matched, and dropped when empty.
pub fn remove_query_params(url: &mut Url, names: &[&str]) {
  let Some(query) = url.query().map(str::to_string) else {
    return;
  };
  // Pairs borrowed from a copy of the query: no allocation per pair.
  let kept: Vec<_> = form_urlencoded::parse(query.as_bytes())
    .filter(|(k, _)| !names.contains(&k.as_ref()))
    .collect();
  if kept.is_empty() {
    url.set_query(None);
  } else {
    url.query_pairs_mut().clear().extend_pairs(kept);
  }
}

#[cfg(test)]
mod tests {
  use super::super::request::RequestInput;
  use super::*;

  fn instance() -> Instance {
    Instance {
      production: false,
      frontend_api: "clerk.inspired.puma-74.lcl.dev".into(),
      original_frontend_api: "clerk.inspired.puma-74.lcl.dev".into(),
      cookie_suffix: "vWCgMp3A".into(),
      api_user_agent: String::new(),
      api_secret_key: None,
    }
  }

  #[test]
  fn the_redirect_url_matches_the_reference_example() {
    let input = RequestInput {
      method: "GET".into(),
      url: "/foo?x=1".into(),
      host: Some("app.example.com".into()),
      sec_fetch_dest: Some("document".into()),
      ..Default::default()
    };
    let request = Request::new(&input);
    let facts = HandshakeFacts {
      uses_suffixed_cookies: false,
      session_token: None,
      dev_browser_token: None,
    };
    match maybe_handshake(&request, &instance(), &facts, "dev-browser-missing", "") {
      Outcome::Handshake { headers, .. } => {
        assert_eq!(headers[1].1, "https://clerk.inspired.puma-74.lcl.dev/v1/client/handshake?redirect_url=http%3A%2F%2Fapp.example.com%2Ffoo%3Fx%3D1&__clerk_api_version=2026-05-12&suffixed_cookies=false&__clerk_hs_reason=dev-browser-missing&format=nonce");
        assert_eq!(
          headers[2].1,
          "__clerk_redirect_count=1; SameSite=Lax; HttpOnly; Max-Age=2"
        );
      }
      other => panic!("unexpected {other:?}"),
    }
  }

  #[test]
  fn numbers_read_as_js_number_reads_them() {
    for (text, expected) in [
      ("3", 3.0),
      (" 3\n", 3.0),
      ("", 0.0),
      ("0x1f", 31.0),
      ("0X1F", 31.0),
      ("0B11", 3.0),
      ("0O17", 15.0),
      ("\u{feff}3", 3.0),
      ("1e1000", f64::INFINITY),
      ("-Infinity", f64::NEG_INFINITY),
      ("0xffffffffffffffffff", 4722366482869645213696.0),
    ] {
      assert_eq!(js_number(text), expected, "{text:?}");
    }
    for text in [
      "0x+3", "0x-3", "0x", "-0x3", "0b2", "\u{85}3", "inf", "1_000", "3a",
    ] {
      assert!(js_number(text).is_nan(), "{text:?}");
    }
  }

  #[test]
  fn eligibility_and_loop_protection() {
    let mut input = RequestInput {
      method: "GET".into(),
      url: "/".into(),
      accept: Some("text/html,*/*".into()),
      ..Default::default()
    };
    assert!(is_eligible(&Request::new(&input)));
    input.sec_fetch_dest = Some("empty".into());
    assert!(!is_eligible(&Request::new(&input)));
    input.sec_fetch_dest = Some("iframe".into());
    input.cookie = Some("__clerk_redirect_count=3".into());
    let facts = HandshakeFacts {
      uses_suffixed_cookies: false,
      session_token: None,
      dev_browser_token: None,
    };
    assert!(matches!(
      maybe_handshake(
        &Request::new(&input),
        &instance(),
        &facts,
        "dev-browser-missing",
        ""
      ),
      Outcome::SignedOut { ref notices, .. } if matches!(notices.as_slice(), [Notice::Log(_)])
    ));
    input.cookie = Some("__clerk_redirect_count=4".into());
    assert!(matches!(
      maybe_handshake(
        &Request::new(&input),
        &instance(),
        &facts,
        "dev-browser-missing",
        ""
      ),
      Outcome::Handshake { .. }
    ));
    input.method = "POST".into();
    assert!(matches!(
      maybe_handshake(
        &Request::new(&input),
        &instance(),
        &facts,
        "dev-browser-missing",
        ""
      ),
      Outcome::SignedOut { ref notices, .. } if notices.is_empty()
    ));
  }
}
