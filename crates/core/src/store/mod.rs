//! Storage of opaque, already-encrypted records.
//!
//! The domain logic encrypts before it stores and decrypts after it loads; a backend only
//! keeps bytes. [`Store`] is the seam where a team backend (PostgreSQL) will plug in: it
//! needs meta values, three record tables and an atomic [`ChangeSet`].

mod sqlite;

pub use sqlite::SqliteStore;

use crate::Result;

/// A stored customer: its id and sealed record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRow {
    /// Customer id (UUID text).
    pub id: String,
    /// Sealed customer record.
    pub record: Vec<u8>,
}

/// A stored entry: its id, its customer and its sealed record (without secrets).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    /// Entry id (UUID text).
    pub id: String,
    /// Owning customer's id.
    pub customer_id: String,
    /// Sealed entry record.
    pub record: Vec<u8>,
}

/// Everything one operation changes, written in a single transaction.
#[derive(Debug, Default)]
pub struct ChangeSet {
    /// Customers inserted or replaced.
    pub customers: Vec<CustomerRow>,
    /// Entries inserted or replaced.
    pub entries: Vec<EntryRow>,
    /// Entry secret blobs inserted or replaced, by entry id.
    pub secrets: Vec<(String, Vec<u8>)>,
    /// Meta values set.
    pub meta: Vec<(String, Vec<u8>)>,
}

impl ChangeSet {
    /// True when there is nothing to write.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
            && self.entries.is_empty()
            && self.secrets.is_empty()
            && self.meta.is_empty()
    }
}

/// A vault storage backend.
pub trait Store: Send {
    /// Reads a meta value.
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// Writes meta values in one transaction.
    fn set_meta(&mut self, values: &[(&str, &[u8])]) -> Result<()>;
    /// All customer rows.
    fn customers(&self) -> Result<Vec<CustomerRow>>;
    /// All entry rows (never their secrets).
    fn entries(&self) -> Result<Vec<EntryRow>>;
    /// The sealed secrets of one entry, if it has any.
    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>>;
    /// Applies a change set atomically: all of it or none of it.
    fn apply(&mut self, changes: &ChangeSet) -> Result<()>;
    /// Flushes the write-ahead log into the main file (called when the vault is locked).
    fn checkpoint(&mut self) -> Result<()>;
}
