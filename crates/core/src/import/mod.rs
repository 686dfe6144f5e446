//! CSV import in two streaming passes over the file.
//!
//! [`Session::plan_import`] reads and checks every row against the vault and returns the
//! preview (rows to create, update, skip; every bad row with its line and reason) without
//! writing. [`Session::apply_import`] reads the file again inside one transaction, writing
//! each record as it goes; it refuses, and rolls back, if the file or the vault changed
//! since the preview. An interrupted import leaves the vault exactly as it was, and memory
//! stays flat in the number of rows (no row is kept once handled).

mod digest;
mod encoding;
mod foreign;
pub mod format;
pub mod native;
mod planner;
pub mod row;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use self::digest::HashingReader;
pub use self::format::{Detected, Format};
use self::planner::{Planner, Preview, Writer};
use crate::audit::{Action, NewEvent};
use crate::backup::{BackupKey, Sections};
use crate::model::Customer;
use crate::store::StoreWrite;
use crate::vault::session::VaultView;
use crate::{Error, Result, Session};

/// What to do with a row whose customer code and entry label already exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
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

fn describe(path: &Path, detected: &Detected, s: &ImportSummary) -> String {
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

impl Session {
    /// Reads and checks a CSV file against the vault; writes nothing.
    pub fn plan_import(&self, path: &Path, options: ImportOptions) -> Result<ImportPlan> {
        self.plan_import_with_progress(path, options, &mut |_| {})
    }

    /// [`Session::plan_import`], reporting progress to `progress`.
    pub fn plan_import_with_progress(
        &self,
        path: &Path,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportPlan> {
        let pass = self.preview_pass(path, &Origin::Csv, options, progress)?;
        Ok(ImportPlan {
            summary: pass.summary,
            detected: pass.detected,
            options,
            path: path.to_path_buf(),
            digest: pass.digest,
            generation: self.generation(),
        })
    }

    /// Records in the audit log that a plan was previewed (a dry run; nothing written).
    pub fn record_import_preview(&mut self, plan: &ImportPlan) -> Result<()> {
        let detail = format!("{} (dry run)", plan.describe());
        self.audit(NewEvent::new(Action::ImportPreview).detail(detail))
            .map(|_| ())
    }

    /// Writes a plan in one transaction, with its audit event. Refused (and the refusal
    /// audited) if the plan has invalid rows and was not made with `skip_invalid`, or if
    /// the vault or the file changed since the preview.
    pub fn apply_import(&mut self, plan: ImportPlan) -> Result<ImportSummary> {
        self.apply_import_with_progress(plan, &mut |_| {})
    }

    /// [`Session::apply_import`], reporting progress to `progress`.
    pub fn apply_import_with_progress(
        &mut self,
        plan: ImportPlan,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary> {
        let result = self.write_import(&plan, progress);
        if let Err(e) = &result {
            self.record_refused_import(&plan.describe(), e);
        }
        result
    }

    /// Records a refused import or restore (`what` describes it). The refusal is what
    /// matters to the caller; a failure to record it is not.
    pub(crate) fn record_refused_import(&mut self, what: &str, e: &Error) {
        let refused = NewEvent::new(Action::Import)
            .failed()
            .detail(format!("{what}: {e}"));
        let _ = self.audit(refused);
    }

    /// Refuses to apply a plan that has invalid rows (without `skip_invalid`) or that was
    /// made before the vault last changed. `done` names the operation ("imported").
    pub(crate) fn check_plan_applies(
        &self,
        summary: &ImportSummary,
        options: ImportOptions,
        generation: u64,
        done: &str,
    ) -> Result<()> {
        if !summary.errors.is_empty() && !options.skip_invalid {
            return Err(Error::Import(format!(
                "{} invalid row(s); nothing was {done} (fix them or skip invalid rows)",
                summary.errors.len()
            )));
        }
        if generation != self.generation() {
            return Err(Error::Import(
                "the vault changed since the preview; preview again".into(),
            ));
        }
        Ok(())
    }

    /// The preview pass over `path`: every row read and checked, nothing written.
    pub(crate) fn preview_pass(
        &self,
        path: &Path,
        origin: &Origin<'_>,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Pass> {
        let mut preview = Preview {
            store: self.store(),
        };
        run(
            &self.view(),
            &mut preview,
            path,
            origin,
            options,
            Phase::Preview,
            progress,
        )
    }

    /// Checks and writes in one pass over the file and one transaction: the result of
    /// [`Session::plan_import`] followed by [`Session::apply_import`], for callers that do
    /// not show the preview first (the command line without `--dry-run`). If the file has
    /// invalid rows and `skip_invalid` is off, the transaction is rolled back, nothing is
    /// written, and the refusal is recorded; the summary names every bad row either way.
    pub fn import_in_one_pass(
        &mut self,
        path: &Path,
        options: ImportOptions,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<OnePassImport> {
        let mut seen: Option<(ImportSummary, Detected)> = None;
        let written = self.write_batch_audited(|view, tx| {
            let pass = write_pass(view, tx, path, &Origin::Csv, options, progress)?;
            let blocked = !pass.summary.errors.is_empty() && !options.skip_invalid;
            let event =
                NewEvent::new(Action::Import).detail(describe(path, &pass.detected, &pass.summary));
            seen = Some((pass.summary, pass.detected));
            if blocked {
                return Err(Error::Import("invalid rows".into())); // rolls the transaction back
            }
            Ok((pass.touched, vec![event]))
        });
        match (written, seen) {
            (Ok(()), Some((summary, detected))) => Ok(OnePassImport {
                summary,
                detected,
                written: true,
            }),
            (Err(_), Some((summary, detected)))
                if !summary.errors.is_empty() && !options.skip_invalid =>
            {
                let reason = format!(
                    "{}: {} invalid row(s); nothing was imported",
                    describe(path, &detected, &summary),
                    summary.errors.len()
                );
                self.audit(NewEvent::new(Action::Import).failed().detail(reason))?;
                Ok(OnePassImport {
                    summary,
                    detected,
                    written: false,
                })
            }
            (Err(e), _) => Err(e),
            (Ok(()), None) => Err(Error::Storage("the import pass did not run".into())),
        }
    }

    fn write_import(
        &mut self,
        plan: &ImportPlan,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<ImportSummary> {
        self.check_plan_applies(&plan.summary, plan.options, plan.generation, "imported")?;
        let event = NewEvent::new(Action::Import).detail(plan.describe());
        if plan.summary.created + plan.summary.updated == 0 {
            self.audit(event)?;
            return Ok(plan.summary.clone());
        }
        self.write_batch(&[event], |view, tx| {
            let pass = write_pass(view, tx, &plan.path, &Origin::Csv, plan.options, progress)?;
            pass.matches(&plan.path, &plan.summary, &plan.digest)?;
            Ok(pass.touched)
        })?;
        Ok(plan.summary.clone())
    }
}

/// Where an import's rows come from.
pub(crate) enum Origin<'a> {
    /// A CSV file (any supported layout).
    Csv,
    /// A Sallyport backup, opened with its key: its sections, then native CSV.
    Backup(&'a Arc<BackupKey>),
}

/// What one pass over a file found.
pub(crate) struct Pass {
    pub summary: ImportSummary,
    /// The customers created or changed (empty when previewing).
    pub touched: Vec<Customer>,
    /// SHA-256 of every byte read (after decryption, for a backup).
    pub digest: [u8; 32],
    pub detected: Detected,
    /// A backup's manifest, ids and audit events.
    pub sections: Option<Sections>,
}

impl Pass {
    /// Refuses a write pass that read something other than its preview did.
    pub fn matches(&self, path: &Path, summary: &ImportSummary, digest: &[u8; 32]) -> Result<()> {
        if &self.digest != digest {
            return Err(Error::Import(format!(
                "{} changed since the preview; nothing was imported",
                path.display()
            )));
        }
        if &self.summary != summary {
            return Err(Error::Import(
                "the import no longer matches its preview; nothing was imported".into(),
            ));
        }
        Ok(())
    }
}

/// The write pass over `path` inside the caller's transaction `tx`: each record sealed and
/// written as soon as it is decided.
pub(crate) fn write_pass(
    view: &VaultView<'_>,
    tx: &mut dyn StoreWrite,
    path: &Path,
    origin: &Origin<'_>,
    options: ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Pass> {
    let mut writer = Writer {
        tx,
        cipher: view.cipher,
    };
    run(
        view,
        &mut writer,
        path,
        origin,
        options,
        Phase::Write,
        progress,
    )
}

/// One pass over the file: every row planned, and written through `sink` when it writes.
fn run(
    view: &VaultView<'_>,
    sink: &mut dyn planner::Sink,
    path: &Path,
    origin: &Origin<'_>,
    options: ImportOptions,
    phase: Phase,
    progress: &mut dyn FnMut(Progress),
) -> Result<Pass> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let raw: Box<dyn Read> = match origin {
        Origin::Csv => Box::new(file),
        Origin::Backup(key) => {
            let mut header = [0u8; crate::backup::stream::HEADER_LEN];
            file.read_exact(&mut header).map_err(|e| {
                file_error(
                    path,
                    &FileError::new(0, format!("cannot read the backup: {e}")),
                )
            })?;
            if &header != key.header() {
                return Err(Error::Import(format!(
                    "{} changed since the preview; nothing was imported",
                    path.display()
                )));
            }
            let input = BufReader::with_capacity(1 << 16, file);
            Box::new(crate::backup::stream::Decryptor::new(
                Arc::clone(key),
                input,
            ))
        }
    };
    // File (→ decryption) → hash of its bytes → UTF-8 (from UTF-8 or UTF-16 with BOM) →
    // CSV records.
    let hashed = HashingReader::new(raw);
    let bytes_read = hashed.counter();
    let mut report = |rows: u64| {
        progress(Progress {
            phase,
            bytes_read: bytes_read.get().min(total_bytes),
            total_bytes,
            rows,
        })
    };
    let mut buffered = BufReader::with_capacity(1 << 16, hashed);
    let sections = match origin {
        Origin::Csv => None,
        Origin::Backup(_) => Some(
            Sections::read(&mut buffered)
                .map_err(|reason| file_error(path, &FileError::new(0, reason)))?,
        ),
    };
    let mut decoded = encoding::Decoder::new(buffered);
    let head = encoding::read_first_line(&mut decoded).map_err(|e| {
        file_error(
            path,
            &FileError::new(1, format!("cannot read the file: {e}")),
        )
    })?;
    let delimiter = encoding::sniff_delimiter(&head);
    // mRemoteNG writes ';'-separated fields without quoting: a '"' is just a character.
    let mremoteng = delimiter == b';'
        && String::from_utf8_lossy(&head)
            .to_lowercase()
            .contains(";nodetype;");
    let input = std::io::Cursor::new(head).chain(decoded);
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quoting(!mremoteng)
        .from_reader(input);
    let (header, names) = read_header(&mut csv).map_err(|e| file_error(path, &e))?;
    let detected = match &sections {
        None => choose_format(&names, options.format).map_err(|e| file_error(path, &e))?,
        Some(_) => Detected {
            format: Format::Sallyport,
            reason: "a Sallyport backup (encrypted)".into(),
        },
    };
    let mut source = match detected.format {
        Format::Sallyport => {
            Source::Native(native::Reader::new(csv, &header).map_err(|e| file_error(path, &e))?)
        }
        format => Source::Foreign(foreign::Reader::new(csv, &names, format)),
    };
    let mut planner = Planner::new(view, options);
    let mut records = 0usize;
    while let Some(next) = source.next_row() {
        records += 1;
        if records as u64 % PROGRESS_EVERY == 0 {
            report(records as u64);
        }
        match next {
            foreign::Next::Row(raw) => planner.row(sink, &raw)?,
            foreign::Next::Skip => planner.not_a_login(),
            foreign::Next::Error(error) => planner.reject(error),
        }
    }
    if let Some(e) = source.error() {
        return Err(file_error(path, e));
    }
    if records == 0 && sections.is_none() {
        return Err(file_error(
            path,
            &FileError::new(1, "the file has a header but no records"),
        ));
    }
    let digest = source
        .into_inner()
        .into_inner()
        .1
        .into_inner()
        .into_inner()
        .finish();
    report(records as u64);
    let (summary, touched) = planner.finish(sink)?;
    Ok(Pass {
        summary,
        touched,
        digest,
        detected,
        sections,
    })
}

type Input = std::io::Chain<
    std::io::Cursor<Vec<u8>>,
    encoding::Decoder<BufReader<HashingReader<Box<dyn Read>>>>,
>;

/// The rows of a native file, or of another tool's export mapped onto native columns.
enum Source {
    Native(native::Reader<Input>),
    Foreign(foreign::Reader<Input>),
}

impl Source {
    /// The next record: a native row as it is, another tool's row mapped.
    fn next_row(&mut self) -> Option<foreign::Next<'_>> {
        match self {
            Source::Native(r) => r.next_row().map(|row| match row {
                Ok(raw) => foreign::Next::Row(raw),
                Err(error) => foreign::Next::Error(error),
            }),
            Source::Foreign(r) => r.next_row(),
        }
    }

    fn error(&self) -> Option<&FileError> {
        match self {
            Source::Native(r) => r.error(),
            Source::Foreign(r) => r.error(),
        }
    }

    fn into_inner(self) -> Input {
        match self {
            Source::Native(r) => r.into_inner(),
            Source::Foreign(r) => r.into_inner(),
        }
    }
}

/// Reads the header record: its raw bytes and its cells as text.
fn read_header(
    csv: &mut csv::Reader<Input>,
) -> std::result::Result<(csv::ByteRecord, Vec<String>), FileError> {
    let mut header = csv::ByteRecord::new();
    match csv.read_byte_record(&mut header) {
        Ok(false) => return Err(FileError::new(0, "the file is empty")),
        Err(e) => {
            let reason = match e.kind() {
                csv::ErrorKind::Io(io) => io.to_string(),
                _ => "malformed record".into(),
            };
            return Err(FileError::new(
                1,
                format!("cannot read the header: {reason}"),
            ));
        }
        Ok(true) => {}
    }
    let names = header
        .iter()
        .map(|cell| {
            std::str::from_utf8(cell)
                .map(str::to_owned)
                .map_err(|_| FileError::new(1, "the header is not valid UTF-8 text"))
        })
        .collect::<std::result::Result<_, _>>()?;
    Ok((header, names))
}

/// The detected format, or the one given, checked against the header.
fn choose_format(
    names: &[String],
    given: Option<Format>,
) -> std::result::Result<Detected, FileError> {
    let detected = format::detect(names);
    match (given, detected) {
        (None, Some(found)) => Ok(found),
        (None, None) => Err(FileError::new(
            1,
            "the header matches no known layout (Sallyport: a 'customer' column; KeePassXC, mRemoteNG, Bitwarden or Remote Desktop Manager exports); choose one with --format",
        )),
        (Some(Format::Sallyport), _) => Ok(Detected {
            format: Format::Sallyport,
            reason: "chosen with --format".into(),
        }),
        (Some(given), Some(found)) if found.format == given => Ok(found),
        (Some(given), found) => Err(FileError::new(
            1,
            format!(
                "the header is not that of a {} export{}",
                given.title(),
                found.map_or(String::new(), |f| format!(
                    " (it looks like {})",
                    f.format.title()
                ))
            ),
        )),
    }
}

fn file_error(path: &Path, e: &FileError) -> Error {
    match e.line {
        0 => Error::Import(format!("{}: {}", path.display(), e.reason)),
        line => Error::Import(format!("{}: line {line}: {}", path.display(), e.reason)),
    }
}
