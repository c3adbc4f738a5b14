//! The napi surface. Functions here convert values and map errors only.

mod authenticator;
mod backend_api;
mod diagnostics;
mod frontend_api_proxy;
mod http;
mod panic;
