//! The command line's tests, linked once: one binary, a module per concern, each driving
//! the `sallyport` binary cargo built for this crate; shared helpers in `common`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions too

mod common;

mod audit;
mod cli;
mod hygiene;
mod import_formats;
mod logging;
mod rdp;
mod signing;
mod statement;
mod team;
mod totp;
