//! The request as the state machine reads it: the Cookie header, Clerk's
//! query parameters, `clerkUrl` and `remove_query_params`, on any header
//! and URL. No panic, and each reading agrees with a plain model:
//! cookie@1.1.1's `parse` for cookies, `URLSearchParams` (form-urlencoded
//! pairs of the whole query) for parameters.
//!
//! Input: lines of cookie header, URL, Host, X-Forwarded-Host,
//! X-Forwarded-Proto, and `s` for a TLS socket; missing lines are absent
//! headers.
#![no_main]

use clerk_core::authenticate::handshake::remove_query_params;
use clerk_core::authenticate::request::{Request, RequestInput};
use libfuzzer_sys::fuzz_target;

/// The cookie names the state machine reads (the suffix is the one of the
/// test instance in the core's tests).
const COOKIES: [&str; 12] = [
  "__session",
  "__session_vWCgMp3A",
  "__client_uat",
  "__client_uat_vWCgMp3A",
  "__clerk_db_jwt",
  "__clerk_db_jwt_vWCgMp3A",
  "__refresh_vWCgMp3A",
  "__clerk_redirect_count",
  "__clerk_handshake",
  "__clerk_handshake_nonce",
  "",
  "a",
];

const PARAMS: [&str; 8] = [
  "__clerk_db_jwt",
  "__clerk_synced",
  "__clerk_redirect_url",
  "__clerk_handshake",
  "__clerk_handshake_nonce",
  "__clerk_help",
  "__dev_session",
  "__session",
];

/// `decodeURIComponent`, or `None` where it throws.
fn decode_uri_component(text: &str) -> Option<String> {
  let bytes = text.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut i = 0;
  while i < bytes.len() {
    if bytes[i] == b'%' {
      let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
      let (high, low) = (hex(i + 1)?, hex(i + 2)?);
      out.push((high * 16 + low) as u8);
      i += 3;
    } else {
      out.push(bytes[i]);
      i += 1;
    }
  }
  String::from_utf8(out).ok()
}

/// cookie@1.1.1 `parse(header)[name]`, read as the state machine reads it
/// (an empty value is absent).
fn model_cookie(header: &str, name: &str) -> Option<String> {
  let trim = |s: &str| s.trim_matches([' ', '\t']).to_string();
  let value = header
    .split(';')
    .filter_map(|pair| pair.split_once('='))
    .find(|(key, _)| trim(key) == name)
    .map(|(_, value)| trim(value))?;
  let value = if value.contains('%') {
    decode_uri_component(&value).unwrap_or(value)
  } else {
    value
  };
  (!value.is_empty()).then_some(value)
}

fuzz_target!(|data: &[u8]| {
  let text = String::from_utf8_lossy(data);
  let mut lines = text.split('\n');
  let mut line = || lines.next().map(str::to_string);
  let input = RequestInput {
    method: "GET".into(),
    cookie: line(),
    url: line().unwrap_or_default(),
    host: line(),
    forwarded_host: line(),
    forwarded_proto: line(),
    encrypted: line().as_deref() == Some("s"),
    ..Default::default()
  };
  let request = Request::new(&input);
  let header = input.cookie.as_deref().unwrap_or_default();

  let names_in_header = header
    .split(';')
    .filter_map(|pair| pair.split_once('='))
    .map(|(name, _)| name.trim_matches([' ', '\t']));
  for name in COOKIES.into_iter().chain(names_in_header) {
    assert_eq!(
      request.cookie(name).map(str::to_string),
      model_cookie(header, name),
      "cookie {name:?}"
    );
  }

  let clerk_url = request.clerk_url().cloned();
  let pairs: Vec<(String, String)> = clerk_url
    .as_ref()
    .map(|url| {
      url
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
    })
    .unwrap_or_default();
  let clerk_names = pairs
    .iter()
    .map(|(k, _)| k.as_str())
    .filter(|k| k.starts_with("__"));
  for name in PARAMS.into_iter().chain(clerk_names) {
    let expected = pairs
      .iter()
      .find(|(k, _)| k == name)
      .map(|(_, v)| v.clone());
    assert_eq!(
      request.has_query_param(name),
      expected.is_some(),
      "{name:?}"
    );
    assert_eq!(request.query_param(name), expected, "{name:?}");
  }

  if let Some(mut url) = clerk_url {
    let removed = ["__clerk_db_jwt", "__dev_session", "__clerk_handshake"];
    remove_query_params(&mut url, &removed);
    let kept: Vec<(String, String)> = url
      .query_pairs()
      .map(|(k, v)| (k.into_owned(), v.into_owned()))
      .collect();
    let expected: Vec<(String, String)> = pairs
      .into_iter()
      .filter(|(k, _)| !removed.contains(&k.as_str()))
      .collect();
    assert_eq!(kept, expected);
    // What a redirect sends must parse back to the same URL.
    let serialized = url.to_string();
    assert_eq!(reqwest::Url::parse(&serialized).ok().as_ref(), Some(&url));
  }
});
