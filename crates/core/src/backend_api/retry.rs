//! Opt-in retries of idempotent Backend API requests (beyond the reference,
//! which never retries). Only answers that say "try again later" are retried:
//! 429 (rate limited) and 502/503/504 (a gateway or Clerk itself is briefly
//! unavailable). When the retries run out, or the server asks for a longer
//! wait than the caller allows, the last answer is returned as it is, so the
//! caller sees exactly the error it would have seen without retries.

use super::{record_attempt, send_unrecorded, ApiRequest, ApiResponse, TransportError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug)]
pub struct RetryPolicy {
  /// Retries after the first attempt; 0 turns retrying off.
  pub max_retries: u32,
  /// The longest wait honoured, whether asked for by `Retry-After` or
  /// computed by the backoff.
  pub max_delay: Duration,
  /// The first backoff step when the server gives no `Retry-After`.
  pub base_delay: Duration,
}

impl RetryPolicy {
  pub const OFF: RetryPolicy = RetryPolicy {
    max_retries: 0,
    max_delay: Duration::ZERO,
    base_delay: Duration::ZERO,
  };
}

/// Methods whose repetition cannot change the outcome. POST and PATCH are
/// never retried: a lost answer may hide a change that already happened.
pub fn is_idempotent(method: &str) -> bool {
  matches!(method, "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS")
}

pub fn is_retryable_status(status: u16) -> bool {
  matches!(status, 429 | 502 | 503 | 504)
}

/// Sends the request, retrying as the policy allows. `timeout` applies to
/// each attempt; each is recorded for the diagnostics channels under
/// `path_template`.
pub async fn send_with_retries(
  client: &reqwest::Client,
  request: &ApiRequest,
  timeout: Option<Duration>,
  policy: &RetryPolicy,
  path_template: &str,
) -> Result<ApiResponse, TransportError> {
  let mut retries_done = 0;
  loop {
    let started = crate::events::Started::now();
    let result = send_unrecorded(client, request, timeout).await;
    let wait = result
      .as_ref()
      .ok()
      .and_then(|response| retry_wait(request, response, policy, retries_done));
    record_attempt(
      request,
      path_template,
      retries_done + 1,
      &result,
      &started,
      wait,
    );
    match wait {
      Some(wait) => {
        tokio::time::sleep(wait).await;
        retries_done += 1;
      }
      None => return result,
    }
  }
}

/// How long to wait before retrying after `response`; `None` when it is the
/// answer (not retryable, retries used up, or a longer wait than allowed).
fn retry_wait(
  request: &ApiRequest,
  response: &ApiResponse,
  policy: &RetryPolicy,
  retries_done: u32,
) -> Option<Duration> {
  let may_retry = retries_done < policy.max_retries
    && is_idempotent(&request.method)
    && is_retryable_status(response.status);
  if !may_retry {
    return None;
  }
  let wait = match response.retry_after.as_deref() {
    Some(value) => match retry_after_delay(value, SystemTime::now()) {
      Some(delay) => delay,
      None => backoff(policy, retries_done),
    },
    None => backoff(policy, retries_done),
  };
  (wait <= policy.max_delay).then_some(wait)
}

/// `Retry-After` as delay-seconds or an IMF-fixdate (RFC 9110 §10.2.3).
pub fn retry_after_delay(value: &str, now: SystemTime) -> Option<Duration> {
  let value = value.trim();
  if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
    return value.parse::<u64>().ok().map(Duration::from_secs);
  }
  let at = parse_imf_fixdate(value)?;
  Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Exponential backoff with jitter: base·2ⁿ, plus up to half of that again,
/// so that many processes rate-limited together do not retry in lockstep.
fn backoff(policy: &RetryPolicy, retries_done: u32) -> Duration {
  let step = policy
    .base_delay
    .saturating_mul(2u32.saturating_pow(retries_done));
  let jitter_range = step.as_millis() as u64 / 2;
  let jitter = if jitter_range == 0 {
    0
  } else {
    random_u64() % jitter_range
  };
  (step + Duration::from_millis(jitter)).min(policy.max_delay)
}

fn random_u64() -> u64 {
  use std::hash::{BuildHasher, Hasher};
  let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
  hasher.write_u128(
    SystemTime::now()
      .duration_since(UNIX_EPOCH)
      .unwrap_or_default()
      .as_nanos(),
  );
  hasher.finish()
}

/// "Sun, 06 Nov 1994 08:49:37 GMT" → a time. Other date formats are obsolete
/// and answered with `None` (the caller falls back to the backoff).
fn parse_imf_fixdate(value: &str) -> Option<SystemTime> {
  let rest = value.split_once(", ")?.1;
  let parts: Vec<&str> = rest.split(' ').collect();
  let [day, month, year, time, "GMT"] = parts.as_slice() else {
    return None;
  };
  let day: u64 = day.parse().ok()?;
  let month = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]
  .iter()
  .position(|m| m == month)? as u64
    + 1;
  // Four digits, as IMF-fixdate has them: a longer year overflowed the seconds.
  if year.len() != 4 {
    return None;
  }
  let year: u64 = year.parse().ok()?;
  let clock: Vec<u64> = time
    .split(':')
    .map(|part| part.parse().ok())
    .collect::<Option<_>>()?;
  let [hours, minutes, seconds] = clock.as_slice() else {
    return None;
  };
  if !(1..=31).contains(&day) || year < 1970 || *hours > 23 || *minutes > 59 || *seconds > 60 {
    return None;
  }
  let days = days_from_civil(year, month, day);
  let secs = days * 86_400 + hours * 3_600 + minutes * 60 + seconds;
  Some(UNIX_EPOCH + Duration::from_secs(secs))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// algorithm), for years from 1970.
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
  let year = if month <= 2 { year - 1 } else { year };
  let era = year / 400;
  let year_of_era = year - era * 400;
  let month_index = (month + 9) % 12;
  let day_of_year = (153 * month_index + 2) / 5 + day - 1;
  let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::test_support::SequenceServer;

  fn policy(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
      max_retries,
      max_delay: Duration::from_secs(5),
      base_delay: Duration::from_millis(1),
    }
  }

  fn get(url: &str) -> ApiRequest {
    ApiRequest {
      method: "GET".into(),
      url: format!("{url}/v1/users/user_1"),
      headers: vec![],
      body: None,
      max_response_bytes: crate::backend_api::DEFAULT_MAX_RESPONSE_BYTES,
    }
  }

  fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
      .enable_all()
      .build()
      .unwrap()
  }

  /// `request` sent to `server` with up to `max_retries` retries and no timeout.
  fn send_retrying(request: &ApiRequest, max_retries: u32) -> ApiResponse {
    runtime()
      .block_on(send_with_retries(
        &reqwest::Client::new(),
        request,
        None,
        &policy(max_retries),
        "/users",
      ))
      .unwrap()
  }

  #[test]
  fn parses_retry_after_in_both_forms() {
    let now = UNIX_EPOCH + Duration::from_secs(784_111_770);
    assert_eq!(retry_after_delay("7", now), Some(Duration::from_secs(7)));
    assert_eq!(
      retry_after_delay("Sun, 06 Nov 1994 08:49:37 GMT", now),
      Some(Duration::from_secs(7))
    );
    assert_eq!(
      retry_after_delay("Sun, 06 Nov 1994 08:49:00 GMT", now),
      Some(Duration::ZERO)
    );
    assert_eq!(retry_after_delay("soon", now), None);
    assert_eq!(retry_after_delay("-1", now), None);
    assert_eq!(retry_after_delay("", now), None);
  }

  #[test]
  fn retries_a_503_then_returns_the_success() {
    let server = SequenceServer::start(vec![
      (503, vec![("retry-after", "0")], "{}".into()),
      (429, vec![], "{}".into()),
      (200, vec![], r#"{"object":"user"}"#.into()),
    ]);
    let response = send_retrying(&get(&server.url), 2);
    assert_eq!(response.status, 200);
    assert_eq!(server.hits(), 3);
  }

  #[test]
  fn each_attempt_is_recorded_with_its_status_and_the_wait_after_it() {
    use crate::events::{self, Event};
    let _serial = events::test_lock::serialized();
    let server = SequenceServer::start(vec![
      (503, vec![("retry-after", "0")], "{}".into()),
      (200, vec![("cf-ray", "ray_1")], "{}".into()),
    ]);
    events::set_recording(true);
    let response = runtime()
      .block_on(send_with_retries(
        &reqwest::Client::new(),
        &get(&server.url),
        None,
        &policy(2),
        "/users/:userId (retry test)",
      ))
      .unwrap();
    let (recorded, _) = events::drain();
    events::set_recording(false);
    assert_eq!(response.status, 200);
    let attempts: Vec<_> = recorded
      .into_iter()
      .filter_map(|event| match event {
        Event::BackendApiAttempt {
          path,
          attempt,
          status,
          retry_delay_ms,
          trace_id,
          method,
          error,
          ..
        } if path == "/users/:userId (retry test)" => {
          Some((method, attempt, status, retry_delay_ms, trace_id, error))
        }
        _ => None,
      })
      .collect();
    assert_eq!(
      attempts,
      vec![
        ("GET".into(), 1, Some(503), Some(0.0), None, None),
        ("GET".into(), 2, Some(200), None, Some("ray_1".into()), None),
      ]
    );
  }

  #[test]
  fn returns_the_last_error_when_retries_run_out() {
    let server = SequenceServer::start(vec![
      (503, vec![], "{}".into()),
      (502, vec![], r#"{"errors":[]}"#.into()),
      (200, vec![], "{}".into()),
    ]);
    let response = send_retrying(&get(&server.url), 1);
    assert_eq!(response.status, 502);
    assert_eq!(server.hits(), 2);
  }

  #[test]
  fn never_retries_posts_other_statuses_or_long_waits() {
    let server =
      SequenceServer::start(vec![(503, vec![], "{}".into()), (200, vec![], "{}".into())]);
    let mut post = get(&server.url);
    post.method = "POST".into();
    let response = send_retrying(&post, 3);
    assert_eq!((response.status, server.hits()), (503, 1));

    let server =
      SequenceServer::start(vec![(500, vec![], "{}".into()), (200, vec![], "{}".into())]);
    let response = send_retrying(&get(&server.url), 3);
    assert_eq!((response.status, server.hits()), (500, 1));

    let server = SequenceServer::start(vec![
      (429, vec![("retry-after", "60")], "{}".into()),
      (200, vec![], "{}".into()),
    ]);
    let response = send_retrying(&get(&server.url), 3);
    assert_eq!((response.status, server.hits()), (429, 1));
    assert_eq!(response.retry_after.as_deref(), Some("60"));
  }

  #[test]
  fn a_timeout_is_reported_as_such() {
    let server = SequenceServer::start_silent();
    let client = reqwest::Client::new();
    let started = std::time::Instant::now();
    let outcome = runtime().block_on(send_with_retries(
      &client,
      &get(&server.url),
      Some(Duration::from_millis(100)),
      &policy(0),
      "/users",
    ));
    assert_eq!(
      outcome.unwrap_err(),
      TransportError::TimedOut(Duration::from_millis(100))
    );
    assert!(started.elapsed() < Duration::from_secs(2));
  }
}
