//! The Sallyport native CSV layout: one row per entry, the customer repeated.
//!
//! Columns (header matched case-insensitively; spaces and dashes count as underscores):
//! `customer,code,entry,kind,host,port,gateway,gateway_port,gateway_usage,username,domain,
//! password,totp,url,vpn_type,vpn_server,vpn_instructions,vpn_client_url,account_type,owner,
//! expires,notes,tags`, plus the optional `contact`, `active` and `customer_notes`.

use std::io::Read;

use super::row::RawRow;
use super::{FileError, RowError};

/// The native columns in export order.
pub const COLUMNS: &[&str] = &[
    "customer",
    "code",
    "entry",
    "kind",
    "host",
    "port",
    "gateway",
    "gateway_port",
    "gateway_usage",
    "username",
    "domain",
    "password",
    "totp",
    "url",
    "vpn_type",
    "vpn_server",
    "vpn_instructions",
    "vpn_client_url",
    "account_type",
    "owner",
    "expires",
    "notes",
    "tags",
    "contact",
    "active",
    "customer_notes",
];

/// Other spellings accepted in a header.
const ALIASES: &[(&str, &str)] = &[
    ("customer_name", "customer"),
    ("customer_code", "code"),
    ("label", "entry"),
    ("entry_label", "entry"),
    ("type", "kind"),
    ("hostname", "host"),
    ("server", "host"),
    ("gateway_host", "gateway"),
    ("rd_gateway", "gateway"),
    ("user", "username"),
    ("user_name", "username"),
    ("login", "username"),
    ("otp", "totp"),
    ("totp_secret", "totp"),
    ("expires_at", "expires"),
    ("expiry", "expires"),
    ("tag", "tags"),
];

/// Maps a header cell to a native column name.
pub fn column_for(header: &str) -> Option<&'static str> {
    let key: String = header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    COLUMNS
        .iter()
        .copied()
        .find(|c| *c == key)
        .or_else(|| ALIASES.iter().find(|(a, _)| *a == key).map(|(_, c)| *c))
}

/// Reads a native CSV file: rows ready for validation and the rows that could not be read.
pub fn read(input: impl Read) -> Result<(Vec<RawRow>, Vec<RowError>), FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut records = reader.byte_records();
    let header = match records.next() {
        None => return Err(FileError::new(0, "the file is empty")),
        Some(Err(e)) => return Err(FileError::new(1, format!("cannot read the header: {e}"))),
        Some(Ok(h)) => h,
    };
    let columns = header_columns(&header)?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError::new(
                    line,
                    format!("unreadable CSV: {}", csv_reason(&e)),
                ));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != columns.len() {
            errors.push(RowError::new(
                line,
                format!(
                    "has {} fields but the header has {}",
                    record.len(),
                    columns.len()
                ),
            ));
            continue;
        }
        let mut cells = Vec::with_capacity(columns.len());
        let mut bad_utf8 = false;
        for (column, field) in columns.iter().zip(record.iter()) {
            match std::str::from_utf8(field) {
                Ok(text) if !text.is_empty() => cells.push((*column, text.to_owned())),
                Ok(_) => {}
                Err(_) => bad_utf8 = true,
            }
        }
        if bad_utf8 {
            errors.push(RowError::new(line, "is not valid UTF-8 text"));
            continue;
        }
        rows.push(RawRow { line, cells });
    }
    if rows.is_empty() && errors.is_empty() {
        return Err(FileError::new(1, "the file has a header but no records"));
    }
    Ok((rows, errors))
}

fn header_columns(header: &csv::ByteRecord) -> Result<Vec<&'static str>, FileError> {
    let mut columns: Vec<&'static str> = Vec::with_capacity(header.len());
    for cell in header.iter() {
        let text = std::str::from_utf8(cell)
            .map_err(|_| FileError::new(1, "the header is not valid UTF-8 text"))?;
        let column = column_for(text).ok_or_else(|| {
            FileError::new(
                1,
                format!(
                    "unknown column '{}' (expected: {})",
                    crate::model::validate::shown(text),
                    COLUMNS.join(", ")
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
    if !columns.contains(&"customer") {
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
