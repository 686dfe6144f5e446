//! The app's forms: a customer or an entry as typed, checked by the same validators as an
//! import row ([`super::patch`]), each field alone first so that a refusal names every wrong
//! field ([`FieldError`]), then the rules across fields. Saving them is the session's
//! (`Session::save_customer`, `Session::save_entry_form`).

use serde::{Deserialize, Serialize};

use super::column::Column;
use super::patch::{self, RawRow};
use super::validate::{self, FieldError};
use super::{Customer, Entry};
use crate::secret::SecretString;
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
    /// Whether each credential use asks for a reason (`off`, `optional`, `required`).
    #[serde(default)]
    pub reason_policy: super::ReasonPolicy,
    /// Whether the customer's .rdp files share the clipboard with its servers.
    #[serde(default)]
    pub share_clipboard: bool,
}

impl CustomerForm {
    /// The form filled in from a stored customer.
    pub fn of(customer: &Customer) -> Self {
        Self {
            name: customer.name.to_string(),
            code: customer.code.to_string(),
            tags: customer.tags.join(", "),
            notes: customer.notes.clone(),
            contact: customer.contact.clone(),
            active: customer.active,
            rotate_after_session: customer.rotate_after_session,
            reason_policy: customer.reason_policy,
            share_clipboard: customer.share_clipboard,
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
    /// The server cannot do Network Level Authentication: connect with TLS alone (off
    /// unless ticked).
    pub without_nla: bool,
}

impl EntryForm {
    /// Each form field with the import column that validates it.
    fn columns(&self) -> [(&'static str, Column, &str); 18] {
        [
            ("label", Column::Entry, &self.label),
            ("kind", Column::Kind, &self.kind),
            ("host", Column::Host, &self.host),
            ("port", Column::Port, &self.port),
            ("gateway_host", Column::Gateway, &self.gateway_host),
            ("gateway_port", Column::GatewayPort, &self.gateway_port),
            ("gateway_usage", Column::GatewayUsage, &self.gateway_usage),
            ("username", Column::Username, &self.username),
            ("domain", Column::Domain, &self.domain),
            ("url", Column::Url, &self.url),
            ("vpn_type", Column::VpnType, &self.vpn_type),
            ("vpn_server", Column::VpnServer, &self.vpn_server),
            (
                "vpn_instructions",
                Column::VpnInstructions,
                &self.vpn_instructions,
            ),
            ("vpn_client_url", Column::VpnClientUrl, &self.vpn_client_url),
            ("account_type", Column::AccountType, &self.account_type),
            ("owner", Column::Owner, &self.owner),
            ("expires_at", Column::Expires, &self.expires_at),
            ("notes", Column::Notes, &self.notes),
        ]
    }

    /// The form filled in from a stored entry.
    pub fn of(entry: &Entry) -> Self {
        let text = |v: Option<String>| v.unwrap_or_default();
        Self {
            label: entry.label.clone(),
            kind: entry.kind.name().to_owned(),
            host: entry.host.clone(),
            port: text(entry.port.map(|p| p.to_string())),
            gateway_host: entry.gateway_host.clone(),
            gateway_port: text(entry.gateway_port.map(|p| p.to_string())),
            gateway_usage: entry.gateway_usage.name().to_owned(),
            username: entry.username.clone(),
            domain: entry.domain.clone(),
            url: entry.url.clone(),
            vpn_type: entry.vpn_type.clone(),
            vpn_server: entry.vpn_server.clone(),
            vpn_instructions: entry.vpn_instructions.clone(),
            vpn_client_url: entry.vpn_client_url.clone(),
            account_type: entry.account_type.name().to_owned(),
            owner: entry.owner.clone(),
            expires_at: text(entry.expires_at.map(|d| d.to_string())),
            notes: entry.notes.clone(),
            without_nla: entry.without_nla,
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
        name: name.into(),
        code: code.into(),
        tags: tags.into_iter().collect(),
        notes,
        contact,
        active: form.active,
        rotate_after_session: form.rotate_after_session,
        reason_policy: form.reason_policy,
        share_clipboard: form.share_clipboard,
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
            patch::entry_patch(&raw, None)
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
            .find(|(_, c, _)| c.name() == column)
            .map_or(column, |(field, _, _)| field)
            .to_owned()
    };
    let patch = patch::entry_patch(&raw, notes)
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
        cert_sha256: base.cert_sha256.clone(),
        ..Entry::default()
    };
    patch.apply(&mut entry);
    entry.without_nla = form.without_nla;
    patch::check_entry(&entry).map_err(|e| match e {
        Error::Invalid { field, message } => vec![FieldError {
            field: field_of(&field),
            message,
        }],
        other => vec![FieldError::new("form", other)],
    })?;
    Ok(entry)
}

/// The names of the customer fields that differ.
pub(crate) fn changed_customer_fields(old: &Customer, new: &Customer) -> Vec<&'static str> {
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
        ("reason policy", old.reason_policy != new.reason_policy),
        (
            "clipboard sharing",
            old.share_clipboard != new.share_clipboard,
        ),
    ]
    .into_iter()
    .filter_map(|(field, changed)| changed.then_some(field))
    .collect()
}

/// The names of the entry form fields that differ.
pub(crate) fn changed_entry_fields(old: &Entry, new: &Entry) -> Vec<&'static str> {
    let (a, b) = (EntryForm::of(old), EntryForm::of(new));
    let mut changed: Vec<&'static str> = a
        .columns()
        .iter()
        .zip(b.columns().iter())
        .filter(|((_, _, x), (_, _, y))| x != y)
        .map(|((field, _, _), _)| *field)
        .collect();
    if a.without_nla != b.without_nla {
        changed.push("nla");
    }
    changed
}
