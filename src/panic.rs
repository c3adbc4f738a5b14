//! Panics must surface as JS errors, never abort the user's server.

use std::any::Any;

pub fn message(payload: Box<dyn Any + Send>) -> String {
  let detail = payload
    .downcast_ref::<&str>()
    .map(|s| s.to_string())
    .or_else(|| payload.downcast_ref::<String>().cloned())
    .unwrap_or_else(|| "unknown panic".into());
  format!("clerk-express-native: internal error (panic): {detail}")
}
