//! One pass over an import's input: bytes → hash → UTF-8 → CSV records → native rows (other
//! tools' rows mapped) → the [`Planner`], which hands every decided record to a sink. The
//! preview and the write pass are the same pass with different sinks.

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use super::digest::HashingReader;
use super::format::{self, Detected, Format};
use super::planner::{self, Planner, Preview, Writer};
use super::{encoding, foreign, native};
use super::{FileError, ImportOptions, ImportSummary, Phase, Progress, PROGRESS_EVERY};
use crate::model::Customer;
use crate::store::{StoreRead, StoreWrite};
use crate::vault::session::VaultView;
use crate::{Error, Result};

/// What an import pass reads: a stream of CSV bytes (a file as it is, or whatever a caller
/// decrypted), its size for progress, and the file it came from (named in messages).
pub struct Input {
    reader: Box<dyn Read>,
    total_bytes: u64,
    path: PathBuf,
    known: Option<Detected>,
}

impl Input {
    /// The CSV file at `path`; its layout is told from its header.
    pub fn file(path: &Path) -> Result<Input> {
        let file = crate::private_fs::open_regular_file(path)?;
        let total_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(Input {
            reader: Box::new(file),
            total_bytes,
            path: path.to_path_buf(),
            known: None,
        })
    }

    /// CSV read from `reader` (named `path` in messages, `total_bytes` long), its layout
    /// told from its header as for a file. Used by the fuzz targets' entry points.
    #[cfg(feature = "fuzzing")]
    pub(crate) fn reader(reader: Box<dyn Read>, total_bytes: u64, path: &Path) -> Input {
        Input {
            reader,
            total_bytes,
            path: path.to_path_buf(),
            known: None,
        }
    }

    /// Native CSV read from `reader` (e.g. the decrypted contents of a backup at `path`,
    /// `total_bytes` long on disk), whose layout the caller knows (`why`). Unlike a file
    /// told from its header, it may hold no records.
    pub fn native(reader: Box<dyn Read>, total_bytes: u64, path: &Path, why: &str) -> Input {
        Input {
            reader,
            total_bytes,
            path: path.to_path_buf(),
            known: Some(Detected {
                format: Format::Sallyport,
                reason: why.to_owned(),
            }),
        }
    }

    /// The file the input comes from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// What one pass over an input found.
pub(crate) struct Pass {
    pub summary: ImportSummary,
    /// The customers created or changed (empty when previewing).
    pub touched: Vec<Customer>,
    /// SHA-256 of every byte read.
    pub digest: [u8; 32],
    pub detected: Detected,
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

/// The preview pass: every row read and checked against the vault, nothing written.
pub(crate) fn preview_pass(
    view: &VaultView<'_>,
    store: &dyn StoreRead,
    input: Input,
    options: ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Pass> {
    let mut preview = Preview { store };
    run(view, &mut preview, input, options, Phase::Preview, progress)
}

/// The write pass inside the caller's transaction `tx`: each record sealed and written as
/// soon as it is decided.
pub(crate) fn write_pass(
    view: &VaultView<'_>,
    tx: &mut dyn StoreWrite,
    input: Input,
    options: ImportOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Pass> {
    let mut writer = Writer {
        tx,
        cipher: view.cipher,
    };
    run(view, &mut writer, input, options, Phase::Write, progress)
}

/// One pass over the input: every row planned, and written through `sink` when it writes.
fn run(
    view: &VaultView<'_>,
    sink: &mut dyn planner::Sink,
    input: Input,
    options: ImportOptions,
    phase: Phase,
    progress: &mut dyn FnMut(Progress),
) -> Result<Pass> {
    let Input {
        reader,
        total_bytes,
        path,
        known,
    } = input;
    let path = path.as_path();
    // Bytes → hash of them → UTF-8 (from UTF-8 or UTF-16 with BOM) → CSV records.
    let hashed = HashingReader::new(reader);
    let bytes_read = hashed.counter();
    let mut report = |rows: u64| {
        progress(Progress {
            phase,
            bytes_read: bytes_read.get().min(total_bytes),
            total_bytes,
            rows,
        })
    };
    let buffered = BufReader::with_capacity(1 << 16, hashed);
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
        && String::from_utf8_lossy(encoding::first_record(&head))
            .to_lowercase()
            .contains(";nodetype;");
    let used = std::rc::Rc::new(std::cell::Cell::new(0));
    let input = RecordBudget {
        inner: std::io::Cursor::new(head).chain(decoded),
        used: used.clone(),
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quoting(!mremoteng)
        .from_reader(input);
    let (header, names) = read_header(&mut csv).map_err(|e| file_error(path, &e))?;
    let may_be_empty = known.is_some();
    let detected = match known {
        None => choose_format(&names, options.format).map_err(|e| file_error(path, &e))?,
        Some(known) => known,
    };
    let mut source = match detected.format {
        Format::Sallyport => {
            Source::Native(native::Reader::new(csv, &header).map_err(|e| file_error(path, &e))?)
        }
        format => Source::Foreign(foreign::Reader::new(csv, &names, format)),
    };
    let mut planner = Planner::new(view, options);
    if detected.format == Format::Mremoteng {
        planner = planner.hiding_values();
    }
    let mut records = 0usize;
    while let Some(next) = source.next_row() {
        used.set(0);
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
    if records == 0 && !may_be_empty {
        return Err(file_error(
            path,
            &FileError::new(1, "the file has a header but no records"),
        ));
    }
    let digest = source
        .into_inner()
        .inner
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
    })
}

type Csv = RecordBudget<
    std::io::Chain<
        std::io::Cursor<Vec<u8>>,
        encoding::Decoder<BufReader<HashingReader<Box<dyn Read>>>>,
    >,
>;

/// Longest CSV record read (a record of every column at its longest is about 100 KB).
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// Fails the read once more than [`MAX_RECORD_BYTES`] were read since the pipeline last
/// took a record (`used` is reset then): a file that is one endless record (no line break,
/// or a quote never closed) is refused before it fills the memory.
struct RecordBudget<R> {
    inner: R,
    used: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for RecordBudget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.used.get() > MAX_RECORD_BYTES {
            return Err(std::io::Error::other(format!(
                "a record is longer than {} MiB (a line break missing, or a quote never \
                 closed?): not a CSV file Sallyport can read",
                MAX_RECORD_BYTES >> 20
            )));
        }
        let n = self.inner.read(buf)?;
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

/// The rows of a native file, or of another tool's export mapped onto native columns.
enum Source {
    Native(native::Reader<Csv>),
    Foreign(foreign::Reader<Csv>),
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

    fn into_inner(self) -> Csv {
        match self {
            Source::Native(r) => r.into_inner(),
            Source::Foreign(r) => r.into_inner(),
        }
    }
}

/// Reads the header record: its raw bytes and its cells as text.
fn read_header(
    csv: &mut csv::Reader<Csv>,
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
