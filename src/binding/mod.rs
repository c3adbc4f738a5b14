//! The napi surface. Functions here convert values and map errors only.

mod authenticator;
mod backend_api;
mod diagnostics;
mod http;
mod panic;
