//! The Sallyport native CSV layout: one row per entry, the customer repeated.
//!
//! Columns (header matched case-insensitively; spaces and dashes count as underscores):
//! `customer,code,entry,kind,host,port,gateway,gateway_port,gateway_usage,username,domain,
//! password,totp,url,vpn_type,vpn_server,vpn_instructions,vpn_client_url,account_type,owner,
//! expires,notes,tags`, plus the optional `contact`, `active`, `customer_notes`,
//! `vpn_secret` and `password_changed` (written by `export` so that nothing is lost).

use std::io::Read;

use super::{FileError, RowError};
use crate::model::patch::RawRow;
use crate::model::Column;

/// Streams the rows of a native CSV file: each record becomes a [`RawRow`] or a
/// [`RowError`]; nothing is kept once returned.
pub struct Reader<R: Read> {
    csv: csv::Reader<R>,
    columns: Vec<Column>,
    record: csv::ByteRecord,
    fatal: Option<FileError>,
}

impl<R: Read> Reader<R> {
    /// A reader over `csv`, whose header (already read) is `header`; checks the header.
    pub fn new(csv: csv::Reader<R>, header: &csv::ByteRecord) -> Result<Self, FileError> {
        Ok(Self {
            columns: header_columns(header)?,
            csv,
            record: csv::ByteRecord::new(),
            fatal: None,
        })
    }

    /// The next non-blank record, or `None` at the end of the file (or after a read error,
    /// see [`Reader::error`]).
    pub fn next_row(&mut self) -> Option<Result<RawRow<'_>, RowError>> {
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        self.fatal = Some(FileError::new(line, csv_reason(&e)));
                        return None;
                    }
                    return Some(Err(RowError::new(
                        line,
                        format!("unreadable CSV: {}", csv_reason(&e)),
                    )));
                }
                Ok(true) => {}
            }
            if !is_blank(&self.record) {
                break;
            }
        }
        let record = &self.record;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != self.columns.len() {
            return Some(Err(RowError::new(
                line,
                format!(
                    "has {} fields but the header has {}",
                    record.len(),
                    self.columns.len()
                ),
            )));
        }
        let mut cells = Vec::with_capacity(self.columns.len());
        for (column, field) in self.columns.iter().zip(record.iter()) {
            match std::str::from_utf8(field) {
                Ok("") => {}
                // A formula character our export neutralised, see `text::to_csv_cell`.
                Ok(text) => cells.push((*column, crate::text::from_csv_cell(text))),
                Err(_) => return Some(Err(RowError::new(line, "is not valid UTF-8 text"))),
            }
        }
        Some(Ok(RawRow { line, cells }))
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

fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

fn header_columns(header: &csv::ByteRecord) -> Result<Vec<Column>, FileError> {
    // A file none of whose header cells is a Sallyport column is not a Sallyport CSV at all
    // (`--format sallyport` on the wrong file, perhaps not a CSV file): its first line is
    // not quoted back, since it may be anything (a password file's first line).
    let known = header
        .iter()
        .any(|cell| std::str::from_utf8(cell).is_ok_and(|text| Column::for_header(text).is_some()));
    if !known {
        return Err(FileError::new(
            1,
            format!(
                "no cell of the header is a Sallyport column (expected: {}); not a Sallyport CSV file",
                Column::ALL.map(Column::name).join(", ")
            ),
        ));
    }
    let mut columns: Vec<Column> = Vec::with_capacity(header.len());
    for cell in header.iter() {
        let text = std::str::from_utf8(cell)
            .map_err(|_| FileError::new(1, "the header is not valid UTF-8 text"))?;
        let column = Column::for_header(text).ok_or_else(|| {
            FileError::new(
                1,
                format!(
                    "unknown column '{}' (expected: {})",
                    crate::model::validate::shown(text),
                    Column::ALL.map(Column::name).join(", ")
                ),
            )
        })?;
        if columns.contains(&column) {
            return Err(FileError::new(
                1,
                format!("column '{column}' appears twice in the header"),
            ));
        }
        columns.push(column);
    }
    if !columns.contains(&Column::Customer) {
        return Err(FileError::new(
            1,
            "the required column 'customer' is missing from the header",
        ));
    }
    Ok(columns)
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => io.to_string(),
        _ => "malformed record".into(),
    }
}
