//! Session JWTs: decoding, telling them from machine tokens, claim
//! assertions, and the verification pipeline.

pub mod assertions;
pub mod decode;
pub mod token_cache;
pub mod token_kind;
pub mod verify;

pub use decode::{decode, DecodedJwt};

#[cfg(test)]
mod proptests;
