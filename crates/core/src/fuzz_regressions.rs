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

/// backend_api_response: a `Retry-After` date whose year has more digits
/// than IMF-fixdate's four overflowed the seconds since the epoch (a panic
/// with overflow checks on; without them, `UNIX_EPOCH + Duration` panics
/// for years from about 3·10¹¹). A retried 429 or 503 with such a header
/// took the request down with it. Now a year must have four digits.
#[test]
fn a_retry_after_date_with_a_huge_year_is_no_date() {
  let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
  let crasher = String::from_utf8_lossy(b"SG\x0e\x00\xff\r, 06 Nov 099111111111114 08:49:16 GMT");
  for value in [
    &*crasher,
    "Sun, 06 Nov 099111111111114 08:49:16 GMT",
    "Sun, 06 Nov 400000000000 08:49:37 GMT",
    "Sun, 06 Nov 19940 08:49:37 GMT",
  ] {
    let delay = std::panic::catch_unwind(|| retry_after_delay(value, now));
    assert_eq!(delay.ok(), Some(None), "{value:?}");
  }
  // The longest year IMF-fixdate has still reads.
  assert_eq!(
    retry_after_delay("Fri, 31 Dec 9999 23:59:59 GMT", now),
    Some(Duration::from_secs(253_402_300_799 - 1_700_000_000))
  );
}

/// cookie_and_query: a request target that is an absolute URL without a
/// path (`a:`) takes the path and query of the forwarded host, as
/// `new URL(pathname + search, origin)` does in the reference, so
/// `clerkUrl` has a query although the target has no `?`; the parameter
/// lookup skipped the query whenever the target had no `?` (now: unless
/// the hosts have none either).
#[test]
fn clerk_parameters_come_from_the_query_clerk_url_has() {
  let input = RequestInput {
    url: "a:".into(),
    host: Some("h/?__clerk_db_jwt=1".into()),
    ..Default::default()
  };
  let request = Request::new(&input);
  assert_eq!(
    request.clerk_url().map(|url| url.as_str()),
    Some("http://h/?__clerk_db_jwt=1")
  );
  assert_eq!(request.query_param("__clerk_db_jwt").as_deref(), Some("1"));
  assert!(request.has_query_param("__clerk_db_jwt"));
}
