//! The vault file under attack: tampered records and headers, wrong passwords, the
//! persisted backoff, and a grep for plaintext.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use crate::common::*;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{Error, SecretString, Session};
use sallyport_sqlite::LocalFile;

fn assert_integrity<T: std::fmt::Debug>(result: sallyport_core::Result<T>, what: &str) {
    match result {
        Err(Error::Integrity(_)) => {}
        other => panic!("{what}: expected an integrity error, got {other:?}"),
    }
}

/// Unlocks and decrypts every entry's secrets.
fn open_everything(path: &std::path::Path) -> sallyport_core::Result<usize> {
    let session = unlock(path)?;
    let mut n = 0;
    for c in session.customers() {
        for e in session.entries(c)? {
            session.entry_secrets(&e)?;
            n += 1;
        }
    }
    Ok(n)
}

#[test]
fn untouched_vault_opens_completely() {
    let (_dir, path) = populated_vault();
    assert_eq!(open_everything(&path).unwrap(), 5);
}

#[test]
fn a_flipped_byte_in_any_record_is_an_integrity_error() {
    let (_dir, path) = populated_vault();
    for (table, key, col) in [
        ("customers", "id", "record"),
        ("entries", "id", "record"),
        ("entry_secrets", "entry_id", "blob"),
    ] {
        for id in ids(&path, table, key) {
            let original = blob(&path, table, key, col, &id);
            for position in [0, 12, original.len() / 2, original.len() - 1] {
                let mut damaged = original.clone();
                damaged[position] ^= 0x01;
                set_blob(&path, table, key, col, &id, &damaged);
                assert_integrity(
                    open_everything(&path),
                    &format!("{table} {id} byte {position}"),
                );
            }
            set_blob(&path, table, key, col, &id, &original);
        }
    }
    assert_eq!(open_everything(&path).unwrap(), 5);
}

#[test]
fn ciphertext_moved_to_another_row_or_field_fails() {
    let (_dir, path) = populated_vault();
    let swap = |table: &str, key: &str, col: &str, a: &str, b: &str| {
        let (blob_a, blob_b) = (
            blob(&path, table, key, col, a),
            blob(&path, table, key, col, b),
        );
        set_blob(&path, table, key, col, a, &blob_b);
        set_blob(&path, table, key, col, b, &blob_a);
    };
    for (table, key, col) in [
        ("customers", "id", "record"),
        ("entries", "id", "record"),
        ("entry_secrets", "entry_id", "blob"),
    ] {
        let rows = ids(&path, table, key);
        swap(table, key, col, &rows[0], &rows[1]);
        assert_integrity(open_everything(&path), &format!("{table} rows swapped"));
        swap(table, key, col, &rows[0], &rows[1]);
    }
    // Same row id, other field: an entry record placed in the entry's secrets blob.
    let entry_with_secrets = ids(&path, "entry_secrets", "entry_id")[0].clone();
    let secrets = blob(
        &path,
        "entry_secrets",
        "entry_id",
        "blob",
        &entry_with_secrets,
    );
    let record = blob(&path, "entries", "id", "record", &entry_with_secrets);
    set_blob(
        &path,
        "entry_secrets",
        "entry_id",
        "blob",
        &entry_with_secrets,
        &record,
    );
    assert_integrity(open_everything(&path), "entry record as secrets blob");
    set_blob(
        &path,
        "entry_secrets",
        "entry_id",
        "blob",
        &entry_with_secrets,
        &secrets,
    );
    // Another table: the sealed settings placed into a customer row.
    let settings = blob(&path, "meta", "key", "value", "settings");
    let customer = ids(&path, "customers", "id")[0].clone();
    set_blob(&path, "customers", "id", "record", &customer, &settings);
    assert_integrity(open_everything(&path), "settings blob as a customer record");
}

fn edit_header(path: &std::path::Path, edit: impl Fn(&mut serde_json::Value), fix_checksum: bool) {
    let bytes = blob(path, "meta", "key", "value", "header");
    let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    edit(&mut json);
    let new_bytes = serde_json::to_vec(&json).unwrap();
    set_blob(path, "meta", "key", "value", "header", &new_bytes);
    if fix_checksum {
        use sha2::Digest;
        let sum = hex::encode(sha2::Sha256::digest(&new_bytes));
        set_blob(
            path,
            "meta",
            "key",
            "value",
            "header_sha256",
            sum.as_bytes(),
        );
    }
}

#[test]
fn a_flipped_byte_in_the_header_is_an_integrity_error() {
    let (_dir, path) = populated_vault();
    let original = blob(&path, "meta", "key", "value", "header");
    let text = String::from_utf8(original.clone()).unwrap();
    // Flip one byte inside each field: the KDF memory, the salt, the wrapped key, the id.
    for field in [
        "\"memory_kib\":",
        "\"iterations\":",
        "\"salt\":\"",
        "\"wrapped_key\":\"",
        "\"vault_id\":\"",
    ] {
        let at = text.find(field).unwrap() + field.len() + 1;
        let mut damaged = original.clone();
        damaged[at] = if damaged[at] == b'1' { b'2' } else { b'1' };
        set_blob(&path, "meta", "key", "value", "header", &damaged);
        let before = dump(&path, &[]);
        let message = unlock(&path)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("header is damaged"), "{field}: {message}");
        assert_integrity(unlock(&path), field);
        assert_eq!(
            dump(&path, &[]),
            before,
            "{field}: counted as a failed password"
        );
        set_blob(&path, "meta", "key", "value", "header", &original);
    }
    assert!(unlock(&path).is_ok());
}

#[test]
fn a_forged_header_with_a_fresh_checksum_cannot_unwrap_the_key() {
    let (_dir, path) = populated_vault();
    let before = dump(&path, &["unlock_backoff"]);
    edit_header(&path, |h| h["kdf_params"]["iterations"] = 3.into(), true);
    assert!(matches!(unlock(&path), Err(Error::WrongPassword)));
    let after = dump(&path, &["unlock_backoff", "header", "header_sha256"]);
    let before: Vec<_> = before
        .into_iter()
        .filter(|(_, k, _)| k != "header" && k != "header_sha256")
        .collect();
    assert_eq!(before, after);
}

#[test]
fn kdf_parameters_outside_floors_and_ceilings_are_refused_on_read() {
    let cases: [(&str, u64); 5] = [
        ("memory_kib", 19_455),
        ("memory_kib", 1_048_577),
        ("iterations", 1),
        ("iterations", 11),
        ("parallelism", 0),
    ];
    for (field, value) in cases {
        let (_dir, path) = populated_vault();
        edit_header(&path, |h| h["kdf_params"][field] = value.into(), true);
        match unlock(&path) {
            Err(Error::KdfOutOfRange(msg)) => assert!(msg.contains(&value.to_string()), "{msg}"),
            other => panic!("{field}={value}: expected refusal, got {other:?}"),
        }
    }
}

#[test]
fn creating_with_parameters_below_the_floor_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.sallyport");
    let weak = KdfParams {
        memory_kib: 8192,
        ..KdfParams::floor()
    };
    assert!(matches!(
        Session::create(&LocalFile::new(&path), &password(), "x", weak),
        Err(Error::KdfOutOfRange(_))
    ));
    assert!(!path.exists(), "a refused vault must leave no file behind");
}

#[test]
fn wrong_password_changes_nothing_but_the_failure_counter_and_its_note() {
    let (_dir, path) = populated_vault();
    let before = dump(&path, &["unlock_backoff"]);
    let err = Session::unlock(
        &LocalFile::new(&path),
        &SecretString::from("not the password"),
    )
    .unwrap_err();
    assert!(matches!(err, Error::WrongPassword));
    assert_eq!(err.to_string(), "wrong master password");
    assert_eq!(dump(&path, &["unlock_backoff"]), before);
    // The attempt is noted (time, OS user, host, reason) for the audit log's next unlock.
    let reasons: Vec<String> = {
        let conn = sql(&path);
        let mut stmt = conn.prepare("SELECT reason FROM audit_pending").unwrap();
        let rows = stmt.query_map([], |r| r.get(0)).unwrap();
        rows.map(Result::unwrap).collect()
    };
    assert_eq!(reasons, ["wrong master password"]);
}

#[test]
fn backoff_refuses_even_the_right_password_and_doubles() {
    let (_dir, path) = populated_vault();
    let wrong = SecretString::from("not the password");
    let store = || -> Box<dyn sallyport_core::store::Store> {
        Box::new(sallyport_sqlite::SqliteStore::open(&path).unwrap())
    };
    let t0 = 1_800_000_000;
    for i in 0..4 {
        assert!(matches!(
            Session::unlock_store(store(), &wrong, t0 + i, false),
            Err(Error::WrongPassword)
        ));
    }
    // The fifth failure starts a 30 s wait.
    assert!(matches!(
        Session::unlock_store(store(), &wrong, t0 + 4, false),
        Err(Error::LockedOut { wait_seconds: 30 })
    ));
    // Each new store is a fresh open of the file: the state is persisted, not in memory.
    let refused = Session::unlock_store(store(), &password(), t0 + 10, false).unwrap_err();
    assert!(matches!(refused, Error::LockedOut { wait_seconds: 24 }));
    assert!(
        refused.to_string().contains("try again in 24 s"),
        "{refused}"
    );
    // After the wait a wrong password doubles it; the right one is accepted and resets.
    assert!(matches!(
        Session::unlock_store(store(), &wrong, t0 + 40, false),
        Err(Error::LockedOut { wait_seconds: 60 })
    ));
    assert!(Session::unlock_store(store(), &password(), t0 + 101, false).is_ok());
    assert!(matches!(
        Session::unlock_store(store(), &wrong, t0 + 102, false),
        Err(Error::WrongPassword)
    ));
}

#[test]
fn no_plaintext_about_customers_in_the_file() {
    let (dir, path) = populated_vault();
    // Open and lock once more so the WAL is checkpointed into the main file.
    unlock(&path).unwrap().lock().unwrap();
    let canaries = [
        "Acme",
        "ACME",
        "acme.example",
        "rds.acme",
        "Canary-Pass",
        "vendor",
        "Maintenance window",
        "Beta Logistics",
        "10.20.30.40",
        "2001:db8",
        "ikev2",
        "Install the profile",
        "gold",
        "Test Staff",
        "JBSWY3DP",
        "GEZDGNBV",
        "2027-01-31",
        "bob",
    ];
    let mut checked = 0;
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let file = file.unwrap().path();
        let bytes = std::fs::read(&file).unwrap();
        let lower = String::from_utf8_lossy(&bytes).to_lowercase();
        for canary in canaries {
            assert!(
                !lower.contains(&canary.to_lowercase()),
                "{canary:?} readable in {}",
                file.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 1);
}

#[cfg(unix)]
#[test]
fn the_vault_file_is_private_and_the_wal_is_checkpointed_on_lock() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, path) = populated_vault();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let wal = dir.path().join("vault.sallyport-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "WAL left with data after lock"
    );
}

#[test]
fn changing_the_master_password_rewrites_only_the_wrapped_key() {
    let (_dir, path) = populated_vault();
    let before = dump(&path, &["header", "header_sha256"]);
    let header_before = blob(&path, "meta", "key", "value", "header");
    let mut session = unlock(&path).unwrap();
    let new_password = SecretString::from("a brand new passphrase");
    session.change_password(&new_password).unwrap();
    session.lock().unwrap();
    assert_eq!(dump(&path, &["header", "header_sha256"]), before);
    assert_ne!(blob(&path, "meta", "key", "value", "header"), header_before);
    assert!(matches!(unlock(&path), Err(Error::WrongPassword)));
    let session = Session::unlock(&LocalFile::new(&path), &new_password).unwrap();
    assert_eq!(session.customers().len(), 4);
}

#[test]
fn short_master_passwords_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = Session::create(
        &LocalFile::new(dir.path().join("v")),
        &SecretString::from("short"),
        "x",
        KdfParams::floor(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "master password: must be at least 8 characters long"
    );
}

#[test]
fn a_file_that_is_not_a_vault_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(
        &path,
        "just some text, not a database at all, long enough to be read",
    )
    .unwrap();
    assert!(matches!(unlock(&path), Err(Error::NotAVault { .. })));
    assert!(matches!(
        unlock(&dir.path().join("missing")),
        Err(Error::NoVault(_))
    ));
}

static_assertions::assert_not_impl_any!(SecretString: serde::Serialize);
static_assertions::assert_not_impl_any!(sallyport_core::SecretBytes: serde::Serialize);
static_assertions::assert_not_impl_any!(sallyport_core::Key256: serde::Serialize);
static_assertions::assert_not_impl_any!(sallyport_core::model::EntrySecrets: serde::Serialize);

#[test]
fn a_deleted_or_foreign_entry_row_is_detected() {
    let (_dir, path) = populated_vault();
    let session = unlock(&path).unwrap();
    let acme = session.find_customer("ACME").unwrap().clone();
    let victim = acme.entries[0].id.to_string();
    drop(session);
    sql(&path)
        .execute("DELETE FROM entries WHERE id = ?1", [&victim])
        .unwrap();
    // The record manifest refuses the unlock (see rollback.rs); without it, the customer's
    // own list of entries still catches the gap when its entries are opened.
    assert_integrity(unlock(&path), "deleted entry row");
    sql(&path)
        .execute("DELETE FROM meta WHERE key = 'record_manifest'", [])
        .unwrap();
    assert_integrity(unlock(&path), "deleted manifest");
}
