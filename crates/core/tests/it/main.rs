//! The core's integration tests, linked once: one binary, a module per concern, with the
//! shared vault helpers in `common`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions too

mod common;

mod audit;
mod backends;
mod edit;
mod export;
mod fuzz_regressions;
mod hygiene;
mod import;
mod layers;
mod rdp;
mod reasons;
mod remembered_key;
mod rollback;
mod signing;
mod totp;
mod vault_integrity;
