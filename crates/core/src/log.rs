//! Lines for the operator that no request's answer carries (a JWKS outage
//! starting and ending): written to stderr in one write each, where
//! `console.warn` would print them. Tests read them back instead.

pub fn warn(line: &str) {
  #[cfg(test)]
  recorded::push(line);
  #[cfg(not(test))]
  {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
  }
}

#[cfg(test)]
pub mod recorded {
  use std::sync::Mutex;

  static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

  pub(super) fn push(line: &str) {
    LINES
      .lock()
      .unwrap_or_else(|p| p.into_inner())
      .push(line.to_string());
  }

  /// The lines written so far that contain `needle`.
  pub fn containing(needle: &str) -> Vec<String> {
    let lines = LINES.lock().unwrap_or_else(|p| p.into_inner());
    lines
      .iter()
      .filter(|line| line.contains(needle))
      .cloned()
      .collect()
  }
}
