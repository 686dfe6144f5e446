//! A vault kept in memory: the second implementation of the storage seam, used by the
//! core's tests. It is a real store, not a mock: a write batch works on a copy of the data
//! that replaces it only if the batch succeeds and every entry still has its customer (as
//! SQLite's deferred foreign keys check at commit); reads stream; audit sequence numbers
//! are unique; deleting a customer takes its entries and their secrets with it.
//!
//! [`MemoryBackend`] hands out stores that share one copy of the data, so a test can lock a
//! vault and unlock it again, as with a file.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{
    record_tag, AuditRow, Backend, CustomerRow, EntryRow, FailedUnlock, RecordRewrite,
    RecordTagVisitor, SealedTable, Store, StoreRead, StoreWrite,
};
use crate::{Error, Result};

/// Everything a vault stores.
#[derive(Debug, Clone, Default)]
struct Data {
    meta: BTreeMap<String, Vec<u8>>,
    customers: BTreeMap<String, Vec<u8>>,
    /// Entry id → (customer id, sealed record).
    entries: BTreeMap<String, (String, Vec<u8>)>,
    secrets: BTreeMap<String, Vec<u8>>,
    /// Sequence number → (sealed event, chain MAC).
    audit: BTreeMap<u64, (Vec<u8>, Vec<u8>)>,
    failed_unlocks: Vec<FailedUnlock>,
}

impl Data {
    /// What a commit checks: every entry belongs to a stored customer, every secret blob
    /// to a stored entry.
    fn check_references(&self) -> Result<()> {
        if let Some((id, _)) = self
            .entries
            .iter()
            .find(|(_, (customer, _))| !self.customers.contains_key(customer))
        {
            return Err(Error::Storage(format!(
                "entry {id} refers to a customer that is not stored"
            )));
        }
        if let Some(id) = self
            .secrets
            .keys()
            .find(|id| !self.entries.contains_key(*id))
        {
            return Err(Error::Storage(format!(
                "the secrets of entry {id} belong to no stored entry"
            )));
        }
        Ok(())
    }
}

impl StoreRead for Data {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.meta.get(key).cloned())
    }

    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>> {
        Ok(self
            .entries
            .iter()
            .filter(|(_, (customer, _))| customer == customer_id)
            .map(|(id, (customer, record))| EntryRow {
                id: id.clone(),
                customer_id: customer.clone(),
                record: record.clone(),
            })
            .collect())
    }

    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.secrets.get(entry_id).cloned())
    }

    fn last_audit_row(&self) -> Result<Option<AuditRow>> {
        Ok(self
            .audit
            .iter()
            .next_back()
            .map(|(&seq, (record, mac))| AuditRow {
                seq,
                record: record.clone(),
                mac: mac.clone(),
            }))
    }

    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>> {
        Ok(self.failed_unlocks.clone())
    }

    fn for_each_record_tag(&self, visit: &mut RecordTagVisitor<'_>) -> Result<bool> {
        for (id, record) in &self.customers {
            visit(SealedTable::Customers, id, record_tag(record))?;
        }
        for (id, (_, record)) in &self.entries {
            visit(SealedTable::Entries, id, record_tag(record))?;
        }
        for (id, blob) in &self.secrets {
            visit(SealedTable::EntrySecrets, id, record_tag(blob))?;
        }
        Ok(true)
    }
}

impl StoreWrite for Data {
    fn put_customer(&mut self, row: &CustomerRow) -> Result<()> {
        self.customers.insert(row.id.clone(), row.record.clone());
        Ok(())
    }

    fn put_entry(&mut self, row: &EntryRow) -> Result<()> {
        self.entries.insert(
            row.id.clone(),
            (row.customer_id.clone(), row.record.clone()),
        );
        Ok(())
    }

    fn put_entry_secrets(&mut self, entry_id: &str, blob: &[u8]) -> Result<()> {
        self.secrets.insert(entry_id.to_owned(), blob.to_vec());
        Ok(())
    }

    fn delete_customer(&mut self, id: &str) -> Result<()> {
        self.customers.remove(id);
        let entries: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, (customer, _))| customer == id)
            .map(|(entry, _)| entry.clone())
            .collect();
        for entry in entries {
            self.delete_entry(&entry)?;
        }
        Ok(())
    }

    fn delete_entry(&mut self, id: &str) -> Result<()> {
        self.entries.remove(id);
        self.secrets.remove(id);
        Ok(())
    }

    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<()> {
        self.meta.insert(key.to_owned(), value.to_vec());
        Ok(())
    }

    fn put_audit(&mut self, row: &AuditRow) -> Result<()> {
        if self.audit.contains_key(&row.seq) {
            return Err(Error::Storage(format!(
                "audit event {} is already stored",
                row.seq
            )));
        }
        self.audit
            .insert(row.seq, (row.record.clone(), row.mac.clone()));
        Ok(())
    }

    fn rewrite_sealed(
        &mut self,
        table: SealedTable,
        rewrite: &mut RecordRewrite<'_>,
    ) -> Result<()> {
        let records: Vec<(&String, &mut Vec<u8>)> = match table {
            SealedTable::Customers => self.customers.iter_mut().collect(),
            SealedTable::Entries => self
                .entries
                .iter_mut()
                .map(|(id, (_, record))| (id, record))
                .collect(),
            SealedTable::EntrySecrets => self.secrets.iter_mut().collect(),
        };
        for (id, record) in records {
            *record = rewrite(id, record)?;
        }
        Ok(())
    }

    fn rewrite_audit(
        &mut self,
        rewrite: &mut dyn FnMut(&AuditRow) -> Result<AuditRow>,
    ) -> Result<()> {
        for (&seq, (record, mac)) in self.audit.iter_mut() {
            let new = rewrite(&AuditRow {
                seq,
                record: record.clone(),
                mac: mac.clone(),
            })?;
            if new.seq != seq {
                return Err(Error::Storage("a rewritten audit row moved".into()));
            }
            (*record, *mac) = (new.record, new.mac);
        }
        Ok(())
    }

    fn add_failed_unlock(&mut self, attempt: &FailedUnlock, keep_at_most: usize) -> Result<()> {
        let repeats = attempt.repeats.max(1);
        let full = self.failed_unlocks.len() >= keep_at_most.max(1);
        match self.failed_unlocks.last_mut() {
            Some(last) if full => {
                last.repeats = last.repeats.saturating_add(repeats);
                last.at_ms = attempt.at_ms;
            }
            _ => self.failed_unlocks.push(FailedUnlock {
                repeats,
                ..attempt.clone()
            }),
        }
        Ok(())
    }

    fn clear_failed_unlocks(&mut self) -> Result<()> {
        self.failed_unlocks.clear();
        Ok(())
    }
}

/// A store over data in memory (shared by every store its [`MemoryBackend`] opened).
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    data: Arc<Mutex<Data>>,
}

impl MemoryStore {
    /// An empty store of its own.
    pub fn new() -> Self {
        Self::default()
    }

    fn data(&self) -> MutexGuard<'_, Data> {
        // A panic inside a batch never leaves half a batch behind: batches run on a copy.
        self.data
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl StoreRead for MemoryStore {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        self.data().meta(key)
    }

    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>> {
        self.data().entries_of(customer_id)
    }

    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>> {
        self.data().entry_secrets(entry_id)
    }

    fn last_audit_row(&self) -> Result<Option<AuditRow>> {
        self.data().last_audit_row()
    }

    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>> {
        self.data().failed_unlocks()
    }

    fn for_each_record_tag(&self, visit: &mut RecordTagVisitor<'_>) -> Result<bool> {
        self.data().for_each_record_tag(visit)
    }
}

impl Store for MemoryStore {
    fn second_reader(&self) -> Result<Option<Box<dyn StoreRead + Send>>> {
        Ok(Some(Box::new(self.clone())))
    }

    fn for_each_customer(&self, visit: &mut dyn FnMut(CustomerRow) -> Result<()>) -> Result<()> {
        // One row at a time, the lock released while the visitor runs (it may read the
        // store, as it may with SQLite).
        let mut after: Option<String> = None;
        loop {
            let next = {
                let data = self.data();
                let mut rest = match &after {
                    Some(id) => data
                        .customers
                        .range::<str, _>((Excluded(id.as_str()), Unbounded)),
                    None => data.customers.range::<str, _>(..),
                };
                rest.next().map(|(id, record)| CustomerRow {
                    id: id.clone(),
                    record: record.clone(),
                })
            };
            let Some(row) = next else {
                return Ok(());
            };
            after = Some(row.id.clone());
            visit(row)?;
        }
    }

    fn for_each_audit_row(&self, visit: &mut dyn FnMut(AuditRow) -> Result<()>) -> Result<()> {
        let mut from = 0;
        loop {
            let next = self
                .data()
                .audit
                .range(from..)
                .next()
                .map(|(&seq, (record, mac))| AuditRow {
                    seq,
                    record: record.clone(),
                    mac: mac.clone(),
                });
            let Some(row) = next else {
                return Ok(());
            };
            from = row.seq.saturating_add(1);
            visit(row)?;
        }
    }

    fn write(&mut self, batch: &mut dyn FnMut(&mut dyn StoreWrite) -> Result<()>) -> Result<()> {
        let mut data = self.data();
        let mut copy = data.clone();
        batch(&mut copy)?;
        copy.check_references()?;
        *data = copy;
        Ok(())
    }

    fn checkpoint(&mut self) -> Result<()> {
        Ok(())
    }
}

/// A vault "location" in memory: [`Backend::create`] starts an empty store (once), and
/// [`Backend::open`] returns stores over the same data, as reopening a file would.
#[derive(Debug, Clone, Default)]
pub struct MemoryBackend {
    created: Arc<Mutex<Option<MemoryStore>>>,
}

impl MemoryBackend {
    /// A location with no vault yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn slot(&self) -> MutexGuard<'_, Option<MemoryStore>> {
        self.created
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A store over this vault's data, to look at or tamper with what is stored.
    pub fn raw(&self) -> Option<MemoryStore> {
        self.slot().clone()
    }

    /// Another location holding a copy of this vault's data, as copying a vault file
    /// would: changes to either are not seen by the other.
    pub fn duplicate(&self) -> MemoryBackend {
        let copy = self.slot().as_ref().map(|store| MemoryStore {
            data: Arc::new(Mutex::new(store.data().clone())),
        });
        MemoryBackend {
            created: Arc::new(Mutex::new(copy)),
        }
    }
}

impl Backend for MemoryBackend {
    fn location(&self) -> String {
        "a vault in memory".to_owned()
    }

    fn exists(&self) -> bool {
        self.slot().is_some()
    }

    fn create(&self) -> Result<Box<dyn Store>> {
        let mut slot = self.slot();
        if slot.is_some() {
            return Err(Error::VaultExists(self.location()));
        }
        let store = MemoryStore::new();
        *slot = Some(store.clone());
        Ok(Box::new(store))
    }

    fn open(&self) -> Result<Box<dyn Store>> {
        match self.slot().as_ref() {
            Some(store) => Ok(Box::new(store.clone())),
            None => Err(Error::NoVault(self.location())),
        }
    }

    fn discard(&self) {
        *self.slot() = None;
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryStore;

    crate::store_conformance_tests!((
        Box::new(MemoryStore::new()) as Box<dyn crate::store::Store>,
        ()
    ));
}
