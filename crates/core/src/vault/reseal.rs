//! Moving a vault's records from one data key to another (a team's `remove --rekey`, a
//! local vault's `passwd --rotate-key`):
//! each sealed record is opened with the old key and sealed again with the new one, under
//! the same binding (table, row, kind), so it stays where it was and nothing is parsed.

use crate::crypto::{BlobKind, RecordCipher};
use crate::secret::Key256;
use crate::store::{CustomerRow, EntryRow};
use crate::Result;

use super::records::{binding, CUSTOMERS, ENTRIES, ENTRY_SECRETS, META};

/// Re-seals records from `old` to `new`.
pub struct Resealer {
    old: RecordCipher,
    new: RecordCipher,
}

impl std::fmt::Debug for Resealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Resealer(<redacted>)")
    }
}

impl Resealer {
    /// From the data key `old` to `new`.
    pub fn new(old: &Key256, new: &Key256) -> Self {
        Self {
            old: RecordCipher::new(old),
            new: RecordCipher::new(new),
        }
    }

    fn reseal(&self, table: &str, id: &str, kind: BlobKind, blob: &[u8]) -> Result<Vec<u8>> {
        let plain = self.old.open(binding(table, id, kind), blob)?;
        self.new.seal(binding(table, id, kind), &plain)
    }

    /// A record of `kind` in its table, under row id `id`.
    pub fn record(&self, kind: BlobKind, id: &str, blob: &[u8]) -> Result<Vec<u8>> {
        let table = match kind {
            BlobKind::Customer => CUSTOMERS,
            BlobKind::Entry => ENTRIES,
            BlobKind::EntrySecrets => ENTRY_SECRETS,
            BlobKind::AuditEvent => crate::audit::chain::TABLE,
            BlobKind::Settings | BlobKind::SigningCertificate | BlobKind::SigningKey => META,
        };
        self.reseal(table, id, kind, blob)
    }

    /// A sealed meta value of `kind` under `key`.
    pub fn meta_of(&self, kind: BlobKind, key: &str, blob: &[u8]) -> Result<Vec<u8>> {
        self.reseal(META, key, kind, blob)
    }

    /// A sealed audit event (every event is sealed under the same binding; its place in the
    /// chain is in its payload and its row's MAC).
    pub(crate) fn audit_event(&self, blob: &[u8]) -> Result<Vec<u8>> {
        self.reseal(
            crate::audit::chain::TABLE,
            crate::audit::chain::EVENT_ROW,
            BlobKind::AuditEvent,
            blob,
        )
    }

    /// A customer row.
    pub fn customer(&self, row: &CustomerRow) -> Result<CustomerRow> {
        Ok(CustomerRow {
            id: row.id.clone(),
            record: self.reseal(CUSTOMERS, &row.id, BlobKind::Customer, &row.record)?,
        })
    }

    /// An entry row.
    pub fn entry(&self, row: &EntryRow) -> Result<EntryRow> {
        Ok(EntryRow {
            id: row.id.clone(),
            customer_id: row.customer_id.clone(),
            record: self.reseal(ENTRIES, &row.id, BlobKind::Entry, &row.record)?,
        })
    }

    /// An entry's sealed secrets.
    pub fn secrets(&self, entry_id: &str, blob: &[u8]) -> Result<Vec<u8>> {
        self.reseal(ENTRY_SECRETS, entry_id, BlobKind::EntrySecrets, blob)
    }

    /// A sealed meta value (the settings).
    pub fn meta(&self, key: &str, blob: &[u8]) -> Result<Vec<u8>> {
        self.reseal(META, key, BlobKind::Settings, blob)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Customer;

    #[test]
    fn a_resealed_record_opens_with_the_new_key_only() {
        let (old, new) = (Key256::from_bytes([1; 32]), Key256::from_bytes([2; 32]));
        let customer = Customer::new("Acme".into(), "ACME".into());
        let row =
            super::super::records::seal_customer(&RecordCipher::new(&old), &customer).unwrap();
        let moved = Resealer::new(&old, &new).customer(&row).unwrap();
        let opened =
            super::super::records::open_customer(&RecordCipher::new(&new), &moved).unwrap();
        assert_eq!(opened, customer);
        assert!(super::super::records::open_customer(&RecordCipher::new(&old), &moved).is_err());
        assert!(
            Resealer::new(&new, &old).customer(&row).is_err(),
            "wrong old key"
        );
    }
}
