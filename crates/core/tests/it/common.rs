//! Helpers shared by the core's integration tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use sallyport_core::import::{ConflictPolicy, ImportOptions, ImportSummary};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{SecretString, Session};
use sallyport_sqlite::LocalFile;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

pub fn password() -> SecretString {
    SecretString::from(PASSWORD)
}

/// A fresh vault (Argon2 at its floor) in a temp dir; the dir must outlive the path.
pub fn new_vault() -> (tempfile::TempDir, PathBuf, Session) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("vault.sallyport");
    let session = Session::create(
        &LocalFile::new(&path),
        &password(),
        "Test Staff",
        KdfParams::floor(),
    )
    .expect("create");
    (dir, path, session)
}

pub fn import(session: &mut Session, file: &Path, on_conflict: ConflictPolicy) -> ImportSummary {
    let options = ImportOptions {
        on_conflict,
        skip_invalid: false,
        format: None,
    };
    let plan = session.plan_import(file, options).expect("plan");
    session.apply_import(plan).expect("apply")
}

/// A vault holding the `import/valid.csv` fixture, locked.
pub fn populated_vault() -> (tempfile::TempDir, PathBuf) {
    let (dir, path, mut session) = new_vault();
    import(
        &mut session,
        &fixture("import/valid.csv"),
        ConflictPolicy::Fail,
    );
    session.lock().expect("lock");
    (dir, path)
}

pub fn unlock(path: &Path) -> sallyport_core::Result<Session> {
    Session::unlock(&LocalFile::new(path), &password())
}

pub fn sql(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open sqlite")
}

/// Every stored row of the data tables, for before/after comparisons. The audit chain (its
/// rows and head) is left out: it grows with every unlock by design.
pub fn dump(path: &Path, skip_meta_keys: &[&str]) -> Vec<(String, String, Vec<u8>)> {
    let conn = sql(path);
    let mut out = Vec::new();
    for (table, key, value) in [
        ("customers", "id", "record"),
        ("entries", "id", "record"),
        ("entry_secrets", "entry_id", "blob"),
        ("meta", "key", "value"),
    ] {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT {key}, {value} FROM {table} ORDER BY {key}"
            ))
            .expect("prepare");
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .expect("query");
        for row in rows {
            let (k, v) = row.expect("row");
            if table == "meta" && (k == "audit_head" || skip_meta_keys.contains(&k.as_str())) {
                continue;
            }
            out.push((table.to_owned(), k, v));
        }
    }
    out
}

pub fn blob(path: &Path, table: &str, key_col: &str, blob_col: &str, key: &str) -> Vec<u8> {
    sql(path)
        .query_row(
            &format!("SELECT {blob_col} FROM {table} WHERE {key_col} = ?1"),
            [key],
            |r| r.get(0),
        )
        .expect("blob")
}

pub fn set_blob(path: &Path, table: &str, key_col: &str, blob_col: &str, key: &str, value: &[u8]) {
    let n = sql(path)
        .execute(
            &format!("UPDATE {table} SET {blob_col} = ?1 WHERE {key_col} = ?2"),
            rusqlite::params![value, key],
        )
        .expect("update");
    assert_eq!(n, 1, "no row {key} in {table}");
}

pub fn ids(path: &Path, table: &str, key_col: &str) -> Vec<String> {
    let conn = sql(path);
    let mut stmt = conn
        .prepare(&format!("SELECT {key_col} FROM {table} ORDER BY {key_col}"))
        .expect("prepare");
    let ids = stmt
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<Vec<String>, _>>()
        .expect("ids");
    ids
}

/// The last audit event, read through a fresh unlock (which appends one more after it).
pub fn last_audit_event(path: &Path) -> sallyport_core::audit::Event {
    let session = unlock(path).expect("unlock");
    let events = session
        .audit_events(&sallyport_core::audit::AuditFilter::default())
        .expect("events");
    events[events.len() - 2].clone()
}
