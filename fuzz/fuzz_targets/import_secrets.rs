//! No secret in an error message, nor anywhere but a secret field: exports of every tool
//! are written from the fuzzer's cells, a marker is put into every password and TOTP
//! secret (and VPN secret, mRemoteNG's gateway password), and the file is imported.
//!
//! Input (as text): the first character picks the layout (native, KeePassXC, Bitwarden
//! personal or organisation, mRemoteNG, Remote Desktop Manager); then rows separated by
//! U+001E, cells by U+001F, in the layout's column order. In a password a U+001D marks
//! where the marker goes (else it goes in front); in a TOTP cell it goes into the secret
//! (after `secret=` in an otpauth URI, else in front). Other cells never hold the marker.
//!
//! Properties: no error of the preview or of the import (file or row) contains the marker;
//! after the import, the native export holds the marker only in secret columns; the write
//! pass agrees with the preview.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::fuzzing::{export_native, import, preview_import};
use sallyport_core::import::{ConflictPolicy, ImportOptions};
use sallyport_core::model::Column;
use sallyport_fuzz::{assert_not_echoed, assert_one_line, empty_vault};

/// What every secret holds: valid Base32, so TOTP secrets can be otherwise valid too.
const MARKER: &str = "Q7ZK";

struct Layout {
    delimiter: u8,
    quoted: bool,
    header: &'static [&'static str],
    secrets: &'static [&'static str],
    totp: &'static [&'static str],
}

const NATIVE_SECRETS: &[&str] = &["password", "totp", "vpn_secret"];

const LAYOUTS: [Layout; 6] = [
    Layout {
        delimiter: b',',
        quoted: true,
        header: &[], // Column::ALL
        secrets: NATIVE_SECRETS,
        totp: &["totp"],
    },
    Layout {
        delimiter: b',',
        quoted: true,
        header: &[
            "Group",
            "Title",
            "Username",
            "Password",
            "URL",
            "Notes",
            "TOTP",
            "Icon",
            "Last Modified",
            "Created",
        ],
        secrets: &["Password", "TOTP"],
        totp: &["TOTP"],
    },
    Layout {
        delimiter: b',',
        quoted: true,
        header: &[
            "folder",
            "favorite",
            "type",
            "name",
            "notes",
            "fields",
            "reprompt",
            "login_uri",
            "login_username",
            "login_password",
            "login_totp",
        ],
        secrets: &["login_password", "login_totp"],
        totp: &["login_totp"],
    },
    Layout {
        delimiter: b',',
        quoted: true,
        header: &[
            "collections",
            "type",
            "name",
            "notes",
            "fields",
            "reprompt",
            "login_uri",
            "login_username",
            "login_password",
            "login_totp",
        ],
        secrets: &["login_password", "login_totp"],
        totp: &["login_totp"],
    },
    Layout {
        delimiter: b';',
        quoted: false,
        header: &[
            "Name",
            "Id",
            "Parent",
            "NodeType",
            "Description",
            "Icon",
            "Panel",
            "Username",
            "Password",
            "Domain",
            "Hostname",
            "Port",
            "VmId",
            "Protocol",
            "SSHTunnelConnectionName",
            "OpeningCommand",
            "SSHOptions",
            "PuttySession",
            "ConnectToConsole",
            "UseCredSsp",
            "RenderingEngine",
            "RDPAuthenticationLevel",
            "Resolution",
            "RedirectDiskDrives",
            "RedirectPrinters",
            "RedirectClipboard",
            "Favorite",
            "RDGatewayUsageMethod",
            "RDGatewayHostname",
            "RDGatewayUseConnectionCredentials",
            "RDGatewayUsername",
            "RDGatewayPassword",
            "RDGatewayDomain",
        ],
        secrets: &["Password", "RDGatewayPassword"],
        totp: &[],
    },
    Layout {
        delimiter: b',',
        quoted: true,
        header: &[
            "Host",
            "Name",
            "Group",
            "ConnectionType",
            "Description",
            "Username",
            "Domain",
            "Password",
            "Port",
            "Expiration",
            "OTPSecret",
            "URL",
        ],
        secrets: &["Password", "OTPSecret"],
        totp: &["OTPSecret"],
    },
];

/// A cell that cannot hold the marker, even after %-decoding or a change of case.
fn without_marker(cell: &str) -> String {
    let mut cell = cell.to_owned();
    loop {
        let lower = cell.to_lowercase();
        let decoded = lower
            .replace("%51", "q")
            .replace("%71", "q")
            .replace("%37", "7");
        let decoded = decoded.replace("%5a", "z").replace("%7a", "z");
        let decoded = decoded.replace("%4b", "k").replace("%6b", "k");
        if !decoded.contains("q7zk") {
            return cell;
        }
        cell = lower.replace('%', "").replace("q7zk", "");
    }
}

/// A secret cell with the marker in it. In a TOTP cell the marker goes into the secret
/// itself: the `secret=` parameter of an otpauth URI, or the whole cell (Base32).
fn with_marker(cell: &str, totp: bool) -> String {
    let cell = without_marker(cell);
    if !totp {
        return match cell.contains('\u{1d}') {
            true => cell.replace('\u{1d}', MARKER),
            false => format!("{MARKER}{cell}"),
        };
    }
    let cell = cell.replace('\u{1d}', "");
    // The first `secret=` parameter of the query, if the cell has one.
    let parameter = cell.find('?').and_then(|query| {
        ["?secret=", "&secret="]
            .iter()
            .filter_map(|p| cell[query..].find(p))
            .min()
            .map(|at| query + at + "?secret=".len())
    });
    match parameter {
        Some(value) => format!("{}{MARKER}{}", &cell[..value], &cell[value..]),
        None => format!("{MARKER}{cell}"),
    }
}

fn write_file(layout: &Layout, rows: &[Vec<String>]) -> Vec<u8> {
    let header: Vec<&str> = match layout.header {
        [] => Column::ALL.iter().map(|c| c.name()).collect(),
        names => names.to_vec(),
    };
    if !layout.quoted {
        // mRemoteNG: values joined as they are, each followed by ';'.
        let mut out = String::new();
        for row in std::iter::once(header.iter().map(|s| s.to_string()).collect())
            .chain(rows.iter().cloned())
        {
            let row: Vec<String> = row;
            for cell in row {
                out.push_str(&cell);
                out.push(';');
            }
            out.push_str("\r\n");
        }
        return out.into_bytes();
    }
    let mut csv = csv::WriterBuilder::new()
        .delimiter(layout.delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    csv.write_record(&header).expect("write the header");
    for row in rows {
        csv.write_record(row).expect("write a row");
    }
    csv.into_inner().expect("the file")
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return };
    let layout = &LAYOUTS[first as usize % LAYOUTS.len()];
    let names: Vec<&str> = match layout.header {
        [] => Column::ALL.iter().map(|c| c.name()).collect(),
        names => names.to_vec(),
    };
    let rows: Vec<Vec<String>> = chars
        .as_str()
        .split('\u{1e}')
        .take(16)
        .map(|row| {
            row.split('\u{1f}')
                .take(names.len())
                .enumerate()
                .map(|(i, cell)| {
                    let secret = layout.secrets.contains(&names[i]) && !cell.is_empty();
                    match secret {
                        true => with_marker(cell, layout.totp.contains(&names[i])),
                        false => without_marker(cell),
                    }
                })
                .collect::<Vec<String>>()
        })
        .map(|mut row| {
            row.resize(names.len(), String::new());
            row
        })
        .collect();
    if !rows.iter().flatten().any(|cell| cell.contains(MARKER)) {
        return; // nothing secret to give away
    }
    let file = write_file(layout, &rows);
    let options = ImportOptions {
        on_conflict: ConflictPolicy::Fail,
        skip_invalid: true,
        format: None,
    };

    let mut session = empty_vault().open().expect("open a copy of the vault");
    let preview = preview_import(&session, &file, options);
    let written = import(&mut session, &file, options);
    let (preview, written) = match (preview, written) {
        (Err(a), Err(b)) => {
            for e in [a.to_string(), b.to_string()] {
                assert_one_line(&e);
                assert_not_echoed(&e, "", MARKER, "secret marked");
            }
            return;
        }
        (Ok(preview), Ok(written)) => (preview, written),
        (a, b) => panic!("the preview and the import disagree: {a:?} / {b:?}"),
    };
    assert_eq!(
        preview.1, written.summary,
        "the write pass differs from the preview"
    );
    for error in &written.summary.errors {
        assert_one_line(&error.reason);
        assert_not_echoed(&error.reason, "", MARKER, "secret marked");
    }

    // Whatever was imported: the marker only in secret columns of the export.
    let export = export_native(&session).expect("export");
    let mut csv = csv::Reader::from_reader(export.as_slice());
    let header = csv.headers().expect("export header").clone();
    for record in csv.records() {
        let record = record.expect("an exported record");
        for (name, value) in header.iter().zip(record.iter()) {
            if !NATIVE_SECRETS.contains(&name) {
                assert_not_echoed(value, "", MARKER, &format!("secret (in column {name})"));
            }
        }
    }
});
