//! Small re-implementations of JavaScript semantics that leak into Clerk's
//! observable output: `JSON.stringify` of claim values, `Number#toString`,
//! truthiness and `Date#toUTCString`. Error messages that reach the
//! `x-clerk-auth-message` header embed these, so they must match byte for byte.

use serde_json::Value;

/// `JSON.stringify(value)`, where `None` stands for `undefined`.
pub fn stringify(value: Option<&Value>) -> String {
  match value {
    None => "undefined".to_string(),
    Some(v) => {
      let mut out = String::new();
      write_json(v, &mut out);
      out
    }
  }
}

fn write_json(value: &Value, out: &mut String) {
  match value {
    Value::Null => out.push_str("null"),
    Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    Value::Number(n) => out.push_str(&number_to_string(n.as_f64().unwrap_or(f64::NAN))),
    Value::String(s) => write_json_string(s, out),
    Value::Array(items) => {
      out.push('[');
      for (i, item) in items.iter().enumerate() {
        if i > 0 {
          out.push(',');
        }
        write_json(item, out);
      }
      out.push(']');
    }
    Value::Object(map) => {
      out.push('{');
      for (i, (key, item)) in map.iter().enumerate() {
        if i > 0 {
          out.push(',');
        }
        write_json_string(key, out);
        out.push(':');
        write_json(item, out);
      }
      out.push('}');
    }
  }
}

fn write_json_string(s: &str, out: &mut String) {
  out.push('"');
  for c in s.chars() {
    match c {
      '"' => out.push_str("\\\""),
      '\\' => out.push_str("\\\\"),
      '\u{8}' => out.push_str("\\b"),
      '\u{c}' => out.push_str("\\f"),
      '\n' => out.push_str("\\n"),
      '\r' => out.push_str("\\r"),
      '\t' => out.push_str("\\t"),
      c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
      c => out.push(c),
    }
  }
  out.push('"');
}

/// `Number#toString()` for a finite or non-finite double. JSON numbers that
/// JS cannot represent exactly are rounded the way `JSON.parse` rounds them.
pub fn number_to_string(x: f64) -> String {
  if x.is_nan() {
    return "NaN".into();
  }
  if x.is_infinite() {
    return if x > 0.0 {
      "Infinity".into()
    } else {
      "-Infinity".into()
    };
  }
  if x == 0.0 {
    return "0".into();
  }
  // Rust's `{:e}` gives the shortest round-trip digits, like JS, as "d.ddde±x".
  let sci = format!("{:e}", x.abs());
  let (mantissa, exponent) = sci.split_once('e').expect("{:e} always has an exponent");
  let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
  let exp: i32 = exponent.parse().expect("exponent is an integer");
  let k = digits.len() as i32;
  let n = exp + 1; // position of the decimal point relative to the digits
  let body = if k <= n && n <= 21 {
    format!("{digits}{}", "0".repeat((n - k) as usize))
  } else if 0 < n && n <= 21 {
    format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
  } else if -6 < n && n <= 0 {
    format!("0.{}{digits}", "0".repeat((-n) as usize))
  } else {
    let sign = if n > 0 { "+" } else { "-" };
    let e = (n - 1).abs();
    if k == 1 {
      format!("{digits}e{sign}{e}")
    } else {
      format!("{}.{}e{sign}{e}", &digits[..1], &digits[1..])
    }
  };
  if x < 0.0 {
    format!("-{body}")
  } else {
    body
  }
}

/// JS truthiness of a JSON value (`undefined` is `None`).
pub fn truthy(value: Option<&Value>) -> bool {
  match value {
    None | Some(Value::Null) => false,
    Some(Value::Bool(b)) => *b,
    Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
    Some(Value::String(s)) => !s.is_empty(),
    Some(Value::Array(_)) | Some(Value::Object(_)) => true,
  }
}

/// The time value of `new Date(0).setUTCSeconds(seconds)`: the seconds are
/// truncated toward zero and out-of-range results become NaN (TimeClip).
pub fn date_from_unix_seconds(seconds: f64) -> f64 {
  if !seconds.is_finite() {
    return f64::NAN;
  }
  time_clip(seconds.trunc() * 1000.0)
}

fn time_clip(ms: f64) -> f64 {
  if !ms.is_finite() || ms.abs() > 8.64e15 {
    f64::NAN
  } else {
    ms.trunc() + 0.0
  }
}

/// `Date#toUTCString()` for a time value in milliseconds.
pub fn to_utc_string(ms: f64) -> String {
  if ms.is_nan() {
    return "Invalid Date".into();
  }
  const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ];
  let ms = ms as i64;
  let days = ms.div_euclid(86_400_000);
  let in_day = ms.rem_euclid(86_400_000) / 1000;
  let (year, month, day) = civil_from_days(days);
  let weekday = (days + 4).rem_euclid(7) as usize; // 1970-01-01 was a Thursday
  let year_text = if year >= 0 {
    format!("{year:04}")
  } else {
    format!("-{:04}", -year)
  };
  format!(
    "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
    WEEKDAYS[weekday],
    day,
    MONTHS[(month - 1) as usize],
    year_text,
    in_day / 3600,
    (in_day / 60) % 60,
    in_day % 60
  )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian, like JS).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
  let z = days + 719_468;
  let era = z.div_euclid(146_097);
  let doe = z.rem_euclid(146_097);
  let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  let mp = (5 * doy + 2) / 153;
  let day = doy - (153 * mp + 2) / 5 + 1;
  let month = if mp < 10 { mp + 3 } else { mp - 9 };
  let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
  (year, month, day)
}

/// `parseInt(text, 10)`: leading whitespace, a sign, then decimal digits;
/// `None` where JS gives NaN. A long digit string becomes a large double
/// (or Infinity), as in JS.
pub fn parse_int(text: &str) -> Option<f64> {
  let trimmed = text.trim_start();
  let (sign, digits) = match trimmed.as_bytes().first() {
    Some(b'-') => (-1.0, &trimmed[1..]),
    Some(b'+') => (1.0, &trimmed[1..]),
    _ => (1.0, trimmed),
  };
  let end = digits
    .bytes()
    .position(|b| !b.is_ascii_digit())
    .unwrap_or(digits.len());
  digits[..end].parse::<f64>().ok().map(|n| sign * n)
}

/// `String(value)` as used for a property key (`cache.keys[kid]`) or in a
/// template literal; `None` is `undefined`.
pub fn to_js_string(value: Option<&Value>) -> String {
  match value {
    None => "undefined".into(),
    Some(Value::Null) => "null".into(),
    Some(Value::Bool(b)) => b.to_string(),
    Some(Value::Number(n)) => number_to_string(n.as_f64().unwrap_or(f64::NAN)),
    Some(Value::String(s)) => s.clone(),
    Some(Value::Array(items)) => items
      .iter()
      .map(|item| match item {
        Value::Null => String::new(),
        other => to_js_string(Some(other)),
      })
      .collect::<Vec<_>>()
      .join(","),
    Some(Value::Object(_)) => "[object Object]".into(),
  }
}

/// `value.key` for a JSON value: objects yield their member, other values
/// (strings, numbers, arrays) have no such own property. `null` would throw
/// in JS; callers that can see `null` handle it before calling this.
pub fn get<'v>(value: &'v Value, key: &str) -> Option<&'v Value> {
  match value {
    Value::Object(map) => map.get(key),
    _ => None,
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn numbers_format_like_javascript() {
    assert_eq!(number_to_string(1666648250.0), "1666648250");
    assert_eq!(number_to_string(1.5), "1.5");
    assert_eq!(number_to_string(1e21), "1e+21");
    assert_eq!(number_to_string(1.25e-7), "1.25e-7");
    assert_eq!(number_to_string(0.000001), "0.000001");
    assert_eq!(number_to_string(-0.0), "0");
    assert_eq!(
      number_to_string(123456789012345680000.0),
      "123456789012345680000"
    );
  }

  #[test]
  fn stringify_matches_json_stringify() {
    assert_eq!(stringify(None), "undefined");
    assert_eq!(
      stringify(Some(&json!({"b": 1.0, "a": [true, null, "x\"\n"]}))),
      r#"{"b":1,"a":[true,null,"x\"\n"]}"#
    );
  }

  #[test]
  fn utc_strings_match_javascript() {
    assert_eq!(
      to_utc_string(1666648250000.0),
      "Mon, 24 Oct 2022 21:50:50 GMT"
    );
    assert_eq!(to_utc_string(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_eq!(to_utc_string(-1000.0), "Wed, 31 Dec 1969 23:59:59 GMT");
    assert_eq!(to_utc_string(f64::NAN), "Invalid Date");
    assert_eq!(date_from_unix_seconds(1.9), 1000.0);
    assert!(date_from_unix_seconds(1e13).is_nan());
  }
}
