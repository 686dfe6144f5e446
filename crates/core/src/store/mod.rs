//! Storage of opaque, already-encrypted records.
//!
//! The domain logic encrypts before it stores and decrypts after it loads; a backend only
//! keeps bytes. [`Store`] is the seam: meta values, three record tables, the audit chain,
//! streaming reads, and [`Store::write`], which runs a batch of writes as one transaction.
//! [`Backend`] is where a vault lives (the shells pass one in): it creates and opens stores.
//!
//! Backends live in crates of their own (`sallyport-sqlite`: one local file); the core
//! keeps [`memory`], a store in memory for its tests, and the [`conformance`] suite every
//! backend passes.

#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod memory;

use uuid::Uuid;

use crate::secret::Key256;
use crate::{Error, Result};

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

/// A stored audit event: its sequence number, sealed payload and chain MAC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// Sealed event.
    pub record: Vec<u8>,
    /// HMAC over the sequence number, the previous row's MAC and `record`.
    pub mac: Vec<u8>,
}

/// A failed unlock attempt, noted in plaintext because no key was available to seal it.
/// Folded into the audit chain at the next successful unlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedUnlock {
    /// When it happened (Unix milliseconds, UTC).
    pub at_ms: i64,
    /// OS user of the process that tried.
    pub os_user: String,
    /// Host name of the machine.
    pub host: String,
    /// Why it failed ("wrong master password", "locked out").
    pub reason: String,
    /// How many attempts this note stands for (more than 1 once the list is full).
    pub repeats: u32,
}

/// Who keeps a store's audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditKeeping {
    /// The session: sealed events in the store's audit rows, chained with MACs under a key
    /// derived from the data key ([`StoreWrite::put_audit`]).
    Chained,
    /// The server behind the store (a team database): events go to
    /// [`StoreWrite::append_server_events`], and the server numbers, times, attributes and
    /// chains them itself; secrets are read only together with their event
    /// ([`StoreWrite::use_entry_secrets`]).
    Server,
}

/// An event for a server-kept audit log: what the server records in the clear (the action,
/// the ids, the reason) and the rest of the event sealed with the data key, bound to `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEvent {
    /// The event's id (what its sealed part is bound to).
    pub id: Uuid,
    /// The action's stable name (`copy_password`).
    pub action: String,
    /// `ok` or `failed`.
    pub outcome: String,
    /// The customer concerned.
    pub customer_id: Option<Uuid>,
    /// The entry concerned.
    pub entry_id: Option<Uuid>,
    /// Why (a ticket number), when given.
    pub reason: Option<String>,
    /// The rest of the event (codes, labels, detail, OS user and host), sealed.
    pub sealed: Vec<u8>,
}

/// An event as a server keeps it: numbered, timed and attributed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEventRow {
    /// Position in the server's chain, from 1.
    pub seq: u64,
    /// Server time (Unix milliseconds, UTC).
    pub at_ms: i64,
    /// The member the server's login belongs to.
    pub member: String,
    /// The client's address as the server saw it (empty when not on TCP).
    pub client_addr: String,
    /// What the client sent (with nothing sealed for an event the server wrote itself).
    pub event: ServerEvent,
    /// The server's own description of an event it wrote itself (counts, member names).
    pub note: String,
}

/// What a check of a server-kept chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerChainCheck {
    /// Events found in order (up to the first problem).
    pub events: u64,
    /// The first problem: the sequence number, what is wrong, one line for people.
    pub problem: Option<(u64, ServerChainFault, String)>,
    /// The hash of the last event found in order (empty for an empty log).
    pub head: Vec<u8>,
}

/// What is wrong with a server-kept chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerChainFault {
    /// A row's content does not hash to what the next row chains from.
    Edited,
    /// A row is missing from the middle.
    Missing,
    /// The history no longer extends the last head this client saw (rolled back or cut).
    RolledBack,
}

fn not_server_kept<T>() -> Result<T> {
    Err(Error::Storage(
        "this store keeps no server-side audit log".into(),
    ))
}

/// Reads of single records, available both outside and inside a transaction.
pub trait StoreRead {
    /// Who keeps this store's audit log.
    fn audit_keeping(&self) -> AuditKeeping {
        AuditKeeping::Chained
    }
    /// Reads a meta value.
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>>;
    /// The entry rows of one customer (never their secrets).
    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>>;
    /// The sealed secrets of one entry, if it has any.
    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>>;
    /// The audit row with the highest sequence number.
    fn last_audit_row(&self) -> Result<Option<AuditRow>>;
    /// The failed unlocks not yet folded into the audit chain, oldest first.
    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>>;
    /// Visits every sealed record's table, row id and last [`RECORD_TAG_LEN`] bytes (the
    /// AES-GCM tag), table by table in [`SealedTable`] order and by id within a table: what
    /// the vault's record manifest is computed over. `Ok(false)` from a store that keeps
    /// no records of its own (a team database, whose server keeps them).
    fn for_each_record_tag(&self, _visit: &mut RecordTagVisitor<'_>) -> Result<bool> {
        Ok(false)
    }
}

/// What [`StoreWrite::rewrite_sealed`] makes of each record (given its id and sealed bytes).
pub type RecordRewrite<'a> = dyn FnMut(&str, &[u8]) -> Result<Vec<u8>> + 'a;

/// What [`StoreRead::for_each_record_tag`] calls for each record: its table, id and tag.
pub type RecordTagVisitor<'a> = dyn FnMut(SealedTable, &str, &[u8]) -> Result<()> + 'a;

/// The bytes of a sealed record [`StoreRead::for_each_record_tag`] gives: its GCM tag.
pub const RECORD_TAG_LEN: usize = 16;

/// The tag of a sealed record (the whole blob if it is shorter than a tag).
pub fn record_tag(blob: &[u8]) -> &[u8] {
    &blob[blob.len().saturating_sub(RECORD_TAG_LEN)..]
}

/// The tables of sealed records, for [`StoreWrite::rewrite_sealed`] and
/// [`StoreRead::for_each_record_tag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SealedTable {
    /// Customers (row id: the customer's id).
    Customers,
    /// Entries (row id: the entry's id).
    Entries,
    /// Entries' secrets (row id: the entry's id).
    EntrySecrets,
}

/// Writes inside a transaction opened by [`Store::write`].
pub trait StoreWrite: StoreRead {
    /// Inserts or replaces a customer.
    fn put_customer(&mut self, row: &CustomerRow) -> Result<()>;
    /// Inserts or replaces an entry.
    fn put_entry(&mut self, row: &EntryRow) -> Result<()>;
    /// Inserts or replaces an entry's sealed secrets.
    fn put_entry_secrets(&mut self, entry_id: &str, blob: &[u8]) -> Result<()>;
    /// Deletes a customer with its entries and their secrets.
    fn delete_customer(&mut self, id: &str) -> Result<()>;
    /// Deletes an entry and its secrets.
    fn delete_entry(&mut self, id: &str) -> Result<()>;
    /// Sets a meta value.
    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<()>;
    /// Appends an audit row (its sequence number must be new).
    fn put_audit(&mut self, row: &AuditRow) -> Result<()>;
    /// Notes a failed unlock. Once `keep_at_most` notes exist, the newest note's `repeats`
    /// is incremented instead, so repeated guessing cannot grow the file without bound.
    fn add_failed_unlock(&mut self, attempt: &FailedUnlock, keep_at_most: usize) -> Result<()>;
    /// Removes every failed-unlock note (after they were folded into the chain).
    fn clear_failed_unlocks(&mut self) -> Result<()>;
    /// Replaces every record of `table` by what `rewrite` makes of it (given the row's id
    /// and its sealed bytes), in id order, holding only a part of the table in memory at a
    /// time: a local vault's data key rotation. A store that keeps no such records of its
    /// own refuses.
    fn rewrite_sealed(
        &mut self,
        _table: SealedTable,
        _rewrite: &mut RecordRewrite<'_>,
    ) -> Result<()> {
        Err(Error::Storage(
            "this store's records are not re-sealed here".into(),
        ))
    }
    /// Replaces every audit row, in sequence order, by what `rewrite` makes of it (same
    /// sequence number): a [`AuditKeeping::Chained`] log re-chained under a rotated key.
    fn rewrite_audit(
        &mut self,
        _rewrite: &mut dyn FnMut(&AuditRow) -> Result<AuditRow>,
    ) -> Result<()> {
        Err(Error::Storage(
            "this store's audit log is not re-chained here".into(),
        ))
    }
    /// [`AuditKeeping::Server`]: appends `events` in order to the server's log.
    fn append_server_events(&mut self, _events: &[ServerEvent]) -> Result<()> {
        not_server_kept()
    }
    /// [`AuditKeeping::Server`]: the sealed secrets of an entry, obtained together with
    /// `event`, which the server records before it returns them.
    fn use_entry_secrets(
        &mut self,
        _entry_id: &str,
        _event: &ServerEvent,
    ) -> Result<Option<Vec<u8>>> {
        not_server_kept()
    }
}

/// Told who changed the vault when another client wrote to it.
pub type ChangeHandler = Box<dyn Fn(&str) + Send + 'static>;

/// A subscription to changes other clients make (a team's members); it ends when dropped.
pub struct ChangeWatch(#[allow(dead_code)] Box<dyn Send>);

impl ChangeWatch {
    /// A subscription that lasts as long as `guard` (whose drop ends it).
    pub fn new(guard: impl Send + 'static) -> Self {
        Self(Box::new(guard))
    }
}

impl std::fmt::Debug for ChangeWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeWatch")
    }
}

/// A vault storage backend.
pub trait Store: StoreRead + Send + std::any::Any {
    /// Writes meta values in one transaction.
    fn set_meta(&mut self, values: &[(&str, &[u8])]) -> Result<()> {
        self.write(&mut |tx| values.iter().try_for_each(|(k, v)| tx.put_meta(k, v)))
    }
    /// Calls `visit` with every customer row, streaming (rows are not collected first). The
    /// visitor may read the store meanwhile.
    fn for_each_customer(&self, visit: &mut dyn FnMut(CustomerRow) -> Result<()>) -> Result<()>;
    /// About how many customer rows [`Store::for_each_customer`] will visit, where that is
    /// cheap to know: the decrypted list is then allocated once, at its size.
    fn customer_count_hint(&self) -> Result<Option<usize>> {
        Ok(None)
    }
    /// Calls `visit` with every audit row in sequence order, streaming; the visitor may read
    /// the store meanwhile.
    fn for_each_audit_row(&self, visit: &mut dyn FnMut(AuditRow) -> Result<()>) -> Result<()>;
    /// Runs `batch` in one transaction: committed if it returns `Ok`, rolled back (leaving
    /// the store exactly as before) if it returns an error or the process dies.
    fn write(&mut self, batch: &mut dyn FnMut(&mut dyn StoreWrite) -> Result<()>) -> Result<()>;
    /// Flushes the write-ahead log into the main file (called when the vault is locked).
    fn checkpoint(&mut self) -> Result<()>;
    /// Another handle on the same data, for reads on another thread while this one is
    /// busy (a second connection to the vault file, its reads in one snapshot): the record
    /// manifest is checked on it while the customers are decrypted. `None` where there is
    /// none, or no records of its own to check.
    fn second_reader(&self) -> Result<Option<Box<dyn StoreRead + Send>>> {
        Ok(None)
    }
    /// The data key for the key the vault header unwrapped with the master password. For a
    /// local vault they are the same key; a team profile's header holds the member's own key,
    /// which opens the member's private key, which unwraps the team's data key.
    fn resolve_data_key(&mut self, unwrapped: Key256) -> Result<Key256> {
        Ok(unwrapped)
    }
    /// Data keys the vault had before its current one (a team database re-keyed after a
    /// member left): events sealed under them stay readable. Known once the data key is
    /// resolved; empty for most stores.
    fn data_key_history(&self) -> Result<Vec<Key256>> {
        Ok(Vec::new())
    }
    /// The member this store acts for, when the server knows people (a team database):
    /// the staff name the session shows instead of the vault's.
    fn member(&self) -> Option<String> {
        None
    }
    /// Whether this session may change the customer list. A team member with the `staff`
    /// role may not (the server refuses); everyone else may.
    fn may_edit(&self) -> bool {
        true
    }
    /// Calls `changed` whenever another client commits a change to this vault, until the
    /// returned subscription is dropped. `None`: nobody else writes to it (a local file).
    fn watch_changes(&self, _changed: ChangeHandler) -> Result<Option<ChangeWatch>> {
        Ok(None)
    }
    /// [`AuditKeeping::Server`]: calls `visit` with every event of the server's log, in
    /// sequence order, streaming.
    fn for_each_server_event(
        &self,
        _visit: &mut dyn FnMut(ServerEventRow) -> Result<()>,
    ) -> Result<()> {
        not_server_kept()
    }
    /// [`AuditKeeping::Server`]: checks the server's chain (and that it still extends the
    /// last head this client saw); the report names the first problem.
    fn verify_server_audit(&self) -> Result<ServerChainCheck> {
        not_server_kept()
    }
}

/// Where a vault lives: a file today, a team database tomorrow. The shells make one from
/// what the user named (`--vault PATH`) and pass it to [`crate::Session`]'s constructors,
/// which open the store through it; nothing in the domain knows which backend it is.
pub trait Backend: Send + Sync + std::fmt::Debug {
    /// Where the vault is, for people: a file's path, a database's address.
    fn location(&self) -> String;
    /// Whether a vault exists there.
    fn exists(&self) -> bool;
    /// Creates an empty store, refusing to replace an existing vault
    /// ([`crate::Error::VaultExists`]).
    fn create(&self) -> Result<Box<dyn Store>>;
    /// Opens the existing vault's store ([`crate::Error::NoVault`] when there is none).
    fn open(&self) -> Result<Box<dyn Store>>;
    /// Removes what a `create` left behind when setting up the vault failed after it.
    fn discard(&self);
}
