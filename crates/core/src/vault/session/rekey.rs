//! Rotating a local vault's data key (`passwd --rotate-key`): a new random data key, every
//! sealed record opened with the old key and sealed again with the new one, the audit log
//! re-chained under the MAC key derived from it, the header wrapped for the (new) master
//! password, and every device's remembered copy dropped, since each wraps the old key. All
//! in one transaction: an error leaves the vault as it was.

use super::{appender, Session, META_DEVICE_KEYS, META_HEADER, META_HEADER_SUM, META_SETTINGS};
use crate::audit::chain::{self, ChainKey, Head};
use crate::audit::{Action, NewEvent};
use crate::crypto::{self, BlobKind, RecordCipher};
use crate::secret::SecretString;
use crate::store::{AuditKeeping, AuditRow, SealedTable};
use crate::vault::reseal::Resealer;
use crate::{Error, Result};

/// What a rotation re-sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RotationReport {
    /// Customer, entry and secret records.
    pub records: u64,
    /// Audit events re-chained.
    pub events: u64,
    /// Devices that remembered the vault and no longer do.
    pub devices_forgotten: usize,
}

/// The sealed meta values and the kind each is sealed as.
const SEALED_META: [(&str, BlobKind); 3] = [
    (META_SETTINGS, BlobKind::Settings),
    (
        super::signing::META_SIGNING_CERTIFICATE,
        BlobKind::SigningCertificate,
    ),
    (super::signing::META_SIGNING_KEY, BlobKind::SigningKey),
];

impl Session {
    /// Replaces the data key with a new random one and the master password with
    /// `new_password` (which may be the same), re-sealing everything in one transaction.
    /// Refused for a team vault (its key is rotated by `team remove --rekey`) and when the
    /// audit log does not verify, since re-chaining would sign a damaged log afresh; the
    /// old chain is checked again row by row as it is rewritten.
    pub fn rotate_data_key(&mut self, new_password: &SecretString) -> Result<RotationReport> {
        if self.store.audit_keeping() == AuditKeeping::Server {
            return Err(Error::invalid(
                "--rotate-key",
                "a team vault's key is rotated by an admin with `team remove NAME --rekey`",
            ));
        }
        super::check_new_password(new_password)?;
        if let Some(problem) = self.verify_audit()?.problem {
            return Err(Error::Integrity(format!(
                "the audit log does not verify (event {}: {}); the data key was not rotated, as that would sign the damaged log afresh",
                problem.seq, problem.message
            )));
        }
        let new_key = crypto::random_key()?;
        let header = self.header.clone().wrap(&new_key, new_password)?;
        let (header_bytes, header_sum) = header.to_stored()?;
        let new_chain = ChainKey::derive(&new_key, header.vault_id)?;
        let new_cipher = RecordCipher::new(&new_key);
        let new_manifest = super::manifest::ManifestKey::derive(&new_key, header.vault_id)?;
        let resealer = Resealer::new(&self.header_key, &new_key);
        let devices_forgotten = self.remembering_devices()?;
        let mut report = RotationReport {
            devices_forgotten,
            ..RotationReport::default()
        };

        let old_chain = &self.audit_key;
        self.store.write(&mut |tx| {
            report.records = 0;
            report.events = 0;
            for (table, kind) in [
                (SealedTable::Customers, BlobKind::Customer),
                (SealedTable::Entries, BlobKind::Entry),
                (SealedTable::EntrySecrets, BlobKind::EntrySecrets),
            ] {
                tx.rewrite_sealed(table, &mut |id, blob| {
                    report.records += 1;
                    resealer.record(kind, id, blob)
                })?;
            }
            for (key, kind) in SEALED_META {
                if let Some(blob) = tx.meta(key)? {
                    tx.put_meta(key, &resealer.meta_of(kind, key, &blob)?)?;
                }
            }
            let (mut old_prev, mut new_prev) =
                (old_chain.genesis().to_vec(), new_chain.genesis().to_vec());
            tx.rewrite_audit(&mut |row| {
                if !old_chain.check_link(row.seq, &old_prev, &row.record, &row.mac) {
                    return Err(Error::Integrity(format!(
                        "audit event {} changed while the key was being rotated",
                        row.seq
                    )));
                }
                let record = resealer.audit_event(&row.record)?;
                let mac = new_chain.link(row.seq, &new_prev, &record);
                (old_prev, new_prev) = (row.mac.clone(), mac.to_vec());
                report.events += 1;
                Ok(AuditRow {
                    seq: row.seq,
                    record,
                    mac: mac.to_vec(),
                })
            })?;
            if let Some(last) = tx.last_audit_row()? {
                chain::write_head(
                    tx,
                    &new_chain,
                    &Head {
                        seq: last.seq,
                        mac: last.mac,
                    },
                )?;
            }
            super::manifest::write(tx, &new_manifest)?;
            tx.put_meta(META_DEVICE_KEYS, br#"{"devices":{}}"#)?;
            tx.put_meta(META_HEADER, &header_bytes)?;
            tx.put_meta(META_HEADER_SUM, header_sum.as_bytes())?;
            let event = NewEvent::new(Action::PasswordChange).detail(format!(
                "data key rotated: {} records and {} audit events re-sealed, {} remembering devices forgotten",
                report.records, report.events, devices_forgotten
            ));
            appender(&new_chain, &new_cipher, &self.settings, &self.device)
                .append(tx, &[event])
                .map(|_| ())
        })?;
        self.header = header;
        self.header_key = crate::secret::Key256::from_bytes(*new_key.expose());
        self.cipher = new_cipher;
        self.audit_key = new_chain;
        self.manifest_key = new_manifest;
        self.generation += 1;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditFilter;
    use crate::store::memory::MemoryBackend;
    use crate::store::{Store, StoreRead};
    use crate::vault::kdf::KdfParams;

    const OLD: &str = "correct horse battery";
    const NEW: &str = "a new long password";

    fn vault_with_a_customer() -> (MemoryBackend, Session) {
        let backend = MemoryBackend::new();
        let mut session = Session::create(
            &backend,
            &SecretString::from(OLD),
            "Alice",
            KdfParams::floor(),
        )
        .unwrap();
        let csv =
            "customer,code,host,username,password\nAcme,ACME,rdp.acme.test,admin,Hunter2-secret\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(&path, csv).unwrap();
        session
            .import_in_one_pass(&path, Default::default(), &mut |_| {})
            .unwrap();
        (backend, session)
    }

    fn blobs(backend: &MemoryBackend) -> Vec<Vec<u8>> {
        let store = backend.raw().unwrap();
        let mut out = Vec::new();
        store
            .for_each_customer(&mut |row| {
                out.push(row.record);
                Ok(())
            })
            .unwrap();
        store
            .for_each_audit_row(&mut |row| {
                out.push(row.record);
                Ok(())
            })
            .unwrap();
        out.push(store.meta(META_SETTINGS).unwrap().unwrap());
        out
    }

    #[test]
    fn every_record_is_resealed_and_opens_with_the_new_password_only() {
        let (backend, mut session) = vault_with_a_customer();
        let device = session.remember_on_device(None).unwrap();
        let before = blobs(&backend);
        let report = session.rotate_data_key(&SecretString::from(NEW)).unwrap();
        assert_eq!(report.records, 3, "a customer, its entry and its secrets");
        assert_eq!(report.devices_forgotten, 1);
        let after = blobs(&backend);
        assert!(
            before.iter().all(|old| !after.contains(old)),
            "no record is left under the old key"
        );
        // The session goes on with the new key.
        let target = session
            .select("ACME", crate::vault::Purpose::Password)
            .unwrap();
        let password = session
            .copy_value(target.entry.id, crate::vault::CopyField::Password, None)
            .unwrap();
        assert_eq!(password.expose(), "Hunter2-secret");
        drop(session);

        assert!(matches!(
            Session::unlock(&backend, &SecretString::from(OLD)),
            Err(Error::WrongPassword)
        ));
        assert!(matches!(
            Session::unlock_with_device(&backend, &device),
            Err(Error::RememberedKeyInvalid)
        ));
        let session = Session::unlock(&backend, &SecretString::from(NEW)).unwrap();
        assert!(session.verify_audit().unwrap().is_ok());
        assert_eq!(session.customers()[0].code, "ACME");
        let rotated = session
            .audit_events(&AuditFilter::default())
            .unwrap()
            .into_iter()
            .filter(|e| e.action == Action::PasswordChange)
            .count();
        assert_eq!(rotated, 1);
    }

    #[test]
    fn a_damaged_audit_log_is_not_signed_afresh() {
        let (backend, mut session) = vault_with_a_customer();
        let mut store = backend.raw().unwrap();
        store
            .write(&mut |tx| {
                let mut last = tx.last_audit_row()?.unwrap();
                last.record[20] ^= 1;
                tx.rewrite_audit(&mut |row| match row.seq == last.seq {
                    true => Ok(last.clone()),
                    false => Ok(row.clone()),
                })
            })
            .unwrap();
        let refused = session
            .rotate_data_key(&SecretString::from(NEW))
            .unwrap_err();
        assert!(refused.to_string().contains("does not verify"), "{refused}");
        drop(session);
        Session::unlock(&backend, &SecretString::from(OLD)).unwrap();
    }
}
