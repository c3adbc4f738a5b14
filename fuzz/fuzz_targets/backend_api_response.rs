//! What the core does with a Backend API answer before the JS shim sees it:
//! the body read under a size limit (`http_client::read_body`), decoded as
//! `TextDecoder` does and parsed as `JSON.parse` does (`json`), and the
//! `Retry-After` header of a retryable status (`backend_api::retry`). No
//! panic, and each result consistent with its input.
//!
//! Input: a line with the Retry-After value, a line with the status, a line
//! with the body limit, then the body (the rest).
#![no_main]

use clerk_core::backend_api::retry::{is_retryable_status, retry_after_delay};
use clerk_core::http_client::{read_body, BodyError};
use clerk_core::json::{decode_text, parse_body};
use libfuzzer_sys::fuzz_target;
use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Polls a future that never waits (the body is in memory) to its end.
fn now_or_never<F: Future>(future: F) -> F::Output {
  let mut future = std::pin::pin!(future);
  match future
    .as_mut()
    .poll(&mut Context::from_waker(Waker::noop()))
  {
    Poll::Ready(output) => output,
    Poll::Pending => panic!("an in-memory body never waits"),
  }
}

fuzz_target!(|data: &[u8]| {
  let mut fields = data.splitn(4, |b| *b == b'\n');
  let mut field = || fields.next().unwrap_or_default();
  let (retry_after, status, limit, body) = (field(), field(), field(), field());

  let retry_after = String::from_utf8_lossy(retry_after);
  let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
  if let Some(delay) = retry_after_delay(&retry_after, now) {
    let trimmed = retry_after.trim();
    if trimmed.bytes().all(|b| b.is_ascii_digit()) {
      assert_eq!(Some(delay.as_secs()), trimmed.parse().ok());
    }
  }
  let _ = retry_after_delay(&retry_after, SystemTime::now());

  let status: u16 = String::from_utf8_lossy(status)
    .trim()
    .parse()
    .unwrap_or(200);
  let _ = is_retryable_status(status);
  let limit: usize = String::from_utf8_lossy(limit)
    .trim()
    .parse()
    .unwrap_or(usize::MAX);
  let response = http::Response::builder()
    .status(http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK))
    .body(body.to_vec())
    .expect("a response");
  match now_or_never(read_body(reqwest::Response::from(response), limit)) {
    Ok(read) => assert_eq!(read, body),
    Err(BodyError::TooLarge) => assert!(body.len() > limit),
    Err(BodyError::Read) => panic!("an in-memory body cannot fail to read"),
  }

  let text = decode_text(body);
  let expected = String::from_utf8_lossy(body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body));
  assert_eq!(text, expected);
  assert_eq!(
    parse_body(body),
    serde_json::from_str::<serde_json::Value>(&text).ok()
  );
});
