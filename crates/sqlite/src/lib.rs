//! Sallyport's local vault: one SQLite file (rusqlite, SQLite bundled) behind
//! `sallyport-core`'s store seam. [`LocalFile`] is the backend the shells pass to the core
//! for a vault file; [`SqliteStore`] keeps the sealed records (WAL, `secure_delete`, 0600,
//! schema migrations by `user_version`, write batches as `BEGIN IMMEDIATE` transactions).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod store;

use std::path::{Path, PathBuf};

use sallyport_core::store::{Backend, Store};
use sallyport_core::{Error, Result};

pub use store::SqliteStore;

/// File name of the vault in the default data directory.
pub const DEFAULT_FILE_NAME: &str = "vault.sallyport";

/// A vault file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    path: PathBuf,
}

impl LocalFile {
    /// The vault file at `path` (which need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The default vault location: the OS data directory (e.g.
    /// `~/.local/share/sallyport/vault.sallyport`).
    pub fn default_path() -> Result<PathBuf> {
        directories::ProjectDirs::from("", "", "sallyport")
            .map(|dirs| dirs.data_dir().join(DEFAULT_FILE_NAME))
            .ok_or_else(|| {
                Error::NotFound(
                    "cannot determine a data directory for the vault; pass --vault".into(),
                )
            })
    }
}

impl Backend for LocalFile {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn exists(&self) -> bool {
        self.path.is_file()
    }

    fn create(&self) -> Result<Box<dyn Store>> {
        Ok(Box::new(SqliteStore::create(&self.path)?))
    }

    fn open(&self) -> Result<Box<dyn Store>> {
        Ok(Box::new(SqliteStore::open(&self.path)?))
    }

    fn discard(&self) {
        // The file only: the WAL and shared-memory files go when the connection closes.
        let _ = std::fs::remove_file(&self.path);
    }
}
