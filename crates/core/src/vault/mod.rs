//! The vault: creating, unlocking and locking, and the unlocked [`Session`].
//!
//! Key hierarchy: master password → Argon2id → key-encryption key → wrapped 256-bit data
//! key → AES-256-GCM records. Unlocking decrypts the non-secret records into memory for
//! search; entry secrets stay sealed until used.

pub mod backoff;
mod handle;
pub mod header;
pub mod kdf;
pub(crate) mod records;
pub mod reseal;
pub(crate) mod session;

pub mod preferences;
pub use handle::{VaultHandle, VaultStatus};
pub use session::{
    new_header_records, new_settings_record, CertificateCheck, CertificateReader, CopyField,
    DeviceKey, ExportCheck, LaunchRequest, Link, MetaRecords, PreparedLaunch, Purpose,
    RotationReport, Session, SigningCertificate, Target, META_DEVICE_KEYS, MIN_PASSWORD_CHARS,
};

pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
