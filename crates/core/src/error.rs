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

    /// A use of a customer's credentials was refused: the customer requires a reason.
    #[error("{0} requires a reason for every use of its credentials (a ticket number or a few words); nothing was handed out")]
    ReasonRequired(String),

    /// A launch was refused: the server's certificate is not the one pinned for the entry.
    #[error("{target}: the server's certificate changed: pinned SHA-256 {pinned}, now {seen}; nothing was started. If the customer replaced it, confirm the new fingerprint with them, then trust it: sallyport trust-cert {target} {seen}")]
    CertificateChanged {
        /// "ACME/Terminal server".
        target: String,
        /// The fingerprint pinned for the entry.
        pinned: String,
        /// The fingerprint the server showed now.
        seen: String,
    },

    /// The server's certificate could not be read to check it against the entry's pin.
    #[error("{0}")]
    ServerCertificate(String),

    /// The backup password did not open the backup (or its header was damaged).
    #[error("{}: wrong backup password (or the backup's header is damaged); nothing was restored", .0.display())]
    WrongBackupPassword(PathBuf),

    /// The key remembered in this device's keychain does not open this vault (the vault was
    /// replaced or restored); the master password still does.
    #[error("the key remembered on this device does not open this vault; unlock with the master password")]
    RememberedKeyInvalid,

    /// Too many failed unlock attempts; no attempt is checked until the wait is over.
    #[error("too many failed unlock attempts; try again in {}", human_wait(*.wait_seconds))]
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

    /// There is no vault at the given location.
    #[error("no vault at {0}; create one with `sallyport init`")]
    NoVault(String),

    /// The vault is locked; unlock it first.
    #[error("the vault is locked")]
    Locked,

    /// A vault already exists where a new one was to be created.
    #[error("a vault already exists at {0}")]
    VaultExists(String),

    /// The file (or database) is not a Sallyport vault, or is from an unknown format version.
    #[error("{location} is not a Sallyport vault: {reason}")]
    NotAVault {
        /// What was opened.
        location: String,
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

/// The class of an error: what front ends switch on, never the message. Serialised as its
/// snake_case name (`wrong_password`, `locked_out`, …); the desktop app's TypeScript type is
/// generated from this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorKind {
    /// The master password did not unwrap the data key.
    WrongPassword,
    /// The backup password did not open the backup.
    WrongBackupPassword,
    /// The key remembered on this device does not open the vault.
    RememberedKeyInvalid,
    /// A launch was refused: the account has expired (the caller may insist).
    AccountExpired,
    /// Too many failed unlock attempts; wait.
    LockedOut,
    /// The customer requires a reason for a credential use.
    ReasonRequired,
    /// The server's certificate is not the one pinned for the entry.
    CertificateChanged,
    /// Damaged or tampered data.
    Integrity,
    /// The vault's KDF parameters are outside the accepted range.
    KdfOutOfRange,
    /// There is no vault yet.
    NoVault,
    /// The vault is locked.
    Locked,
    /// A vault already exists there.
    VaultExists,
    /// Not a Sallyport vault.
    NotAVault,
    /// A value failed validation.
    Invalid,
    /// A customer or entry could not be found.
    NotFound,
    /// A selector matched more than one customer.
    Ambiguous,
    /// An import was refused.
    Import,
    /// The storage backend failed.
    Storage,
    /// A file could not be read or written.
    Io,
    /// The system random number generator failed.
    Random,
    /// The clipboard could not be used (raised by the shells).
    Clipboard,
    /// A copy was held back: an open Remote Desktop session to another customer shares the
    /// clipboard (raised by the desktop app, which asks first).
    ClipboardShared,
    /// The OS keychain could not be used (raised by the desktop app).
    Keychain,
    /// The Remote Desktop client could not be started.
    Launch,
}

impl ErrorKind {
    /// The kind's name, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::WrongPassword => "wrong_password",
            ErrorKind::WrongBackupPassword => "wrong_backup_password",
            ErrorKind::RememberedKeyInvalid => "remembered_key_invalid",
            ErrorKind::AccountExpired => "account_expired",
            ErrorKind::LockedOut => "locked_out",
            ErrorKind::ReasonRequired => "reason_required",
            ErrorKind::CertificateChanged => "certificate_changed",
            ErrorKind::Integrity => "integrity",
            ErrorKind::KdfOutOfRange => "kdf_out_of_range",
            ErrorKind::NoVault => "no_vault",
            ErrorKind::Locked => "locked",
            ErrorKind::VaultExists => "vault_exists",
            ErrorKind::NotAVault => "not_a_vault",
            ErrorKind::Invalid => "invalid",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Ambiguous => "ambiguous",
            ErrorKind::Import => "import",
            ErrorKind::Storage => "storage",
            ErrorKind::Io => "io",
            ErrorKind::Random => "random",
            ErrorKind::Clipboard => "clipboard",
            ErrorKind::ClipboardShared => "clipboard_shared",
            ErrorKind::Keychain => "keychain",
            ErrorKind::Launch => "launch",
        }
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Error {
    /// The stable class of the error (what the UI and scripts switch on).
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::WrongPassword => ErrorKind::WrongPassword,
            Error::WrongBackupPassword(_) => ErrorKind::WrongBackupPassword,
            Error::RememberedKeyInvalid => ErrorKind::RememberedKeyInvalid,
            Error::AccountExpired(_) => ErrorKind::AccountExpired,
            Error::LockedOut { .. } => ErrorKind::LockedOut,
            Error::Integrity(_) => ErrorKind::Integrity,
            Error::KdfOutOfRange(_) => ErrorKind::KdfOutOfRange,
            Error::NoVault(_) => ErrorKind::NoVault,
            Error::Locked => ErrorKind::Locked,
            Error::VaultExists(_) => ErrorKind::VaultExists,
            Error::NotAVault { .. } => ErrorKind::NotAVault,
            Error::Invalid { .. } => ErrorKind::Invalid,
            Error::NotFound(_) => ErrorKind::NotFound,
            Error::Ambiguous(_) => ErrorKind::Ambiguous,
            Error::Import(_) => ErrorKind::Import,
            Error::Storage(_) => ErrorKind::Storage,
            Error::Io { .. } => ErrorKind::Io,
            Error::Random => ErrorKind::Random,
            Error::ReasonRequired(_) => ErrorKind::ReasonRequired,
            Error::CertificateChanged { .. } => ErrorKind::CertificateChanged,
            Error::ServerCertificate(_) => ErrorKind::Launch,
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

/// "45 s", "2 min 5 s", "15 min".
fn human_wait(seconds: u64) -> String {
    match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_wait_reads_well() {
        assert_eq!(human_wait(30), "30 s");
        assert_eq!(human_wait(120), "2 min");
        assert_eq!(human_wait(125), "2 min 5 s");
    }
}
