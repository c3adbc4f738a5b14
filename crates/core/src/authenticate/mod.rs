//! The authentication state machine of @clerk/backend's `authenticateRequest`:
//! requests with a token in the Authorization header (the "any" path Express
//! uses) and the cookie path for browser requests.

pub mod bearer;
pub mod cookie;
pub mod debug_context;
pub mod dispatch;
pub mod handshake;
pub mod handshake_resolution;
pub mod instance;
pub mod machine;
pub mod refresh;
pub mod request;

/// A console message the reference prints while deciding (the shim prints it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
  Log(String),
  WarnOnce(String),
  /// `console.warn(text)`, every time.
  Warn(String),
  /// `console.error(text)`.
  Error(String),
}

/// What a request authenticates to. Expected outcomes are values, never errors.
#[derive(Debug, PartialEq)]
pub enum Outcome {
  /// A verified session token; the payload text is handed to JS as is.
  SignedInSession {
    token: String,
    payload_text: String,
    /// In the order the reference prints them.
    notices: Vec<Notice>,
  },
  SignedOut {
    token_type: &'static str,
    reason: String,
    message: String,
    notices: Vec<Notice>,
  },
  /// A verified machine token; `data_text` is the verification result (the
  /// Backend API's JSON, or the JWT payload when `from_jwt`).
  SignedInMachine {
    token_type: &'static str,
    token: String,
    data_text: String,
    from_jwt: bool,
  },
  /// A 307 to the Frontend API (or the sign-in page): headers to send, sorted.
  Handshake {
    reason: String,
    message: String,
    headers: Vec<(String, String)>,
  },
  /// An error the reference lets escape: Express answers 500.
  Fatal(String),
  /// A signed-in or signed-out outcome with response headers of its own
  /// (handshake resolution: cookies, CORS, the development redirect).
  WithHeaders(Box<Outcome>, Vec<(String, String)>),
  /// An outcome reached after printing `console.error` lines.
  AfterErrors(Vec<String>, Box<Outcome>),
}

impl Outcome {
  pub fn signed_out(
    token_type: &'static str,
    reason: impl Into<String>,
    message: impl Into<String>,
  ) -> Outcome {
    Outcome::SignedOut {
      token_type,
      reason: reason.into(),
      message: message.into(),
      notices: Vec::new(),
    }
  }
}

pub const SESSION_TOKEN: &str = "session_token";
