//! Wall-clock time as JS sees it (`Date.now()`), and a cheap jitter source.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_ms() -> f64 {
  let now = SystemTime::now()
    .duration_since(UNIX_EPOCH)
    .map(|d| d.as_millis() as f64)
    .unwrap_or(0.0);
  #[cfg(test)]
  let now = now + test_clock::OFFSET_MS.with(|offset| offset.get());
  now
}

/// A number in [0, 1) for retry jitter; it needs no cryptographic quality.
pub fn jitter() -> f64 {
  let nanos = SystemTime::now()
    .duration_since(UNIX_EPOCH)
    .map(|d| d.subsec_nanos())
    .unwrap_or(0);
  let mixed = (u64::from(nanos)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
  mixed as f64 / (1u64 << 53) as f64
}

/// Tests move this thread's clock forward (cache expiry, cooldowns).
#[cfg(test)]
pub mod test_clock {
  use std::cell::Cell;

  thread_local! {
    pub(super) static OFFSET_MS: Cell<f64> = const { Cell::new(0.0) };
  }

  pub fn advance(ms: f64) {
    OFFSET_MS.with(|offset| offset.set(offset.get() + ms));
  }
}
