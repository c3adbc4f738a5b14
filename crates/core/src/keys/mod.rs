//! Verification keys: imported once, cached, never re-parsed per request.

pub mod jwks;
pub mod pem;
pub mod public_key;
pub mod warm_up;

pub use public_key::PublicKey;
