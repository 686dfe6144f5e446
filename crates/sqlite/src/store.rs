//! The single-file SQLite backend.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};

use sallyport_core::store::{
    AuditRow, CustomerRow, EntryRow, FailedUnlock, RecordRewrite, RecordTagVisitor, SealedTable,
    Store, StoreRead, StoreWrite,
};
use sallyport_core::{Error, Result};

/// A SQLite error as the core's: SQLite's messages name tables and constraints, never
/// bound values, so they can be shown.
fn db(e: rusqlite::Error) -> Error {
    Error::Storage(e.to_string())
}

/// `?` for rusqlite results.
trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(db)
    }
}

/// Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    // 1: meta values, customers, entries and their secrets, all records sealed.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
     CREATE TABLE customers (id TEXT PRIMARY KEY, record BLOB NOT NULL) WITHOUT ROWID;
     CREATE TABLE entries (
         id TEXT PRIMARY KEY,
         customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
         record BLOB NOT NULL) WITHOUT ROWID;
     CREATE INDEX entries_by_customer ON entries(customer_id);
     CREATE TABLE entry_secrets (
         entry_id TEXT PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
         blob BLOB NOT NULL) WITHOUT ROWID;",
    // 2: the audit chain (sealed events, each with its chain MAC) and the plaintext notes of
    //    failed unlocks waiting to be folded into it.
    "CREATE TABLE audit (seq INTEGER PRIMARY KEY, record BLOB NOT NULL, mac BLOB NOT NULL);
     CREATE TABLE audit_pending (
         id INTEGER PRIMARY KEY,
         at_ms INTEGER NOT NULL,
         os_user TEXT NOT NULL,
         host TEXT NOT NULL,
         reason TEXT NOT NULL,
         repeats INTEGER NOT NULL DEFAULT 1);",
];

/// A vault in one SQLite file (WAL mode, secure_delete, 0600).
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// A second, read-only connection ([`Store::second_reader`]): never checkpoints.
    reader: bool,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqliteStore({})", self.path.display())
    }
}

impl SqliteStore {
    /// Creates a new vault file (refusing to overwrite one) and its schema.
    pub fn create(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            sallyport_core::private_fs::create_dir(dir)?;
        }
        create_private_file(path)?;
        Self::connect(path)
    }

    /// Opens an existing vault file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if !path.is_file() {
            return Err(Error::NoVault(path.display().to_string()));
        }
        Self::connect(path)
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn connect(path: &Path) -> Result<Self> {
        let not_a_vault = |e: rusqlite::Error| Error::NotAVault {
            location: path.display().to_string(),
            reason: e.to_string(),
        };
        let conn = Connection::open(path).map_err(not_a_vault)?;
        // synchronous = FULL: in WAL mode NORMAL may lose the last transactions on power
        // loss, and one of them may be the audit event of a password handed out. FULL syncs
        // the WAL at every commit (the import benchmark's cost is in ARCHITECTURE.md).
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA secure_delete = ON;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA busy_timeout = 5000;",
        )
        .map_err(not_a_vault)?;
        let mut store = Self {
            conn,
            path: path.to_path_buf(),
            reader: false,
        };
        store.migrate()?;
        Ok(store)
    }

    /// Runs `batch` in one transaction, as [`Store::write`] does, but commits without waiting
    /// for the disk (`synchronous = NORMAL` for this commit): the file stays consistent, and a
    /// power cut may lose this transaction (and others like it since the last sync). For values
    /// that only ever move forward and cost little to lose: a team profile's last chain head
    /// seen, written after every credential use, where a sync per use queued 20 members'
    /// uses behind each other's disk flushes.
    pub fn write_unsynced(
        &mut self,
        batch: &mut dyn FnMut(&mut dyn StoreWrite) -> Result<()>,
    ) -> Result<()> {
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .db()?;
        let written = self.write(batch);
        let restored = self.conn.pragma_update(None, "synchronous", "FULL").db();
        written.and(restored)
    }

    fn migrate(&mut self) -> Result<()> {
        let version: usize = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map(|v| v.max(0) as usize)
            .db()?;
        if version > MIGRATIONS.len() {
            return Err(Error::NotAVault {
                location: self.path.display().to_string(),
                reason: format!("schema version {version} is newer than this Sallyport"),
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
            let tx = self.conn.transaction().db()?;
            tx.execute_batch(sql).db()?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .db()?;
            tx.commit().db()?;
        }
        Ok(())
    }
}

impl StoreRead for SqliteStore {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        meta(&self.conn, key)
    }

    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>> {
        entries_of(&self.conn, customer_id)
    }

    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>> {
        entry_secrets(&self.conn, entry_id)
    }

    fn last_audit_row(&self) -> Result<Option<AuditRow>> {
        last_audit_row(&self.conn)
    }

    fn for_each_record_tag(&self, visit: &mut RecordTagVisitor<'_>) -> Result<bool> {
        for_each_record_tag(&self.conn, visit)
    }

    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>> {
        failed_unlocks(&self.conn)
    }
}

impl Store for SqliteStore {
    fn second_reader(&self) -> Result<Option<Box<dyn StoreRead + Send>>> {
        let conn = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .db()?;
        // Every read of the reader in one snapshot (ended when it is dropped).
        conn.execute_batch("PRAGMA busy_timeout = 5000; BEGIN;")
            .db()?;
        Ok(Some(Box::new(SqliteStore {
            conn,
            path: self.path.clone(),
            reader: true,
        })))
    }

    fn for_each_customer(&self, visit: &mut dyn FnMut(CustomerRow) -> Result<()>) -> Result<()> {
        // A full scan reads each page once: a small page cache while it runs, so the scan
        // does not leave 2 MiB of cached pages (SQLite's default) behind in the process.
        let cache_size: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |row| row.get(0))
            .db()?;
        self.conn.pragma_update(None, "cache_size", -128).db()?;
        let scanned = (|| {
            let mut stmt = self.conn.prepare("SELECT id, record FROM customers").db()?;
            let mut rows = stmt.query([]).db()?;
            while let Some(row) = rows.next().db()? {
                visit(CustomerRow {
                    id: row.get(0).db()?,
                    record: row.get(1).db()?,
                })?;
            }
            Ok(())
        })();
        let restored = self.conn.pragma_update(None, "cache_size", cache_size).db();
        scanned.and(restored)
    }

    fn customer_count_hint(&self) -> Result<Option<usize>> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM customers", [], |row| row.get(0))
            .db()?;
        Ok(usize::try_from(count).ok())
    }

    fn for_each_audit_row(&self, visit: &mut dyn FnMut(AuditRow) -> Result<()>) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, record, mac FROM audit ORDER BY seq")
            .db()?;
        let mut rows = stmt.query([]).db()?;
        while let Some(row) = rows.next().db()? {
            visit(audit_row(row).db()?)?;
        }
        Ok(())
    }

    fn write(&mut self, batch: &mut dyn FnMut(&mut dyn StoreWrite) -> Result<()>) -> Result<()> {
        // IMMEDIATE: take the write lock before the first read, so a batch that reads the
        // audit head and appends after it cannot interleave with another process's append.
        let mut tx = SqliteTx {
            tx: self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .db()?,
        };
        // Records may arrive in any order (entries before their customer); references are
        // checked when the transaction commits.
        tx.tx.pragma_update(None, "defer_foreign_keys", true).db()?;
        batch(&mut tx)?; // an error drops `tx`, which rolls back
        tx.tx.commit().db()?;
        Ok(())
    }

    fn checkpoint(&mut self) -> Result<()> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .db()?;
        Ok(())
    }
}

/// An open SQLite transaction.
struct SqliteTx<'c> {
    tx: rusqlite::Transaction<'c>,
}

impl StoreRead for SqliteTx<'_> {
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        meta(&self.tx, key)
    }

    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>> {
        entries_of(&self.tx, customer_id)
    }

    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>> {
        entry_secrets(&self.tx, entry_id)
    }

    fn last_audit_row(&self) -> Result<Option<AuditRow>> {
        last_audit_row(&self.tx)
    }

    fn for_each_record_tag(&self, visit: &mut RecordTagVisitor<'_>) -> Result<bool> {
        for_each_record_tag(&self.tx, visit)
    }

    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>> {
        failed_unlocks(&self.tx)
    }
}

impl StoreWrite for SqliteTx<'_> {
    fn put_customer(&mut self, row: &CustomerRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO customers (id, record) VALUES (?1, ?2)
                 ON CONFLICT(id) DO UPDATE SET record = excluded.record",
            )
            .db()?
            .execute(params![row.id, row.record])
            .db()?;
        Ok(())
    }

    fn put_entry(&mut self, row: &EntryRow) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO entries (id, customer_id, record) VALUES (?1, ?2, ?3)
                 ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id,
                                               record = excluded.record",
            )
            .db()?
            .execute(params![row.id, row.customer_id, row.record])
            .db()?;
        Ok(())
    }

    fn put_entry_secrets(&mut self, entry_id: &str, blob: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO entry_secrets (entry_id, blob) VALUES (?1, ?2)
                 ON CONFLICT(entry_id) DO UPDATE SET blob = excluded.blob",
            )
            .db()?
            .execute(params![entry_id, blob])
            .db()?;
        Ok(())
    }

    fn delete_customer(&mut self, id: &str) -> Result<()> {
        // Entries and their secrets go with it (ON DELETE CASCADE); secure_delete zeroes
        // the freed cells.
        self.tx
            .prepare_cached("DELETE FROM customers WHERE id = ?1")
            .db()?
            .execute(params![id])
            .db()?;
        Ok(())
    }

    fn delete_entry(&mut self, id: &str) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM entries WHERE id = ?1")
            .db()?
            .execute(params![id])
            .db()?;
        Ok(())
    }

    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )
            .db()?
            .execute(params![key, value])
            .db()?;
        Ok(())
    }

    fn put_audit(&mut self, row: &AuditRow) -> Result<()> {
        let seq = i64::try_from(row.seq)
            .map_err(|_| Error::Storage("audit sequence number out of range".into()))?;
        self.tx
            .prepare_cached("INSERT INTO audit (seq, record, mac) VALUES (?1, ?2, ?3)")
            .db()?
            .execute(params![seq, row.record, row.mac])
            .db()?;
        Ok(())
    }

    fn rewrite_sealed(
        &mut self,
        table: SealedTable,
        rewrite: &mut RecordRewrite<'_>,
    ) -> Result<()> {
        let (select, update) = match table {
            SealedTable::Customers => (
                "SELECT id, record FROM customers WHERE id > ?1 ORDER BY id LIMIT ?2",
                "UPDATE customers SET record = ?2 WHERE id = ?1",
            ),
            SealedTable::Entries => (
                "SELECT id, record FROM entries WHERE id > ?1 ORDER BY id LIMIT ?2",
                "UPDATE entries SET record = ?2 WHERE id = ?1",
            ),
            SealedTable::EntrySecrets => (
                "SELECT entry_id, blob FROM entry_secrets WHERE entry_id > ?1 ORDER BY entry_id LIMIT ?2",
                "UPDATE entry_secrets SET blob = ?2 WHERE entry_id = ?1",
            ),
        };
        // A page at a time, so that a table of 100,000 records is never held in memory at
        // once (nor updated under a statement that is still reading it).
        let mut after = String::new();
        loop {
            let page: Vec<(String, Vec<u8>)> = self
                .tx
                .prepare_cached(select)
                .db()?
                .query_map(params![after, REWRITE_PAGE], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()?;
            let Some((last, _)) = page.last() else {
                return Ok(());
            };
            after = last.clone();
            let mut update = self.tx.prepare_cached(update).db()?;
            for (id, blob) in &page {
                update.execute(params![id, rewrite(id, blob)?]).db()?;
            }
        }
    }

    fn rewrite_audit(
        &mut self,
        rewrite: &mut dyn FnMut(&AuditRow) -> Result<AuditRow>,
    ) -> Result<()> {
        let mut after = 0i64;
        loop {
            let page: Vec<AuditRow> = self
                .tx
                .prepare_cached(
                    "SELECT seq, record, mac FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .db()?
                .query_map(params![after, REWRITE_PAGE], audit_row)
                .db()?
                .collect::<rusqlite::Result<_>>()
                .db()?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = i64::try_from(last.seq)
                .map_err(|_| Error::Storage("audit sequence number out of range".into()))?;
            let mut update = self
                .tx
                .prepare_cached("UPDATE audit SET record = ?2, mac = ?3 WHERE seq = ?1")
                .db()?;
            for row in &page {
                let new = rewrite(row)?;
                if new.seq != row.seq {
                    return Err(Error::Storage("a rewritten audit row moved".into()));
                }
                update
                    .execute(params![
                        i64::try_from(row.seq).unwrap_or(i64::MAX),
                        new.record,
                        new.mac
                    ])
                    .db()?;
            }
        }
    }

    fn add_failed_unlock(&mut self, attempt: &FailedUnlock, keep_at_most: usize) -> Result<()> {
        let count: i64 = self
            .tx
            .query_row("SELECT count(*) FROM audit_pending", [], |r| r.get(0))
            .db()?;
        if count as usize >= keep_at_most.max(1) {
            self.tx
                .execute(
                    "UPDATE audit_pending SET repeats = repeats + ?1, at_ms = ?2
                 WHERE id = (SELECT max(id) FROM audit_pending)",
                    params![attempt.repeats.max(1), attempt.at_ms],
                )
                .db()?;
        } else {
            self.tx
                .execute(
                    "INSERT INTO audit_pending (at_ms, os_user, host, reason, repeats)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        attempt.at_ms,
                        attempt.os_user,
                        attempt.host,
                        attempt.reason,
                        attempt.repeats.max(1)
                    ],
                )
                .db()?;
        }
        Ok(())
    }

    fn clear_failed_unlocks(&mut self) -> Result<()> {
        self.tx.execute("DELETE FROM audit_pending", []).db()?;
        Ok(())
    }
}

fn meta(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")
        .db()?
        .query_row([key], |r| r.get(0))
        .optional()
        .db()
}

fn for_each_record_tag(conn: &Connection, visit: &mut RecordTagVisitor<'_>) -> Result<bool> {
    // Only the tags leave SQLite (`substr` of a blob counts bytes); each table is read in
    // its primary key's order, which is how WITHOUT ROWID tables are stored.
    for (table, query) in [
        (
            SealedTable::Customers,
            "SELECT id, substr(record, -16) FROM customers ORDER BY id",
        ),
        (
            SealedTable::Entries,
            "SELECT id, substr(record, -16) FROM entries ORDER BY id",
        ),
        (
            SealedTable::EntrySecrets,
            "SELECT entry_id, substr(blob, -16) FROM entry_secrets ORDER BY entry_id",
        ),
    ] {
        let mut stmt = conn.prepare_cached(query).db()?;
        let mut rows = stmt.query([]).db()?;
        while let Some(row) = rows.next().db()? {
            let id = row.get_ref(0).db()?.as_str().map_err(|e| db(e.into()))?;
            let tag = row.get_ref(1).db()?.as_blob().map_err(|e| db(e.into()))?;
            visit(table, id, tag)?;
        }
    }
    Ok(true)
}

/// Rows read at a time by the rewrites of a key rotation.
const REWRITE_PAGE: i64 = 2000;

fn audit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: row.get::<_, i64>(0)?.max(0) as u64,
        record: row.get(1)?,
        mac: row.get(2)?,
    })
}

fn last_audit_row(conn: &Connection) -> Result<Option<AuditRow>> {
    conn.prepare_cached("SELECT seq, record, mac FROM audit ORDER BY seq DESC LIMIT 1")
        .db()?
        .query_row([], audit_row)
        .optional()
        .db()
}

fn failed_unlocks(conn: &Connection) -> Result<Vec<FailedUnlock>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT at_ms, os_user, host, reason, repeats FROM audit_pending ORDER BY id",
        )
        .db()?;
    let rows = stmt
        .query_map([], |r| {
            Ok(FailedUnlock {
                at_ms: r.get(0)?,
                os_user: r.get(1)?,
                host: r.get(2)?,
                reason: r.get(3)?,
                repeats: r.get::<_, i64>(4)?.clamp(1, i64::from(u32::MAX)) as u32,
            })
        })
        .db()?;
    rows.collect::<rusqlite::Result<_>>().db()
}

fn entries_of(conn: &Connection, customer_id: &str) -> Result<Vec<EntryRow>> {
    let mut stmt = conn
        .prepare_cached("SELECT id, customer_id, record FROM entries WHERE customer_id = ?1")
        .db()?;
    let rows = stmt
        .query_map([customer_id], |r| {
            Ok(EntryRow {
                id: r.get(0)?,
                customer_id: r.get(1)?,
                record: r.get(2)?,
            })
        })
        .db()?;
    rows.collect::<rusqlite::Result<_>>().db()
}

fn entry_secrets(conn: &Connection, entry_id: &str) -> Result<Option<Vec<u8>>> {
    conn.query_row(
        "SELECT blob FROM entry_secrets WHERE entry_id = ?1",
        [entry_id],
        |r| r.get(0),
    )
    .optional()
    .db()
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Best effort: leave no pages of the vault in the WAL file (a reader leaves that to
        // the connection that wrote them).
        if !self.reader {
            let _ = self.checkpoint();
        }
    }
}

fn create_private_file(path: &Path) -> Result<()> {
    match sallyport_core::private_fs::create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            Err(Error::VaultExists(path.display().to_string()))
        }
        Err(e) => Err(Error::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma_int(store: &SqliteStore, name: &str) -> i64 {
        store
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn connections_use_wal_full_sync_secure_delete_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::create(&dir.path().join("v")).unwrap();
        let pragma = |name: &str| -> String {
            store
                .conn
                .query_row(&format!("PRAGMA {name}"), [], |r| {
                    r.get::<_, rusqlite::types::Value>(0)
                })
                .map(|v| format!("{v:?}"))
                .unwrap()
        };
        assert_eq!(pragma("journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma("synchronous"), "Integer(2)", "FULL");
        assert_eq!(pragma("secure_delete"), "Integer(1)");
        assert_eq!(pragma("foreign_keys"), "Integer(1)");
        assert_eq!(
            pragma("user_version"),
            format!("Integer({})", MIGRATIONS.len())
        );
    }

    #[test]
    fn an_unsynced_write_commits_and_leaves_full_sync_on_for_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::create(&dir.path().join("v")).unwrap();
        let synchronous = |store: &SqliteStore| pragma_int(store, "synchronous");
        store
            .write_unsynced(&mut |tx| tx.put_meta("seen", b"1"))
            .unwrap();
        assert_eq!(store.meta("seen").unwrap().as_deref(), Some(&b"1"[..]));
        assert_eq!(synchronous(&store), 2, "FULL again after the write");
        let failed = store.write_unsynced(&mut |tx| {
            tx.put_meta("seen", b"2")?;
            Err(Error::Storage("refused".into()))
        });
        assert!(failed.is_err());
        assert_eq!(
            store.meta("seen").unwrap().as_deref(),
            Some(&b"1"[..]),
            "rolled back"
        );
        assert_eq!(synchronous(&store), 2, "FULL again after a failed write");
    }

    #[test]
    fn a_full_scan_runs_on_a_small_page_cache_and_counts_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::create(&dir.path().join("v")).unwrap();
        let cache_size = |store: &SqliteStore| pragma_int(store, "cache_size");
        let before = cache_size(&store);
        store
            .write(&mut |tx| {
                for id in ["a", "b", "c"] {
                    tx.put_customer(&CustomerRow {
                        id: id.to_owned(),
                        record: vec![0; 16],
                    })?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(store.customer_count_hint().unwrap(), Some(3));

        let mut during = Vec::new();
        store
            .for_each_customer(&mut |_| {
                during.push(cache_size(&store));
                Ok(())
            })
            .unwrap();
        assert_eq!(during, [-128, -128, -128]);
        assert_eq!(cache_size(&store), before, "restored after the scan");

        let failed = store.for_each_customer(&mut |_| Err(Error::Storage("stop".into())));
        assert!(failed.is_err());
        assert_eq!(cache_size(&store), before, "restored after a failed scan");
    }

    #[test]
    fn create_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v");
        drop(SqliteStore::create(&path).unwrap());
        assert!(matches!(
            SqliteStore::create(&path),
            Err(Error::VaultExists(_))
        ));
    }
}
