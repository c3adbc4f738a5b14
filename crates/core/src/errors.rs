//! Verification failures, with the reason codes, actions and message format of
//! @clerk/backend's `TokenVerificationError`.

pub mod reason {
  pub const TOKEN_EXPIRED: &str = "token-expired";
  pub const TOKEN_INVALID: &str = "token-invalid";
  pub const TOKEN_INVALID_ALGORITHM: &str = "token-invalid-algorithm";
  pub const TOKEN_INVALID_AUTHORIZED_PARTIES: &str = "token-invalid-authorized-parties";
  pub const TOKEN_INVALID_ISSUER: &str = "token-invalid-issuer";
  pub const TOKEN_INVALID_SIGNATURE: &str = "token-invalid-signature";
  pub const TOKEN_NOT_ACTIVE_YET: &str = "token-not-active-yet";
  pub const TOKEN_IAT_IN_THE_FUTURE: &str = "token-iat-in-the-future";
  pub const TOKEN_VERIFICATION_FAILED: &str = "token-verification-failed";
  pub const INVALID_SECRET_KEY: &str = "secret-key-invalid";
  pub const REMOTE_JWK_FAILED_TO_LOAD: &str = "jwk-remote-failed-to-load";
  pub const JWK_FAILED_TO_RESOLVE: &str = "jwk-failed-to-resolve";
  pub const JWK_KID_MISMATCH: &str = "jwk-kid-mismatch";
}

pub mod action {
  pub const CONTACT_SUPPORT: &str = "Contact support@clerk.com";
  pub const ENSURE_CLERK_JWT: &str = "Make sure that this is a valid Clerk-generated JWT.";
  pub const SET_CLERK_JWT_KEY: &str = "Set the CLERK_JWT_KEY environment variable.";
  pub const KID_MISMATCH: &str = "Go to your Dashboard and validate your secret and public keys are correct. Contact support@clerk.com if the issue persists.";
}

/// A `TokenVerificationError`: an expected, reportable verification outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
  pub reason: &'static str,
  pub message: String,
  pub action: Option<&'static str>,
}

impl TokenError {
  pub fn new(reason: &'static str, message: impl Into<String>) -> Self {
    Self {
      reason,
      message: message.into(),
      action: None,
    }
  }

  pub fn with_action(mut self, action: &'static str) -> Self {
    self.action = Some(action);
    self
  }

  /// `getFullMessage()`: message and action, then the reason and carrier.
  pub fn full_message(&self, carrier: Option<&str>) -> String {
    let text = match (self.message.is_empty(), self.action) {
      (false, Some(action)) => format!("{} {action}", self.message),
      (true, Some(action)) => action.to_string(),
      (_, None) => self.message.clone(),
    };
    format!(
      "{text} (reason={}, token-carrier={})",
      self.reason,
      carrier.unwrap_or("undefined")
    )
  }

  /// `String(error)` as JS prints an `Error` subclass without its own name.
  pub fn to_js_string(&self) -> String {
    if self.message.is_empty() {
      "Error".into()
    } else {
      format!("Error: {}", self.message)
    }
  }
}

/// Why verification did not produce claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
  /// A `TokenVerificationError`: signed-out with its reason and message.
  Token(TokenError),
  /// Any other error the reference catches (a JWKS body that is not JSON, a
  /// network error): signed-out with `unexpected-error` and no message.
  Unexpected(String),
  /// An error the reference does not catch: the request fails with a 500.
  Fatal(String),
}

impl From<TokenError> for Failure {
  fn from(err: TokenError) -> Self {
    Failure::Token(err)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn full_message_joins_message_action_reason_and_carrier() {
    let err = TokenError::new(
      reason::TOKEN_INVALID_ALGORITHM,
      "Invalid JWT algorithm \"HS256\". Supported: RS256,RS384,RS512.",
    )
    .with_action(action::ENSURE_CLERK_JWT);
    assert_eq!(
      err.full_message(Some("header")),
      "Invalid JWT algorithm \"HS256\". Supported: RS256,RS384,RS512. Make sure that this is a valid Clerk-generated JWT. (reason=token-invalid-algorithm, token-carrier=header)"
    );
    let bare = TokenError::new(reason::TOKEN_INVALID_SIGNATURE, "JWT signature is invalid.");
    assert_eq!(
      bare.full_message(None),
      "JWT signature is invalid. (reason=token-invalid-signature, token-carrier=undefined)"
    );
  }
}
