//! Creating, opening and unlocking a vault (with the master password or the remembered
//! data key), the unlock backoff and the failed-unlock notes, and changing the master
//! password.

use super::{
    appender, Session, Settings, META_BACKOFF, META_HEADER, META_HEADER_SUM, META_SETTINGS,
};
use super::{MAX_FAILED_UNLOCK_NOTES, MIN_PASSWORD_CHARS};
use crate::audit::chain::{Appender, ChainKey};
use crate::audit::{Action, NewEvent, VerifyReport};
use crate::crypto::{BlobKind, RecordCipher};
use crate::identity::{self, Device};
use crate::model::Customer;
use crate::search::SearchIndex;
use crate::secret::{Key256, SecretString};
use crate::store::{Backend, FailedUnlock, Store, StoreWrite};
use crate::vault::backoff::Backoff;
use crate::vault::header::Header;
use crate::vault::kdf::KdfParams;
use crate::vault::records::{self, META};
use crate::{Error, Result};

impl Session {
    /// Creates a vault where `backend` says and returns it unlocked.
    pub fn create(
        backend: &dyn Backend,
        password: &SecretString,
        staff: &str,
        kdf: KdfParams,
    ) -> Result<Session> {
        check_new_password(password)?;
        let staff = identity::staff_name(staff)?;
        kdf.check_bounds()?;
        let store = backend.create()?;
        Self::initialise(store, password, staff, kdf).inspect_err(|_| backend.discard())
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
        let mut session = Session::assemble(
            store,
            header,
            Key256::from_bytes(*data_key.expose()),
            &data_key,
            settings,
            vec![],
        )?;
        session.store.write(&mut |tx| {
            tx.put_meta(META_HEADER, &header_bytes)?;
            tx.put_meta(META_HEADER_SUM, header_sum.as_bytes())?;
            tx.put_meta(META_SETTINGS, &sealed_settings)?;
            super::manifest::write(tx, &session.manifest_key)?;
            Appender {
                log_started: false,
                ..appender(
                    &session.audit_key,
                    &session.cipher,
                    &session.settings,
                    &session.device,
                )
            }
            .append(tx, &[NewEvent::new(Action::VaultCreate)])
            .map(|_| ())
        })?;
        Ok(session)
    }

    /// A session over decrypted state; derives the audit key from the data key. A store
    /// that knows its member (a team database) names the staff.
    fn assemble(
        store: Box<dyn Store>,
        header: Header,
        header_key: Key256,
        data_key: &Key256,
        mut settings: Settings,
        customers: Vec<Customer>,
    ) -> Result<Session> {
        if let Some(member) = store.member() {
            settings.staff = member;
        }
        let older_ciphers = store
            .data_key_history()?
            .iter()
            .map(RecordCipher::new)
            .collect();
        let mut session = Session {
            audit_key: ChainKey::derive(data_key, header.vault_id)?,
            manifest_key: super::manifest::ManifestKey::derive(data_key, header.vault_id)?,
            cipher: RecordCipher::new(data_key),
            older_ciphers,
            store,
            header,
            header_key,
            settings,
            device: Device::current(),
            customers,
            index: SearchIndex::default(),
            generation: 0,
            watch: None,
        };
        session.reindex();
        Ok(session)
    }

    /// Opens the vault `backend` names and unlocks it with `password`. The unlock is
    /// recorded in the audit log (a failed one as a note folded into the log at the next
    /// unlock).
    pub fn unlock(backend: &dyn Backend, password: &SecretString) -> Result<Session> {
        let store = backend.open()?;
        Ok(Self::unlock_store(store, password, crate::vault::now_unix(), false)?.0)
    }

    /// Unlocks like [`Session::unlock`], verifying the audit chain before this unlock is
    /// appended to it (so the report describes the log as it was found).
    pub fn unlock_and_verify_audit(
        backend: &dyn Backend,
        password: &SecretString,
    ) -> Result<(Session, VerifyReport)> {
        let store = backend.open()?;
        let (session, report) =
            Self::unlock_store(store, password, crate::vault::now_unix(), true)?;
        let report =
            report.ok_or_else(|| Error::Storage("the audit log was not verified".into()))?;
        Ok((session, report))
    }

    /// Unlocks a vault kept in any store, at the given time (for the backoff); with
    /// `verify_audit`, the audit chain is checked before the unlock is appended.
    pub fn unlock_store(
        store: Box<dyn Store>,
        password: &SecretString,
        now_unix: i64,
        verify_audit: bool,
    ) -> Result<(Session, Option<VerifyReport>)> {
        let _span = tracing::info_span!("unlock").entered();
        let started = std::time::Instant::now();
        let unlocked = Self::unlock_store_inner(store, password, now_unix, verify_audit);
        match &unlocked {
            Ok((session, _)) => tracing::info!(
                customers = session.customers.len(),
                ms = started.elapsed().as_millis() as u64,
                "unlocked"
            ),
            Err(e) => tracing::warn!(kind = e.kind().name(), "unlock refused"),
        }
        unlocked
    }

    fn unlock_store_inner(
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
        let header_key = match header.unwrap_key(password) {
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
        let data_key = store.resolve_data_key(Key256::from_bytes(*header_key.expose()))?;
        let cipher = RecordCipher::new(&data_key);
        let settings = open_settings(&cipher, store.as_ref())?;
        let customers = load_checked(store.as_ref(), &cipher, &data_key, &header)?;
        let mut session =
            Session::assemble(store, header, header_key, &data_key, settings, customers)?;
        let report = match verify_audit {
            true => Some(session.verify_audit()?),
            false => None,
        };
        session.adopt_manifest(password)?;
        session.record_unlock(backoff != Backoff::default(), "")?;
        Ok((session, report))
    }

    /// Opens the vault `backend` names with the key the master password unwraps, without
    /// the master password (what a [`super::DeviceKey`] unwraps; also what the app's
    /// keychain kept before device keys, read once to move such an entry to a device key).
    /// A key that does not open this vault's settings record is refused as
    /// [`Error::RememberedKeyInvalid`]. Refused while the unlock backoff says to wait;
    /// recorded in the audit log as an unlock with the remembered key.
    pub fn unlock_with_key(backend: &dyn Backend, header_key: Key256) -> Result<Session> {
        Self::unlock_store_with_key(backend.open()?, header_key)
    }

    /// [`Session::unlock_with_key`] on a store already open.
    pub(super) fn unlock_store_with_key(
        mut store: Box<dyn Store>,
        header_key: Key256,
    ) -> Result<Session> {
        let header = read_header(store.as_ref())?;
        let backoff = read_backoff(store.as_ref())?;
        let wait = backoff.wait_seconds(crate::vault::now_unix());
        if wait > 0 {
            return Err(Error::LockedOut { wait_seconds: wait });
        }
        let invalid = |e| match e {
            Error::Integrity(_) => Error::RememberedKeyInvalid,
            other => other,
        };
        let data_key = store
            .resolve_data_key(Key256::from_bytes(*header_key.expose()))
            .map_err(invalid)?;
        let cipher = RecordCipher::new(&data_key);
        let settings = open_settings(&cipher, store.as_ref()).map_err(invalid)?;
        let customers = load_checked(store.as_ref(), &cipher, &data_key, &header)?;
        let mut session =
            Session::assemble(store, header, header_key, &data_key, settings, customers)?;
        session.record_unlock(false, "with the key remembered on this device")?;
        Ok(session)
    }

    /// A copy of the key the master password unwraps (for a local vault, the data key
    /// itself): what [`Session::unlock_with_key`] takes. The keychain keeps a
    /// [`super::DeviceKey`] instead, which opens nothing without the vault's wrapped copy.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn data_key_for_keychain(&self) -> Key256 {
        Key256::from_bytes(*self.header_key.expose())
    }

    /// A vault from before record manifests gets one at its first unlock with the password:
    /// the manifest of its records as found, and the header's flag, bound into the key wrap
    /// (so the wrap is made again, one more key derivation, once).
    fn adopt_manifest(&mut self, password: &SecretString) -> Result<()> {
        if self.header.record_manifest
            || self.store.audit_keeping() != crate::store::AuditKeeping::Chained
        {
            return Ok(());
        }
        let header = Header {
            record_manifest: true,
            ..self.header.clone()
        }
        .wrap(&self.header_key, password)?;
        let (bytes, sum) = header.to_stored()?;
        let key = &self.manifest_key;
        self.store.write(&mut |tx| {
            super::manifest::write(tx, key)?;
            tx.put_meta(META_HEADER, &bytes)?;
            tx.put_meta(META_HEADER_SUM, sum.as_bytes())
        })?;
        self.header = header;
        Ok(())
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
        let appender = appender(&self.audit_key, &self.cipher, &self.settings, &self.device);
        let manifest_kept = super::manifest::present(self.store.as_ref())?;
        let manifest_key = &self.manifest_key;
        self.store.write(&mut |tx| {
            if reset_backoff {
                put_backoff(tx, &Backoff::default())?;
            }
            if let Some(sealed) = &sealed_settings {
                tx.put_meta(META_SETTINGS, sealed)?;
                if manifest_kept {
                    super::manifest::write(tx, manifest_key)?;
                }
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

    /// Changes the master password: only the wrapped data key is rewritten. Recorded in the
    /// audit log (a refused new password too).
    pub fn change_password(&mut self, new_password: &SecretString) -> Result<()> {
        let event = NewEvent::new(Action::PasswordChange);
        if let Err(e) = check_new_password(new_password) {
            self.audit(event.failed().detail(e.to_string()))?;
            return Err(e);
        }
        let header = self.header.clone().wrap(&self.header_key, new_password)?;
        let (bytes, sum) = header.to_stored()?;
        self.write_batch(&[event], |_, tx| {
            tx.put_meta(META_HEADER, &bytes)?;
            tx.put_meta(META_HEADER_SUM, sum.as_bytes())?;
            Ok(Vec::new())
        })?;
        self.header = header;
        Ok(())
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

pub(super) fn read_header(store: &dyn Store) -> Result<Header> {
    let not_a_vault =
        |what: &str| Error::Integrity(format!("the vault header is missing its {what}"));
    let bytes = store.meta(META_HEADER)?.ok_or_else(|| not_a_vault("key"))?;
    let sum = store
        .meta(META_HEADER_SUM)?
        .ok_or_else(|| not_a_vault("checksum"))?;
    let sum = String::from_utf8(sum).map_err(|_| not_a_vault("checksum"))?;
    Header::from_stored(&bytes, &sum)
}

/// The id in the header of the vault `backend` names (readable without the password).
pub(crate) fn vault_id_of(backend: &dyn Backend) -> Result<uuid::Uuid> {
    Ok(read_header(backend.open()?.as_ref())?.vault_id)
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

pub(super) fn seal_settings(cipher: &RecordCipher, settings: &Settings) -> Result<Vec<u8>> {
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

impl Session {
    /// Follows changes other clients commit (a team's members) for as long as the session
    /// lasts: `changed` is called with who made each, on a thread of the store's; it should
    /// [`Session::reload_customers`] and show the list again. False when the store has no
    /// other writers (a local file).
    pub fn follow_changes(&mut self, changed: impl Fn(&str) + Send + 'static) -> Result<bool> {
        self.watch = self.store.watch_changes(Box::new(changed))?;
        Ok(self.watch.is_some())
    }

    /// Reads the customer list from the store again (after another client changed it); a
    /// previewed import made before is refused from now on.
    pub fn reload_customers(&mut self) -> Result<()> {
        let loaded = load_customers(&self.cipher, self.store.as_ref())?;
        self.wipe_list();
        self.customers = loaded;
        self.reindex();
        self.generation += 1;
        Ok(())
    }
}

/// The decrypted customers, once the records are found to be those the record manifest
/// was written for: the check runs on a second reader of the store, on another thread,
/// while this one decrypts (at 100,000 customers, the check alone takes ~75 ms).
fn load_checked(
    store: &dyn Store,
    cipher: &RecordCipher,
    data_key: &Key256,
    header: &Header,
) -> Result<Vec<Customer>> {
    let started = std::time::Instant::now();
    let key = super::manifest::ManifestKey::derive(data_key, header.vault_id)?;
    let required = header.record_manifest;
    let check = |reader: &dyn crate::store::StoreRead| {
        super::manifest::check(reader, &key, required)?;
        tracing::debug!(
            ms = started.elapsed().as_millis() as u64,
            "record manifest checked"
        );
        Ok(())
    };
    let Some(reader) = store.second_reader()? else {
        let customers = load_customers(cipher, store)?;
        return check(store).map(|()| customers);
    };
    std::thread::scope(|scope| {
        let checked = scope.spawn(move || check(reader.as_ref()));
        let customers = load_customers(cipher, store);
        let checked = checked
            .join()
            .unwrap_or_else(|_| Err(Error::Storage("the record manifest check failed".into())));
        // A record that does not open names itself, which says more than the manifest can.
        let customers = customers?;
        checked.map(|()| customers)
    })
}

/// Decrypts every customer record, streaming rows from the store.
///
/// (Decrypting on a second thread saved about 40 ms at 100,000 customers but cost 30 MB
/// more peak memory with per-thread allocator heaps; one thread is the better trade.)
fn load_customers(cipher: &RecordCipher, store: &dyn Store) -> Result<Vec<Customer>> {
    // At its size from the start: grown by doubling, the list would keep up to half of its
    // room spare (1 MB at 10,000 customers) and leave its smaller copies behind as free
    // heap the allocator keeps.
    let mut customers = Vec::with_capacity(store.customer_count_hint()?.unwrap_or(0));
    store.for_each_customer(&mut |row| {
        let mut customer = records::open_customer(cipher, &row)?;
        customer.shrink_to_fit();
        customers.push(customer);
        Ok(())
    })?;
    Ok(customers)
}

/// Meta values as a store keeps them: key and bytes.
pub type MetaRecords = Vec<(&'static str, Vec<u8>)>;

/// A new vault header for `password` (refused as a master password is when too short) with
/// a fresh random key, as the meta values a store keeps it under, and the key. For
/// backends that set a vault up their own way (a team member's profile, whose key then
/// opens the member's private key).
pub fn new_header_records(
    password: &SecretString,
    kdf: KdfParams,
) -> Result<(MetaRecords, Key256)> {
    check_new_password(password)?;
    kdf.check_bounds()?;
    let (header, key) = Header::create(password, kdf)?;
    let (bytes, sum) = header.to_stored()?;
    Ok((
        vec![(META_HEADER, bytes), (META_HEADER_SUM, sum.into_bytes())],
        key,
    ))
}

/// The settings record of a new vault whose data key is `data_key`: default preferences,
/// sealed, with the meta key it is stored under. For backends that set a vault up their
/// own way (a team database).
pub fn new_settings_record(data_key: &Key256, staff: &str) -> Result<(&'static str, Vec<u8>)> {
    let settings = Settings {
        staff: identity::staff_name(staff)?,
        audit_log: true,
        prefs: Default::default(),
    };
    Ok((
        META_SETTINGS,
        seal_settings(&RecordCipher::new(data_key), &settings)?,
    ))
}
