//! Whether environment variables changed since the last look, in one call.
//!
//! The middleware reads a few `CLERK_*` variables on every request, as
//! @clerk/express does, and each `process.env` read is a call into Node's
//! environment code. On Node's main thread
//! `process.env` is the process environment itself (assignments and deletes
//! go straight to it), so the addon can compare the current values with the
//! ones it saw last and answer with a version number that changes exactly
//! when one of them did; JS re-reads `process.env` only then.

use std::ffi::OsString;
use std::sync::Mutex;

/// The variables watched, the values last seen, and how many times they changed.
pub struct EnvWatch {
  names: Vec<String>,
  last: Vec<Option<OsString>>,
  /// The environment's entries when `last` was read (see `entries`).
  entries: Vec<usize>,
  version: u32,
}

impl Default for EnvWatch {
  fn default() -> Self {
    Self::new()
  }
}

impl EnvWatch {
  pub const fn new() -> Self {
    EnvWatch {
      names: Vec::new(),
      last: Vec::new(),
      entries: Vec::new(),
      version: 0,
    }
  }

  /// Watches these variables from now on (the values are compared afresh).
  pub fn watch(&mut self, names: Vec<String>) {
    self.names = names;
    self.last.clear();
  }

  /// The version of the current values: the same number as last time if,
  /// and only if, no variable changed (a variable that changes and changes
  /// back in between counts as unchanged, which it is).
  pub fn version(&mut self) -> u32 {
    let values_read = self.last.len() == self.names.len();
    if entries::unchanged(&mut self.entries) && values_read {
      return self.version;
    }
    let changed = !values_read
      || self
        .names
        .iter()
        .zip(&self.last)
        .any(|(name, last)| std::env::var_os(name) != *last);
    if changed {
      self.last = self.names.iter().map(std::env::var_os).collect();
      self.version = self.version.wrapping_add(1);
    }
    self.version
  }
}

/// A cheap proof that the environment did not change, where there is one.
///
/// Reading the watched values scans every variable's string (ten lookups in
/// the whole environment), which in a busy server means cache misses on
/// every request. With glibc the strings `setenv` makes are never freed (a
/// value set again reuses its earlier string: glibc's setenv.c keeps them
/// all, a behaviour its manual does not promise), so the same sequence of
/// entry pointers means the same contents, and comparing the pointers
/// touches only the array. The one way around it is `putenv` of a string
/// that its owner then edits in place; Node never does that.
mod entries {
  /// Whether the environment's entries are still `last`; if not, `last`
  /// becomes the current entries and the values must be read.
  #[cfg(all(target_os = "linux", target_env = "gnu"))]
  pub fn unchanged(last: &mut Vec<usize>) -> bool {
    use std::ffi::c_char;
    extern "C" {
      // Mutable: `setenv` and `clearenv` assign it (a new array when it grows).
      static mut environ: *const *const c_char;
    }
    // SAFETY: `environ` is a null-terminated array of pointers, or null
    // (after `clearenv`). It is read through a raw pointer, never a
    // reference, and only on Node's main thread, the thread that changes
    // it, so no write can race the read; this is how `getenv` reads it.
    let at = |base: *const *const c_char, i: usize| unsafe { *base.add(i) } as usize;
    let base = unsafe { std::ptr::addr_of!(environ).read() };
    let mut count = 0;
    let mut same = true;
    if !base.is_null() {
      while at(base, count) != 0 {
        same = same && last.get(count) == Some(&at(base, count));
        count += 1;
      }
    }
    if same && count == last.len() {
      return true;
    }
    last.clear();
    last.extend((0..count).map(|i| at(base, i)));
    false
  }

  /// Elsewhere there is no such proof: the values are always read.
  #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
  pub fn unchanged(_last: &mut Vec<usize>) -> bool {
    false
  }
}

/// The variables the middleware reads on every request: lib/env.js, which
/// knows them, names them once when it loads. One watch per process.
static REQUEST_ENV: Mutex<EnvWatch> = Mutex::new(EnvWatch::new());

fn request_env() -> std::sync::MutexGuard<'static, EnvWatch> {
  REQUEST_ENV
    .lock()
    .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn watch_request_env(names: Vec<String>) {
  request_env().watch(names);
}

pub fn request_env_version() -> u32 {
  request_env().version()
}

#[cfg(test)]
mod tests {
  use super::*;

  // Names no other test touches: tests run in parallel in one process, and
  // this is the only test that changes the environment (the watch reads it
  // without the lock Rust's own accessors take).
  const NAMES: [&str; 3] = [
    "CEN_ENV_WATCH_TEST_A",
    "CEN_ENV_WATCH_TEST_B",
    "CEN_ENV_WATCH_TEST_C",
  ];

  #[test]
  fn the_version_changes_exactly_when_a_value_does() {
    // SAFETY: these variables are used by this test only, and read by no other thread.
    unsafe {
      std::env::remove_var(NAMES[0]);
      std::env::remove_var(NAMES[1]);
    }
    let mut watch = EnvWatch::new();
    watch.watch(NAMES[..2].iter().map(|name| name.to_string()).collect());
    let first = watch.version();
    assert_eq!(watch.version(), first, "nothing changed");
    unsafe { std::env::set_var(NAMES[0], "one") };
    let set = watch.version();
    assert_ne!(set, first, "a variable was set");
    assert_eq!(watch.version(), set);
    unsafe { std::env::set_var(NAMES[0], "two") };
    let changed = watch.version();
    assert_ne!(changed, set, "a value changed");
    unsafe { std::env::set_var(NAMES[1], "") };
    let empty = watch.version();
    assert_ne!(empty, changed, "an empty value is not a missing one");
    unsafe { std::env::remove_var(NAMES[1]) };
    let removed = watch.version();
    assert_ne!(removed, empty, "a variable was removed");
    unsafe { std::env::set_var(NAMES[0], "two") };
    assert_eq!(watch.version(), removed, "the same value set again");
    unsafe { std::env::set_var(NAMES[0], "one") };
    let current = watch.version();
    assert_ne!(current, removed, "an earlier value set again");
    unsafe { std::env::set_var(NAMES[2], "x") };
    assert_eq!(
      watch.version(),
      current,
      "a variable that is not watched was set"
    );
    unsafe { std::env::remove_var(NAMES[2]) };
    assert_eq!(watch.version(), current, "and removed");
    unsafe { std::env::remove_var(NAMES[0]) };
  }
}
