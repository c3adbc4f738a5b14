//! Body parsing with the semantics of `TextDecoder` + `JSON.parse`.

use serde_json::Value;

/// `new TextDecoder().decode(bytes)`: drops a leading byte-order mark and
/// replaces invalid UTF-8 with U+FFFD.
pub fn decode_text(bytes: &[u8]) -> String {
  let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
  String::from_utf8_lossy(bytes).into_owned()
}

/// `JSON.parse(new TextDecoder().decode(bytes))`; `None` where it would throw.
pub fn parse_body(bytes: &[u8]) -> Option<Value> {
  serde_json::from_str(&decode_text(bytes)).ok()
}
