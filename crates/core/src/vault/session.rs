//! An unlocked vault.

mod audit_log;
mod connect;
mod credentials;
mod edit;
mod hygiene;

pub use connect::PreparedLaunch;
pub use credentials::{CopyField, Purpose, Target};
pub use edit::{CustomerForm, EntryForm, FieldError, SecretChange, SecretChanges};

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::backoff::Backoff;
use super::crypto::{BlobKind, RecordCipher};
use super::header::Header;
use super::kdf::KdfParams;
use super::records::{self, META};
use crate::audit::chain::{Appender, ChainKey};
use crate::audit::{Action, NewEvent, VerifyReport};
use crate::identity::{self, Device};
use crate::model::{Customer, Entry, EntrySecrets};
use crate::search::SearchIndex;
use crate::secret::{Key256, SecretString};
use crate::store::{FailedUnlock, SqliteStore, Store, StoreRead, StoreWrite};
use crate::{Error, Result};

const META_HEADER: &str = "header";
const META_HEADER_SUM: &str = "header_sha256";
const META_BACKOFF: &str = "unlock_backoff";
const META_SETTINGS: &str = "settings";

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
    data_key: Key256,
    cipher: RecordCipher,
    settings: Settings,
    device: Device,
    audit_key: ChainKey,
    customers: Vec<Customer>,
    by_code: HashMap<String, usize>,
    index: SearchIndex,
    /// Incremented by every write, so a stale import plan is refused.
    generation: u64,
}

/// Read access to an unlocked vault's decrypted list and cipher, usable while a
/// transaction holds the store.
pub(crate) struct VaultView<'a> {
    pub customers: &'a [Customer],
    pub by_code: &'a HashMap<String, usize>,
    pub cipher: &'a RecordCipher,
}

impl<'a> VaultView<'a> {
    /// The customer with this code (case-insensitive).
    pub fn customer_by_code(&self, code: &str) -> Option<&'a Customer> {
        self.by_code
            .get(&code.to_lowercase())
            .map(|&i| &self.customers[i])
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

impl Session {
    /// Creates a vault file at `path` and returns it unlocked.
    pub fn create(
        path: &Path,
        password: &SecretString,
        staff: &str,
        kdf: KdfParams,
    ) -> Result<Session> {
        check_new_password(password)?;
        let staff = identity::staff_name(staff)?;
        kdf.check_bounds()?;
        let store = SqliteStore::create(path)?;
        Self::initialise(Box::new(store), password, staff, kdf).inspect_err(|_| {
            let _ = std::fs::remove_file(path);
        })
    }

    fn initialise(
        store: Box<dyn Store>,
        password: &SecretString,
        staff: String,
        kdf: KdfParams,
    ) -> Result<Session> {
        let (header, data_key) = Header::create(password, kdf)?;
        let (header_bytes, header_sum) = header.to_stored()?;
        let cipher = RecordCipher::new(&data_key);
        let settings = Settings {
            staff,
            audit_log: true,
            prefs: Default::default(),
        };
        let sealed_settings = seal_settings(&cipher, &settings)?;
        let mut session = Session::assemble(store, header, data_key, cipher, settings, vec![])?;
        session.store.write(&mut |tx| {
            tx.put_meta(META_HEADER, &header_bytes)?;
            tx.put_meta(META_HEADER_SUM, header_sum.as_bytes())?;
            tx.put_meta(META_SETTINGS, &sealed_settings)?;
            Appender {
                key: &session.audit_key,
                cipher: &session.cipher,
                staff: &session.settings.staff,
                device: &session.device,
                log_started: false,
            }
            .append(tx, &[NewEvent::new(Action::VaultCreate)])
            .map(|_| ())
        })?;
        Ok(session)
    }

    /// A session over decrypted state; derives the audit key.
    fn assemble(
        store: Box<dyn Store>,
        header: Header,
        data_key: Key256,
        cipher: RecordCipher,
        settings: Settings,
        customers: Vec<Customer>,
    ) -> Result<Session> {
        let mut session = Session {
            audit_key: ChainKey::derive(&data_key, header.vault_id)?,
            store,
            header,
            data_key,
            cipher,
            settings,
            device: Device::current(),
            customers,
            by_code: HashMap::new(),
            index: SearchIndex::default(),
            generation: 0,
        };
        session.reindex();
        Ok(session)
    }

    /// Opens the vault at `path` and unlocks it with `password`. The unlock is recorded in
    /// the audit log (a failed one as a note folded into the log at the next unlock).
    pub fn unlock(path: &Path, password: &SecretString) -> Result<Session> {
        let store = Box::new(SqliteStore::open(path)?);
        Ok(Self::unlock_store(store, password, super::now_unix(), false)?.0)
    }

    /// Unlocks like [`Session::unlock`], verifying the audit chain before this unlock is
    /// appended to it (so the report describes the log as it was found).
    pub fn unlock_and_verify_audit(
        path: &Path,
        password: &SecretString,
    ) -> Result<(Session, VerifyReport)> {
        let store = Box::new(SqliteStore::open(path)?);
        let (session, report) = Self::unlock_store(store, password, super::now_unix(), true)?;
        let report =
            report.ok_or_else(|| Error::Storage("the audit log was not verified".into()))?;
        Ok((session, report))
    }

    /// Unlocks a vault kept in any store, at the given time (for the backoff); with
    /// `verify_audit`, the audit chain is checked before the unlock is appended.
    pub fn unlock_store(
        mut store: Box<dyn Store>,
        password: &SecretString,
        now_unix: i64,
        verify_audit: bool,
    ) -> Result<(Session, Option<VerifyReport>)> {
        let header = read_header(store.as_ref())?;
        let backoff = read_backoff(store.as_ref())?;
        let wait = backoff.wait_seconds(now_unix);
        if wait > 0 {
            note_failed_unlock(store.as_mut(), None, "refused: too many failed attempts")?;
            return Err(Error::LockedOut { wait_seconds: wait });
        }
        let data_key = match header.unwrap_key(password) {
            Ok(key) => key,
            Err(Error::WrongPassword) => {
                let next = backoff.after_failure(now_unix);
                note_failed_unlock(store.as_mut(), Some(&next), "wrong master password")?;
                return Err(match next.wait_seconds(now_unix) {
                    0 => Error::WrongPassword,
                    wait_seconds => Error::LockedOut { wait_seconds },
                });
            }
            Err(e) => return Err(e),
        };
        let cipher = RecordCipher::new(&data_key);
        let settings = open_settings(&cipher, store.as_ref())?;
        let customers = load_customers(&cipher, store.as_ref())?;
        let mut session = Session::assemble(store, header, data_key, cipher, settings, customers)?;
        let report = match verify_audit {
            true => Some(session.verify_audit()?),
            false => None,
        };
        session.record_unlock(backoff != Backoff::default(), "")?;
        Ok((session, report))
    }

    /// Opens the vault at `path` with its data key itself (kept in the OS keychain by
    /// "remember on this device"), without the master password. A key that does not open
    /// this vault's settings record is refused as [`Error::RememberedKeyInvalid`]. Refused
    /// while the unlock backoff says to wait; recorded in the audit log as an unlock with
    /// the remembered key.
    pub fn unlock_with_key(path: &Path, data_key: Key256) -> Result<Session> {
        let store: Box<dyn Store> = Box::new(SqliteStore::open(path)?);
        let header = read_header(store.as_ref())?;
        let backoff = read_backoff(store.as_ref())?;
        let wait = backoff.wait_seconds(super::now_unix());
        if wait > 0 {
            return Err(Error::LockedOut { wait_seconds: wait });
        }
        let cipher = RecordCipher::new(&data_key);
        let settings = open_settings(&cipher, store.as_ref()).map_err(|e| match e {
            Error::Integrity(_) => Error::RememberedKeyInvalid,
            other => other,
        })?;
        let customers = load_customers(&cipher, store.as_ref())?;
        let mut session = Session::assemble(store, header, data_key, cipher, settings, customers)?;
        session.record_unlock(false, "with the key remembered on this device")?;
        Ok(session)
    }

    /// A copy of the data key, to be kept in the OS keychain ("remember on this device");
    /// record the outcome with [`Session::note_device_key`].
    pub fn data_key_for_keychain(&self) -> Key256 {
        Key256::from_bytes(*self.data_key.expose())
    }

    /// Records in the audit log that this device now remembers the vault key, or no longer.
    pub fn note_device_key(&mut self, remembered: bool) -> Result<()> {
        let detail = match remembered {
            true => "vault key remembered on this device",
            false => "vault key forgotten on this device",
        };
        self.audit(NewEvent::new(Action::SettingsChange).detail(detail))
            .map(|_| ())
    }

    /// In one transaction: clears the failure counter, folds the failed-unlock notes into
    /// the audit chain, and appends this unlock.
    fn record_unlock(&mut self, reset_backoff: bool, detail: &str) -> Result<()> {
        let started = self.settings.audit_log;
        let sealed_settings = match started {
            true => None,
            false => Some(seal_settings(
                &self.cipher,
                &Settings {
                    audit_log: true,
                    ..self.settings.clone()
                },
            )?),
        };
        let appender = Appender {
            key: &self.audit_key,
            cipher: &self.cipher,
            staff: &self.settings.staff,
            device: &self.device,
            log_started: started,
        };
        self.store.write(&mut |tx| {
            if reset_backoff {
                put_backoff(tx, &Backoff::default())?;
            }
            if let Some(sealed) = &sealed_settings {
                tx.put_meta(META_SETTINGS, sealed)?;
            }
            let mut events: Vec<NewEvent> = tx
                .failed_unlocks()?
                .iter()
                .map(crate::audit::failed_unlock_event)
                .collect();
            events.push(NewEvent::new(Action::Unlock).detail(detail));
            appender.append(tx, &events)?;
            tx.clear_failed_unlocks()
        })?;
        self.settings.audit_log = true;
        Ok(())
    }

    /// Locks the vault: checkpoints the log; keys are wiped when `self` is dropped.
    pub fn lock(mut self) -> Result<()> {
        self.store.checkpoint()
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

    /// All customers, sorted by name.
    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }

    /// Customers matching `query` (name, code, hosts, tags), best first.
    pub fn search(&self, query: &str) -> Vec<&Customer> {
        self.index
            .search(query)
            .into_iter()
            .map(|i| &self.customers[i])
            .collect()
    }

    /// The customer with this code (case-insensitive).
    pub fn customer_by_code(&self, code: &str) -> Option<&Customer> {
        self.by_code
            .get(&code.to_lowercase())
            .map(|&i| &self.customers[i])
    }

    /// Resolves a customer code or a unique name match.
    pub fn find_customer(&self, selector: &str) -> Result<&Customer> {
        let selector = selector.trim();
        if let Some(c) = self.customer_by_code(selector) {
            return Ok(c);
        }
        let wanted = selector.to_lowercase();
        let exact: Vec<&Customer> = self
            .customers
            .iter()
            .filter(|c| c.name.to_lowercase() == wanted)
            .collect();
        let candidates = if exact.is_empty() {
            self.customers
                .iter()
                .filter(|c| c.name.to_lowercase().contains(&wanted))
                .collect()
        } else {
            exact
        };
        match candidates.as_slice() {
            [one] => Ok(one),
            [] => Err(Error::NotFound(format!(
                "no customer has the code or name '{}'",
                crate::model::validate::shown(selector)
            ))),
            many => {
                let shown: Vec<String> = many
                    .iter()
                    .take(5)
                    .map(|c| format!("{} ({})", c.code, c.name))
                    .collect();
                Err(Error::Ambiguous(format!(
                    "'{}' matches {} customers: {}{}; use the code",
                    crate::model::validate::shown(selector),
                    many.len(),
                    shown.join(", "),
                    if many.len() > 5 { ", …" } else { "" }
                )))
            }
        }
    }

    /// Decrypts the full entries of a customer, in the order of `customer.entries`.
    ///
    /// The customer record lists its entries; a stored entry missing from the list, or a
    /// listed entry missing from the store, is an integrity error.
    pub fn entries(&self, customer: &Customer) -> Result<Vec<Entry>> {
        self.view().entries(self.store.as_ref(), customer)
    }

    /// Decrypts the secrets of one entry. Call only where a secret is really used.
    pub fn entry_secrets(&self, entry: &Entry) -> Result<EntrySecrets> {
        self.view().entry_secrets(self.store.as_ref(), entry)
    }

    /// Changes the master password: only the wrapped data key is rewritten. Recorded in the
    /// audit log (a refused new password too).
    pub fn change_password(&mut self, new_password: &SecretString) -> Result<()> {
        let event = NewEvent::new(Action::PasswordChange);
        if let Err(e) = check_new_password(new_password) {
            self.audit(event.failed().detail(e.to_string()))?;
            return Err(e);
        }
        let header = self.header.clone().wrap(&self.data_key, new_password)?;
        let (bytes, sum) = header.to_stored()?;
        self.write_batch(&[event], |_, tx| {
            tx.put_meta(META_HEADER, &bytes)?;
            tx.put_meta(META_HEADER_SUM, sum.as_bytes())?;
            Ok(Vec::new())
        })?;
        self.header = header;
        Ok(())
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    pub(crate) fn view(&self) -> VaultView<'_> {
        VaultView {
            customers: &self.customers,
            by_code: &self.by_code,
            cipher: &self.cipher,
        }
    }

    pub(crate) fn store(&self) -> &dyn StoreRead {
        self.store.as_ref()
    }

    /// Runs `batch` in one transaction and appends `events` to the audit log in the same
    /// transaction. The customers it returns (new or changed) replace their in-memory
    /// versions once the transaction has committed.
    pub(crate) fn write_batch(
        &mut self,
        events: &[NewEvent],
        batch: impl FnOnce(&VaultView<'_>, &mut dyn StoreWrite) -> Result<Vec<Customer>>,
    ) -> Result<()> {
        self.write_batch_audited(|view, tx| Ok((batch(view, tx)?, events.to_vec())))
    }

    /// [`Session::write_batch`] for a batch that decides its audit events itself (after
    /// its writes); they are appended in the same transaction.
    pub(crate) fn write_batch_audited(
        &mut self,
        batch: impl FnOnce(
            &VaultView<'_>,
            &mut dyn StoreWrite,
        ) -> Result<(Vec<Customer>, Vec<NewEvent>)>,
    ) -> Result<()> {
        let view = VaultView {
            customers: &self.customers,
            by_code: &self.by_code,
            cipher: &self.cipher,
        };
        let appender = Appender {
            key: &self.audit_key,
            cipher: &self.cipher,
            staff: &self.settings.staff,
            device: &self.device,
            log_started: self.settings.audit_log,
        };
        let mut batch = Some(batch);
        let mut touched = Vec::new();
        self.store.write(&mut |tx| {
            let batch = batch
                .take()
                .ok_or_else(|| Error::Storage("a write batch ran twice".into()))?;
            let events;
            (touched, events) = batch(&view, tx)?;
            if !events.is_empty() {
                appender.append(tx, &events)?;
            }
            Ok(())
        })?;
        self.generation += 1;
        if touched.is_empty() {
            return Ok(()); // a password change or a TOTP secret: the list is as it was
        }
        let position: HashMap<uuid::Uuid, usize> = self
            .customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        for customer in touched {
            match position.get(&customer.id) {
                Some(&i) => self.customers[i] = customer,
                None => self.customers.push(customer),
            }
        }
        self.reindex();
        Ok(())
    }

    /// The settings record with other .rdp defaults, sealed, to be written in a batch;
    /// [`Session::adopt_rdp_preferences`] once the batch has committed.
    pub(crate) fn sealed_settings_with_rdp(
        &self,
        rdp: &crate::rdp::RdpPreferences,
    ) -> Result<(&'static str, Vec<u8>)> {
        self.sealed_settings_with(&super::preferences::Preferences {
            rdp: rdp.clone(),
            ..self.settings.prefs.clone()
        })
    }

    pub(crate) fn adopt_rdp_preferences(&mut self, rdp: crate::rdp::RdpPreferences) {
        self.settings.prefs.rdp = rdp;
    }

    /// The settings record with other preferences, sealed, to be written in a batch.
    fn sealed_settings_with(
        &self,
        prefs: &super::preferences::Preferences,
    ) -> Result<(&'static str, Vec<u8>)> {
        let settings = Settings {
            prefs: prefs.clone(),
            ..self.settings.clone()
        };
        Ok((META_SETTINGS, seal_settings(&self.cipher, &settings)?))
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

    /// Drops a deleted customer from the in-memory list.
    pub(crate) fn forget_customer(&mut self, id: uuid::Uuid) {
        self.customers.retain(|c| c.id != id);
        self.reindex();
    }

    fn reindex(&mut self) {
        self.index = SearchIndex::sort_and_build(&mut self.customers);
        self.by_code = (0..self.customers.len())
            .filter_map(|i| Some((self.index.code_at(i)?.to_owned(), i)))
            .collect();
    }
}

pub(crate) fn check_new_password(password: &SecretString) -> Result<()> {
    if password.char_count() < MIN_PASSWORD_CHARS {
        return Err(Error::invalid(
            "master password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters long"),
        ));
    }
    if password.expose().chars().any(char::is_control) {
        return Err(Error::invalid(
            "master password",
            "must not contain control characters",
        ));
    }
    Ok(())
}

fn read_header(store: &dyn Store) -> Result<Header> {
    let not_a_vault =
        |what: &str| Error::Integrity(format!("the vault header is missing its {what}"));
    let bytes = store.meta(META_HEADER)?.ok_or_else(|| not_a_vault("key"))?;
    let sum = store
        .meta(META_HEADER_SUM)?
        .ok_or_else(|| not_a_vault("checksum"))?;
    let sum = String::from_utf8(sum).map_err(|_| not_a_vault("checksum"))?;
    Header::from_stored(&bytes, &sum)
}

/// The id in the header of the vault at `path` (readable without the password).
pub(crate) fn vault_id_of(path: &Path) -> Result<uuid::Uuid> {
    let store = SqliteStore::open(path)?;
    Ok(read_header(&store)?.vault_id)
}

fn read_backoff(store: &dyn Store) -> Result<Backoff> {
    // The counter is a plaintext guard against guessing through the app, not a secret: an
    // unreadable value counts as "no failures" rather than locking the vault for good.
    Ok(store
        .meta(META_BACKOFF)?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default())
}

fn put_backoff(tx: &mut dyn StoreWrite, backoff: &Backoff) -> Result<()> {
    let bytes = serde_json::to_vec(backoff).map_err(|e| Error::Storage(e.to_string()))?;
    tx.put_meta(META_BACKOFF, &bytes)
}

/// Without the key nothing can be sealed: the attempt is noted in plaintext (time, OS user,
/// host, reason; nothing about customers) together with the new failure counter, and
/// folded into the audit chain at the next successful unlock.
fn note_failed_unlock(
    store: &mut dyn Store,
    backoff: Option<&Backoff>,
    reason: &str,
) -> Result<()> {
    let device = Device::current();
    let attempt = FailedUnlock {
        at_ms: crate::audit::unix_ms(crate::audit::now()),
        os_user: device.os_user,
        host: device.host,
        reason: reason.to_owned(),
        repeats: 1,
    };
    store.write(&mut |tx| {
        if let Some(backoff) = backoff {
            put_backoff(tx, backoff)?;
        }
        tx.add_failed_unlock(&attempt, MAX_FAILED_UNLOCK_NOTES)
    })
}

fn seal_settings(cipher: &RecordCipher, settings: &Settings) -> Result<Vec<u8>> {
    let plain = serde_json::to_vec(settings).map_err(|e| Error::Storage(e.to_string()))?;
    cipher.seal(
        records::binding(META, META_SETTINGS, BlobKind::Settings),
        &plain,
    )
}

fn open_settings(cipher: &RecordCipher, store: &dyn Store) -> Result<Settings> {
    let blob = store
        .meta(META_SETTINGS)?
        .ok_or_else(|| Error::Integrity("the vault settings are missing".into()))?;
    let plain = cipher.open(
        records::binding(META, META_SETTINGS, BlobKind::Settings),
        &blob,
    )?;
    serde_json::from_slice(&plain)
        .map_err(|_| Error::Integrity("the vault settings are unreadable".into()))
}

/// Decrypts every customer record, streaming rows from the store.
///
/// (Decrypting on a second thread saved about 40 ms at 100,000 customers but cost 30 MB
/// more peak memory with per-thread allocator heaps; one thread is the better trade.)
fn load_customers(cipher: &RecordCipher, store: &dyn Store) -> Result<Vec<Customer>> {
    let mut customers = Vec::new();
    store.for_each_customer(&mut |row| {
        let mut customer = records::open_customer(cipher, &row)?;
        customer.shrink_to_fit();
        customers.push(customer);
        Ok(())
    })?;
    Ok(customers)
}
