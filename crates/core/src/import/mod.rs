//! CSV import in two streaming passes over the file.
//!
//! [`Session::plan_import`] reads and checks every row against the vault and returns the
//! preview (rows to create, update, skip; every bad row with its line and reason) without
//! writing. [`Session::apply_import`] reads the file again inside one transaction, writing
//! each record as it goes; it refuses, and rolls back, if the file or the vault changed
//! since the preview. An interrupted import leaves the vault exactly as it was, and memory
//! stays flat in the number of rows (no row is kept once handled).

mod digest;
pub mod encoding;
mod foreign;
pub mod format;
pub mod native;
mod pipeline;
mod plan;
mod planner;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use self::format::{Detected, Format};
pub(crate) use self::pipeline::write_pass;
pub use self::pipeline::Input;
pub use self::pipeline::MAX_RECORD_BYTES;

/// What to do with a row whose customer code and entry label already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ConflictPolicy {
    /// Keep the existing entry; count the row as skipped.
    Skip,
    /// Overwrite the existing entry with the row's non-empty cells.
    Update,
    /// Report the row as an error.
    #[default]
    Fail,
}

impl ConflictPolicy {
    /// Every policy, in the order a choice lists them.
    pub const ALL: [ConflictPolicy; 3] = [
        ConflictPolicy::Skip,
        ConflictPolicy::Update,
        ConflictPolicy::Fail,
    ];

    /// The policy's name (`skip`, `update`, `fail`): its serialized form and the CLI's word.
    pub fn id(self) -> &'static str {
        match self {
            ConflictPolicy::Skip => "skip",
            ConflictPolicy::Update => "update",
            ConflictPolicy::Fail => "fail",
        }
    }

    /// The policy named `id`.
    pub fn from_id(id: &str) -> Option<ConflictPolicy> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }
}

/// Import options.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Conflict policy.
    pub on_conflict: ConflictPolicy,
    /// Write the valid rows even if some rows are invalid.
    pub skip_invalid: bool,
    /// The file's layout; `None` detects it from the header.
    pub format: Option<Format>,
}

/// A row that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RowError {
    /// Physical line of the file where the record starts (header = 1).
    pub line: u64,
    /// Why the row was refused.
    pub reason: String,
}

impl RowError {
    pub(crate) fn new(line: u64, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

/// A problem with the file as a whole (it cannot be imported at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// Line of the problem (0 when not tied to a line).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl FileError {
    pub(crate) fn new(line: u64, reason: impl Into<String>) -> Self {
        Self {
            line,
            reason: reason.into(),
        }
    }
}

/// The preview of an import: what would be created, updated, skipped, and every bad row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportSummary {
    /// Rows that create a customer or an entry.
    pub created: usize,
    /// Rows that change an existing customer or entry.
    pub updated: usize,
    /// Rows left alone (conflict policy `skip`, or identical to what is stored).
    pub skipped: usize,
    /// Rows that cannot be imported, by line.
    pub errors: Vec<RowError>,
}

/// Which pass an import is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Reading and checking (the preview).
    Preview,
    /// Reading again and writing.
    Write,
}

/// How far an import pass has come; reported every few thousand rows and at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    /// The pass.
    pub phase: Phase,
    /// Bytes of the file read so far.
    pub bytes_read: u64,
    /// The file's size in bytes.
    pub total_bytes: u64,
    /// Records read so far.
    pub rows: u64,
}

/// Rows between two progress reports.
const PROGRESS_EVERY: u64 = 2000;

/// A checked import, ready to apply: the preview plus what identifies the file read.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    summary: ImportSummary,
    detected: Detected,
    options: ImportOptions,
    path: PathBuf,
    digest: [u8; 32],
    generation: u64,
}

impl ImportPlan {
    /// The preview.
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// The file's format and why it was chosen.
    pub fn detected(&self) -> &Detected {
        &self.detected
    }

    /// Whether the plan has invalid rows and was not made to skip them.
    pub fn is_blocked(&self) -> bool {
        !self.summary.errors.is_empty() && !self.options.skip_invalid
    }

    /// "customers.csv: 3 created, 1 updated, 0 skipped, 2 invalid" (for the audit log).
    fn describe(&self) -> String {
        describe(&self.path, &self.detected, &self.summary)
    }
}

pub(crate) fn describe(path: &Path, detected: &Detected, s: &ImportSummary) -> String {
    format!(
        "{} ({}): {} created, {} updated, {} skipped, {} invalid",
        crate::audit::file_label(path),
        detected.format.title(),
        s.created,
        s.updated,
        s.skipped,
        s.errors.len()
    )
}

/// What [`Session::import_in_one_pass`] did.
#[derive(Debug, Clone)]
pub struct OnePassImport {
    /// What the file held (the same summary a preview gives).
    pub summary: ImportSummary,
    /// The file's format and why it was chosen.
    pub detected: Detected,
    /// False when invalid rows (without `skip_invalid`) stopped it: nothing was written.
    pub written: bool,
}
