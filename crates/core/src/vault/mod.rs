//! The vault: creating, unlocking and locking, and the unlocked [`Session`].
//!
//! Key hierarchy: master password → Argon2id → key-encryption key → wrapped 256-bit data
//! key → AES-256-GCM records. Unlocking decrypts the non-secret records into memory for
//! search; entry secrets stay sealed until used.

pub mod backoff;
pub mod crypto;
mod handle;
pub mod header;
pub mod kdf;
pub(crate) mod records;
pub(crate) mod session;

pub mod preferences;
pub use handle::{VaultHandle, VaultStatus};
pub use session::{
    CopyField, CustomerForm, EntryForm, FieldError, PreparedLaunch, Purpose, SecretChange,
    SecretChanges, Session, Target,
};

use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// File name of the vault in the default data directory.
pub const DEFAULT_FILE_NAME: &str = "vault.sallyport";

/// The default vault location: the OS data directory (e.g. `~/.local/share/sallyport`).
pub fn default_path() -> Result<PathBuf> {
    directories::ProjectDirs::from("", "", "sallyport")
        .map(|dirs| dirs.data_dir().join(DEFAULT_FILE_NAME))
        .ok_or_else(|| {
            Error::NotFound("cannot determine a data directory for the vault; pass --vault".into())
        })
}

/// Whether a vault file exists at `path`.
pub fn exists(path: &Path) -> bool {
    path.is_file()
}

pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
