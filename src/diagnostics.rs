//! The core's recorded events (`clerk_core::events`), handed to the JS shim
//! for Node's diagnostics channels (lib/diagnostics.js).

use clerk_core::events::{self, Event};
use napi_derive::napi;

/// One event, flattened: `kind` says which fields are set.
#[napi(object)]
#[derive(Default)]
pub struct DiagnosticEvent {
  /// `jwks-fetch`, `backend-api-attempt` or `cache`.
  pub kind: String,
  pub url: Option<String>,
  pub origin: Option<String>,
  pub method: Option<String>,
  pub path: Option<String>,
  pub attempt: Option<u32>,
  /// When the attempt started, in ms since the epoch.
  pub started_at: Option<f64>,
  pub status: Option<u32>,
  pub duration_ms: Option<f64>,
  pub keys: Option<u32>,
  pub retry_delay_ms: Option<f64>,
  pub trace_id: Option<String>,
  pub error_type: Option<String>,
  pub error: Option<String>,
  /// `token` or `machine-token`.
  pub cache: Option<String>,
  /// `hit`, `miss` or `eviction`.
  pub event: Option<String>,
  /// An eviction's cause: `size`, `expired` or `invalidated`.
  pub cause: Option<String>,
}

impl From<Event> for DiagnosticEvent {
  fn from(event: Event) -> Self {
    match event {
      Event::JwksFetch {
        url,
        started_at,
        attempt,
        status,
        duration_ms,
        keys,
        error,
      } => DiagnosticEvent {
        kind: "jwks-fetch".into(),
        url: Some(url),
        started_at: Some(started_at),
        attempt: Some(attempt),
        status: status.map(u32::from),
        duration_ms: Some(duration_ms),
        keys,
        error,
        ..Default::default()
      },
      Event::BackendApiAttempt {
        origin,
        method,
        path,
        attempt,
        started_at,
        status,
        duration_ms,
        retry_delay_ms,
        trace_id,
        error_type,
        error,
      } => DiagnosticEvent {
        kind: "backend-api-attempt".into(),
        origin: Some(origin),
        method: Some(method),
        path: Some(path),
        attempt: Some(attempt),
        started_at: Some(started_at),
        status: status.map(u32::from),
        duration_ms: Some(duration_ms),
        retry_delay_ms,
        trace_id,
        error_type: error_type.map(str::to_string),
        error,
        ..Default::default()
      },
      Event::Cache { cache, kind, cause } => DiagnosticEvent {
        kind: "cache".into(),
        cache: Some(cache.into()),
        event: Some(kind.into()),
        cause: cause.map(str::to_string),
        ..Default::default()
      },
    }
  }
}

/// A call's own events for its result: none when nothing was recorded.
pub fn call_events(recorded: Vec<Event>) -> Option<Vec<DiagnosticEvent>> {
  (!recorded.is_empty()).then(|| recorded.into_iter().map(DiagnosticEvent::from).collect())
}

/// The events since the last drain, and how many were dropped.
#[napi(object)]
pub struct DiagnosticEvents {
  pub events: Vec<DiagnosticEvent>,
  pub dropped: f64,
}

/// Starts or stops recording (the shim does when the first subscriber
/// comes or the last goes).
#[napi]
pub fn set_diagnostics_recording(on: bool) {
  events::set_recording(on);
}

/// The recorded events since the last call, oldest first.
#[napi]
pub fn drain_diagnostic_events() -> DiagnosticEvents {
  let (drained, dropped) = events::drain();
  DiagnosticEvents {
    events: drained.into_iter().map(DiagnosticEvent::from).collect(),
    dropped: dropped as f64,
  }
}
