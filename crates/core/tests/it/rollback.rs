//! Single records rolled back to an older copy of themselves, or deleted, by someone who
//! can write the vault file but has no key: the record manifest refuses the next unlock,
//! and cannot be turned off or rewritten without the key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use sallyport_core::{Error, SecretString, Session};
use sallyport_sqlite::LocalFile;

/// Every row of `table` (`key` column, `value` column), keyed by id.
fn rows(path: &std::path::Path, table: &str, key: &str, value: &str) -> Vec<(String, Vec<u8>)> {
    let conn = sql(path);
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {key}, {value} FROM {table} ORDER BY {key}"
        ))
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn put_back(path: &std::path::Path, table: &str, key: &str, value: &str, row: &(String, Vec<u8>)) {
    let changed = sql(path)
        .execute(
            &format!("UPDATE {table} SET {value} = ?2 WHERE {key} = ?1"),
            rusqlite::params![row.0, row.1],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

/// Writes `header` (and its checksum) into the vault file and removes the manifest, as
/// someone editing the file would.
fn replace_header_without_manifest(path: &std::path::Path, header: &[u8], sum: &str) {
    let conn = sql(path);
    conn.execute("UPDATE meta SET value = ?1 WHERE key = 'header'", [header])
        .unwrap();
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'header_sha256'",
        [sum.as_bytes()],
    )
    .unwrap();
    conn.execute("DELETE FROM meta WHERE key = 'record_manifest'", [])
        .unwrap();
}

fn assert_refused(path: &std::path::Path, what: &str) {
    match unlock(path) {
        Err(Error::Integrity(message)) => assert!(
            message.contains("do not match their sealed manifest"),
            "{what}: {message}"
        ),
        other => panic!("{what}: expected the manifest to refuse, got {other:?}"),
    }
}

#[test]
fn a_customer_put_back_to_an_older_copy_is_detected_at_unlock() {
    let (_dir, path) = populated_vault();
    let before = rows(&path, "customers", "id", "record");
    let mut session = unlock(&path).unwrap();
    let acme = session.find_customer("ACME").unwrap().id;
    session
        .set_reason_policy("ACME", sallyport_core::model::ReasonPolicy::Required)
        .unwrap();
    session.lock().unwrap();
    let old = before
        .iter()
        .find(|(id, _)| *id == acme.to_string())
        .unwrap();
    put_back(&path, "customers", "id", "record", old);
    assert_refused(&path, "customer rolled back");
}

#[test]
fn an_entry_secret_put_back_to_an_older_copy_is_detected_at_unlock() {
    let (_dir, path) = populated_vault();
    let before = rows(&path, "entry_secrets", "entry_id", "blob");
    let mut session = unlock(&path).unwrap();
    let target = session
        .select("ACME", sallyport_core::vault::Purpose::Password)
        .unwrap();
    let today = time::OffsetDateTime::now_utc().date();
    session
        .mark_rotated(
            &target,
            Some(&SecretString::from("a new password 1!")),
            today,
        )
        .unwrap();
    session.lock().unwrap();
    let old = before
        .iter()
        .find(|(id, _)| *id == target.entry.id.to_string())
        .unwrap();
    put_back(&path, "entry_secrets", "entry_id", "blob", old);
    assert_refused(&path, "secret rolled back");
}

#[test]
fn a_deleted_customer_is_detected_at_unlock() {
    let (_dir, path) = populated_vault();
    let victim = rows(&path, "customers", "id", "record").remove(0).0;
    sql(&path)
        .execute("DELETE FROM customers WHERE id = ?1", [&victim])
        .unwrap();
    assert_refused(&path, "customer deleted");
}

#[test]
fn the_manifest_flag_cannot_be_taken_out_of_the_header() {
    let (_dir, path) = populated_vault();
    let conn = sql(&path);
    let header: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'header'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let mut parsed: serde_json::Value = serde_json::from_slice(&header).unwrap();
    assert_eq!(parsed["record_manifest"], true);
    parsed.as_object_mut().unwrap().remove("record_manifest");
    let edited = serde_json::to_vec(&parsed).unwrap();
    let sum = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&edited));
    drop(conn);
    replace_header_without_manifest(&path, &edited, &sum);
    // The flag is bound into the key wrap: without it the password unwraps nothing.
    assert!(matches!(unlock(&path), Err(Error::WrongPassword)));
}

#[test]
fn legitimate_changes_keep_the_manifest_true() {
    let (_dir, path) = populated_vault();
    let mut session = unlock(&path).unwrap();
    let acme = session.find_customer("ACME").unwrap().clone();
    session.delete_customer(acme.id).unwrap();
    session.lock().unwrap();
    let session = Session::unlock(&LocalFile::new(&path), &password()).unwrap();
    assert!(session.find_customer("ACME").is_err());
}

#[test]
fn a_vault_from_before_manifests_gets_one_at_its_next_unlock() {
    use sallyport_core::vault::header::Header;
    let (_dir, path) = populated_vault();
    let conn = sql(&path);
    let meta = |key: &str| -> Vec<u8> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .unwrap()
    };
    let header = Header::from_stored(
        &meta("header"),
        &String::from_utf8(meta("header_sha256")).unwrap(),
    )
    .unwrap();
    let key = header.unwrap_key(&password()).unwrap();
    let legacy = Header {
        record_manifest: false,
        ..header
    }
    .wrap(&key, &password())
    .unwrap();
    let (bytes, sum) = legacy.to_stored().unwrap();
    drop(conn);
    replace_header_without_manifest(&path, &bytes, &sum);

    unlock(&path).unwrap().lock().unwrap(); // adopts a manifest
    let victim = rows(&path, "customers", "id", "record").remove(0).0;
    sql(&path)
        .execute("DELETE FROM customers WHERE id = ?1", [&victim])
        .unwrap();
    assert_refused(&path, "customer deleted after the upgrade");
}
