//! The native CSV export: one row per entry (a customer without entries gets one row of its
//! own), every native column, secrets in plaintext. `import` reads it back to the same
//! customers, entries and secrets.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::audit::{Action, NewEvent};
use crate::model::{Column, Customer, Entry, EntrySecrets};
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
        csv.write_record(Column::ALL.map(Column::name))
            .map_err(io)?;
        let mut entries = 0;
        for customer in self.customers() {
            let stored = self.entries(customer)?;
            if stored.is_empty() {
                write_row(&mut csv, &row(customer, None)).map_err(io)?;
            }
            for entry in &stored {
                let secrets = self.entry_secrets(entry)?;
                let record = zeroize::Zeroizing::new(row(customer, Some((entry, &secrets))));
                write_row(&mut csv, &record).map_err(io)?;
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

/// Writes `cells` as one record, each neutralised against spreadsheet formulas (a copy
/// made for that, which may hold a secret, is wiped).
fn write_row(csv: &mut csv::Writer<&mut dyn Write>, cells: &[String]) -> csv::Result<()> {
    for cell in cells {
        match crate::text::to_csv_cell(cell) {
            std::borrow::Cow::Borrowed(cell) => csv.write_field(cell)?,
            std::borrow::Cow::Owned(copy) => {
                csv.write_field(zeroize::Zeroizing::new(copy).as_str())?
            }
        }
    }
    csv.write_record(None::<&[u8]>)
}

/// One row in [`Column::ALL`] order.
fn row(c: &Customer, entry: Option<(&Entry, &EntrySecrets)>) -> Vec<String> {
    let date = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let port = |p: Option<u16>| p.map(|p| p.to_string()).unwrap_or_default();
    let yes_no = |b: bool, no: &str| if b { "yes" } else { no }.to_owned();
    let secret = |v: &Option<crate::SecretString>| {
        v.as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default()
    };
    Column::ALL
        .iter()
        .map(|&column| {
            let customer_field = match column {
                Column::Customer => Some(c.name.to_string()),
                Column::Code => Some(c.code.to_string()),
                Column::Tags => Some(c.tags.join(";")),
                Column::Contact => Some(c.contact.clone()),
                Column::Active => Some(yes_no(c.active, "no")),
                Column::CustomerNotes => Some(c.notes.clone()),
                Column::RotateAfterSession => Some(yes_no(c.rotate_after_session, "")),
                Column::ShareClipboard => Some(yes_no(c.share_clipboard, "")),
                Column::Reason => Some(match c.reason_policy {
                    crate::model::ReasonPolicy::Off => String::new(),
                    policy => policy.as_str().to_owned(),
                }),
                _ => None,
            };
            if let Some(value) = customer_field {
                return value;
            }
            let Some((e, s)) = entry else {
                return String::new();
            };
            match column {
                Column::Entry => e.label.clone(),
                Column::Kind => e.kind.name().to_owned(),
                Column::Host => e.host.clone(),
                Column::Port => port(e.port),
                Column::Gateway => e.gateway_host.clone(),
                Column::GatewayPort => port(e.gateway_port),
                Column::GatewayUsage => e.gateway_usage.name().to_owned(),
                Column::Username => e.username.clone(),
                Column::Domain => e.domain.clone(),
                Column::Password => secret(&s.password),
                Column::Totp => match (&e.totp, &s.totp_secret) {
                    (Some(params), Some(secret)) => {
                        crate::totp::to_uri(params, secret).expose().to_owned()
                    }
                    _ => String::new(),
                },
                Column::Url => e.url.clone(),
                Column::VpnType => e.vpn_type.clone(),
                Column::VpnServer => e.vpn_server.clone(),
                Column::VpnInstructions => e.vpn_instructions.clone(),
                Column::VpnClientUrl => e.vpn_client_url.clone(),
                Column::VpnSecret => secret(&s.vpn_secret),
                Column::AccountType => e.account_type.name().to_owned(),
                Column::Owner => e.owner.clone(),
                Column::Expires => date(e.expires_at),
                Column::PasswordChanged => date(e.password_changed_at),
                Column::RotationDue => date(e.rotation_due),
                Column::Notes => e.notes.clone(),
                Column::CertSha256 => e.cert_sha256.clone(),
                Column::Nla => match e.without_nla {
                    true => "no".to_owned(),
                    false => String::new(),
                },
                Column::Customer
                | Column::Code
                | Column::Tags
                | Column::Contact
                | Column::Active
                | Column::CustomerNotes
                | Column::RotateAfterSession
                | Column::Reason
                | Column::ShareClipboard => String::new(),
            }
        })
        .collect()
}
