//! The base64url decoder of @clerk/backend (rfc4648 `parse` in loose mode).
//! It is stricter than most: no `+`/`/`, and non-zero trailing bits are an
//! error. Trailing `=` padding is tolerated in any amount.

#[derive(Debug, PartialEq, Eq)]
pub struct InvalidBase64;

pub fn decode(input: &str) -> Result<Vec<u8>, InvalidBase64> {
  let bytes = input.trim_end_matches('=').as_bytes();
  let mut out = Vec::with_capacity(bytes.len() * 6 / 8);
  let mut buffer: u32 = 0;
  let mut bits: u32 = 0;
  for &c in bytes {
    let value = match c {
      b'A'..=b'Z' => c - b'A',
      b'a'..=b'z' => c - b'a' + 26,
      b'0'..=b'9' => c - b'0' + 52,
      b'-' => 62,
      b'_' => 63,
      _ => return Err(InvalidBase64),
    };
    buffer = (buffer << 6) | u32::from(value);
    bits += 6;
    if bits >= 8 {
      bits -= 8;
      out.push((buffer >> bits) as u8);
    }
  }
  // A lone 6-bit group, or leftover bits that are not zero, end the data badly.
  if bits >= 6 || (buffer << (8 - bits)) & 0xff != 0 {
    return Err(InvalidBase64);
  }
  Ok(out)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn decodes_canonical_and_padded_input() {
    assert_eq!(decode("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
    assert_eq!(decode("eyJhIjoxfQ==").unwrap(), br#"{"a":1}"#);
    assert_eq!(decode("").unwrap(), b"");
  }

  #[test]
  fn rejects_standard_alphabet_and_dirty_trailing_bits() {
    assert_eq!(decode("ab+/"), Err(InvalidBase64));
    assert_eq!(decode("eyJhIjoxfR"), Err(InvalidBase64)); // 'R' leaves non-zero bits
    assert_eq!(decode("a"), Err(InvalidBase64)); // a lone 6-bit group
    assert_eq!(decode("ab c"), Err(InvalidBase64));
  }
}
