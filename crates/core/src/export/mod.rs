//! Exports: the native CSV (every field and secret, in plaintext; the caller must have the
//! user's explicit confirmation). The encrypted backup follows.

mod native;

pub use native::ExportCounts;
