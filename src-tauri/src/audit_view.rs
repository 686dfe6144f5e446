//! The audit view's commands: the filtered log (newest first, capped), verification and
//! export. Events never hold a secret (a core guarantee); rows carry only what the table
//! shows.

use std::collections::VecDeque;
use std::path::PathBuf;

use sallyport_core::audit::{
    Action, AuditFilter, AuditSelection, Event, ExportFormat, Outcome, Problem, VerifyReport,
};
use sallyport_core::{hygiene, Session};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::typed_path::{typed_path, Purpose};

/// Most events one answer carries; the total says how many matched.
pub const MAX_EVENTS: usize = 500;

/// The filter bar. Blank fields select everything.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(default)]
pub struct AuditQuery {
    /// A customer's code or unique name (a deleted customer by its code).
    pub customer: String,
    /// A staff name or OS user.
    pub staff: String,
    /// An action (`copy_password`) or a family (`copy`).
    pub action: String,
    /// Events at or after: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
    pub since: String,
    /// Events before: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
    pub until: String,
}

impl AuditQuery {
    /// The core's filter for these fields (built as for `sallyport audit list`).
    fn filter(&self, session: &Session) -> sallyport_core::Result<AuditFilter> {
        session.audit_filter(&AuditSelection {
            customer: &self.customer,
            staff: &self.staff,
            actions: &[&self.action],
            since: &self.since,
            until: &self.until,
            labels: ["since", "until"],
        })
    }
}

/// One row of the table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditRow {
    /// Position in the chain (what verification names).
    pub seq: u64,
    /// When, in milliseconds since the Unix epoch (the UI shows local time).
    pub time_ms: i64,
    /// Staff name of the vault.
    pub staff: String,
    /// `os_user@host`; a part not known is left out (the server's records of member
    /// changes name no device: empty).
    pub device: String,
    /// What happened.
    pub action: Action,
    /// How it ended.
    pub outcome: Outcome,
    /// The customer's code at the time.
    pub customer: String,
    /// The entry's label at the time.
    pub entry: String,
    /// A short description, never a secret.
    pub detail: String,
    /// Why, as the staff member gave it (empty when none was given).
    pub reason: String,
    /// For an event restored from a backup, its number in the old log.
    pub restored_from: Option<u64>,
    /// A failed unlock noted without the vault key: a claim anyone able to write the vault
    /// file could have made.
    pub unauthenticated: bool,
    /// What a reader must know before trusting the event, in words (empty for most).
    pub caveat: String,
}

impl From<Event> for AuditRow {
    fn from(e: Event) -> Self {
        let caveat = e.caveat();
        let device = e.device();
        Self {
            seq: e.seq,
            time_ms: (e.time.unix_timestamp_nanos() / 1_000_000) as i64,
            staff: e.staff,
            device,
            action: e.action,
            outcome: e.outcome,
            customer: e.customer,
            entry: e.entry,
            restored_from: e.restored_from,
            unauthenticated: e.unauthenticated,
            caveat,
            detail: e.detail,
            reason: e.reason,
        }
    }
}

/// The newest matching events and how many matched in all.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditPage {
    /// At most [`MAX_EVENTS`], newest first.
    pub events: Vec<AuditRow>,
    /// How many events matched.
    pub total: u64,
}

/// The newest events matching `filter` (at most [`MAX_EVENTS`]) and the number matched.
#[tauri::command]
pub async fn audit_events(state: State<'_, AppState>, filter: AuditQuery) -> ApiResult<AuditPage> {
    Ok(state.vault.with_session(|s| {
        let filter = filter.filter(s)?;
        let (mut newest, mut total) = (VecDeque::with_capacity(MAX_EVENTS), 0u64);
        s.for_each_audit_event(&filter, &mut |e| {
            total += 1;
            if newest.len() == MAX_EVENTS {
                newest.pop_front();
            }
            newest.push_back(e);
            Ok(())
        })?;
        let events = newest.into_iter().rev().map(AuditRow::from).collect();
        Ok(AuditPage { events, total })
    })?)
}

/// An action family of the filter (`copy`: every `copy_*` action).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ActionFamily {
    /// The name the filter accepts.
    pub name: String,
    /// The actions it selects.
    pub actions: Vec<Action>,
}

/// What the action filter offers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditActions {
    /// Names that select several actions.
    pub families: Vec<ActionFamily>,
    /// Every action.
    pub actions: Vec<Action>,
}

/// The families and actions the core's filter knows. A family is a name prefix the core
/// expands to more than one action.
#[tauri::command]
pub async fn audit_actions() -> ApiResult<AuditActions> {
    let mut families: Vec<ActionFamily> = Vec::new();
    for action in Action::ALL {
        let name = action.as_str().split('_').next().unwrap_or_default();
        let mut filter = AuditFilter::default();
        if families.iter().any(|f| f.name == name) || filter.add_actions(name).is_err() {
            continue;
        }
        if filter.actions.len() > 1 {
            families.push(ActionFamily {
                name: name.to_owned(),
                actions: filter.actions,
            });
        }
    }
    Ok(AuditActions {
        families,
        actions: Action::ALL.to_vec(),
    })
}

/// The verdict of the "Verify log" button.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditVerdict {
    /// True when the chain and its head are intact.
    pub ok: bool,
    /// Events checked and found in order (up to the first problem).
    pub events: u64,
    /// The first problem: its sequence number, kind and the core's one-line message.
    pub problem: Option<Problem>,
}

impl From<VerifyReport> for AuditVerdict {
    fn from(report: VerifyReport) -> Self {
        Self {
            ok: report.is_ok(),
            events: report.events,
            problem: report.problem,
        }
    }
}

/// Walks the whole chain and names the first bad event.
#[tauri::command]
pub async fn audit_verify(state: State<'_, AppState>) -> ApiResult<AuditVerdict> {
    Ok(state.vault.with_session(|s| s.verify_audit())?.into())
}

/// The export file's layout, as the UI names it.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ExportChoice {
    /// A header line, then one row per event.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl ExportChoice {
    fn format(self) -> ExportFormat {
        match self {
            ExportChoice::Csv => ExportFormat::Csv,
            ExportChoice::Jsonl => ExportFormat::JsonLines,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct AuditExported {
    /// Events written.
    pub events: u64,
    /// The file, with `~` expanded.
    pub path: PathBuf,
}

/// Writes the events matching `filter` to a new file at `path` (0600; an existing file or
/// a missing folder is refused, never overwritten). The export is itself audited.
#[tauri::command]
pub async fn audit_export(
    state: State<'_, AppState>,
    path: String,
    format: ExportChoice,
    filter: AuditQuery,
) -> ApiResult<AuditExported> {
    let path = typed_path(&path, &EXPORT_FILE)?;
    let events = state.vault.with_session(|s| {
        let filter = filter.filter(s)?;
        s.export_audit_new_file(&path, format.format(), &filter)
    })?;
    Ok(AuditExported { events, path })
}

/// A free file name to suggest: `~/sallyport-audit-YYYY-MM-DD.csv` (UTC day), with `-2`,
/// `-3`… when that file exists.
#[tauri::command]
pub async fn audit_export_default_path(format: ExportChoice) -> ApiResult<PathBuf> {
    let stem = format!("sallyport-audit-{}", hygiene::today());
    Ok(crate::typed_path::free_in_home(
        &stem,
        format.format().as_str(),
    )?)
}

/// Where an audit export is written.
const EXPORT_FILE: Purpose = Purpose {
    missing: "give the file to write",
    example: "~/sallyport-audit.csv",
};
