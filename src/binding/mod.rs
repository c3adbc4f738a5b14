//! The napi surface. Functions here convert values and map errors only.

mod authenticator;
mod backend_api;
mod diagnostics;
mod env_watch;
mod fast_path;
mod frontend_api_proxy;
mod http;
mod panic;
mod promise;
mod warm_up;
mod webhooks;

/// `[name, value]` arrays from JS as tuples (a missing value is empty).
fn pairs(list: Vec<Vec<String>>) -> Vec<(String, String)> {
  list
    .into_iter()
    .filter_map(|pair| {
      let mut it = pair.into_iter();
      Some((it.next()?, it.next().unwrap_or_default()))
    })
    .collect()
}
