//! The encrypted backup: the whole vault in one file under its own password.
//!
//! A backup holds, inside one encrypted stream ([`stream`]): a manifest line (when, from
//! which vault, counts, whether the audit log verified, the .rdp defaults), one line per
//! customer naming its id and its entries' ids, every audit event as it was stored, and
//! then every customer, entry and secret as native CSV. Nothing is ever written in
//! plaintext: the CSV goes straight from the writer into the encryptor.
//!
//! Restoring ([`crate::Session::plan_restore`], [`crate::Session::apply_restore`]) runs the
//! CSV through the ordinary import (preview, then one transaction) into a vault without
//! customers, and appends the backed-up audit events to the new vault's chain in the same
//! transaction, each marked with its original number and pointing at the restored records.

mod restore;
pub mod stream;

use std::collections::HashMap;
use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

pub use self::stream::BackupKey;
use crate::audit::{Action, AuditFilter, Event, NewEvent};
use crate::import::{Detected, ImportOptions, ImportSummary};
use crate::rdp::RdpPreferences;
use crate::secret::SecretString;
use crate::{Error, Result, Session};

const FORMAT_NAME: &str = "sallyport-backup";
const CONTENTS_VERSION: u32 = 1;
/// Longest line accepted in a backup's sections (a customer with many entries, an event).
const MAX_LINE: u64 = 4 << 20;

/// What a backup says about itself (its first line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always `sallyport-backup`.
    pub format: String,
    /// Version of the contents' layout.
    pub version: u32,
    /// When the backup was made (UTC).
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// The Sallyport version that made it.
    pub app_version: String,
    /// The vault it was made from.
    pub vault_id: Uuid,
    /// That vault's staff name.
    pub staff: String,
    /// Customers in the backup.
    pub customers: u64,
    /// Entries in the backup.
    pub entries: u64,
    /// Whether the audit log verified when the backup was made.
    pub audit_verified: bool,
    /// The verification problem, if any (the events are included as they were).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_problem: Option<String>,
    /// The vault's .rdp display and redirection defaults.
    pub rdp: RdpPreferences,
}

/// What a backup wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BackupCounts {
    /// Customers written.
    pub customers: usize,
    /// Entries written.
    pub entries: usize,
    /// Audit events written.
    pub audit_events: u64,
}

/// A customer's id and its entries' ids, so restored audit events can point at the
/// restored records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Ids {
    id: Uuid,
    code: String,
    entries: Vec<(Uuid, String)>,
}

/// The line that ends the audit section.
#[derive(Serialize, Deserialize)]
struct AuditEnd {
    end: String,
    events: u64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum AuditLine {
    End(AuditEnd),
    Event(Box<Event>),
}

/// Everything in a backup before its CSV.
#[derive(Debug)]
pub(crate) struct Sections {
    pub manifest: Manifest,
    pub ids: Vec<Ids>,
    pub events: Vec<Event>,
}

impl Sections {
    /// Reads the manifest, the ids and the audit events; `input` is left at the CSV.
    pub fn read(input: &mut dyn BufRead) -> std::result::Result<Self, String> {
        let mut line = Vec::new();
        let mut next_line = |what: &str| -> std::result::Result<Vec<u8>, String> {
            line.clear();
            let n = input
                .take(MAX_LINE)
                .read_until(b'\n', &mut line)
                .map_err(|e| e.to_string())?;
            if n == 0 || line.last() != Some(&b'\n') {
                return Err(format!("the backup ends inside its {what}"));
            }
            Ok(std::mem::take(&mut line))
        };
        let manifest: Manifest = serde_json::from_slice(&next_line("manifest")?)
            .map_err(|_| "the backup's manifest is unreadable".to_owned())?;
        if manifest.format != FORMAT_NAME || manifest.version != CONTENTS_VERSION {
            return Err(format!(
                "backup contents version {} is not supported (this Sallyport reads version {CONTENTS_VERSION})",
                manifest.version
            ));
        }
        let mut ids = Vec::with_capacity(manifest.customers.min(1 << 20) as usize);
        for i in 0..manifest.customers {
            ids.push(
                serde_json::from_slice(&next_line("customer list")?).map_err(|_| {
                    format!("customer {} of the backup's list is unreadable", i + 1)
                })?,
            );
        }
        let mut events = Vec::new();
        loop {
            match serde_json::from_slice::<AuditLine>(&next_line("audit log")?) {
                Ok(AuditLine::Event(event)) => events.push(*event),
                Ok(AuditLine::End(end))
                    if end.end == "audit" && end.events == events.len() as u64 =>
                {
                    break
                }
                Ok(AuditLine::End(end)) => {
                    return Err(format!(
                        "the backup's audit log should hold {} events but holds {}",
                        end.events,
                        events.len()
                    ))
                }
                Err(_) => {
                    return Err(format!(
                        "audit event {} of the backup is unreadable",
                        events.len() + 1
                    ))
                }
            }
        }
        Ok(Self {
            manifest,
            ids,
            events,
        })
    }

    /// The backed-up audit events as events to append, their customer and entry ids
    /// changed to those of the restored records (`restored`: code → new customer).
    pub fn restored_events(&self, restored: &[crate::model::Customer]) -> Vec<NewEvent> {
        let by_code: HashMap<String, &crate::model::Customer> = restored
            .iter()
            .map(|c| (c.code.to_lowercase().into_string(), c))
            .collect();
        let mut new_ids: HashMap<Uuid, Uuid> = HashMap::new();
        for old in &self.ids {
            let Some(customer) = by_code.get(&old.code.to_lowercase()) else {
                continue;
            };
            new_ids.insert(old.id, customer.id);
            for (old_entry, label) in &old.entries {
                if let Some(e) = customer.entries.iter().find(|e| e.label == *label) {
                    new_ids.insert(*old_entry, e.id);
                }
            }
        }
        let map = |id: Option<Uuid>| id.map(|id| new_ids.get(&id).copied().unwrap_or(id));
        self.events
            .iter()
            .map(|e| {
                NewEvent::restored(Event {
                    customer_id: map(e.customer_id),
                    entry_id: map(e.entry_id),
                    ..e.clone()
                })
            })
            .collect()
    }
}

/// A checked restore, ready to apply: the import preview plus what the backup holds.
#[derive(Debug, Clone)]
pub struct RestorePlan {
    pub(crate) summary: ImportSummary,
    pub(crate) detected: Detected,
    pub(crate) options: ImportOptions,
    pub(crate) path: PathBuf,
    pub(crate) key: Arc<BackupKey>,
    pub(crate) digest: [u8; 32],
    pub(crate) generation: u64,
    pub(crate) manifest: Manifest,
    pub(crate) audit_events: u64,
}

impl RestorePlan {
    /// The preview of the customers and entries.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// What the backup says about itself.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Audit events in the backup.
    pub fn audit_events(&self) -> u64 {
        self.audit_events
    }

    /// The format and why it was chosen (always a backup).
    pub fn detected(&self) -> &Detected {
        &self.detected
    }

    /// Whether the plan has invalid rows and was not made to skip them.
    pub fn is_blocked(&self) -> bool {
        !self.summary.errors.is_empty() && !self.options.skip_invalid
    }

    /// The audit detail of a restore.
    pub(crate) fn describe(&self) -> String {
        let m = &self.manifest;
        format!(
            "{} (Sallyport backup of vault {} made {} by {}): {} customers, {} created, {} invalid, {} audit events",
            crate::audit::file_label(&self.path),
            m.vault_id,
            m.created.date(),
            m.staff,
            m.customers,
            self.summary.created,
            self.summary.errors.len(),
            self.audit_events
        )
    }
}

/// Whether the file at `path` starts like a backup.
pub fn is_backup(path: &Path) -> Result<bool> {
    let mut file = crate::private_fs::open_regular_file(path)?;
    let mut magic = [0u8; stream::MAGIC.len()];
    match file.read_exact(&mut magic) {
        Ok(()) => Ok(&magic == stream::MAGIC),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Refuses a backup password that would be refused as a master password.
fn check_password(password: &SecretString) -> Result<()> {
    crate::vault::session::check_new_password(password).map_err(|e| match e {
        Error::Invalid { message, .. } => Error::invalid("backup password", message),
        other => other,
    })
}

impl Session {
    /// Writes the whole vault (customers, entries, secrets, audit log, .rdp defaults) to
    /// `path` as one file encrypted under `password` (Argon2id at this vault's cost).
    /// Recorded in the audit log first, so the backup holds its own export event. A
    /// failed write removes the partial file.
    pub fn export_backup(&mut self, path: &Path, password: &SecretString) -> Result<BackupCounts> {
        check_password(password)?;
        let key = BackupKey::create(password, self.kdf_params())?;
        let report = self.verify_audit()?;
        let customers = self.customers().len();
        let entries: usize = self.customers().iter().map(|c| c.entries.len()).sum();
        self.audit(NewEvent::new(Action::Export).detail(format!(
            "{customers} customers, {entries} entries and the audit log to {} (encrypted backup)",
            crate::audit::file_label(path)
        )))?;
        let file = crate::private_fs::create_or_replace(path)?;
        let written = self.write_backup(&key, std::io::BufWriter::new(file), &report);
        if written.is_err() {
            let _ = std::fs::remove_file(path); // a partial backup is no backup
        }
        written.map_err(|e| match e {
            Error::Storage(reason) => {
                Error::Storage(format!("cannot write {}: {reason}", path.display()))
            }
            other => other,
        })
    }

    pub(crate) fn write_backup(
        &self,
        key: &BackupKey,
        out: impl Write,
        report: &crate::audit::VerifyReport,
    ) -> Result<BackupCounts> {
        let io = |e: std::io::Error| Error::Storage(e.to_string());
        let mut enc = stream::Encryptor::new(key, out).map_err(io)?;
        let manifest = Manifest {
            format: FORMAT_NAME.into(),
            version: CONTENTS_VERSION,
            created: crate::audit::now(),
            app_version: env!("CARGO_PKG_VERSION").into(),
            vault_id: self.vault_id(),
            staff: self.staff().to_owned(),
            customers: self.customers().len() as u64,
            entries: self
                .customers()
                .iter()
                .map(|c| c.entries.len() as u64)
                .sum(),
            audit_verified: report.is_ok(),
            audit_problem: report
                .problem
                .as_ref()
                .map(|p| format!("event {}: {}", p.seq, p.message)),
            rdp: self.rdp_preferences().clone(),
        };
        enc.write_all(&json_line(&manifest)?).map_err(io)?;
        for c in self.customers() {
            let ids = Ids {
                id: c.id,
                code: c.code.to_string(),
                entries: c
                    .entries
                    .iter()
                    .map(|e| (e.id, e.label.to_string()))
                    .collect(),
            };
            enc.write_all(&json_line(&ids)?).map_err(io)?;
        }
        let mut events = 0u64;
        self.for_each_audit_event(&AuditFilter::default(), &mut |event| {
            events += 1;
            enc.write_all(&json_line(&event)?).map_err(io)
        })?;
        let end = AuditEnd {
            end: "audit".into(),
            events,
        };
        enc.write_all(&json_line(&end)?).map_err(io)?;
        let counts = self.write_native_csv(&mut enc)?;
        enc.finish().map_err(io)?;
        Ok(BackupCounts {
            customers: counts.customers,
            entries: counts.entries,
            audit_events: events,
        })
    }
}

/// One JSON value and a line break.
fn json_line<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec(value).map_err(|e| Error::Storage(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}
