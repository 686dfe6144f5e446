//! The record manifest: a MAC, under a key derived from the data key, over every sealed
//! record's table, id and GCM tag (and the sealed settings and signing records), with the
//! count of each table. Rewritten in every transaction that changes a record, checked at
//! unlock. Each record authenticates itself, but without the manifest a single record could
//! be deleted or put back to an older copy of itself by anyone who can write the file; with
//! it, either shows at the next unlock as tampering.
//!
//! What it does not cover, and why: the audit log (its own chain and head), the failed
//! unlock notes (plaintext, marked unauthenticated), the list of remembering devices (a
//! device forgotten while the vault is locked is removed without the key), the header (its
//! key wrap authenticates it). A whole vault file replaced by an older copy of itself is a
//! restored backup, not a rolled-back record.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use super::signing::{META_SIGNING_CERTIFICATE, META_SIGNING_KEY};
use super::META_SETTINGS;
use crate::secret::Key256;
use crate::store::{
    record_tag, AuditRow, FailedUnlock, RecordRewrite, RecordTagVisitor, SealedTable, ServerEvent,
    StoreRead, StoreWrite,
};
use crate::store::{AuditKeeping, CustomerRow, EntryRow};
use crate::{Error, Result};

const META_MANIFEST: &str = "record_manifest";
const HKDF_INFO: &[u8] = b"sallyport record-manifest mac key v1";
const LABEL: &[u8] = b"sallyport-record-manifest-v1";
/// The sealed meta values covered, besides the tables.
const SEALED_META: [&str; 3] = [META_SETTINGS, META_SIGNING_CERTIFICATE, META_SIGNING_KEY];

type HmacSha256 = Hmac<Sha256>;

/// The manifest's MAC key; wiped on drop.
pub(crate) struct ManifestKey(Key256);

impl std::fmt::Debug for ManifestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ManifestKey(<redacted>)")
    }
}

impl ManifestKey {
    /// HKDF-SHA256(data key, salt = vault id, info = the manifest's label).
    pub fn derive(data_key: &Key256, vault_id: Uuid) -> Result<Self> {
        let mut okm = zeroize::Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(Some(vault_id.as_bytes()), data_key.expose())
            .expand(HKDF_INFO, okm.as_mut())
            .map_err(|_| Error::Storage("manifest key derivation failed".into()))?;
        Ok(Self(Key256::from_bytes(*okm)))
    }
}

/// The manifest as stored (plain JSON: counts and a MAC say nothing about customers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stored {
    customers: u64,
    entries: u64,
    secrets: u64,
    mac: String,
}

/// The manifest of what `store` holds now; `None` for a store without records of its own.
fn compute(store: &dyn StoreRead, key: &ManifestKey) -> Result<Option<Stored>> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key.0.expose())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(LABEL);
    let mut counts = [0u64; 3];
    let field = |mac: &mut HmacSha256, bytes: &[u8]| {
        mac.update(&(bytes.len() as u64).to_be_bytes());
        mac.update(bytes);
    };
    let kept = store.for_each_record_tag(&mut |table, id, tag| {
        let index = match table {
            SealedTable::Customers => 0,
            SealedTable::Entries => 1,
            SealedTable::EntrySecrets => 2,
        };
        counts[index] += 1;
        mac.update(&[index as u8]);
        field(&mut mac, id.as_bytes());
        field(&mut mac, tag);
        Ok(())
    })?;
    if !kept {
        return Ok(None);
    }
    for key in SEALED_META {
        mac.update(&[3]);
        field(&mut mac, key.as_bytes());
        match store.meta(key)? {
            Some(blob) => field(&mut mac, record_tag(&blob)),
            None => mac.update(&[0xff]),
        }
    }
    Ok(Some(Stored {
        customers: counts[0],
        entries: counts[1],
        secrets: counts[2],
        mac: hex::encode(mac.finalize().into_bytes()),
    }))
}

/// Writes the manifest of what `tx` holds (nothing for a store without records of its own).
pub(crate) fn write(tx: &mut dyn StoreWrite, key: &ManifestKey) -> Result<()> {
    let Some(manifest) = compute(tx, key)? else {
        return Ok(());
    };
    let bytes = serde_json::to_vec(&manifest).map_err(|e| Error::Storage(e.to_string()))?;
    tx.put_meta(META_MANIFEST, &bytes)
}

/// Whether the store keeps records the manifest covers, and has one.
pub(crate) fn present(store: &dyn StoreRead) -> Result<bool> {
    Ok(store.meta(META_MANIFEST)?.is_some())
}

/// Checks that the records are those the manifest was written for. A vault whose header
/// says it keeps a manifest (`required`) must have one; an older vault without one passes
/// (its manifest is written at its next unlock with the password).
pub(crate) fn check(store: &dyn StoreRead, key: &ManifestKey, required: bool) -> Result<()> {
    let Some(found) = compute(store, key)? else {
        return Ok(());
    };
    let tampered = |what: String| {
        Error::Integrity(format!(
            "the vault's records do not match their sealed manifest: {what}; the file was changed outside Sallyport (restore a backup, or export what still opens)"
        ))
    };
    let Some(bytes) = store.meta(META_MANIFEST)? else {
        return match required {
            true => Err(tampered("the manifest is missing".into())),
            false => Ok(()),
        };
    };
    let stored: Stored = serde_json::from_slice(&bytes)
        .map_err(|_| tampered("the manifest is unreadable".into()))?;
    for (what, stored, found) in [
        ("customers", stored.customers, found.customers),
        ("entries", stored.entries, found.entries),
        ("entry secrets", stored.secrets, found.secrets),
    ] {
        if stored != found {
            return Err(tampered(format!(
                "{found} {what} stored where {stored} were written (records deleted or added)"
            )));
        }
    }
    let macs_agree = hex::decode(&stored.mac).is_ok_and(|mac| {
        let found = hex::decode(&found.mac).unwrap_or_default();
        mac.len() == found.len()
            && mac
                .iter()
                .zip(&found)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    match macs_agree {
        true => Ok(()),
        false => Err(tampered(
            "a record was replaced by an older copy of itself or by another vault's".into(),
        )),
    }
}

/// A transaction that notes whether a batch changed anything the manifest covers, so that
/// only those batches rewrite it (an audit append, the most frequent write, does not).
pub(crate) struct Watched<'a> {
    pub inner: &'a mut dyn StoreWrite,
    pub changed: bool,
}

impl StoreRead for Watched<'_> {
    fn audit_keeping(&self) -> AuditKeeping {
        self.inner.audit_keeping()
    }
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.inner.meta(key)
    }
    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>> {
        self.inner.entries_of(customer_id)
    }
    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>> {
        self.inner.entry_secrets(entry_id)
    }
    fn last_audit_row(&self) -> Result<Option<AuditRow>> {
        self.inner.last_audit_row()
    }
    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>> {
        self.inner.failed_unlocks()
    }
    fn for_each_record_tag(&self, visit: &mut RecordTagVisitor<'_>) -> Result<bool> {
        self.inner.for_each_record_tag(visit)
    }
}

impl StoreWrite for Watched<'_> {
    fn put_customer(&mut self, row: &CustomerRow) -> Result<()> {
        self.changed = true;
        self.inner.put_customer(row)
    }
    fn put_entry(&mut self, row: &EntryRow) -> Result<()> {
        self.changed = true;
        self.inner.put_entry(row)
    }
    fn put_entry_secrets(&mut self, entry_id: &str, blob: &[u8]) -> Result<()> {
        self.changed = true;
        self.inner.put_entry_secrets(entry_id, blob)
    }
    fn delete_customer(&mut self, id: &str) -> Result<()> {
        self.changed = true;
        self.inner.delete_customer(id)
    }
    fn delete_entry(&mut self, id: &str) -> Result<()> {
        self.changed = true;
        self.inner.delete_entry(id)
    }
    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<()> {
        self.changed |= SEALED_META.contains(&key);
        self.inner.put_meta(key, value)
    }
    fn put_audit(&mut self, row: &AuditRow) -> Result<()> {
        self.inner.put_audit(row)
    }
    fn add_failed_unlock(&mut self, attempt: &FailedUnlock, keep_at_most: usize) -> Result<()> {
        self.inner.add_failed_unlock(attempt, keep_at_most)
    }
    fn clear_failed_unlocks(&mut self) -> Result<()> {
        self.inner.clear_failed_unlocks()
    }
    fn rewrite_sealed(
        &mut self,
        table: SealedTable,
        rewrite: &mut RecordRewrite<'_>,
    ) -> Result<()> {
        self.changed = true;
        self.inner.rewrite_sealed(table, rewrite)
    }
    fn rewrite_audit(
        &mut self,
        rewrite: &mut dyn FnMut(&AuditRow) -> Result<AuditRow>,
    ) -> Result<()> {
        self.inner.rewrite_audit(rewrite)
    }
    fn append_server_events(&mut self, events: &[ServerEvent]) -> Result<()> {
        self.inner.append_server_events(events)
    }
    fn use_entry_secrets(
        &mut self,
        entry_id: &str,
        event: &ServerEvent,
    ) -> Result<Option<Vec<u8>>> {
        self.inner.use_entry_secrets(entry_id, event)
    }
}
