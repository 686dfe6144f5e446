//! An unlocked vault: the [`Session`] and what it holds. Opening and unlocking are in
//! `open`, finding customers and entries in `lookup`, writing (always with the audit
//! events, in one transaction) in `batch`; each use of the vault has a file of its own.

mod audit_log;
mod batch;
mod connect;
mod credentials;
mod device;
mod edit;
mod hygiene;
mod lookup;
mod manifest;
mod open;
mod rekey;
mod signing;

pub use audit_log::ExportCheck;
pub use connect::{CertificateReader, LaunchRequest, PreparedLaunch};
pub use credentials::{CopyField, Link, Purpose, Target};
pub(crate) use device::forget_locked as forget_device_locked;
pub use device::DeviceKey;
pub use hygiene::CertificateCheck;
pub use rekey::RotationReport;
pub use signing::SigningCertificate;

use serde::{Deserialize, Serialize};

pub(crate) use self::open::check_new_password;
pub(crate) use self::open::vault_id_of;
pub use self::open::{new_header_records, new_settings_record, MetaRecords};
use super::header::Header;
use super::kdf::KdfParams;
use super::records;
use crate::audit::chain::{Appender, ChainKey};
use crate::audit::{Action, NewEvent};
use crate::crypto::RecordCipher;
use crate::identity::Device;
use crate::model::validate::FieldError;
use crate::model::{Customer, Entry, EntrySecrets};
use crate::search::SearchIndex;
use crate::secret::Key256;
use crate::store::{Store, StoreRead};
use crate::{Error, Result};

const META_HEADER: &str = "header";
const META_HEADER_SUM: &str = "header_sha256";
const META_BACKOFF: &str = "unlock_backoff";
const META_SETTINGS: &str = "settings";
/// The per-device wrapped copies of the key (see `device`).
pub const META_DEVICE_KEYS: &str = "device_keys";

/// Failed-unlock notes kept before further failures are only counted.
const MAX_FAILED_UNLOCK_NOTES: usize = 1000;

/// Shortest accepted master password.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Vault-wide settings, stored sealed.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Settings {
    staff: String,
    /// Set once the audit log has been started, so an emptied log is not mistaken for a
    /// vault from before the audit log existed.
    #[serde(default)]
    audit_log: bool,
    /// Auto-lock, clipboard, egress addresses and .rdp defaults (`rdp` stays a key of its
    /// own, as it was before the other preferences existed).
    #[serde(flatten)]
    prefs: super::preferences::Preferences,
}

/// An unlocked vault: the data key, the decrypted customer list and the store.
///
/// Dropping the session (or calling [`Session::lock`]) wipes the keys and checkpoints the
/// write-ahead log.
pub struct Session {
    store: Box<dyn Store>,
    header: Header,
    /// The key the master password unwraps from the header (for a local vault, the data key).
    header_key: Key256,
    cipher: RecordCipher,
    /// The vault's earlier data keys (a re-keyed team): old audit events open with them.
    older_ciphers: Vec<RecordCipher>,
    settings: Settings,
    device: Device,
    audit_key: ChainKey,
    /// The record manifest's MAC key (see `manifest`).
    manifest_key: manifest::ManifestKey,
    customers: Vec<Customer>,
    index: SearchIndex,
    /// Incremented by every write, so a stale import plan is refused.
    generation: u64,
    /// Other clients' changes, followed while the session lasts (a team database).
    watch: Option<crate::store::ChangeWatch>,
}

/// Locking (dropping the session) wipes the decrypted customer list; the keys wipe
/// themselves.
impl Drop for Session {
    fn drop(&mut self) {
        self.wipe_list();
    }
}

/// Read access to an unlocked vault's decrypted list and cipher, usable while a
/// transaction holds the store.
pub(crate) struct VaultView<'a> {
    pub customers: &'a [Customer],
    pub index: &'a SearchIndex,
    pub cipher: &'a RecordCipher,
}

impl<'a> VaultView<'a> {
    /// The customer with this code (case-insensitive).
    pub fn customer_by_code(&self, code: &str) -> Option<&'a Customer> {
        let position = self.index.position_of_code(code)?;
        self.customers.get(position)
    }

    /// Decrypts the full entries of a customer, in the order of `customer.entries`.
    pub fn entries(&self, store: &dyn StoreRead, customer: &Customer) -> Result<Vec<Entry>> {
        let rows = store.entries_of(&customer.id.to_string())?;
        let mut entries: Vec<Entry> = rows
            .iter()
            .map(|row| records::open_entry(self.cipher, row))
            .collect::<Result<_>>()?;
        let listed: Vec<uuid::Uuid> = customer.entries.iter().map(|e| e.id).collect();
        let mut stored: Vec<uuid::Uuid> = entries.iter().map(|e| e.id).collect();
        stored.sort_unstable();
        let mut expected = listed.clone();
        expected.sort_unstable();
        if stored != expected {
            return Err(Error::Integrity(format!(
                "the entries stored for customer {} do not match its record",
                customer.code
            )));
        }
        entries.sort_by_key(|e| listed.iter().position(|id| *id == e.id));
        Ok(entries)
    }

    /// Decrypts the secrets of one entry.
    pub fn entry_secrets(&self, store: &dyn StoreRead, entry: &Entry) -> Result<EntrySecrets> {
        let id = entry.id.to_string();
        match store.entry_secrets(&id)? {
            Some(blob) => records::open_secrets(self.cipher, &id, &blob),
            None => Ok(EntrySecrets::default()),
        }
    }
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("vault_id", &self.header.vault_id)
            .field("customers", &self.customers.len())
            .finish_non_exhaustive()
    }
}

/// The appender of a session's audit log, from its fields borrowed one by one (so that the
/// store can be written while it is held).
fn appender<'a>(
    key: &'a ChainKey,
    cipher: &'a RecordCipher,
    settings: &'a Settings,
    device: &'a Device,
) -> Appender<'a> {
    Appender {
        key,
        cipher,
        staff: &settings.staff,
        device,
        log_started: settings.audit_log,
    }
}

impl Session {
    /// The store as its own type, for what only one backend does (a team's member
    /// management); `None` when the vault is kept by another backend.
    pub fn store_as<T: Store>(&mut self) -> Option<&mut T> {
        let store: &mut dyn std::any::Any = self.store.as_mut();
        store.downcast_mut::<T>()
    }

    /// Locks the vault: checkpoints the log; keys and the decrypted list are wiped when
    /// `self` is dropped.
    pub fn lock(mut self) -> Result<()> {
        self.store.checkpoint()
    }

    /// Overwrites and empties the decrypted customer list, its code map and search index.
    fn wipe_list(&mut self) {
        for customer in &mut self.customers {
            customer.wipe();
        }
        self.customers.clear();
        self.index = SearchIndex::default();
    }

    /// The staff name recorded at vault creation.
    pub fn staff(&self) -> &str {
        &self.settings.staff
    }

    /// The OS user and host this session runs on.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// This vault's id (fixed at creation).
    pub fn vault_id(&self) -> uuid::Uuid {
        self.header.vault_id
    }

    /// This vault's KDF parameters.
    pub fn kdf_params(&self) -> KdfParams {
        self.header.kdf_params
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub(crate) fn view(&self) -> VaultView<'_> {
        VaultView {
            customers: &self.customers,
            index: &self.index,
            cipher: &self.cipher,
        }
    }

    pub(crate) fn store(&self) -> &dyn StoreRead {
        self.store.as_ref()
    }

    /// This vault's preferences.
    pub fn preferences(&self) -> &super::preferences::Preferences {
        &self.settings.prefs
    }

    /// Replaces the preferences (every field checked, every wrong one named); the change
    /// is audited with the names of what changed.
    pub fn set_preferences(
        &mut self,
        prefs: super::preferences::Preferences,
    ) -> std::result::Result<(), Vec<FieldError>> {
        let prefs = prefs.validated()?;
        let changed = prefs.changed_fields(&self.settings.prefs);
        if changed.is_empty() {
            return Ok(());
        }
        let wrap = |e: Error| {
            vec![FieldError {
                field: "form".to_owned(),
                message: e.to_string(),
            }]
        };
        let (key, sealed) = self.sealed_settings_with(&prefs).map_err(wrap)?;
        let event =
            NewEvent::new(Action::SettingsChange).detail(format!("changed {}", changed.join(", ")));
        self.write_batch(&[event], |_, tx| {
            tx.put_meta(key, &sealed)?;
            Ok(Vec::new())
        })
        .map_err(wrap)?;
        self.settings.prefs = prefs;
        Ok(())
    }
}
