//! Editing by hand (the app's forms): customers and entries are created, changed and
//! deleted one at a time, checked by the same validators as an import row, and every
//! change is recorded in the audit log with the names of the fields it touched.

use uuid::Uuid;

use super::Session;
use crate::audit::{Action, NewEvent};
use crate::model::form::{
    changed_customer_fields, changed_entry_fields, customer_from_form, entry_from_form,
    CustomerForm, EntryForm, SecretChange, SecretChanges,
};
use crate::model::validate::{self, FieldError};
use crate::model::{Customer, Entry, EntrySecrets};
use crate::vault::records;
use crate::{Error, Result};

impl Session {
    /// Creates a customer (`id` = `None`) or replaces the fields of an existing one.
    /// The code must stay unique. Audited with the names of the changed fields.
    pub fn save_customer(
        &mut self,
        id: Option<Uuid>,
        form: &CustomerForm,
    ) -> std::result::Result<Customer, Vec<FieldError>> {
        let base = match id {
            Some(id) => self
                .customers()
                .iter()
                .find(|c| c.id == id)
                .cloned()
                .ok_or_else(|| vec![FieldError::new("form", gone("customer"))])?,
            None => Customer::new(String::new(), String::new()),
        };
        let customer = customer_from_form(form, &base)?;
        if let Some(other) = self.customer_by_code(&customer.code) {
            if other.id != customer.id {
                return Err(vec![FieldError::new(
                    "code",
                    Error::invalid("code", format!("is already used by {}", other.name)),
                )]);
            }
        }
        let event = match id {
            None => NewEvent::new(Action::CustomerCreate).customer(&customer),
            Some(_) => {
                let changed = changed_customer_fields(&base, &customer);
                if changed.is_empty() {
                    return Ok(customer);
                }
                NewEvent::new(Action::CustomerEdit)
                    .customer(&customer)
                    .detail(format!("changed {}", changed.join(", ")))
            }
        };
        let stored = customer.clone();
        self.write_batch(&[event], |view, tx| {
            tx.put_customer(&records::seal_customer(view.cipher, &stored)?)?;
            Ok(vec![stored.clone()])
        })
        .map_err(|e| vec![FieldError::new("form", e)])?;
        Ok(customer)
    }

    /// Deletes a customer with all its entries and their secrets. Audited.
    pub fn delete_customer(&mut self, id: Uuid) -> Result<()> {
        let customer = self
            .customers()
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| gone("customer"))?;
        let event = NewEvent::new(Action::CustomerDelete)
            .customer(&customer)
            .detail(format!("deleted with {} entries", customer.entries.len()));
        self.write_batch(&[event], |_, tx| {
            tx.delete_customer(&id.to_string())?;
            Ok(Vec::new())
        })?;
        self.forget_customer(id);
        Ok(())
    }

    /// Creates an entry of the customer (`entry_id` = `None`) or replaces the fields of one,
    /// changing its secrets as asked. Labels stay unique within the customer. Audited with
    /// the names of the changed fields (never their values).
    pub fn save_entry_form(
        &mut self,
        customer_id: Uuid,
        entry_id: Option<Uuid>,
        form: &EntryForm,
        secrets: &SecretChanges,
    ) -> std::result::Result<Entry, Vec<FieldError>> {
        let wrap = |e: Error| vec![FieldError::new("form", e)];
        let customer = self
            .customers()
            .iter()
            .find(|c| c.id == customer_id)
            .cloned()
            .ok_or_else(|| wrap(gone("customer")))?;
        let base = match entry_id {
            Some(id) => self
                .entries(&customer)
                .map_err(wrap)?
                .into_iter()
                .find(|e| e.id == id)
                .ok_or_else(|| wrap(gone("entry")))?,
            None => Entry {
                id: crate::model::new_record_id(),
                ..Entry::default()
            },
        };
        let mut entry = entry_from_form(form, &base)?;
        if let Some(other) = customer
            .entries
            .iter()
            .find(|e| e.id != entry.id && e.label.eq_ignore_ascii_case(&entry.label))
        {
            return Err(vec![FieldError::new(
                "label",
                Error::invalid(
                    "label",
                    format!("{} already has an entry '{}'", customer.code, other.label),
                ),
            )]);
        }
        let mut stored_secrets = match entry_id {
            Some(_) => self.entry_secrets(&base).map_err(wrap)?,
            None => EntrySecrets::default(),
        };
        let mut changed = changed_entry_fields(&base, &entry);
        apply_secret_changes(&mut entry, &mut stored_secrets, secrets, &mut changed)?;
        let event = match entry_id {
            None => NewEvent::new(Action::EntryCreate),
            Some(_) if changed.is_empty() => return Ok(entry),
            Some(_) => {
                NewEvent::new(Action::EntryEdit).detail(format!("changed {}", changed.join(", ")))
            }
        }
        .customer(&customer)
        .entry(&entry);
        let mut customer = customer;
        match customer.entries.iter_mut().find(|e| e.id == entry.id) {
            Some(slot) => *slot = entry.to_ref(),
            None => customer.entries.push(entry.to_ref()),
        }
        customer
            .entries
            .sort_by_cached_key(|e| e.label.to_lowercase());
        let stored = entry.clone();
        self.write_batch(&[event], |view, tx| {
            tx.put_entry(&records::seal_entry(view.cipher, &customer.id, &stored)?)?;
            let id = stored.id.to_string();
            tx.put_entry_secrets(
                &id,
                &records::seal_secrets(view.cipher, &id, &stored_secrets)?,
            )?;
            tx.put_customer(&records::seal_customer(view.cipher, &customer)?)?;
            Ok(vec![customer.clone()])
        })
        .map_err(wrap)?;
        Ok(entry)
    }

    /// Deletes one entry and its secrets. Audited.
    pub fn delete_entry(&mut self, customer_id: Uuid, entry_id: Uuid) -> Result<()> {
        let mut customer = self
            .customers()
            .iter()
            .find(|c| c.id == customer_id)
            .cloned()
            .ok_or_else(|| gone("customer"))?;
        let entry = self
            .entries(&customer)?
            .into_iter()
            .find(|e| e.id == entry_id)
            .ok_or_else(|| gone("entry"))?;
        customer.entries.retain(|e| e.id != entry_id);
        let event = NewEvent::new(Action::EntryDelete)
            .customer(&customer)
            .entry(&entry);
        self.write_batch(&[event], |view, tx| {
            tx.delete_entry(&entry_id.to_string())?;
            tx.put_customer(&records::seal_customer(view.cipher, &customer)?)?;
            Ok(vec![customer.clone()])
        })
    }
}

fn gone(what: &str) -> Error {
    Error::NotFound(format!("that {what} is no longer in the vault"))
}

/// Applies the password and TOTP changes to the entry and its secrets, naming each in
/// `changed`.
fn apply_secret_changes(
    entry: &mut Entry,
    stored: &mut EntrySecrets,
    changes: &SecretChanges,
    changed: &mut Vec<&'static str>,
) -> std::result::Result<(), Vec<FieldError>> {
    match &changes.password {
        SecretChange::Keep => {}
        SecretChange::Clear => {
            if stored.password.take().is_some() {
                changed.push("password (removed)");
            }
        }
        SecretChange::Set(password) => {
            validate::single_line("password", password.expose()).map_err(|_| {
                vec![FieldError::new(
                    "password",
                    Error::invalid("password", "contains a control character"),
                )]
            })?;
            if stored.password.as_ref() != Some(password) {
                stored.password = Some(password.clone());
                entry.password_changed_at = Some(crate::hygiene::today());
                entry.rotation_due = None;
                changed.push("password (replaced)");
            }
        }
    }
    entry.has_password = stored.password.is_some();
    match &changes.totp {
        SecretChange::Keep => {}
        SecretChange::Clear => {
            if stored.totp_secret.take().is_some() {
                changed.push("totp (removed)");
            }
            entry.totp = None;
        }
        SecretChange::Set(value) => {
            let (params, secret) =
                crate::totp::parse(value.expose()).map_err(|e| vec![FieldError::new("totp", e)])?;
            if stored.totp_secret.as_ref() != Some(&secret) || entry.totp.as_ref() != Some(&params)
            {
                stored.totp_secret = Some(secret);
                entry.totp = Some(params);
                changed.push("totp (replaced)");
            }
        }
    }
    Ok(())
}
