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

/// Runs a future on its own task, on the addon's process-lifetime runtime
/// (see `crate::runtime`), so that a panic in it becomes an error.
pub async fn catch_async<T: Send + 'static>(
  future: impl std::future::Future<Output = T> + Send + 'static,
) -> napi::Result<T> {
  crate::runtime::handle()
    .spawn(future)
    .await
    .map_err(|err| match err.try_into_panic() {
      Ok(payload) => napi::Error::from_reason(message(payload)),
      Err(err) => napi::Error::from_reason(format!("clerk-express-native: task failed: {err}")),
    })
}
