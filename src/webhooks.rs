//! Webhook signature verification, for `clerk-express-native/webhooks`.

use clerk_core::webhooks::{self, WebhookError};
use napi_derive::napi;

/// `null` when the signature is valid; otherwise `{secret}` (thrown as is) or
/// `{verification}` (thrown with the reference's prefix).
#[napi(object)]
pub struct WebhookFailure {
  pub secret: Option<String>,
  pub verification: Option<String>,
}

#[napi(catch_unwind)]
pub fn verify_webhook_signature(
  secret: String,
  id: String,
  timestamp: String,
  signature: String,
  body: String,
) -> Option<WebhookFailure> {
  let now_s = (clerk_core::clock::now_ms() / 1000.0).floor();
  match webhooks::verify(&secret, &id, &timestamp, &signature, &body, now_s) {
    Ok(()) => None,
    Err(WebhookError::Secret(message)) => Some(WebhookFailure {
      secret: Some(message),
      verification: None,
    }),
    Err(WebhookError::Verification(message)) => Some(WebhookFailure {
      secret: None,
      verification: Some(message.to_string()),
    }),
  }
}
