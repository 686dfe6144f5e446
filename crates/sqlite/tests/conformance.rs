//! The SQLite store passes the store conformance suite, each check on a fresh vault file.

use sallyport_core::store::Store;
use sallyport_sqlite::SqliteStore;

#[allow(clippy::expect_used)] // test support
fn fresh() -> (Box<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = SqliteStore::create(&dir.path().join("v.sallyport")).expect("new vault file");
    (Box::new(store), dir)
}

sallyport_core::store_conformance_tests!(fresh());
