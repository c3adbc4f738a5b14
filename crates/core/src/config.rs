//! Key validation that @clerk/backend performs before looking at a request:
//! the publishable key (parsed with `atob`, as @clerk/shared does) and the
//! presence of a secret key. Failures are configuration errors (HTTP 500).

const KEY_SETUP_GUIDANCE: &str = "To create a new Clerk app, run:
npx clerk@latest init

'npx clerk@latest init' does not need a Clerk account and writes temporary dev keys.

To use an existing Clerk app, run:
npx clerk@latest link
npx clerk@latest env pull

For production keys, run:
npx clerk@latest env pull --instance prod

Or copy keys from https://dashboard.clerk.com/~/api-keys into your .env file.";

pub const MISSING_SECRET_KEY: &str =
  "Missing Clerk Secret Key. Go to https://dashboard.clerk.com and get your key for your instance.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishableKey {
  pub production: bool,
  /// The decoded frontend API host (without the trailing `$`).
  pub frontend_api: String,
}

pub fn parse_publishable_key(key: &str) -> Result<PublishableKey, String> {
  if key.is_empty() {
    return Err(format!(
      "Publishable key is missing.\n\n{KEY_SETUP_GUIDANCE}"
    ));
  }
  let invalid = || {
    format!("Publishable key not valid (expected format: pk_test_... or pk_live_...).\n\n{KEY_SETUP_GUIDANCE}")
  };
  let production = key.starts_with("pk_live_");
  if !production && !key.starts_with("pk_test_") {
    return Err(invalid());
  }
  let parts: Vec<&str> = key.split('_').collect();
  if parts.len() != 3 || parts[2].is_empty() {
    return Err(invalid());
  }
  let decoded = atob(parts[2]).ok_or_else(invalid)?;
  let Some(without_dollar) = decoded.strip_suffix('$') else {
    return Err(invalid());
  };
  if without_dollar.contains('$') || !without_dollar.contains('.') {
    return Err(invalid());
  }
  Ok(PublishableKey {
    production,
    frontend_api: without_dollar.to_string(),
  })
}

/// WHATWG forgiving-base64 decode, as `atob`: the result is a binary string
/// (one char per byte). `None` where `atob` throws.
fn atob(input: &str) -> Option<String> {
  let mut data: Vec<u8> = input
    .bytes()
    .filter(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
    .collect();
  if data.len().is_multiple_of(4) {
    for _ in 0..2 {
      if data.last() == Some(&b'=') {
        data.pop();
      }
    }
  }
  if data.len() % 4 == 1 {
    return None;
  }
  let mut out = String::with_capacity(data.len());
  let (mut buffer, mut bits) = (0u32, 0u32);
  for c in data {
    let value = match c {
      b'A'..=b'Z' => c - b'A',
      b'a'..=b'z' => c - b'a' + 26,
      b'0'..=b'9' => c - b'0' + 52,
      b'+' => 62,
      b'/' => 63,
      _ => return None,
    };
    buffer = (buffer << 6) | u32::from(value);
    bits += 6;
    if bits >= 8 {
      bits -= 8;
      out.push(char::from((buffer >> bits) as u8));
    }
  }
  Some(out)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn parses_development_and_production_keys() {
    let dev = parse_publishable_key("pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA").unwrap();
    assert_eq!(
      dev,
      PublishableKey {
        production: false,
        frontend_api: "clerk.inspired.puma-74.lcl.dev".into()
      }
    );
    let live = parse_publishable_key("pk_live_Y2xlcmsuZXhhbXBsZS5jb20k").unwrap();
    assert!(live.production);
    assert_eq!(live.frontend_api, "clerk.example.com");
  }

  #[test]
  fn rejects_malformed_keys_with_the_reference_messages() {
    assert!(parse_publishable_key("")
      .unwrap_err()
      .starts_with("Publishable key is missing.\n\nTo create"));
    for bad in [
      "sk_test_abc",
      "pk_test_",
      "pk_test_a_b",
      "pk_test_!!!!",
      "pk_test_Y2xlcmsuZXhhbXBsZS5jb20",
      "pk_test_Y2xlcmskJA",
    ] {
      let err = parse_publishable_key(bad).unwrap_err();
      assert!(
        err.starts_with(
          "Publishable key not valid (expected format: pk_test_... or pk_live_...).\n\n"
        ),
        "{bad}"
      );
    }
  }
}
