//! The claim and header assertions of @clerk/backend (`jwt/assertions.ts`),
//! each with its exact reason and message. `None` stands for `undefined`.

use crate::errors::{action, reason, TokenError};
use crate::js_semantics;
use serde_json::Value;

pub const SUPPORTED_ALGORITHMS: [&str; 3] = ["RS256", "RS384", "RS512"];

/// `typ` must be one of the allowed types, unless both are undefined.
pub fn header_type(typ: Option<&Value>, allowed: Option<&[String]>) -> Result<(), TokenError> {
  if typ.is_none() && allowed.is_none() {
    return Ok(());
  }
  let default_allowed = ["JWT".to_string()];
  let allowed = allowed.unwrap_or(&default_allowed);
  if typ
    .and_then(Value::as_str)
    .is_some_and(|t| allowed.iter().any(|a| a == t))
  {
    return Ok(());
  }
  Err(
    TokenError::new(
      reason::TOKEN_INVALID,
      format!(
        "Invalid JWT type {}. Expected \"{}\".",
        js_semantics::stringify(typ),
        allowed.join(", ")
      ),
    )
    .with_action(action::ENSURE_CLERK_JWT),
  )
}

/// Only RS256/RS384/RS512 are accepted; returns the algorithm name.
pub fn header_algorithm(alg: Option<&Value>) -> Result<&'static str, TokenError> {
  let name = alg.and_then(Value::as_str).unwrap_or_default();
  SUPPORTED_ALGORITHMS
    .iter()
    .find(|a| **a == name)
    .copied()
    .ok_or_else(|| {
      TokenError::new(
        reason::TOKEN_INVALID_ALGORITHM,
        format!(
          "Invalid JWT algorithm {}. Supported: {}.",
          js_semantics::stringify(alg),
          SUPPORTED_ALGORITHMS.join(",")
        ),
      )
      .with_action(action::ENSURE_CLERK_JWT)
    })
}

pub fn subject(sub: Option<&Value>) -> Result<(), TokenError> {
  if matches!(sub, Some(Value::String(_))) {
    return Ok(());
  }
  Err(
    TokenError::new(
      reason::TOKEN_VERIFICATION_FAILED,
      format!(
        "Subject claim (sub) is required and must be a string. Received {}.",
        js_semantics::stringify(sub)
      ),
    )
    .with_action(action::ENSURE_CLERK_JWT),
  )
}

/// `audience` is the option already flattened and stripped of empty values.
pub fn audience(aud: Option<&Value>, audience: &[String]) -> Result<(), TokenError> {
  let token_has_audience = match aud {
    Some(Value::Array(items)) => items.iter().any(|a| js_semantics::truthy(Some(a))),
    other => js_semantics::truthy(other),
  };
  if audience.is_empty() || !token_has_audience {
    return Ok(());
  }
  let expected = js_semantics::stringify(Some(&Value::from(audience.to_vec())));
  let includes = |a: &Value| a.as_str().is_some_and(|a| audience.iter().any(|x| x == a));
  let failure = match aud {
    Some(v @ Value::String(_)) if !includes(v) => Some(format!(
      "Invalid JWT audience claim (aud) {}. Is not included in \"{expected}\".",
      js_semantics::stringify(aud)
    )),
    Some(Value::Array(items))
      if items.iter().all(Value::is_string) && !items.iter().any(includes) =>
    {
      Some(format!(
        "Invalid JWT audience claim array (aud) {}. Is not included in \"{expected}\".",
        js_semantics::stringify(aud)
      ))
    }
    // Other shapes (numbers, mixed arrays) are not checked by the reference.
    _ => None,
  };
  match failure {
    None => Ok(()),
    Some(message) => Err(
      TokenError::new(reason::TOKEN_VERIFICATION_FAILED, message)
        .with_action(action::ENSURE_CLERK_JWT),
    ),
  }
}

/// `assertOAuthAudienceClaim`: with an audience configured, the token's `aud`
/// must be a non-empty string or array of non-empty strings that intersects it.
/// `Err` is the message (the caller sets the code).
pub fn oauth_audience(aud: Option<&Value>, audience: &[String]) -> Result<(), String> {
  if audience.is_empty() {
    return Ok(());
  }
  let expected = js_semantics::stringify(Some(&Value::from(audience.to_vec())));
  let from_token: Option<Vec<&Value>> = match aud {
    None => None,
    Some(v) if !js_semantics::truthy(Some(v)) => None,
    Some(Value::Array(items)) => Some(items.iter().collect()),
    Some(other) => Some(vec![other]),
  };
  let strings: Option<Vec<&str>> = from_token
    .filter(|items| !items.is_empty())
    .and_then(|items| items.iter().map(|v| v.as_str()).collect::<Option<Vec<_>>>());
  let Some(strings) = strings.filter(|s| s.iter().all(|a| !a.is_empty())) else {
    return Err(format!(
      "Invalid OAuth audience claim (aud) {}. Expected a non-empty string or a non-empty array of non-empty strings.",
      js_semantics::stringify(aud)
    ));
  };
  if strings.iter().any(|a| audience.iter().any(|x| x == a)) {
    return Ok(());
  }
  Err(format!(
    "OAuth audience mismatch. Verification expected audience {expected}, but incoming token has aud {}.",
    js_semantics::stringify(aud)
  ))
}

pub fn authorized_parties(azp: Option<&Value>, parties: &[String]) -> Result<(), TokenError> {
  if parties.is_empty() {
    return Ok(());
  }
  let accepted = js_semantics::truthy(azp)
    && azp
      .and_then(Value::as_str)
      .is_some_and(|a| parties.iter().any(|p| p == a));
  if accepted {
    return Ok(());
  }
  Err(TokenError::new(
    reason::TOKEN_INVALID_AUTHORIZED_PARTIES,
    format!(
      "Invalid JWT Authorized party claim (azp) {}. Expected \"{}\".",
      js_semantics::stringify(azp),
      parties.join(",")
    ),
  ))
}

/// `issuers` is the option already flattened and stripped of empty values.
pub fn issuer(iss: Option<&Value>, issuers: &[String]) -> Result<(), TokenError> {
  if issuers.is_empty()
    || iss
      .and_then(Value::as_str)
      .is_some_and(|i| issuers.iter().any(|x| x == i))
  {
    return Ok(());
  }
  Err(
    TokenError::new(
      reason::TOKEN_INVALID_ISSUER,
      format!(
        "Invalid JWT issuer claim (iss) {}. Expected \"{}\".",
        js_semantics::stringify(iss),
        issuers.join(",")
      ),
    )
    .with_action(action::ENSURE_CLERK_JWT),
  )
}

fn expect_number(claim: Option<&Value>, label: &str) -> Result<f64, TokenError> {
  match claim {
    Some(Value::Number(n)) => Ok(n.as_f64().unwrap_or(f64::NAN)),
    other => Err(
      TokenError::new(
        reason::TOKEN_VERIFICATION_FAILED,
        format!(
          "Invalid JWT {label} {}. Expected number.",
          js_semantics::stringify(other)
        ),
      )
      .with_action(action::ENSURE_CLERK_JWT),
    ),
  }
}

pub fn expiration(exp: Option<&Value>, skew_ms: f64, now_ms: f64) -> Result<(), TokenError> {
  let expiry = js_semantics::date_from_unix_seconds(expect_number(exp, "expiry date claim (exp)")?);
  if expiry <= now_ms - skew_ms {
    return Err(TokenError::new(
      reason::TOKEN_EXPIRED,
      format!(
        "JWT is expired. Expiry date: {}, Current date: {}.",
        js_semantics::to_utc_string(expiry),
        js_semantics::to_utc_string(now_ms)
      ),
    ));
  }
  Ok(())
}

pub fn activation(nbf: Option<&Value>, skew_ms: f64, now_ms: f64) -> Result<(), TokenError> {
  if nbf.is_none() {
    return Ok(());
  }
  let not_before =
    js_semantics::date_from_unix_seconds(expect_number(nbf, "not before date claim (nbf)")?);
  if not_before > now_ms + skew_ms {
    return Err(TokenError::new(
      reason::TOKEN_NOT_ACTIVE_YET,
      format!(
        "JWT cannot be used prior to not before date claim (nbf). Not before date: {}; Current date: {};",
        js_semantics::to_utc_string(not_before),
        js_semantics::to_utc_string(now_ms)
      ),
    ));
  }
  Ok(())
}

pub fn issued_at(iat: Option<&Value>, skew_ms: f64, now_ms: f64) -> Result<(), TokenError> {
  if iat.is_none() {
    return Ok(());
  }
  let issued =
    js_semantics::date_from_unix_seconds(expect_number(iat, "issued at date claim (iat)")?);
  if issued > now_ms + skew_ms {
    return Err(TokenError::new(
      reason::TOKEN_IAT_IN_THE_FUTURE,
      format!(
        "JWT issued at date claim (iat) is in the future. Issued at date: {}; Current date: {};",
        js_semantics::to_utc_string(issued),
        js_semantics::to_utc_string(now_ms)
      ),
    ));
  }
  Ok(())
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  const NOW: f64 = 1666648250000.0;

  #[test]
  fn typ_is_optional_only_without_a_header_type_option() {
    assert!(header_type(None, None).is_ok());
    assert!(header_type(Some(&json!("JWT")), None).is_ok());
    let err = header_type(Some(&json!("jwt")), None).unwrap_err();
    assert_eq!(err.message, "Invalid JWT type \"jwt\". Expected \"JWT\".");
    let allowed = vec!["at+jwt".to_string(), "application/at+jwt".to_string()];
    let err = header_type(None, Some(&allowed)).unwrap_err();
    assert_eq!(
      err.message,
      "Invalid JWT type undefined. Expected \"at+jwt, application/at+jwt\"."
    );
  }

  #[test]
  fn algorithms_outside_rs_family_are_rejected() {
    assert_eq!(header_algorithm(Some(&json!("RS512"))).unwrap(), "RS512");
    let err = header_algorithm(Some(&json!("none"))).unwrap_err();
    assert_eq!(err.reason, reason::TOKEN_INVALID_ALGORITHM);
    assert_eq!(
      err.message,
      "Invalid JWT algorithm \"none\". Supported: RS256,RS384,RS512."
    );
  }

  #[test]
  fn audience_is_checked_only_when_both_sides_are_set() {
    let expected = vec!["a".to_string()];
    assert!(audience(Some(&json!("b")), &[]).is_ok());
    assert!(audience(None, &expected).is_ok());
    assert!(audience(Some(&json!(["b", "a"])), &expected).is_ok());
    assert_eq!(
      audience(Some(&json!("b")), &expected).unwrap_err().message,
      "Invalid JWT audience claim (aud) \"b\". Is not included in \"[\"a\"]\"."
    );
    assert_eq!(
      audience(Some(&json!(["b"])), &expected)
        .unwrap_err()
        .message,
      "Invalid JWT audience claim array (aud) [\"b\"]. Is not included in \"[\"a\"]\"."
    );
    assert!(audience(Some(&json!(5)), &expected).is_ok());
  }

  #[test]
  fn azp_must_be_listed_when_parties_are_configured() {
    let parties = vec!["https://a.test".to_string(), "https://b.test".to_string()];
    assert!(authorized_parties(None, &[]).is_ok());
    assert!(authorized_parties(Some(&json!("https://b.test")), &parties).is_ok());
    let err = authorized_parties(None, &parties).unwrap_err();
    assert_eq!(err.message, "Invalid JWT Authorized party claim (azp) undefined. Expected \"https://a.test,https://b.test\".");
    assert_eq!(err.action, None);
  }

  #[test]
  fn time_claims_use_the_skew_and_exact_boundaries() {
    let exp = json!(1666648245);
    assert!(
      expiration(Some(&exp), 5000.0, NOW).is_err(),
      "exp*1000 == now - skew is expired"
    );
    assert!(expiration(Some(&json!(1666648246)), 5000.0, NOW).is_ok());
    let err = expiration(Some(&json!(1666648200)), 0.0, NOW).unwrap_err();
    assert_eq!(
      err.message,
      "JWT is expired. Expiry date: Mon, 24 Oct 2022 21:50:00 GMT, Current date: Mon, 24 Oct 2022 21:50:50 GMT."
    );
    assert_eq!(
      expiration(Some(&json!("1")), 0.0, NOW).unwrap_err().message,
      "Invalid JWT expiry date claim (exp) \"1\". Expected number."
    );
    assert!(
      expiration(Some(&json!(1e13)), 0.0, NOW).is_ok(),
      "an invalid Date never compares as expired"
    );
    assert!(activation(Some(&json!(1666648255)), 5000.0, NOW).is_ok());
    assert_eq!(
      activation(Some(&json!(1666648256)), 5000.0, NOW)
        .unwrap_err()
        .reason,
      reason::TOKEN_NOT_ACTIVE_YET
    );
    assert_eq!(
      issued_at(Some(&json!(1666648256)), 5000.0, NOW)
        .unwrap_err()
        .reason,
      reason::TOKEN_IAT_IN_THE_FUTURE
    );
    assert_eq!(
      issued_at(Some(&Value::Null), 5000.0, NOW)
        .unwrap_err()
        .reason,
      reason::TOKEN_VERIFICATION_FAILED
    );
  }

  #[test]
  fn issuer_is_checked_only_when_configured() {
    assert!(issuer(None, &[]).is_ok());
    let issuers = vec!["https://clerk.a.test".to_string()];
    assert!(issuer(Some(&json!("https://clerk.a.test")), &issuers).is_ok());
    let err = issuer(Some(&json!("https://evil.test")), &issuers).unwrap_err();
    assert_eq!(err.reason, reason::TOKEN_INVALID_ISSUER);
    assert_eq!(
      err.message,
      "Invalid JWT issuer claim (iss) \"https://evil.test\". Expected \"https://clerk.a.test\"."
    );
  }
}
