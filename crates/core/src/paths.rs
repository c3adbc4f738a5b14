//! `joinPaths` of @clerk/backend: joins with `/`, collapses repeated slashes
//! (except after `:`), and refuses `.`/`..` segments even when URI-encoded.

#[derive(Debug, PartialEq, Eq)]
pub struct PathError(pub String);

pub fn join_paths(parts: &[&str]) -> Result<String, PathError> {
  let joined = parts
    .iter()
    .filter(|p| !p.is_empty())
    .copied()
    .collect::<Vec<_>>()
    .join("/");
  let mut result = String::with_capacity(joined.len());
  let mut previous: Option<char> = None;
  let mut in_slash_run = false;
  for c in joined.chars() {
    if c == '/' {
      // A run of slashes becomes one, unless it directly follows ':'.
      if in_slash_run {
        continue;
      }
      in_slash_run = previous != Some(':');
    } else {
      in_slash_run = false;
    }
    result.push(c);
    previous = Some(c);
  }
  for segment in result.split('/') {
    if is_dot_segment(segment)? {
      return Err(PathError(format!(
        "joinPaths: \".\" and \"..\" path segments are not allowed (received \"{result}\")"
      )));
    }
  }
  Ok(result)
}

fn is_dot_segment(segment: &str) -> Result<bool, PathError> {
  const MAX_DECODES: usize = 10;
  let mut candidate = segment.to_string();
  for i in 0..=MAX_DECODES {
    if candidate.split(['/', '\\']).any(|p| p == "." || p == "..") {
      return Ok(true);
    }
    if i == MAX_DECODES {
      return Err(PathError(format!(
        "joinPaths: too many layers of encoding in {segment}"
      )));
    }
    match decode_uri_component(&candidate) {
      Some(next) if next != candidate => candidate = next,
      _ => break,
    }
  }
  Ok(false)
}

/// `decodeURIComponent`; `None` where it would throw a URIError.
pub fn decode_uri_component(input: &str) -> Option<String> {
  if !input.contains('%') {
    return Some(input.to_string());
  }
  let bytes = input.as_bytes();
  let mut out = Vec::with_capacity(bytes.len());
  let mut i = 0;
  while i < bytes.len() {
    if bytes[i] == b'%' {
      let hex = bytes.get(i + 1..i + 3)?;
      // Two hex digits exactly: `from_str_radix` alone would take a sign ("%+1").
      if !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
      }
      let value = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
      out.push(value);
      i += 3;
    } else {
      out.push(bytes[i]);
      i += 1;
    }
  }
  String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn joins_and_collapses_slashes() {
    assert_eq!(join_paths(&["/", "v1", "/jwks"]).unwrap(), "/v1/jwks");
    assert_eq!(
      join_paths(&["https://api.clerk.com", "v1", "users", "user_1"]).unwrap(),
      "https://api.clerk.com/v1/users/user_1"
    );
    assert_eq!(join_paths(&["/users", "", "a?b"]).unwrap(), "/users/a?b");
  }

  #[test]
  fn refuses_dot_segments_even_encoded() {
    assert!(join_paths(&["/users", ".."]).is_err());
    assert!(join_paths(&["/users", "%2e%2E"]).is_err());
    assert!(join_paths(&["/users", "%252e%252e"]).is_err());
    assert_eq!(
      join_paths(&["/users", "."]).unwrap_err().0,
      "joinPaths: \".\" and \"..\" path segments are not allowed (received \"/users/.\")"
    );
    assert!(join_paths(&["/users", "a.b"]).is_ok());
  }
}
