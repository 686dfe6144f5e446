//! The native CSV export: one row per entry (a customer without entries gets one row of its
//! own), every native column, secrets in plaintext. `import` reads it back to the same
//! customers, entries and secrets.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::audit::{Action, NewEvent};
use crate::import::native::COLUMNS;
use crate::model::{AccountType, Customer, Entry, EntrySecrets, GatewayUsage};
use crate::{Error, Result, Session};

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ExportCounts {
    /// Customers written.
    pub customers: usize,
    /// Entries written.
    pub entries: usize,
}

impl Session {
    /// Writes every customer, entry and secret to `path` as native CSV (created 0600,
    /// replaced if it exists). The export is recorded in the audit log before anything is
    /// written. The file holds plaintext secrets: callers ask the user first.
    pub fn export_native(&mut self, path: &Path) -> Result<ExportCounts> {
        let customers = self.customers().len();
        let entries: usize = self.customers().iter().map(|c| c.entries.len()).sum();
        let name = crate::audit::file_label(path);
        self.audit(NewEvent::new(Action::Export).detail(format!(
            "{customers} customers, {entries} entries to {name} (Sallyport CSV, plaintext secrets)"
        )))?;
        let file = crate::private_fs::create_or_replace(path)?;
        let mut out = std::io::BufWriter::new(file);
        let counts = self
            .write_native_csv(&mut out)
            .map_err(|e| Error::Storage(format!("cannot write {}: {e}", path.display())))?;
        out.flush().map_err(|e| Error::io(path, e))?;
        Ok(counts)
    }

    /// Writes every customer, entry and secret as native CSV to `out` (no audit event:
    /// callers record what they export). Secrets pass through the CSV writer's buffer.
    pub(crate) fn write_native_csv(&self, out: &mut dyn Write) -> Result<ExportCounts> {
        let io = |e: csv::Error| Error::Storage(e.to_string());
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(COLUMNS).map_err(io)?;
        let mut entries = 0;
        for customer in self.customers() {
            let stored = self.entries(customer)?;
            if stored.is_empty() {
                csv.write_record(row(customer, None)).map_err(io)?;
            }
            for entry in &stored {
                let secrets = self.entry_secrets(entry)?;
                let record = zeroize::Zeroizing::new(row(customer, Some((entry, &secrets))));
                csv.write_record(record.iter()).map_err(io)?;
            }
            entries += stored.len();
        }
        csv.flush().map_err(|e| Error::Storage(e.to_string()))?;
        Ok(ExportCounts {
            customers: self.customers().len(),
            entries,
        })
    }
}

/// One row in [`COLUMNS`] order.
fn row(c: &Customer, entry: Option<(&Entry, &EntrySecrets)>) -> Vec<String> {
    let date = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let port = |p: Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
    COLUMNS
        .iter()
        .map(|column| {
            let customer_field = match *column {
                "customer" => Some(c.name.clone()),
                "code" => Some(c.code.clone()),
                "tags" => Some(c.tags.join(";")),
                "contact" => Some(c.contact.clone()),
                "active" => Some(if c.active { "yes" } else { "no" }.to_owned()),
                "customer_notes" => Some(c.notes.clone()),
                "rotate_after_session" => {
                    Some(if c.rotate_after_session { "yes" } else { "" }.to_owned())
                }
                _ => None,
            };
            if let Some(value) = customer_field {
                return value;
            }
            let Some((e, s)) = entry else {
                return String::new();
            };
            match *column {
                "entry" => e.label.clone(),
                "kind" => crate::import::row::kind_name(e.kind).to_owned(),
                "host" => e.host.clone(),
                "port" => port(e.port),
                "gateway" => e.gateway_host.clone(),
                "gateway_port" => port(e.gateway_port),
                "gateway_usage" => match e.gateway_usage {
                    GatewayUsage::Always => "always",
                    GatewayUsage::Detect => "detect",
                    GatewayUsage::None => "none",
                }
                .to_owned(),
                "username" => e.username.clone(),
                "domain" => e.domain.clone(),
                "password" => s
                    .password
                    .as_ref()
                    .map(|p| p.expose().to_owned())
                    .unwrap_or_default(),
                "totp" => match (&e.totp, &s.totp_secret) {
                    (Some(params), Some(secret)) => {
                        crate::totp::to_uri(params, secret).expose().to_owned()
                    }
                    _ => String::new(),
                },
                "url" => e.url.clone(),
                "vpn_type" => e.vpn_type.clone(),
                "vpn_server" => e.vpn_server.clone(),
                "vpn_instructions" => e.vpn_instructions.clone(),
                "vpn_client_url" => e.vpn_client_url.clone(),
                "vpn_secret" => s
                    .vpn_secret
                    .as_ref()
                    .map(|p| p.expose().to_owned())
                    .unwrap_or_default(),
                "account_type" => match e.account_type {
                    AccountType::Shared => "shared",
                    AccountType::Named => "named",
                }
                .to_owned(),
                "owner" => e.owner.clone(),
                "expires" => date(e.expires_at),
                "password_changed" => date(e.password_changed_at),
                "rotation_due" => date(e.rotation_due),
                "notes" => e.notes.clone(),
                _ => String::new(),
            }
        })
        .collect()
}
