//! What happened inside, for operators: JWKS fetches, Backend API attempts
//! and cache events, kept until the JS shim publishes them on Node's
//! diagnostics channels (lib/diagnostics.js).
//!
//! Recording is off until the shim sees a subscriber: then `record` is one
//! relaxed atomic load and nothing is built. An event recorded inside a call
//! the shim awaits (`collect`: a Backend API request, an authentication that
//! needed the network) is returned with that call's result, so the shim
//! publishes it while that call's own async context is current: with many
//! calls in flight, each tracer span gets its own request as parent. Other
//! events go into one bounded queue per process, because they happen where
//! no JS call waits for them (a background JWKS retry, a cache eviction on
//! another thread); the shim drains it after each call it makes while
//! someone listens. Events past the bound are counted, not kept, so a
//! listener that stops draining costs at most the bound.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

/// Events kept between two drains.
pub const MAX_QUEUED: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
  /// One attempt at fetching a JWKS.
  JwksFetch {
    /// The JWKS URL (it never carries the secret key).
    url: String,
    /// When the attempt started, in ms since the epoch.
    started_at: f64,
    /// 1 for the first attempt.
    attempt: u32,
    /// The HTTP status, when an answer came.
    status: Option<u16>,
    duration_ms: f64,
    /// The keys in a successful answer.
    keys: Option<u32>,
    /// Why the attempt failed, if it did.
    error: Option<String>,
  },
  /// One attempt of a Backend API request.
  BackendApiAttempt {
    /// `scheme://host[:port]` of the API.
    origin: String,
    method: String,
    /// The caller's path template (ids replaced), given with the request.
    path: String,
    attempt: u32,
    started_at: f64,
    status: Option<u16>,
    duration_ms: f64,
    /// The wait before the next attempt, when one follows.
    retry_delay_ms: Option<f64>,
    /// The error body's `clerk_trace_id`, else `cf-ray`: what the
    /// reference reports as `clerkTraceId`.
    trace_id: Option<String>,
    /// What went wrong when no answer came: `connection`, `terminated`,
    /// `timeout` or `too-large`, with `error` its message.
    error_type: Option<&'static str>,
    error: Option<String>,
  },
  /// A cache answered (`hit`), did not (`miss`), or dropped an entry
  /// (`eviction`, with its cause).
  Cache {
    cache: &'static str,
    kind: &'static str,
    cause: Option<&'static str>,
  },
}

static RECORDING: AtomicBool = AtomicBool::new(false);
static DROPPED: AtomicU64 = AtomicU64::new(0);

fn queue() -> &'static Mutex<VecDeque<Event>> {
  static QUEUE: OnceLock<Mutex<VecDeque<Event>>> = OnceLock::new();
  QUEUE.get_or_init(Default::default)
}

/// Turns recording on or off; off also empties the queue.
pub fn set_recording(on: bool) {
  RECORDING.store(on, Ordering::Relaxed);
  if !on {
    let mut queue = queue().lock().unwrap_or_else(|p| p.into_inner());
    queue.clear();
  }
}

pub fn recording() -> bool {
  RECORDING.load(Ordering::Relaxed)
}

tokio::task_local! {
  /// The events of the call being polled (see `collect`).
  static CALL_EVENTS: RefCell<Vec<Event>>;
}

/// Keeps the event `build` makes, if recording is on: with the call being
/// polled, if inside `collect`, else in the process queue.
pub fn record(build: impl FnOnce() -> Event) {
  if !recording() {
    return;
  }
  let mut event = Some(build());
  let _ = CALL_EVENTS.try_with(|call| {
    let mut call = call.borrow_mut();
    if call.len() < MAX_QUEUED {
      call.extend(event.take());
    }
  });
  if let Some(event) = event {
    enqueue(event);
  }
}

/// Runs `future`, returning with its output the events recorded while it
/// was polled (tasks it spawns record into the process queue).
pub async fn collect<F: std::future::Future>(future: F) -> (F::Output, Vec<Event>) {
  CALL_EVENTS
    .scope(RefCell::new(Vec::new()), async move {
      let output = future.await;
      (output, CALL_EVENTS.with(|call| call.take()))
    })
    .await
}

/// Puts a call's events into the process queue (a call that fails returns
/// no result to carry them).
pub fn requeue(events: Vec<Event>) {
  events.into_iter().for_each(enqueue);
}

fn enqueue(event: Event) {
  let mut queue = queue().lock().unwrap_or_else(|p| p.into_inner());
  if queue.len() >= MAX_QUEUED {
    DROPPED.fetch_add(1, Ordering::Relaxed);
    return;
  }
  queue.push_back(event);
}

/// A cache event, if recording is on.
pub fn cache(cache: &'static str, kind: &'static str, cause: Option<&'static str>) {
  record(|| Event::Cache { cache, kind, cause });
}

/// The events kept since the last drain, oldest first, and how many were
/// dropped meanwhile because the queue was full.
pub fn drain() -> (Vec<Event>, u64) {
  let mut queue = queue().lock().unwrap_or_else(|p| p.into_inner());
  let events = queue.drain(..).collect();
  (events, DROPPED.swap(0, Ordering::Relaxed))
}

/// When an attempt starts: a monotonic instant for its duration, and the
/// wall-clock time for `started_at`.
pub struct Started {
  instant: std::time::Instant,
  pub at_ms: f64,
}

impl Started {
  pub fn now() -> Self {
    Started {
      instant: std::time::Instant::now(),
      at_ms: crate::clock::now_ms(),
    }
  }

  pub fn elapsed_ms(&self) -> f64 {
    self.instant.elapsed().as_secs_f64() * 1000.0
  }
}

#[cfg(test)]
pub(crate) mod test_lock {
  use std::sync::{Mutex, MutexGuard};
  /// Tests that record events run one at a time: the queue is global.
  pub fn serialized() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn nothing_is_kept_while_off_and_the_queue_is_bounded_while_on() {
    let _serial = test_lock::serialized();
    set_recording(false);
    cache("token", "hit", None);
    assert!(drain().0.is_empty());
    set_recording(true);
    for _ in 0..MAX_QUEUED + 5 {
      cache("token", "miss", None);
    }
    // Tests running beside this one may record too: at least these were dropped.
    let (events, dropped) = drain();
    assert_eq!(events.len(), MAX_QUEUED);
    assert!(dropped >= 5, "{dropped}");
    set_recording(false);
  }

  #[test]
  fn events_inside_a_collected_call_come_back_with_it_and_others_go_to_the_queue() {
    let _serial = test_lock::serialized();
    set_recording(true);
    let runtime = tokio::runtime::Builder::new_current_thread()
      .build()
      .expect("a runtime");
    let ((), own) = runtime.block_on(collect(async {
      cache("collect-test", "first", None);
      tokio::task::yield_now().await;
      cache("collect-test", "second", None);
    }));
    cache("collect-test", "outside", None);
    // Only this test's cache name: tests running beside this one may record too.
    let names = |events: Vec<Event>| -> Vec<&'static str> {
      events
        .into_iter()
        .filter_map(|event| match event {
          Event::Cache {
            cache: "collect-test",
            kind,
            ..
          } => Some(kind),
          _ => None,
        })
        .collect()
    };
    assert_eq!(names(own.clone()), ["first", "second"]);
    requeue(own);
    assert_eq!(names(drain().0), ["outside", "first", "second"]);
    set_recording(false);
  }
}
