//! Session JWTs: decoding, claim assertions, and the verification pipeline.

pub mod assertions;
pub mod decode;
pub mod token_cache;
pub mod verify;

pub use decode::{decode, DecodedJwt};
