//! Exports of other tools, mapped row by row onto Sallyport's native columns, so that the
//! same validation and planning apply: KeePassXC, Bitwarden, mRemoteNG and Remote Desktop
//! Manager.
//!
//! Each tool keeps one login or connection per row. Its title or name becomes the
//! customer, its group path, folder or containers the customer's tags; the URL or protocol
//! says what kind of entry it is (`cmd://mstsc /v:host:port` and
//! `rdp://full%20address=s:host:port` give an RDP host and port, http(s) a web URL,
//! `ssh://` an SSH host). Rows that are not logins (Bitwarden notes, cards, identities;
//! mRemoteNG containers; RDM folders and credential entries) are skipped and counted.

mod bitwarden;
mod keepassxc;
mod mremoteng;
mod rdm;
mod url;

use std::collections::HashMap;
use std::io::Read;

use super::format::Format;
use super::{FileError, RowError};
use crate::model::column::normalise_header;
use crate::model::patch::RawRow;
use crate::model::Column;

/// What a record became (native rows come through the same type).
pub enum Next<'a> {
    /// A row in native columns.
    Row(RawRow<'a>),
    /// Not a login; counted as skipped.
    Skip,
    /// A row that cannot be imported.
    Error(RowError),
}

/// Streams the mapped rows of a foreign CSV file.
pub struct Reader<R: Read> {
    csv: csv::Reader<R>,
    format: Format,
    columns: HashMap<String, usize>,
    width: usize,
    record: csv::StringRecord,
    cells: Vec<(Column, String)>,
    fatal: Option<FileError>,
    /// mRemoteNG containers seen so far: id → (name, parent id).
    containers: HashMap<String, (String, String)>,
    /// mRemoteNG: the Icon and Panel values of whole rows so far.
    looks: Box<mremoteng::Looks>,
}

impl<R: Read> Reader<R> {
    /// A reader for `format` whose header (already read) is `header`.
    pub fn new(csv: csv::Reader<R>, header: &[String], format: Format) -> Self {
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, h)| (normalise_header(h), i))
            .collect();
        Self {
            csv,
            format,
            columns,
            width: header.len(),
            record: csv::StringRecord::new(),
            cells: Vec::new(),
            fatal: None,
            containers: HashMap::new(),
            looks: Box::default(),
        }
    }

    /// The next record, mapped; `None` at the end (or after a read error, see `error`).
    pub fn next_row(&mut self) -> Option<Next<'_>> {
        let line = loop {
            match self.csv.read_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return match e.kind() {
                        csv::ErrorKind::Io(io) => {
                            self.fatal = Some(FileError::new(line, io.to_string()));
                            None
                        }
                        csv::ErrorKind::Utf8 { .. } => {
                            Some(Next::Error(RowError::new(line, "is not valid UTF-8 text")))
                        }
                        _ => Some(Next::Error(RowError::new(
                            line,
                            "unreadable CSV: malformed record",
                        ))),
                    };
                }
                Ok(true) => {}
            }
            if self.record.iter().any(|f| !f.trim().is_empty()) {
                break self.record.position().map_or(0, |p| p.line());
            }
        };
        if self.format == Format::Mremoteng && self.record.len() > self.width {
            // mRemoteNG does not quote: a ';' in a description splits it. The surplus
            // fields are put back into the description where that is known to be safe.
            match self
                .looks
                .merge_description(&self.record, &self.columns, self.width)
            {
                Ok(merged) => self.record = merged,
                Err(reason) => return Some(Next::Error(RowError::new(line, reason))),
            }
        } else if self.format == Format::Mremoteng && self.record.len() == self.width {
            self.looks.observe(&Fields {
                record: &self.record,
                columns: &self.columns,
            });
        }
        if self.record.len() != self.width {
            return Some(Next::Error(RowError::new(
                line,
                format!(
                    "has {} fields but the header has {}",
                    self.record.len(),
                    self.width
                ),
            )));
        }
        self.cells.clear();
        let fields = Fields {
            record: &self.record,
            columns: &self.columns,
        };
        let mapped = match self.format {
            Format::Keepassxc => keepassxc::map(&fields, &mut self.cells),
            Format::Bitwarden => bitwarden::map(&fields, &mut self.cells),
            Format::Mremoteng => mremoteng::map(&fields, &mut self.containers, &mut self.cells),
            Format::Rdm => rdm::map(&fields, &mut self.cells),
            Format::Sallyport => Err("a native file reached the foreign reader".into()),
        };
        Some(match mapped {
            Ok(true) => Next::Row(RawRow {
                line,
                cells: self
                    .cells
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(c, v)| (*c, v.as_str()))
                    .collect(),
            }),
            Ok(false) => Next::Skip,
            Err(reason) => Next::Error(RowError::new(line, reason)),
        })
    }

    /// A read error that ended the file early.
    pub fn error(&self) -> Option<&FileError> {
        self.fatal.as_ref()
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.csv.into_inner()
    }
}

/// The cells of one record by (normalised) column name.
pub(super) struct Fields<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl Fields<'_> {
    pub(super) fn get(&self, name: &str) -> &str {
        self.columns
            .get(name)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }
}

pub(super) type Cells = Vec<(Column, String)>;
