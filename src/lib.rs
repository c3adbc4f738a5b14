//! clerk-express-native: Clerk authentication for Express, verified in Rust.
//!
//! Everything outside `binding` is plain Rust, covered by `cargo test`; the
//! `binding` modules only convert values between JS and these modules.
#![deny(clippy::all)]

pub mod authenticate;
pub mod backend_api;
pub mod base64url;
pub mod clock;
pub mod config;
pub mod constants;
pub mod env_watch;
pub mod errors;
pub mod frontend_api_proxy;
pub mod http_client;
pub mod js;
pub mod json;
pub mod jwt;
pub mod keys;
pub mod paths;
pub mod runtime;
pub mod webhooks;

#[cfg(test)]
mod test_support;

#[cfg_attr(test, allow(dead_code))]
mod binding;
