//! The core of clerk-express-native: Clerk authentication (session tokens,
//! JWKS, the request state machine, machine tokens, webhooks, the Backend
//! API's HTTP) in plain Rust, covered by `cargo test`. It does not know
//! Node-API: the addon crate at the repository's root converts values
//! between JS and this crate.
#![deny(clippy::all)]

pub mod authenticate;
pub mod authenticator;
pub mod backend_api;
pub mod base64url;
pub mod clock;
pub mod config;
pub mod constants;
pub mod env_watch;
pub mod errors;
pub mod events;
pub mod frontend_api_proxy;
pub mod http_client;
pub mod js_semantics;
pub mod json;
pub mod jwt;
pub mod keys;
pub mod log;
pub mod paths;
pub mod runtime;
pub mod webhooks;

#[cfg(test)]
mod fuzz_regressions;
#[cfg(test)]
mod test_support;
