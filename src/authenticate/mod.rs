//! The authentication state machine of @clerk/backend's `authenticateRequest`,
//! as far as it is implemented: requests with a token in the Authorization
//! header (the "any" path Express uses).

pub mod cookie;
pub mod header;
pub mod token_kind;

/// What a request authenticates to. Expected outcomes are values, never errors.
#[derive(Debug, PartialEq)]
pub enum Outcome {
  /// A verified session token; the payload text is handed to JS as is.
  SignedInSession { payload_text: String },
  SignedOut {
    token_type: &'static str,
    reason: String,
    message: String,
  },
  /// An error the reference lets escape: Express answers 500.
  Fatal(String),
}

pub const SESSION_TOKEN: &str = "session_token";
