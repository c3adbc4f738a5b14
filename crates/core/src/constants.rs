//! Versions and defaults that @clerk/backend 3.25.0 puts on the wire.

pub const CLERK_API_VERSION: &str = "2026-05-12";
pub const BACKEND_USER_AGENT: &str = "@clerk/backend@3.25.0";
pub const DEFAULT_API_URL: &str = "https://api.clerk.com";
pub const DEFAULT_API_VERSION: &str = "v1";
/// Remote JWKS entries expire this long after the last fetch.
pub const JWKS_CACHE_TTL_MS: f64 = 300_000.0;
