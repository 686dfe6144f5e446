//! Every input a fuzz target (`fuzz/`, `scripts/fuzz.sh`) failed on, kept under
//! `tests/fixtures/fuzz/<target>/` and checked here on stable Rust, through the public API,
//! with the property its target asserts. A new reproducer goes into its target's directory
//! before the bug is fixed; every directory there must have a test here.

use std::io::{self, Read};
use std::path::PathBuf;

use crate::common::{fixture, new_vault, password};
use sallyport_core::crypto::{Binding, BlobKind, RecordCipher};
use sallyport_core::import::encoding::{first_record, read_first_line, sniff_delimiter, Decoder};
use sallyport_core::import::{ConflictPolicy, ImportOptions};
use sallyport_core::model::Column;
use sallyport_core::store::memory::MemoryBackend;
use sallyport_core::store::{CustomerRow, EntryRow, Store, StoreRead};
use sallyport_core::totp;
use sallyport_core::vault::header::Header;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::Session;

/// The test of each target's directory.
const TESTED: &[&str] = &[
    "decode_text",
    "import_round_trip",
    "import_secrets",
    "sealed_records",
    "totp_migration",
    "totp_parse",
    "vault_header",
];

/// The inputs kept for `target` (not their `.expect` files), with their names.
fn inputs(target: &str) -> Vec<(String, PathBuf)> {
    let dir = fixture("fuzz").join(target);
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_none_or(|e| e != "expect"))
        .map(|path| {
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            )
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no inputs in {}", dir.display());
    found
}

/// Panics unless `message` is one line of plain text.
fn assert_one_line(message: &str) {
    assert!(
        !message
            .chars()
            .any(sallyport_core::text::is_forbidden_inline),
        "not one line: {message:?}"
    );
}

/// Panics if `message` holds `secret` (in any case), or 8 characters of it in a row.
fn assert_not_echoed(message: &str, secret: &str, what: &str) {
    let message = message.to_lowercase();
    let secret: Vec<char> = secret.to_lowercase().chars().collect();
    for piece in secret.windows(secret.len().clamp(1, 8)) {
        let piece: String = piece.iter().collect();
        assert!(
            !message.contains(&piece),
            "{what}: the message echoes {piece:?} of a secret: {message:?}"
        );
    }
}

#[test]
fn every_target_directory_has_a_test() {
    for entry in std::fs::read_dir(fixture("fuzz")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                TESTED.contains(&name.as_str()),
                "tests/fixtures/fuzz/{name} is not tested"
            );
        }
    }
}

/// A reader handing out 1, 2, … 7 bytes per read, in turn.
struct Trickle<'a>(&'a [u8], usize);

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.1 = self.1 % 7 + 1;
        let n = buf.len().min(self.0.len()).min(self.1);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// The header record and delimiter as the import sees them, and the whole decoded text.
fn sniffed(reader: impl Read) -> (Vec<u8>, u8, Vec<u8>) {
    let mut decoder = Decoder::new(reader);
    let head = read_first_line(&mut decoder).unwrap();
    let record = first_record(&head).to_vec();
    let delimiter = sniff_delimiter(&head);
    let mut rest = Vec::new();
    decoder.read_to_end(&mut rest).unwrap();
    (record, delimiter, [head, rest].concat())
}

#[test]
fn decode_text_the_header_and_delimiter_do_not_depend_on_how_bytes_arrive() {
    for (name, path) in inputs("decode_text") {
        let bytes = std::fs::read(&path).unwrap();
        let whole = sniffed(bytes.as_slice());
        let trickled = sniffed(Trickle(&bytes, 0));
        assert_eq!(whole, trickled, "{name}");
    }
}

/// What import_secrets marks every password and TOTP secret with.
const MARKER: &str = "Q7ZK";

#[test]
fn import_secrets_no_secret_in_an_error_or_a_field_that_is_not_secret() {
    for (name, path) in inputs("import_secrets") {
        let (dir, _, mut session) = new_vault();
        let options = ImportOptions {
            on_conflict: ConflictPolicy::Fail,
            skip_invalid: true,
            format: None,
        };
        let preview = session
            .plan_import(&path, options)
            .map(|p| p.summary().clone());
        let imported = match session.import_in_one_pass(&path, options, &mut |_| {}) {
            Ok(imported) => imported,
            Err(e) => {
                assert_one_line(&e.to_string());
                assert_not_echoed(&e.to_string(), MARKER, &name);
                continue;
            }
        };
        assert_eq!(
            preview.unwrap(),
            imported.summary,
            "{name}: the write pass differs from the preview"
        );
        for error in &imported.summary.errors {
            assert_one_line(&error.reason);
            assert_not_echoed(&error.reason, MARKER, &name);
        }
        let export = dir.path().join("export.csv");
        session.export_native(&export).unwrap();
        let mut csv = csv::Reader::from_path(&export).unwrap();
        let header = csv.headers().unwrap().clone();
        let secret = [Column::Password, Column::Totp, Column::VpnSecret].map(Column::name);
        for record in csv.records() {
            for (column, value) in header.iter().zip(record.unwrap().iter()) {
                if !secret.contains(&column) {
                    assert_not_echoed(value, MARKER, &format!("{name}, column {column}"));
                }
            }
        }
    }
}

/// Export → import: what a file imported (invalid rows skipped) exports to a native file
/// that imports again without an invalid row, and exports to the same bytes.
#[test]
fn import_round_trip_the_export_of_an_import_imports_again() {
    for (name, path) in inputs("import_round_trip") {
        let (dir, _, mut session) = new_vault();
        let options = ImportOptions {
            on_conflict: ConflictPolicy::Fail,
            skip_invalid: true,
            format: None,
        };
        let imported = session
            .import_in_one_pass(&path, options, &mut |_| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(imported.summary.created > 0, "{name}: nothing imported");
        let export = dir.path().join("export.csv");
        session.export_native(&export).unwrap();
        let (again_dir, _, mut again) = new_vault();
        let strict = ImportOptions {
            skip_invalid: false,
            ..options
        };
        let second = again
            .import_in_one_pass(&export, strict, &mut |_| {})
            .unwrap_or_else(|e| panic!("{name}: the export does not import: {e}"));
        assert!(
            second.written && second.summary.errors.is_empty(),
            "{name}: {:?}",
            second.summary.errors
        );
        let reexport = again_dir.path().join("export.csv");
        again.export_native(&reexport).unwrap();
        assert_eq!(
            std::fs::read(&export).unwrap(),
            std::fs::read(&reexport).unwrap(),
            "{name}: export → import → export changed the file"
        );
    }
}

/// The secret text of a TOTP input as the parser sees it: a URI's `secret=` values, or all.
fn secret_texts(input: &str) -> Vec<&str> {
    let trimmed = input.trim();
    if !trimmed.to_ascii_lowercase().starts_with("otpauth://") {
        return vec![trimmed];
    }
    let query = trimmed.split_once('?').map_or("", |(_, q)| q);
    query
        .split(['&', '?'])
        .filter_map(|pair| pair.split_once('='))
        .filter(|(key, _)| key.eq_ignore_ascii_case("secret"))
        .map(|(_, value)| value)
        .collect()
}

#[test]
fn totp_parse_round_trips_and_never_echoes_the_secret() {
    for (name, path) in inputs("totp_parse") {
        let input = std::fs::read_to_string(&path).unwrap();
        match totp::parse(&input) {
            Ok((params, secret)) => {
                let uri = totp::to_uri(&params, &secret);
                let (params2, secret2) = totp::parse(uri.expose()).unwrap();
                assert_eq!(params2, params, "{name}: the URI round trip");
                assert_eq!(secret2, secret, "{name}: the URI round trip");
            }
            Err(e) => {
                let message = e.to_string();
                assert_one_line(&message);
                // Shorter strings occur in the messages' own words.
                for secret in secret_texts(&input).into_iter().filter(|s| s.len() >= 8) {
                    assert_not_echoed(&message, secret, &name);
                }
            }
        }
    }
}

#[test]
fn totp_migration_accounts_are_read_as_google_writes_them() {
    for (name, path) in inputs("totp_migration") {
        let uri = std::fs::read_to_string(&path).unwrap();
        let expect = std::fs::read_to_string(path.with_extension("expect")).unwrap();
        let expected: Vec<(String, String)> = expect
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let (issuer, account) = l.split_once('\t').unwrap();
                (issuer.to_owned(), account.to_owned())
            })
            .collect();
        let found = totp::decode_migration_uri(&uri).unwrap();
        let accounts: Vec<(String, String)> = found
            .accounts
            .iter()
            .map(|(params, secret)| {
                totp::TotpGenerator::new(params, secret).unwrap();
                (params.issuer.clone(), params.account.clone())
            })
            .collect();
        assert_eq!(accounts, expected, "{name}");
    }
}

/// Seals `plain` with the vault's key as the record of `row` in `table` and stores it.
fn store_sealed(
    backend: &MemoryBackend,
    table: &str,
    row: &str,
    plain: &[u8],
    customer: Option<String>,
) {
    let raw = backend.raw().unwrap();
    let header = raw.meta("header").unwrap().unwrap();
    let sum = String::from_utf8(raw.meta("header_sha256").unwrap().unwrap()).unwrap();
    let key = sallyport_core::vault::header::Header::from_stored(&header, &sum)
        .unwrap()
        .unwrap_key(&password())
        .unwrap();
    let cipher = RecordCipher::new(&key);
    let kind = match customer {
        None => BlobKind::Customer,
        Some(_) => BlobKind::Entry,
    };
    let record = cipher
        .seal(
            Binding {
                table,
                row_id: row,
                kind,
            },
            plain,
        )
        .unwrap();
    let mut store = backend.raw().unwrap();
    store
        .write(&mut |tx| match &customer {
            None => tx.put_customer(&CustomerRow {
                id: row.into(),
                record: record.clone(),
            }),
            Some(customer_id) => tx.put_entry(&EntryRow {
                id: row.into(),
                customer_id: customer_id.clone(),
                record: record.clone(),
            }),
        })
        .unwrap();
}

/// The row a record claims to be (its `id`, as the fuzz target stores it), else `ROW`.
fn row_of(plain: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(plain)
        .ok()
        .and_then(|v| v.get("id")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "01900000-0000-7000-8000-000000000000".to_owned())
}

#[test]
fn sealed_records_an_unreadable_record_is_named_not_quoted() {
    for (name, path) in inputs("sealed_records") {
        let bytes = std::fs::read(&path).unwrap();
        let backend = MemoryBackend::new();
        let mut session =
            Session::create(&backend, &password(), "Test Staff", KdfParams::floor()).unwrap();
        if let Some(kind) = name.strip_prefix("forged-") {
            // A row someone edited in the file: its id (the input) is plain text there.
            assert!(kind.starts_with("customer"), "{name}");
            let row = CustomerRow {
                id: String::from_utf8(bytes).unwrap(),
                record: vec![0; 40],
            };
            backend
                .raw()
                .unwrap()
                .write(&mut |tx| tx.put_customer(&row))
                .unwrap();
            drop(session);
            let message = Session::unlock(&backend, &password())
                .unwrap_err()
                .to_string();
            assert_one_line(&message);
            assert!(
                message.contains("failed authentication"),
                "{name}: {message}"
            );
            continue;
        }
        let expected = std::fs::read_to_string(path.with_extension("expect")).unwrap();
        let row = row_of(&bytes);
        let message = if name.starts_with("customer") {
            store_sealed(&backend, "customers", &row, &bytes, None);
            drop(session);
            Session::unlock(&backend, &password())
                .unwrap_err()
                .to_string()
        } else {
            let options = ImportOptions::default();
            session
                .import_in_one_pass(&fixture("import/valid.csv"), options, &mut |_| {})
                .unwrap();
            let customer = session.customers()[0].clone();
            let owner = Some(customer.id.to_string());
            store_sealed(&backend, "entries", &row, &bytes, owner);
            session.entries(&customer).unwrap_err().to_string()
        };
        assert_one_line(&message);
        assert_eq!(message, expected.trim_end(), "{name}");
    }
}

#[test]
fn vault_header_every_refusal_is_one_line() {
    use sha2::{Digest, Sha256};
    for (name, path) in inputs("vault_header") {
        let bytes = std::fs::read(&path).unwrap();
        let checksum = hex::encode(Sha256::digest(&bytes));
        match Header::from_stored(&bytes, &checksum) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => assert_one_line(&e.to_string()),
        }
    }
}
