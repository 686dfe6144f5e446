//! The import wizard: preview a CSV file (nothing is written), then apply exactly that
//! preview once the user confirms, or drop it.
//!
//! The preview crossing IPC holds counts, the detected format with core's reason, and each
//! bad row's line and reason (core's reasons never echo a secret). The plan itself stays
//! here, in [`PendingImport`], until it is applied, cancelled, replaced by a new preview or
//! the vault is locked. Progress goes to the webview over a [`Channel`], at most about ten
//! messages a second.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sallyport_core::import::{
    ConflictPolicy, Format, ImportOptions, ImportPlan, ImportSummary, Progress,
};
use sallyport_core::Error;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::typed_path::{typed_path, Purpose};

/// The one previewed import waiting for the user's confirmation, with its id.
#[derive(Debug, Default)]
pub struct PendingImport(Mutex<Option<(u64, ImportPlan)>>);

/// Preview ids: unique for the life of the process, so an old id never names a new plan.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl PendingImport {
    /// Keeps `plan` (replacing any earlier one) and returns its id.
    pub fn keep(&self, plan: ImportPlan) -> u64 {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        *self.guard() = Some((id, plan));
        id
    }

    /// Takes the plan previewed as `id`; `None` (and the kept plan untouched) for any
    /// other id.
    pub fn take(&self, id: u64) -> Option<ImportPlan> {
        let mut pending = self.guard();
        match pending.as_ref() {
            Some((kept, _)) if *kept == id => pending.take().map(|(_, plan)| plan),
            _ => None,
        }
    }

    /// Drops the kept plan (cancel, lock).
    pub fn clear(&self) {
        *self.guard() = None;
    }

    /// Whether a plan is kept.
    pub fn is_pending(&self) -> bool {
        self.guard().is_some()
    }

    fn guard(&self) -> MutexGuard<'_, Option<(u64, ImportPlan)>> {
        // A plan is replaced or taken whole; a panic cannot leave half of one.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One entry of the format select: core's id and title.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FormatOption {
    /// What `import_preview` takes as `format`.
    pub id: Format,
    /// The name users know it by.
    pub title: &'static str,
}

/// The formats the wizard offers besides "detect", in detection order.
#[tauri::command]
pub async fn import_formats() -> ApiResult<Vec<FormatOption>> {
    Ok(Format::ALL
        .into_iter()
        .map(|id| FormatOption {
            id,
            title: id.title(),
        })
        .collect())
}

/// What the preview step shows. No secret: counts, and lines with core's reasons.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportPreview {
    /// Names this plan for `import_apply`.
    pub id: u64,
    /// The file, with `~` expanded.
    pub path: PathBuf,
    /// The format read.
    pub format: Format,
    /// Its title ("KeePassXC CSV").
    pub format_title: &'static str,
    /// Why: the columns that decided it, or that it was chosen.
    pub reason: String,
    /// Rows to create, update and skip, and every bad row by line.
    pub summary: ImportSummary,
    /// True when invalid rows stop the import (skip invalid rows is off).
    pub blocked: bool,
}

/// What an applied import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ImportDone {
    /// What was created, updated, skipped (and the invalid rows left out).
    pub summary: ImportSummary,
    /// Customers in the vault now.
    pub customers: usize,
}

/// Reads and checks `path` against the vault and keeps the plan; writes nothing but the
/// audit record of the preview. A new preview replaces the previous one.
#[tauri::command]
pub async fn import_preview(
    state: State<'_, AppState>,
    path: String,
    format: Option<Format>,
    on_conflict: ConflictPolicy,
    skip_invalid: bool,
    on_progress: Channel<Progress>,
) -> ApiResult<ImportPreview> {
    let path = typed_path(&path, &IMPORT_FILE)?;
    let options = ImportOptions {
        on_conflict,
        skip_invalid,
        format,
    };
    let mut progress = Throttled::new(on_progress);
    Ok(state.vault.with_session(|s| {
        refuse_backup(&path)?;
        let plan = s.plan_import_with_progress(&path, options, &mut |p| progress.send(p))?;
        s.record_import_preview(&plan)?;
        let (detected, summary, blocked) = (
            plan.detected().clone(),
            plan.summary().clone(),
            plan.is_blocked(),
        );
        // Kept while the vault is held, so a lock cannot slip in before it and miss it.
        let id = state.import.keep(plan);
        Ok(ImportPreview {
            id,
            path: path.clone(),
            format: detected.format,
            format_title: detected.format.title(),
            reason: detected.reason,
            summary,
            blocked,
        })
    })?)
}

/// Writes the plan previewed as `preview_id`, in one transaction. Refused when that is not
/// the current preview, and by core when rows are invalid (without skip invalid rows) or
/// the file or the vault changed since the preview. Either way the plan is used up.
#[tauri::command]
pub async fn import_apply(
    state: State<'_, AppState>,
    preview_id: u64,
    on_progress: Channel<Progress>,
) -> ApiResult<ImportDone> {
    let mut progress = Throttled::new(on_progress);
    Ok(state.vault.with_session(|s| {
        let plan = state.import.take(preview_id).ok_or_else(|| {
            Error::Import(
                "this preview is no longer current (cancelled, replaced or the vault was \
                 locked); preview the file again"
                    .into(),
            )
        })?;
        let summary = s.apply_import_with_progress(plan, &mut |p| progress.send(p))?;
        Ok(ImportDone {
            summary,
            customers: s.customers().len(),
        })
    })?)
}

/// Drops the previewed plan; nothing is written.
#[tauri::command]
pub async fn import_cancel(state: State<'_, AppState>) -> ApiResult<()> {
    state.import.clear();
    Ok(())
}

/// An encrypted backup is restored with `sallyport import backup FILE`, not the wizard.
fn refuse_backup(path: &std::path::Path) -> sallyport_core::Result<()> {
    match sallyport_core::backup::is_backup(path)? {
        false => Ok(()),
        true => Err(Error::Import(format!(
            "{} is a Sallyport backup; restore it with `sallyport import backup {}`",
            path.display(),
            path.display()
        ))),
    }
}

/// The file an import reads.
const IMPORT_FILE: Purpose = Purpose {
    missing: "choose the file to import",
    example: "~/customers.csv",
};

/// Least time between two progress messages (about ten a second).
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);

/// Forwards core's progress reports to the webview: the first, then at most one per
/// [`PROGRESS_INTERVAL`], and always the one for the end of the file.
struct Throttled {
    channel: Channel<Progress>,
    last: Option<Instant>,
}

impl Throttled {
    fn new(channel: Channel<Progress>) -> Self {
        Self {
            channel,
            last: None,
        }
    }

    fn send(&mut self, p: Progress) {
        let now = Instant::now();
        let due = self
            .last
            .is_none_or(|last| now.duration_since(last) >= PROGRESS_INTERVAL);
        if due || p.bytes_read >= p.total_bytes {
            self.last = Some(now);
            // A closed window cannot stop the import; it just sees no more progress.
            let _ = self.channel.send(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_throttled_but_the_end_always_goes_out() {
        let sent = std::sync::Arc::new(Mutex::new(Vec::new()));
        let seen = sent.clone();
        let channel = Channel::new(move |body| {
            if let tauri::ipc::InvokeResponseBody::Json(json) = body {
                seen.lock().unwrap().push(json);
            }
            Ok(())
        });
        let mut throttled = Throttled::new(channel);
        let at = |bytes_read| Progress {
            phase: sallyport_core::import::Phase::Preview,
            bytes_read,
            total_bytes: 100,
            rows: bytes_read,
        };
        for bytes in [10, 20, 30, 40, 100] {
            throttled.send(at(bytes));
        }
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 2, "the first and the last: {sent:?}");
        assert!(sent[1].contains("\"bytes_read\":100"));
    }
}
