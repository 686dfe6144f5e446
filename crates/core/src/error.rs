//! The core's single error type.
//!
//! Messages are one line, name what is wrong and where, and never contain a secret.
//! Front ends switch on [`Error::kind`], never on the message text.

use std::path::PathBuf;

/// Result alias used throughout the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The master password did not unwrap the data key.
    #[error("wrong master password")]
    WrongPassword,

    /// A launch was refused because the account has expired (the caller may insist).
    #[error("{0}")]
    AccountExpired(String),

    /// The backup password did not open the backup (or its header was damaged).
    #[error("{}: wrong backup password (or the backup's header is damaged); nothing was restored", .0.display())]
    WrongBackupPassword(PathBuf),

    /// The key remembered in this device's keychain does not open this vault (the vault was
    /// replaced or restored); the master password still does.
    #[error("the key remembered on this device does not open this vault; unlock with the master password")]
    RememberedKeyInvalid,

    /// Too many failed unlock attempts; no attempt is checked until the wait is over.
    #[error("too many failed unlock attempts; try again in {}", crate::vault::backoff::human_wait(*.wait_seconds))]
    LockedOut {
        /// Seconds until the next attempt is accepted.
        wait_seconds: u64,
    },

    /// Ciphertext or header failed authentication: the file was damaged or tampered with.
    #[error("integrity check failed: {0}")]
    Integrity(String),

    /// The vault file's KDF parameters are outside the accepted range.
    #[error("vault header refused: {0}")]
    KdfOutOfRange(String),

    /// There is no vault at the given path.
    #[error("no vault at {}; create one with `sallyport init`", .0.display())]
    NoVault(PathBuf),

    /// The vault is locked; unlock it first.
    #[error("the vault is locked")]
    Locked,

    /// A vault already exists where a new one was to be created.
    #[error("a vault already exists at {}", .0.display())]
    VaultExists(PathBuf),

    /// The file is not a Sallyport vault, or is from an unknown format version.
    #[error("{} is not a Sallyport vault: {reason}", .path.display())]
    NotAVault {
        /// The file that was opened.
        path: PathBuf,
        /// Why it was not accepted.
        reason: String,
    },

    /// A value failed validation. `field` names the field, the message says why.
    #[error("{field}: {message}")]
    Invalid {
        /// The field (or argument) that was wrong.
        field: String,
        /// What is wrong with it.
        message: String,
    },

    /// A customer or entry could not be found.
    #[error("{0}")]
    NotFound(String),

    /// A selector matched more than one customer.
    #[error("{0}")]
    Ambiguous(String),

    /// An import was refused; the vault is unchanged.
    #[error("{0}")]
    Import(String),

    /// The storage backend failed.
    #[error("storage error: {0}")]
    Storage(String),

    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    Random,
}

impl Error {
    /// A stable, machine-readable name for the error class (used by the UI and scripts).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::WrongPassword => "wrong_password",
            Error::WrongBackupPassword(_) => "wrong_backup_password",
            Error::RememberedKeyInvalid => "remembered_key_invalid",
            Error::AccountExpired(_) => "account_expired",
            Error::LockedOut { .. } => "locked_out",
            Error::Integrity(_) => "integrity",
            Error::KdfOutOfRange(_) => "kdf_out_of_range",
            Error::NoVault(_) => "no_vault",
            Error::Locked => "locked",
            Error::VaultExists(_) => "vault_exists",
            Error::NotAVault { .. } => "not_a_vault",
            Error::Invalid { .. } => "invalid",
            Error::NotFound(_) => "not_found",
            Error::Ambiguous(_) => "ambiguous",
            Error::Import(_) => "import",
            Error::Storage(_) => "storage",
            Error::Io { .. } => "io",
            Error::Random => "random",
        }
    }

    /// Shorthand for a validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // SQLite messages name tables and constraints, never bound values.
        Error::Storage(e.to_string())
    }
}
