//! How network work reaches JavaScript: a task on the addon's own runtime
//! (`clerk_core::runtime`, which outlives every JS environment) that settles a
//! promise through a Node-API deferred. napi's built-in Tokio runtime is not
//! used: it is shut down and rebuilt as worker threads come and go, which
//! the addon's process-wide caches must not depend on.

use crate::panic;
use futures_util::FutureExt;
use napi::bindgen_prelude::*;
use std::future::Future;
use std::panic::AssertUnwindSafe;

/// Runs `work` on the addon's runtime; the promise resolves to its value,
/// or rejects with its error, or with an internal error if it panics. A
/// promise whose environment is gone by then (a terminated worker thread)
/// is dropped without being settled.
pub fn spawn_promise<'env, T, F>(env: &'env Env, work: F) -> Result<PromiseRaw<'env, T>>
where
  T: ToNapiValue + Send + 'static,
  F: Future<Output = Result<T>> + Send + 'static,
{
  let (deferred, promise) = env.create_deferred()?;
  clerk_core::runtime::handle().spawn(async move {
    match AssertUnwindSafe(work).catch_unwind().await {
      Ok(Ok(value)) => deferred.resolve(move |_| Ok(value)),
      Ok(Err(error)) => deferred.reject(error),
      Err(payload) => deferred.reject(Error::from_reason(panic::message(payload))),
    }
  });
  Ok(PromiseRaw::new(env.raw(), promise.raw()))
}
