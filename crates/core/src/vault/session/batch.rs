//! Writing to the vault: every change is one store transaction that carries its audit
//! events, after which the in-memory list follows what was committed.

use std::collections::HashMap;

use super::open::seal_settings;
use super::{appender, Session, Settings, VaultView, META_SETTINGS};
use crate::audit::NewEvent;
use crate::model::Customer;
use crate::store::StoreWrite;
use crate::{Error, Result};

impl Session {
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
            index: &self.index,
            cipher: &self.cipher,
        };
        let appender = appender(&self.audit_key, &self.cipher, &self.settings, &self.device);
        let manifest_key = &self.manifest_key;
        let mut batch = Some(batch);
        let mut touched = Vec::new();
        self.store.write(&mut |tx| {
            let batch = batch
                .take()
                .ok_or_else(|| Error::Storage("a write batch ran twice".into()))?;
            let events;
            let mut watched = super::manifest::Watched {
                inner: tx,
                changed: false,
            };
            (touched, events) = batch(&view, &mut watched)?;
            if watched.changed {
                super::manifest::write(tx, manifest_key)?;
            }
            if !events.is_empty() {
                appender.append(tx, &events)?;
            }
            Ok(())
        })?;
        self.generation += 1;
        if touched.is_empty() {
            return Ok(()); // a password change or a TOTP secret: the list is as it was
        }
        // `reindex` sorts the list, so the order here does not matter. Into an empty list (a
        // first import) the batch's list is moved rather than copied: pushed one by one, a
        // second list of 100,000 customers grew by doubling beside it (the import's peak).
        if self.customers.is_empty() {
            self.customers = touched;
        } else {
            let position: HashMap<uuid::Uuid, usize> = self
                .customers
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id, i))
                .collect();
            let added = touched
                .iter()
                .filter(|c| !position.contains_key(&c.id))
                .count();
            self.customers.reserve(added);
            for customer in touched {
                match position.get(&customer.id) {
                    Some(&i) => std::mem::replace(&mut self.customers[i], customer).wipe(),
                    None => self.customers.push(customer),
                }
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
        self.sealed_settings_with(&crate::vault::preferences::Preferences {
            rdp: rdp.clone(),
            ..self.settings.prefs.clone()
        })
    }

    pub(crate) fn adopt_rdp_preferences(&mut self, rdp: crate::rdp::RdpPreferences) {
        self.settings.prefs.rdp = rdp;
    }

    /// The settings record with other preferences, sealed, to be written in a batch.
    pub(super) fn sealed_settings_with(
        &self,
        prefs: &crate::vault::preferences::Preferences,
    ) -> Result<(&'static str, Vec<u8>)> {
        let settings = Settings {
            prefs: prefs.clone(),
            ..self.settings.clone()
        };
        Ok((META_SETTINGS, seal_settings(&self.cipher, &settings)?))
    }
}
