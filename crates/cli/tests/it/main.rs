//! The command line's tests, linked once: one binary, a module per concern, each driving
//! the `sallyport` binary cargo built for this crate; shared helpers in `common`.

mod common;

mod audit;
mod cli;
mod hygiene;
mod import_formats;
mod rdp;
mod totp;
