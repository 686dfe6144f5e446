//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`, which no shipped build
//! turns on). They run the crate's own code on bytes held in memory instead of a file, on
//! a vault kept in memory, and add no behaviour of their own:
//!
//! - [`Vault`]: a vault in memory, made once per process (the only Argon2id run) and opened
//!   as a fresh copy for every input, so one input never sees another's changes;
//! - [`preview_import`], [`import`], [`export_native`]: the import pipeline (format
//!   detection, each tool's mapping, validation, planning) and the native export, over bytes;
//! - [`write_backup`], [`preview_restore`]: a backup written to memory under a given key
//!   and read back as a restore reads it (header check, decryption, sections, import);
//! - [`Records`]: the sealed customer, entry and secrets records under a fixed key.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use crate::backup::{BackupKey, RestorePlan};
use crate::crypto::{BlobKind, RecordCipher};
use crate::import::{Detected, ImportOptions, ImportSummary, Input, OnePassImport};
use crate::model::{Customer, Entry, EntrySecrets};
use crate::secret::{Key256, SecretString};
use crate::store::memory::MemoryBackend;
use crate::vault::kdf::KdfParams;
use crate::vault::records;
use crate::{Result, Session};

/// The name inputs go by in messages.
pub const CSV_PATH: &str = "fuzz.csv";
/// The name backups go by in messages.
pub const BACKUP_PATH: &str = "fuzz.spb";

/// A vault in memory and its data key.
pub struct Vault {
    backend: MemoryBackend,
    key: Key256,
}

impl Vault {
    /// A new vault (Argon2id at its floor, run here once) holding what `csv` imports (none
    /// when empty; invalid rows are skipped).
    pub fn new(csv: &[u8]) -> Result<Vault> {
        let backend = MemoryBackend::new();
        let password = SecretString::from("fuzzing master password");
        let mut session = Session::create(&backend, &password, "Fuzz Staff", KdfParams::floor())?;
        if !csv.is_empty() {
            let options = ImportOptions {
                skip_invalid: true,
                ..ImportOptions::default()
            };
            import(&mut session, csv, options)?;
        }
        let key = session.data_key_for_keychain();
        Ok(Vault { backend, key })
    }

    /// A copy of the vault of its own, unlocked with the data key (no Argon2id).
    pub fn open(&self) -> Result<Session> {
        let key = Key256::from_bytes(*self.key.expose());
        Session::unlock_with_key(&self.backend.duplicate(), key)
    }
}

fn input(csv: &[u8]) -> Input {
    let reader = Box::new(Cursor::new(csv.to_vec()));
    Input::reader(reader, csv.len() as u64, Path::new(CSV_PATH))
}

/// The preview pass over `csv`, as [`Session::plan_import`] runs it on a file.
pub fn preview_import(
    session: &Session,
    csv: &[u8],
    options: ImportOptions,
) -> Result<(Detected, ImportSummary)> {
    let pass = session.preview_pass(input(csv), options, &mut |_| {})?;
    Ok((pass.detected, pass.summary))
}

/// [`Session::import_in_one_pass`] over `csv`.
pub fn import(session: &mut Session, csv: &[u8], options: ImportOptions) -> Result<OnePassImport> {
    session.import_in_one_pass_from(input(csv), options, &mut |_| {})
}

/// What [`Session::export_native`] writes, without the file (and without its audit event).
pub fn export_native(session: &Session) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    session.write_native_csv(&mut out)?;
    Ok(out)
}

/// What [`Session::export_backup`] writes under `key`, without the file (and without its
/// audit event).
pub fn write_backup(session: &Session, key: &BackupKey) -> Result<Vec<u8>> {
    let report = session.verify_audit()?;
    let mut out = Vec::new();
    session.write_backup(key, &mut out, &report)?;
    Ok(out)
}

/// [`Session::plan_restore`] of the backup `file` with `key` (made by [`BackupKey::create`]
/// once per process), without Argon2id.
pub fn preview_restore(
    session: &Session,
    key: &Arc<BackupKey>,
    file: &[u8],
    options: ImportOptions,
) -> Result<RestorePlan> {
    let reader = Box::new(Cursor::new(file.to_vec()));
    let path = Path::new(BACKUP_PATH);
    session.plan_restore_from(reader, file.len() as u64, path, Arc::clone(key), options)
}

/// The sealed-record codecs of the vault under a fixed data key.
pub struct Records {
    cipher: RecordCipher,
}

impl Default for Records {
    fn default() -> Self {
        Self {
            cipher: RecordCipher::new(&Key256::from_bytes([0x5a; 32])),
        }
    }
}

impl Records {
    /// `plain` sealed as a record of `kind` in row `row_id` (as the vault seals records).
    pub fn seal(&self, kind: BlobKind, row_id: &str, plain: &[u8]) -> Result<Vec<u8>> {
        let table = match kind {
            BlobKind::Customer => records::CUSTOMERS,
            BlobKind::Entry => records::ENTRIES,
            BlobKind::EntrySecrets => records::ENTRY_SECRETS,
            BlobKind::Settings
            | BlobKind::AuditEvent
            | BlobKind::SigningCertificate
            | BlobKind::SigningKey => records::META,
        };
        self.cipher
            .seal(records::binding(table, row_id, kind), plain)
    }

    /// A customer record, sealed.
    pub fn seal_customer(&self, customer: &Customer) -> Result<Vec<u8>> {
        Ok(records::seal_customer(&self.cipher, customer)?.record)
    }

    /// The customer record stored in row `row_id`.
    pub fn open_customer(&self, row_id: &str, record: &[u8]) -> Result<Customer> {
        let row = crate::store::CustomerRow {
            id: row_id.to_owned(),
            record: record.to_vec(),
        };
        records::open_customer(&self.cipher, &row)
    }

    /// An entry record, sealed.
    pub fn seal_entry(&self, entry: &Entry) -> Result<Vec<u8>> {
        let customer = uuid::Uuid::nil();
        Ok(records::seal_entry(&self.cipher, &customer, entry)?.record)
    }

    /// The entry record stored in row `row_id`.
    pub fn open_entry(&self, row_id: &str, record: &[u8]) -> Result<Entry> {
        let row = crate::store::EntryRow {
            id: row_id.to_owned(),
            customer_id: uuid::Uuid::nil().to_string(),
            record: record.to_vec(),
        };
        records::open_entry(&self.cipher, &row)
    }

    /// The secrets of entry `entry_id`, sealed.
    pub fn seal_secrets(&self, entry_id: &str, secrets: &EntrySecrets) -> Result<Vec<u8>> {
        records::seal_secrets(&self.cipher, entry_id, secrets)
    }

    /// The secrets of entry `entry_id`.
    pub fn open_secrets(&self, entry_id: &str, blob: &[u8]) -> Result<EntrySecrets> {
        records::open_secrets(&self.cipher, entry_id, blob)
    }
}
