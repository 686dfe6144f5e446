//! The audit log as seen from an unlocked session: append, verify, list, export.

use std::io::ErrorKind;
use std::path::Path;

use super::{appender, Session};
use crate::audit::chain;
use crate::audit::export::{EventWriter, Links};
use crate::audit::{
    verify, AuditFilter, AuditSelection, CustomerMatch, Event, ExportFormat, NewEvent,
};
use crate::audit::{Action, Problem, ProblemKind, VerifyReport};
use crate::store::{AuditKeeping, ServerChainFault};
use crate::{Error, Result};

impl Session {
    /// Appends one event to the audit log, in its own transaction. A caller that hands out
    /// a secret appends first and hands it out only if this succeeded.
    pub fn audit(&mut self, event: NewEvent) -> Result<u64> {
        let appender = appender(&self.audit_key, &self.cipher, &self.settings, &self.device);
        let mut seq = 0;
        self.store.write(&mut |tx| {
            seq = appender.append(tx, std::slice::from_ref(&event))?;
            Ok(())
        })?;
        Ok(seq)
    }

    /// Checks the whole chain and its head (a team database: the server's chain, and that it
    /// still extends the last head this client saw); the report names the first problem.
    pub fn verify_audit(&self) -> Result<VerifyReport> {
        if self.store.audit_keeping() == AuditKeeping::Server {
            return self.verify_server_audit();
        }
        verify::verify(
            self.store.as_ref(),
            &self.cipher,
            &self.audit_key,
            self.settings.audit_log,
        )
    }

    /// The server's own check of its chain, then every event opened (a sealed part that
    /// does not open, or disagrees with what the server recorded, is an edit).
    fn verify_server_audit(&self) -> Result<VerifyReport> {
        let check = self.store.verify_server_audit()?;
        if let Some((seq, fault, message)) = check.problem {
            let kind = match fault {
                ServerChainFault::Edited => ProblemKind::Edited,
                ServerChainFault::Missing => ProblemKind::Missing,
                ServerChainFault::RolledBack => ProblemKind::RolledBack,
            };
            return Ok(VerifyReport {
                events: check.events,
                problem: Some(Problem { seq, kind, message }),
                head: hex::encode(&check.head),
            });
        }
        let mut problem = None;
        self.store.for_each_server_event(&mut |row| {
            if problem.is_none() {
                if let Err(e) = self.open_server_event(&row) {
                    problem = Some(Problem {
                        seq: row.seq,
                        kind: ProblemKind::Edited,
                        message: e.to_string(),
                    });
                }
            }
            Ok(())
        })?;
        Ok(VerifyReport {
            events: check.events,
            problem,
            head: hex::encode(&check.head),
        })
    }

    /// Calls `visit` with every event the filter selects, oldest first, decrypting one at
    /// a time. An event that fails to decrypt is an integrity error (run verify).
    pub fn for_each_audit_event(
        &self,
        filter: &AuditFilter,
        visit: &mut dyn FnMut(Event) -> Result<()>,
    ) -> Result<()> {
        self.for_each_linked_event(filter, &mut |event, _| visit(event))
            .map(|_| ())
    }

    /// Like [`Session::for_each_audit_event`], with each event's links in a local vault's
    /// chain; returns the chain's last row (its head) then. A team database's chain is the
    /// server's: no links, no head.
    fn for_each_linked_event(
        &self,
        filter: &AuditFilter,
        visit: &mut dyn FnMut(Event, Option<&Links>) -> Result<()>,
    ) -> Result<Option<(u64, Vec<u8>)>> {
        let unreadable = |seq| {
            Error::Integrity(format!(
                "audit event {seq} cannot be read; run `sallyport audit verify`"
            ))
        };
        if self.store.audit_keeping() == AuditKeeping::Server {
            self.store.for_each_server_event(&mut |row| {
                let event = self
                    .open_server_event(&row)
                    .map_err(|_| unreadable(row.seq))?;
                match filter.matches(&event) {
                    true => visit(event, None),
                    false => Ok(()),
                }
            })?;
            return Ok(None);
        }
        let mut prev = self.audit_key.genesis().to_vec();
        let mut last = None;
        self.store.for_each_audit_row(&mut |row| {
            let event = chain::open_event(&self.cipher, &row).map_err(|_| unreadable(row.seq))?;
            let links = Links {
                prev: std::mem::take(&mut prev),
                link: row.mac,
            };
            if filter.matches(&event) {
                visit(event, Some(&links))?;
            }
            prev = links.link;
            last = Some(row.seq);
            Ok(())
        })?;
        Ok(last.map(|seq| (seq, prev)))
    }

    /// Checks a JSON lines export of this vault's audit log against the log: every event in
    /// it is the vault's (same content, same place in the chain: its `link` and `prev_link`
    /// are the vault's), in order, and its head line names a row of the chain with its link.
    /// A problem is a finding (`problem`), not an error; `Err` is for a file that cannot be
    /// read.
    pub fn verify_audit_export(&self, path: &Path) -> Result<ExportCheck> {
        use std::io::BufRead;
        let file = crate::private_fs::open_regular_file(path)?;
        let unreadable = |line: usize, why: &str| {
            Error::invalid(path.display().to_string(), format!("line {line}: {why}"))
        };
        let mut events: Vec<(usize, serde_json::Map<String, serde_json::Value>)> = Vec::new();
        let mut head: Option<(usize, u64, String)> = None;
        for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
            let number = i + 1;
            let line = line.map_err(|e| Error::io(path, e))?;
            if line.trim().is_empty() {
                continue;
            }
            if head.is_some() {
                return Err(unreadable(number, "text after the head line"));
            }
            let serde_json::Value::Object(mut object) =
                serde_json::from_str(&line).map_err(|_| {
                    unreadable(number, "not a JSON object (is this a JSON lines export?)")
                })?
            else {
                return Err(unreadable(
                    number,
                    "not a JSON object (is this a JSON lines export?)",
                ));
            };
            if let Some(found) = object.remove("head") {
                let seq = found.get("seq").and_then(serde_json::Value::as_u64);
                let link = found.get("link").and_then(serde_json::Value::as_str);
                let (Some(seq), Some(link)) = (seq, link) else {
                    return Err(unreadable(number, "a head line without seq and link"));
                };
                head = Some((number, seq, link.to_owned()));
                continue;
            }
            events.push((number, object));
        }
        if self.store.audit_keeping() == AuditKeeping::Server {
            return Err(Error::invalid(
                "export",
                "a team database's exports carry no links to check (its chain is the server's)",
            ));
        }
        let Some((head_line, head_seq, head_link)) = head else {
            return Err(unreadable(
                events.len() + 1,
                "no head line at the end: the export is cut short, or was made before exports \
                 carried links",
            ));
        };
        let mut next = events.iter().peekable();
        let mut head_found = false;
        let mut problem: Option<String> = None;
        let mut prev = self.audit_key.genesis().to_vec();
        self.store.for_each_audit_row(&mut |row| {
            if problem.is_some() {
                return Ok(());
            }
            if row.seq == head_seq {
                head_found = true;
                if hex::encode(&row.mac) != head_link {
                    problem = Some(format!(
                        "line {head_line}: the head's link is not event {head_seq}'s in this vault"
                    ));
                    return Ok(());
                }
            }
            let Some((number, object)) = next.peek() else {
                prev = row.mac;
                return Ok(());
            };
            let seq = object.get("seq").and_then(serde_json::Value::as_u64);
            match seq {
                None => problem = Some(format!("line {number}: an event without a seq")),
                Some(seq) if seq < row.seq => {
                    problem = Some(format!(
                        "line {number}: event {seq} is not where the vault's chain has it \
                         (out of order, or listed twice)"
                    ))
                }
                Some(seq) if seq == row.seq => {
                    problem = compare_exported(&self.cipher, *number, object, &row, &prev);
                    next.next();
                }
                Some(_) => {}
            }
            prev = row.mac;
            Ok(())
        })?;
        if problem.is_none() {
            if let Some((number, object)) = next.next() {
                let seq = object
                    .get("seq")
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0);
                problem = Some(format!(
                    "line {number}: event {seq} is not in this vault's log"
                ));
            } else if !head_found {
                problem = Some(format!(
                    "line {head_line}: the head names event {head_seq}, which this vault's log \
                     does not have"
                ));
            }
        }
        Ok(ExportCheck {
            events: events.len() as u64,
            head: head_seq,
            problem,
        })
    }

    /// The events the filter selects, oldest first.
    pub fn audit_events(&self, filter: &AuditFilter) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        self.for_each_audit_event(filter, &mut |e| {
            events.push(e);
            Ok(())
        })?;
        Ok(events)
    }

    /// A server-kept event, opened with the data key, or one the vault had before.
    fn open_server_event(&self, row: &crate::store::ServerEventRow) -> Result<Event> {
        let first = chain::open_server_event(&self.cipher, row);
        if first.is_ok() {
            return first;
        }
        self.older_ciphers
            .iter()
            .find_map(|cipher| chain::open_server_event(cipher, row).ok())
            .map_or(first, Ok)
    }

    /// The filter a person's selection means (every front end builds it here): the
    /// customer as in [`Session::audit_customer_match`], action names and families, and
    /// the times as `YYYY-MM-DD` or RFC 3339; blank fields select everything.
    pub fn audit_filter(&self, selection: &AuditSelection<'_>) -> Result<AuditFilter> {
        let mut filter = AuditFilter {
            staff: given(selection.staff).map(str::to_owned),
            ..AuditFilter::default()
        };
        if let Some(customer) = given(selection.customer) {
            filter.customer = Some(self.audit_customer_match(customer)?);
        }
        for action in selection.actions.iter().filter_map(|a| given(a)) {
            filter.add_actions(action)?;
        }
        let [since_label, until_label] = selection.labels;
        filter.since = given(selection.since)
            .map(|t| crate::audit::parse_time(since_label, t))
            .transpose()?;
        filter.until = given(selection.until)
            .map(|t| crate::audit::parse_time(until_label, t))
            .transpose()?;
        Ok(filter)
    }

    /// How a customer selector filters the log: a customer in the vault by id, otherwise
    /// (a deleted customer) by the code recorded in the events.
    pub fn audit_customer_match(&self, selector: &str) -> Result<CustomerMatch> {
        match self.find_customer(selector) {
            Ok(customer) => Ok(CustomerMatch::Id(customer.id)),
            Err(Error::NotFound(_)) => Ok(CustomerMatch::Code(selector.trim().to_owned())),
            Err(e) => Err(e),
        }
    }

    /// Writes the selected events to `path` (created 0600, replaced if it exists) and
    /// records the export. Returns the number of events written.
    pub fn export_audit(
        &mut self,
        path: &Path,
        format: ExportFormat,
        filter: &AuditFilter,
    ) -> Result<u64> {
        let file = crate::private_fs::create_or_replace(path)?;
        self.write_audit_export(file, path, format, filter)
    }

    /// Like [`Session::export_audit`], but never replaces a file: an existing file or a
    /// missing folder is refused with a one-line `invalid` error naming it, and a file left
    /// half-written by a failure is removed. For front ends where the user types the path.
    pub fn export_audit_new_file(
        &mut self,
        path: &Path,
        format: ExportFormat,
        filter: &AuditFilter,
    ) -> Result<u64> {
        let file = crate::private_fs::create_new(path).map_err(|e| match e.kind() {
            ErrorKind::AlreadyExists => Error::invalid(
                "file",
                format!("{} already exists; choose another name", path.display()),
            ),
            ErrorKind::NotFound => Error::invalid(
                "file",
                format!(
                    "the folder {} does not exist",
                    path.parent().unwrap_or(path).display()
                ),
            ),
            _ => Error::io(path, e),
        })?;
        let written = self.write_audit_export(file, path, format, filter);
        if written.is_err() {
            // Best effort: the error below is what the caller needs to see.
            let _ = std::fs::remove_file(path);
        }
        written
    }

    /// Writes the selected events to the opened `file` and records the export.
    fn write_audit_export(
        &mut self,
        file: std::fs::File,
        path: &Path,
        format: ExportFormat,
        filter: &AuditFilter,
    ) -> Result<u64> {
        let mut writer = EventWriter::new(format, std::io::BufWriter::new(file))?;
        let mut count = 0u64;
        let head = self.for_each_linked_event(filter, &mut |e, links| {
            count += 1;
            writer.write(&e, links)
        })?;
        use std::io::Write as _;
        writer
            .finish(head)?
            .flush()
            .map_err(|e| Error::io(path, e))?;
        let name = crate::audit::file_label(path);
        self.audit(
            NewEvent::new(Action::AuditExport)
                .detail(format!("{count} events to {name} ({})", format.as_str())),
        )?;
        Ok(count)
    }
}

/// What [`Session::verify_audit_export`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExportCheck {
    /// Events in the file.
    pub events: u64,
    /// The event its head line names (the last of the log when it was exported).
    pub head: u64,
    /// The first problem, one line for people; `None` when the file is the vault's.
    pub problem: Option<String>,
}

/// Whether the exported event on line `number` is the vault's `row` (after a row whose
/// MAC is `prev`): its links and every field.
fn compare_exported(
    cipher: &crate::crypto::RecordCipher,
    number: usize,
    exported: &serde_json::Map<String, serde_json::Value>,
    row: &crate::store::AuditRow,
    prev: &[u8],
) -> Option<String> {
    let seq = row.seq;
    let text = |key: &str| exported.get(key).and_then(serde_json::Value::as_str);
    if text("link") != Some(hex::encode(&row.mac).as_str()) {
        return Some(format!(
            "line {number}: event {seq}'s link is not the vault's (changed, or not from this vault)"
        ));
    }
    if text("prev_link") != Some(hex::encode(prev).as_str()) {
        return Some(format!(
            "line {number}: event {seq}'s prev_link is not the vault's"
        ));
    }
    let Ok(event) = chain::open_event(cipher, row) else {
        return Some(format!(
            "line {number}: event {seq} cannot be read in the vault; run `sallyport audit verify`"
        ));
    };
    let mut fields = exported.clone();
    fields.remove("link");
    fields.remove("prev_link");
    let ours = serde_json::to_value(&event).ok();
    if ours != Some(serde_json::Value::Object(fields)) {
        return Some(format!(
            "line {number}: event {seq} differs from the vault's (edited in the file)"
        ));
    }
    None
}

/// A typed field, unless it is blank.
fn given(field: &str) -> Option<&str> {
    Some(field.trim()).filter(|f| !f.is_empty())
}
