//! The base64url decoder of @clerk/backend (rfc4648 `parse` in loose mode).
//! It is stricter than most: no `+`/`/`, and non-zero trailing bits are an
//! error. Trailing `=` padding is tolerated in any amount.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

#[derive(Debug, PartialEq, Eq)]
pub struct InvalidBase64;

pub fn decode(input: &str) -> Result<Vec<u8>, InvalidBase64> {
  // The base64 crate's URL-safe engine without padding refuses exactly what
  // the reference does once the padding is gone: other characters (`=`
  // inside included), a lone 6-bit group and non-zero trailing bits.
  URL_SAFE_NO_PAD
    .decode(input.trim_end_matches('='))
    .map_err(|_| InvalidBase64)
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
    assert_eq!(decode("ab=c"), Err(InvalidBase64));
    assert_eq!(decode("abc\n"), Err(InvalidBase64));
  }

  #[test]
  fn agrees_with_a_bitwise_reference_decoder() {
    // The rfc4648 loose `parse` the reference uses, written out bit by bit.
    fn reference(input: &str) -> Result<Vec<u8>, InvalidBase64> {
      let bytes = input.trim_end_matches('=').as_bytes();
      let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
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
      if bits >= 6 || (buffer << (8 - bits)) & 0xff != 0 {
        return Err(InvalidBase64);
      }
      Ok(out)
    }
    let alphabet = "AB_-zy09+/=. ";
    let mut inputs = vec![String::new()];
    for _ in 0..4 {
      let next: Vec<String> = inputs
        .iter()
        .flat_map(|prefix| alphabet.chars().map(move |c| format!("{prefix}{c}")))
        .collect();
      inputs.extend(next);
    }
    for input in &inputs {
      assert_eq!(decode(input), reference(input), "{input:?}");
    }
  }
}
