//! Inputs the cargo-fuzz targets (fuzz/) found, minimized, each fed to the
//! function that failed on it, with the outcome it must have
//! (fuzz/README.md says what each bug was).

use crate::authenticate::request::{Request, RequestInput};
use crate::backend_api::retry::retry_after_delay;
use std::time::{Duration, UNIX_EPOCH};

fn cookie(header: &str, name: &str) -> Option<String> {
  let input = RequestInput {
    cookie: Some(header.into()),
    ..Default::default()
  };
  Request::new(&input).cookie(name).map(str::to_string)
}

/// cookie_and_query, minimized to the header `=%+1`: `decodeURIComponent`
/// throws on `%+1` (`+` is no hex digit), so cookie@1.1.1 keeps the value
/// as it is; `paths::decode_uri_component` reads each escape with
/// `u8::from_str_radix`, which accepts a leading `+`, and made it U+0001
/// (fixed there: both digits must be hex digits).
#[test]
fn a_plus_sign_is_not_a_hex_digit_of_a_cookie_escape() {
  assert_eq!(cookie("=%+1", "").as_deref(), Some("%+1"));
  assert_eq!(cookie("a=%+41", "a").as_deref(), Some("%+41"));
  assert_eq!(crate::paths::decode_uri_component("%+1"), None);
  assert_eq!(
    crate::paths::decode_uri_component("%2B1"),
    Some("+1".into())
  );
}

/// backend_api_response, minimized to the Retry-After value
/// `, 6 Nov 911111111114 0:4:6 GMT`: a date whose year has more digits than
/// IMF-fixdate's four overflowed the seconds since the epoch (a panic with
/// overflow checks on; without them, `UNIX_EPOCH + Duration` panics for
/// years from about 3·10¹¹). A retried 429 or 503 with such a header took
/// the request down with it. Now a year must have four digits.
#[test]
fn a_retry_after_date_with_a_huge_year_is_no_date() {
  let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
  for value in [
    ", 6 Nov 911111111114 0:4:6 GMT",
    "Sun, 06 Nov 099111111111114 08:49:16 GMT",
    "Sun, 06 Nov 400000000000 08:49:37 GMT",
    "Sun, 06 Nov 19940 08:49:37 GMT",
  ] {
    let delay = std::panic::catch_unwind(|| retry_after_delay(value, now));
    assert_eq!(delay.ok(), Some(None), "{value:?}");
  }
  // The latest date a four-digit year gives still reads.
  assert_eq!(
    retry_after_delay("Fri, 31 Dec 9999 23:59:59 GMT", now),
    Some(Duration::from_secs(253_402_300_799 - 1_700_000_000))
  );
}

/// cookie_and_query, minimized to the URL `l:` with the Host `d?__`: a
/// request target that is an absolute URL without a path takes the path and
/// query of the host, as `new URL(pathname + search, origin)` does in the
/// reference, so `clerkUrl` (`http://d/?__`) has a query although the
/// target has no `?`; the parameter lookup skipped the query whenever the
/// target had no `?` (now: only when the hosts have none either).
#[test]
fn clerk_parameters_come_from_the_query_clerk_url_has() {
  let minimized = RequestInput {
    url: "l:".into(),
    host: Some("d?__".into()),
    ..Default::default()
  };
  let request = Request::new(&minimized);
  assert_eq!(
    request.clerk_url().map(|url| url.as_str()),
    Some("http://d/?__")
  );
  assert!(request.has_query_param("__"));
  let forwarded = RequestInput {
    url: "a:".into(),
    host: Some("internal:8080".into()),
    forwarded_host: Some("h/?__clerk_db_jwt=1".into()),
    ..Default::default()
  };
  let request = Request::new(&forwarded);
  assert_eq!(request.query_param("__clerk_db_jwt").as_deref(), Some("1"));
  assert!(request.has_query_param("__clerk_db_jwt"));
}

/// cookie_and_query, second run, minimized to the URL `s:` with the
/// X-Forwarded-Host `i` and the X-Forwarded-Proto `l:/?__`: the protocol
/// brings a query too (`clerkUrl` is `l:/?__://i`, as `new URL` makes it in
/// the reference), and the lookup did not look at the protocol for a `?`.
#[test]
fn clerk_parameters_come_from_a_query_the_forwarded_protocol_brings() {
  let minimized = RequestInput {
    url: "s:".into(),
    host: Some(String::new()),
    forwarded_host: Some("i".into()),
    forwarded_proto: Some("l:/?__".into()),
    ..Default::default()
  };
  let request = Request::new(&minimized);
  assert_eq!(
    request.clerk_url().map(|url| url.as_str()),
    Some("l:/?__://i")
  );
  assert!(request.has_query_param("__://i"));
  assert_eq!(request.query_param("__://i").as_deref(), Some(""));
}
