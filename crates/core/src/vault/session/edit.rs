//! Editing by hand (the app's forms): customers and entries are created, changed and
//! deleted one at a time, checked by the same validators as an import row, and every
//! change is recorded in the audit log with the names of the fields it touched.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Session;
use crate::audit::{Action, NewEvent};
use crate::import::row::{self, RawRow};
use crate::model::{validate, AccountType, Customer, Entry, EntrySecrets, GatewayUsage};
use crate::secret::SecretString;
use crate::vault::records;
use crate::{Error, Result};

/// A customer as a form shows it: every field as typed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CustomerForm {
    /// Display name (required).
    pub name: String,
    /// Short unique code (required).
    pub code: String,
    /// Tags, separated by commas.
    #[serde(default)]
    pub tags: String,
    /// Notes (may span lines).
    #[serde(default)]
    pub notes: String,
    /// Support contact.
    #[serde(default)]
    pub contact: String,
    /// Whether the customer is active.
    pub active: bool,
    /// Whether an entry's password is due for rotation after each launch.
    pub rotate_after_session: bool,
}

impl CustomerForm {
    /// The form filled in from a stored customer.
    pub fn of(customer: &Customer) -> Self {
        Self {
            name: customer.name.clone(),
            code: customer.code.clone(),
            tags: customer.tags.join(", "),
            notes: customer.notes.clone(),
            contact: customer.contact.clone(),
            active: customer.active,
            rotate_after_session: customer.rotate_after_session,
        }
    }
}

/// An entry as a form shows it, without its secrets: every field as typed. Empty means
/// "not set"; an edit replaces every field (unlike an import row, where empty means "keep").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct EntryForm {
    /// Label, unique within the customer (required).
    pub label: String,
    /// `rdp`, `web`, `vpn`, `ssh` or `other`.
    pub kind: String,
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: String,
    /// RD Gateway host.
    pub gateway_host: String,
    /// RD Gateway port.
    pub gateway_port: String,
    /// `always`, `detect` or `none`.
    pub gateway_usage: String,
    /// User name.
    pub username: String,
    /// Windows domain.
    pub domain: String,
    /// Web application URL.
    pub url: String,
    /// VPN type.
    pub vpn_type: String,
    /// VPN server.
    pub vpn_server: String,
    /// VPN instructions (may span lines).
    pub vpn_instructions: String,
    /// VPN client download URL.
    pub vpn_client_url: String,
    /// `shared` or `named`.
    pub account_type: String,
    /// Owner of a named account.
    pub owner: String,
    /// Expiry day, `YYYY-MM-DD`.
    pub expires_at: String,
    /// Notes (may span lines).
    pub notes: String,
}

impl EntryForm {
    /// Each form field with the import column that validates it.
    fn columns(&self) -> [(&'static str, &'static str, &str); 18] {
        [
            ("label", "entry", &self.label),
            ("kind", "kind", &self.kind),
            ("host", "host", &self.host),
            ("port", "port", &self.port),
            ("gateway_host", "gateway", &self.gateway_host),
            ("gateway_port", "gateway_port", &self.gateway_port),
            ("gateway_usage", "gateway_usage", &self.gateway_usage),
            ("username", "username", &self.username),
            ("domain", "domain", &self.domain),
            ("url", "url", &self.url),
            ("vpn_type", "vpn_type", &self.vpn_type),
            ("vpn_server", "vpn_server", &self.vpn_server),
            (
                "vpn_instructions",
                "vpn_instructions",
                &self.vpn_instructions,
            ),
            ("vpn_client_url", "vpn_client_url", &self.vpn_client_url),
            ("account_type", "account_type", &self.account_type),
            ("owner", "owner", &self.owner),
            ("expires_at", "expires", &self.expires_at),
            ("notes", "notes", &self.notes),
        ]
    }

    /// The form filled in from a stored entry.
    pub fn of(entry: &Entry) -> Self {
        let text = |v: Option<String>| v.unwrap_or_default();
        Self {
            label: entry.label.clone(),
            kind: row::kind_name(entry.kind).to_owned(),
            host: entry.host.clone(),
            port: text(entry.port.map(|p| p.to_string())),
            gateway_host: entry.gateway_host.clone(),
            gateway_port: text(entry.gateway_port.map(|p| p.to_string())),
            gateway_usage: match entry.gateway_usage {
                GatewayUsage::Always => "always",
                GatewayUsage::Detect => "detect",
                GatewayUsage::None => "none",
            }
            .to_owned(),
            username: entry.username.clone(),
            domain: entry.domain.clone(),
            url: entry.url.clone(),
            vpn_type: entry.vpn_type.clone(),
            vpn_server: entry.vpn_server.clone(),
            vpn_instructions: entry.vpn_instructions.clone(),
            vpn_client_url: entry.vpn_client_url.clone(),
            account_type: match entry.account_type {
                AccountType::Shared => "shared",
                AccountType::Named => "named",
            }
            .to_owned(),
            owner: entry.owner.clone(),
            expires_at: text(entry.expires_at.map(|d| d.to_string())),
            notes: entry.notes.clone(),
        }
    }
}

/// What to do with one secret of an entry when its form is saved.
#[derive(Debug, Clone, Default)]
pub enum SecretChange {
    /// Leave it as stored.
    #[default]
    Keep,
    /// Remove it.
    Clear,
    /// Store this value (a password, or for TOTP a Base32 secret or `otpauth://` URI).
    Set(SecretString),
}

/// The secrets part of an entry form.
#[derive(Debug, Clone, Default)]
pub struct SecretChanges {
    /// The password.
    pub password: SecretChange,
    /// The TOTP secret.
    pub totp: SecretChange,
}

/// One field a form got wrong, named as the form names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldError {
    /// The form field.
    pub field: String,
    /// What is wrong with it (never echoing a secret).
    pub message: String,
}

impl FieldError {
    fn new(field: &str, error: Error) -> Self {
        let message = match error {
            Error::Invalid { message, .. } => message,
            other => other.to_string(),
        };
        Self {
            field: field.to_owned(),
            message,
        }
    }

    /// The first of `errors` as a core error (what a caller without a form shows).
    pub fn into_error(mut errors: Vec<FieldError>) -> Error {
        match errors.is_empty() {
            true => Error::invalid("form", "is not valid"),
            false => {
                let first = errors.swap_remove(0);
                Error::invalid(first.field, first.message)
            }
        }
    }
}

/// The customer the form describes, with `base`'s id and entries; every wrong field named.
pub fn customer_from_form(
    form: &CustomerForm,
    base: &Customer,
) -> std::result::Result<Customer, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut check = |field: &str, result: Result<String>| {
        result
            .map_err(|e| errors.push(FieldError::new(field, e)))
            .unwrap_or_default()
    };
    let name = check("name", validate::required_line("name", &form.name, 200));
    let code = check(
        "code",
        match validate::trim_blank(&form.code) {
            "" => Err(Error::invalid("code", "is required")),
            code => validate::code(code),
        },
    );
    let contact = check(
        "contact",
        validate::single_line("contact", validate::trim_blank(&form.contact))
            .map(|()| validate::trim_blank(&form.contact).to_owned()),
    );
    let notes = check(
        "notes",
        validate::multi_line("notes", &form.notes).map(|()| form.notes.trim_end().to_owned()),
    );
    let tags = validate::tags(&form.tags)
        .map_err(|e| errors.push(FieldError::new("tags", e)))
        .unwrap_or_default();
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Customer {
        name,
        code,
        tags,
        notes,
        contact,
        active: form.active,
        rotate_after_session: form.rotate_after_session,
        ..base.clone()
    })
}

/// The entry the form describes, keeping what a form does not show (id, TOTP parameters,
/// rotation and check state) from `base`; every wrong field named.
pub fn entry_from_form(
    form: &EntryForm,
    base: &Entry,
) -> std::result::Result<Entry, Vec<FieldError>> {
    let columns = form.columns();
    // Each field alone first, so that every wrong field is named at once.
    let mut errors: Vec<FieldError> = columns
        .iter()
        .filter(|(_, _, value)| !validate::trim_blank(value).is_empty())
        .filter_map(|&(field, column, value)| {
            let raw = RawRow {
                line: 0,
                cells: vec![(column, value)],
            };
            row::entry_patch(&raw, None)
                .err()
                .map(|e| FieldError::new(field, e))
        })
        .collect();
    if validate::trim_blank(&form.label).is_empty() {
        errors.insert(
            0,
            FieldError::new("label", Error::invalid("label", "is required")),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let raw = RawRow {
        line: 0,
        cells: columns
            .iter()
            .filter(|&&(field, _, _)| field != "notes")
            .map(|&(_, column, value)| (column, value))
            .collect(),
    };
    let notes = Some(form.notes.trim_end().to_owned()).filter(|n| !n.is_empty());
    let field_of = |column: &str| {
        columns
            .iter()
            .find(|(_, c, _)| *c == column)
            .map_or(column, |(field, _, _)| field)
            .to_owned()
    };
    let patch = row::entry_patch(&raw, notes)
        .map_err(|e| vec![FieldError::new("form", e)])?
        .ok_or_else(|| {
            vec![FieldError::new(
                "label",
                Error::invalid("label", "is required"),
            )]
        })?;
    let mut entry = Entry {
        id: base.id,
        totp: base.totp.clone(),
        has_password: base.has_password,
        has_vpn_secret: base.has_vpn_secret,
        password_changed_at: base.password_changed_at,
        rotation_due: base.rotation_due,
        last_check: base.last_check.clone(),
        ..Entry::default()
    };
    patch.apply(&mut entry);
    row::check_entry(&entry).map_err(|e| match e {
        Error::Invalid { field, message } => vec![FieldError {
            field: field_of(&field),
            message,
        }],
        other => vec![FieldError::new("form", other)],
    })?;
    Ok(entry)
}

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

fn changed_customer_fields(old: &Customer, new: &Customer) -> Vec<&'static str> {
    [
        ("name", old.name != new.name),
        ("code", old.code != new.code),
        ("tags", old.tags != new.tags),
        ("notes", old.notes != new.notes),
        ("contact", old.contact != new.contact),
        ("active", old.active != new.active),
        (
            "rotate after session",
            old.rotate_after_session != new.rotate_after_session,
        ),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}

fn changed_entry_fields(old: &Entry, new: &Entry) -> Vec<&'static str> {
    let (a, b) = (EntryForm::of(old), EntryForm::of(new));
    a.columns()
        .iter()
        .zip(b.columns().iter())
        .filter(|((_, _, x), (_, _, y))| x != y)
        .map(|((field, _, _), _)| *field)
        .collect()
}
