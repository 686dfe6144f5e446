//! Sallyport's core: the domain model, the encrypted vault, validation, import and search.
//!
//! Nothing here knows about a GUI or a command line; the `sallyport` CLI and the
//! `sallyport-app` desktop shell are thin layers over this crate.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod audit;
pub mod backup;
pub mod crypto;
pub mod error;
pub mod export;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod hygiene;
pub mod identity;
pub mod import;
pub mod model;
pub mod private_fs;
pub mod rdp;
pub mod search;
pub mod secret;
pub mod signing;
pub mod statement;
pub mod store;
pub mod text;
pub mod totp;
pub mod vault;

pub use error::{Error, ErrorKind, Result};
pub use secret::{Key256, SecretBytes, SecretString};
pub use vault::Session;
