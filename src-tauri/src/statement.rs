//! "Access statement…" on a customer: the statement for the customer's auditor, written
//! by the same service function as `sallyport statement` ([`Session::access_statement`]).
//!
//! [`Session::access_statement`]: sallyport_core::Session::access_statement

use std::path::PathBuf;

use sallyport_core::hygiene;
use sallyport_core::statement::{Period, StatementFormat};
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::error::ApiResult;
use crate::state::AppState;
use crate::typed_path::{typed_path, Purpose};

/// The statement's format, as the UI names it.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum StatementChoice {
    /// A printable document (the default).
    Pdf,
    /// A web page.
    Html,
    /// The uses, for a spreadsheet.
    Csv,
    /// Everything, as JSON.
    Json,
}

impl StatementChoice {
    fn format(self) -> StatementFormat {
        match self {
            StatementChoice::Pdf => StatementFormat::Pdf,
            StatementChoice::Html => StatementFormat::Html,
            StatementChoice::Csv => StatementFormat::Csv,
            StatementChoice::Json => StatementFormat::Json,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct StatementWritten {
    /// The file, with `~` expanded.
    pub path: PathBuf,
    /// Uses listed.
    pub uses: u32,
    /// Whether the audit log verified.
    pub verified: bool,
    /// The chain head the statement names.
    pub chain_head: String,
}

/// Where a statement is written.
const STATEMENT_FILE: Purpose = Purpose {
    missing: "give the file to write",
    example: "~/ACME-access-statement.pdf",
};

/// Writes the access statement of the customer `code` over the days `since` to `until`
/// (`YYYY-MM-DD`, blank: open) to a new file at `path` (an existing file is refused).
/// Audited.
#[tauri::command]
pub async fn access_statement(
    state: State<'_, AppState>,
    code: String,
    since: String,
    until: String,
    format: StatementChoice,
    path: String,
) -> ApiResult<StatementWritten> {
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let period = Period::parse(blank(&since).as_deref(), blank(&until).as_deref())?;
    let path = typed_path(&path, &STATEMENT_FILE)?;
    let statement = state
        .vault
        .with_session(|s| s.access_statement(&code, period))?;
    statement.write_new(&path, format.format())?;
    Ok(StatementWritten {
        path,
        uses: u32::try_from(statement.uses.len()).unwrap_or(u32::MAX),
        verified: statement.verified,
        chain_head: statement.chain_head,
    })
}

/// A free file name to suggest: `~/ACME-access-statement-YYYY-MM-DD.pdf` (UTC day), with
/// `-2`, `-3`… when that file exists.
#[tauri::command]
pub async fn access_statement_default_path(
    code: String,
    format: StatementChoice,
) -> ApiResult<PathBuf> {
    let stem = format!(
        "{}-{}",
        sallyport_core::statement::file_stem(&code),
        hygiene::today()
    );
    Ok(crate::typed_path::free_in_home(
        &stem,
        format.format().extension(),
    )?)
}
