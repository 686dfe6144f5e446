//! The team vault behind the core's store seam. A [`TeamStore`] holds the member's profile
//! (a local SQLite file: header, backoff, failed-unlock notes, sealed member secrets) and,
//! once the master password opened the profile key, a TLS connection to the team database
//! under the member's own login.
//!
//! Reads are plain `SELECT`s of sealed records (customers in pages, so the visitor may read
//! meanwhile). A secret takes two transactions, made by one procedure call
//! (`sp_use_credential`, or `sp_read_credential` for an edit or export): `sp_use_secret`
//! (with the event the use records; `sp_read_secret` records `secrets_read`) commits the
//! event and returns a one-time ticket, then `sp_redeem(ticket)` returns the sealed secret;
//! the server refuses a ticket whose event has not committed, so no secret leaves it with
//! its record rolled back. A write batch is buffered and sent in one database transaction
//! at its end: one `sp_write` with every record (and the versions it was read at: a record
//! changed by someone else since is refused, naming who and when), then `sp_log` with the
//! batch's events; the profile's own values are written after the database committed. The
//! audit log is the server's ([`AuditKeeping::Server`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use postgres::{Client, Statement, Transaction};
use sallyport_core::store::{
    AuditKeeping, AuditRow, Backend, ChangeHandler, ChangeWatch, CustomerRow, EntryRow,
    FailedUnlock, ServerChainCheck, ServerEvent, ServerEventRow, Store, StoreRead, StoreWrite,
};
use sallyport_core::{Error, Key256, Result, SecretString};
use sallyport_sqlite::SqliteStore;
use uuid::Uuid;

use crate::chain::{AuditRecord, Walk};
use crate::conn::{self, db_error};
use crate::profile::{self, SeenHead, TeamInfo};

/// Meta values kept in the member's profile; every other meta value is the team's.
const LOCAL_META: &[&str] = &[
    "header",
    "header_sha256",
    "unlock_backoff",
    sallyport_core::vault::META_DEVICE_KEYS,
];

/// Rows fetched per page when streaming.
const PAGE: i64 = 2000;

/// Records sent per `sp_write` call (a large batch goes in parts, in one transaction).
const WRITE_PART: usize = 5000;

/// A team profile: the backend the shells pass to the core for a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamBackend {
    path: PathBuf,
}

impl TeamBackend {
    /// The team profile at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The profile file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Backend for TeamBackend {
    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn exists(&self) -> bool {
        profile::is_team_profile(&self.path)
    }

    fn create(&self) -> Result<Box<dyn Store>> {
        Err(Error::invalid(
            "vault",
            "a team profile is made by `sallyport team init` or `team join`",
        ))
    }

    fn open(&self) -> Result<Box<dyn Store>> {
        Ok(Box::new(TeamStore::open(&self.path)?))
    }

    fn discard(&self) {}
}

/// What a store has once the master password opened the profile: the connection, who the
/// member is, and the keys.
pub(crate) struct Connected {
    pub client: Mutex<Client>,
    pub role: String,
    pub team_key: Key256,
    pub profile_key: Key256,
    pub db_password: SecretString,
    /// The version each record had when this client read it.
    versions: Mutex<HashMap<Uuid, i64>>,
    /// The last chain head this client saw.
    seen: Mutex<Option<SeenHead>>,
    /// The secret calls, prepared once on this connection.
    prepared: Prepared,
}

/// The statements a credential use sends (it reads the entry, then one call records the use
/// and returns the secret), prepared once when the member unlocks: a use then takes two
/// round trips, and a member's first use after unlocking no more than the others.
struct Prepared {
    entries_of: Statement,
    use_credential: Statement,
    read_credential: Statement,
}

impl Prepared {
    fn new(client: &mut Client) -> Result<Self> {
        let mut prepare = |sql: &str| client.prepare(sql).map_err(|e| db_error(&e));
        Ok(Self {
            entries_of: prepare(
                "SELECT id, customer_id, record, version FROM sallyport.entries WHERE customer_id = $1",
            )?,
            use_credential: prepare(
                "CALL sallyport.sp_use_credential($1, $2, $3, $4, $5, $6, NULL, NULL, NULL)",
            )?,
            read_credential: prepare("CALL sallyport.sp_read_credential($1, NULL, NULL, NULL)")?,
        })
    }

    /// Has the server rehearse a credential use (`sp_rehearse_use`: nothing is kept or
    /// returned) as the member unlocks, so that it compiles the functions a use runs now and
    /// not in the member's first use. A rehearsal that fails costs only its time.
    fn rehearse(client: &mut Client) {
        let rehearsed = client.execute("SELECT sallyport.sp_rehearse_use()", &[]);
        if let Err(e) = rehearsed {
            tracing::debug!(error = %db_error(&e), "team: the use rehearsal failed");
        }
    }

    /// A read for an edit or export: recorded as `secrets_read`, then the secret.
    fn read_secret(
        &self,
        client: &mut Client,
        entry_id: &str,
    ) -> Result<(Option<Vec<u8>>, Option<SeenHead>)> {
        let id = parse_id(entry_id)?;
        recorded_then_handed_out(client, &self.read_credential, &[&id])
    }

    /// A credential use: `event` recorded, then the secret.
    fn use_secret(
        &self,
        client: &mut Client,
        entry: Uuid,
        event: &ServerEvent,
    ) -> Result<(Option<Vec<u8>>, Option<SeenHead>)> {
        recorded_then_handed_out(
            client,
            &self.use_credential,
            &[
                &entry,
                &event.id,
                &event.action,
                &event.outcome,
                &event.reason,
                &event.sealed,
            ],
        )
    }
}

/// Calls the procedure `statement`, which commits the recording of a use, then redeems its
/// ticket and commits that (waiting for the disk) before it returns the sealed secret.
/// `client` must be outside any transaction: inside one, the server refuses the procedure's
/// commits and nothing is recorded or returned.
fn recorded_then_handed_out(
    client: &mut Client,
    statement: &Statement,
    params: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<(Option<Vec<u8>>, Option<SeenHead>)> {
    let row = client
        .query_one(statement, params)
        .map_err(|e| db_error(&e))?;
    Ok((row.get("blob"), head_of(&row, "head_seq", "head_hash")))
}

/// A team member's store: their profile, and the team database once unlocked.
pub struct TeamStore {
    profile: SqliteStore,
    info: TeamInfo,
    connected: Option<Connected>,
}

impl std::fmt::Debug for TeamStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TeamStore")
            .field("team", &self.info.team_id)
            .field("member", &self.info.member)
            .field("connected", &self.connected.is_some())
            .finish()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl TeamStore {
    /// Opens the profile at `path` (no connection yet).
    pub fn open(path: &Path) -> Result<Self> {
        let profile = SqliteStore::open(path)?;
        let info = profile::read_info(&profile)?;
        Ok(Self {
            profile,
            info,
            connected: None,
        })
    }

    /// The team particulars of the profile.
    pub fn info(&self) -> &TeamInfo {
        &self.info
    }

    pub(crate) fn connected(&self) -> Result<&Connected> {
        self.connected.as_ref().ok_or_else(|| {
            Error::Storage("the team database is not connected (unlock first)".into())
        })
    }

    /// The member's role (`staff`, `editor`, `admin`).
    pub fn role(&self) -> Result<&str> {
        Ok(&self.connected()?.role)
    }

    /// Runs `f` on the connection, with the chain head it returns remembered.
    pub(crate) fn on_client<T>(
        &mut self,
        f: impl FnOnce(&mut Client) -> Result<(T, Option<SeenHead>)>,
    ) -> Result<T> {
        let connected = self.connected()?;
        let (value, head) = f(&mut lock(&connected.client))?;
        if let Some(head) = head {
            self.remember(head)?;
        }
        Ok(value)
    }

    /// Keeps `head` as the last head this client saw, in memory and in the profile.
    fn remember(&mut self, head: SeenHead) -> Result<()> {
        let connected = self.connected()?;
        let (key, sealed) =
            profile::sealed_seen(&connected.profile_key, &self.info.team_id, &head)?;
        *lock(&connected.seen) = Some(head);
        // Unsynced: see `write`.
        self.profile
            .write_unsynced(&mut |tx| tx.put_meta(key, &sealed))
    }

    fn seen(&self) -> Option<SeenHead> {
        self.connected.as_ref().and_then(|c| lock(&c.seen).clone())
    }
}

/// The team's earlier keys, sealed under the current one (after a re-key).
const KEY_HISTORY: &str = "key_history";

fn history_binding(team_id: &str) -> Vec<u8> {
    [
        b"sallyport-team-key-history\0".as_slice(),
        team_id.as_bytes(),
    ]
    .concat()
}

/// Seals `keys` (oldest first) under the team key `key`.
pub(crate) fn seal_key_history(key: &Key256, team_id: &str, keys: &[Key256]) -> Result<Vec<u8>> {
    let plain = zeroize::Zeroizing::new(keys.iter().flat_map(|k| *k.expose()).collect::<Vec<u8>>());
    sallyport_core::crypto::seal(key, &history_binding(team_id), &plain)
}

/// Opens the earlier keys sealed under the team key `key`.
pub(crate) fn open_key_history(key: &Key256, team_id: &str, sealed: &[u8]) -> Result<Vec<Key256>> {
    let damaged = || Error::Integrity("the team's earlier keys do not open with its key".into());
    let plain =
        sallyport_core::crypto::open(key, &history_binding(team_id), sealed).ok_or_else(damaged)?;
    if plain.len() % 32 != 0 {
        return Err(damaged());
    }
    Ok(plain
        .chunks_exact(32)
        .map(|c| {
            let mut bytes = [0u8; 32];
            bytes.copy_from_slice(c);
            Key256::from_bytes(bytes)
        })
        .collect())
}

/// A chain head as returned by the database's functions.
pub(crate) fn head_of(row: &postgres::Row, seq: &str, hash: &str) -> Option<SeenHead> {
    let seq: Option<i64> = row.get(seq);
    let hash: Option<Vec<u8>> = row.get(hash);
    Some(SeenHead {
        seq: u64::try_from(seq?).ok()?,
        hash: hex::encode(hash?),
    })
}

fn server_meta(client: &mut impl postgres::GenericClient, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(client
        .query_opt("SELECT value FROM sallyport.meta WHERE key = $1", &[&key])
        .map_err(|e| db_error(&e))?
        .map(|row| row.get(0)))
}

/// A team value kept as text in `meta` (`role_prefix`, `schema_version`); `what` names it
/// when it is missing or not text.
pub(crate) fn server_meta_text(
    client: &mut impl postgres::GenericClient,
    key: &str,
    what: &str,
) -> Result<String> {
    server_meta(client, key)?
        .and_then(|value| String::from_utf8(value).ok())
        .ok_or_else(|| Error::Integrity(format!("the team database does not say its {what}")))
}

/// A customer's entries (every credential use reads its entry first: prepared once).
fn entries_of(
    connected: &Connected,
    client: &mut Client,
    customer_id: &str,
) -> Result<Vec<EntryRow>> {
    let id = parse_id(customer_id)?;
    let rows = client
        .query(&connected.prepared.entries_of, &[&id])
        .map_err(|e| db_error(&e))?;
    let mut known = lock(&connected.versions);
    Ok(rows
        .iter()
        .map(|row| {
            let id: Uuid = row.get(0);
            known.insert(id, row.get(3));
            EntryRow {
                id: id.to_string(),
                customer_id: row.get::<_, Uuid>(1).to_string(),
                record: row.get(2),
            }
        })
        .collect())
}

fn parse_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id).map_err(|_| Error::Integrity(format!("'{id}' is not a record id")))
}

impl StoreRead for TeamStore {
    fn audit_keeping(&self) -> AuditKeeping {
        AuditKeeping::Server
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        if LOCAL_META.contains(&key) {
            return self.profile.meta(key);
        }
        match &self.connected {
            Some(c) => server_meta(&mut *lock(&c.client), key),
            None => Ok(None),
        }
    }

    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>> {
        let c = self.connected()?;
        entries_of(c, &mut lock(&c.client), customer_id)
    }

    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>> {
        let c = self.connected()?;
        let started = std::time::Instant::now();
        let read = c.prepared.read_secret(&mut lock(&c.client), entry_id);
        tracing::info!(
            entry = entry_id,
            ok = read.is_ok(),
            ms = started.elapsed().as_millis() as u64,
            "team: secret fetched through the audited server call"
        );
        let (blob, head) = read?;
        if let Some(head) = head {
            *lock(&c.seen) = Some(head);
        }
        Ok(blob)
    }

    fn last_audit_row(&self) -> Result<Option<AuditRow>> {
        Ok(None) // the server keeps the chain
    }

    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>> {
        self.profile.failed_unlocks()
    }
}

impl Store for TeamStore {
    fn for_each_customer(&self, visit: &mut dyn FnMut(CustomerRow) -> Result<()>) -> Result<()> {
        let c = self.connected()?;
        let mut after = Uuid::nil();
        loop {
            let rows = lock(&c.client)
                .query(
                    "SELECT id, record, version FROM sallyport.customers WHERE id > $1 ORDER BY id LIMIT $2",
                    &[&after, &PAGE],
                )
                .map_err(|e| db_error(&e))?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.get(0);
            let page: Vec<CustomerRow> = {
                let mut known = lock(&c.versions);
                rows.iter()
                    .map(|row| {
                        let id: Uuid = row.get(0);
                        known.insert(id, row.get(2));
                        CustomerRow {
                            id: id.to_string(),
                            record: row.get(1),
                        }
                    })
                    .collect()
            };
            for row in page {
                visit(row)?;
            }
        }
    }

    fn for_each_audit_row(&self, _visit: &mut dyn FnMut(AuditRow) -> Result<()>) -> Result<()> {
        Ok(()) // no client-kept chain in a team database
    }

    fn write(&mut self, batch: &mut dyn FnMut(&mut dyn StoreWrite) -> Result<()>) -> Result<()> {
        let (local, head) = {
            let mut guard = self.connected.as_ref().map(|c| lock(&c.client));
            let mut tx = TeamTx {
                pg: RefCell::new(guard.as_deref_mut()),
                profile: &self.profile,
                connected: self.connected.as_ref(),
                buffer: Buffer::default(),
                local: Vec::new(),
                head: RefCell::new(None),
            };
            batch(&mut tx)?; // an error drops the transaction: rolled back
            let TeamTx {
                pg,
                buffer,
                local,
                head,
                ..
            } = tx;
            let mut head = head.into_inner();
            match pg.into_inner() {
                _ if buffer.is_empty() => {}
                Some(client) => {
                    let mut pg = client.transaction().map_err(|e| db_error(&e))?;
                    if let Some(written) = buffer.send(&mut pg)? {
                        head = Some(written);
                    }
                    pg.commit().map_err(|e| db_error(&e))?;
                    if let Some(c) = &self.connected {
                        buffer.note_versions(&mut lock(&c.versions));
                    }
                }
                None => {
                    return Err(Error::Storage(
                        "the team database is not connected (unlock first)".into(),
                    ))
                }
            }
            (local, head)
        };
        // The profile's own values, once the database has committed.
        let seen = match (&head, &self.connected) {
            (Some(head), Some(c)) => {
                *lock(&c.seen) = Some(head.clone());
                Some(profile::sealed_seen(
                    &c.profile_key,
                    &self.info.team_id,
                    head,
                )?)
            }
            _ => None,
        };
        if local.is_empty() && seen.is_none() {
            return Ok(());
        }
        let mut profile_batch = |ptx: &mut dyn StoreWrite| {
            for op in &local {
                match op {
                    LocalOp::Meta(key, value) => ptx.put_meta(key, value)?,
                    LocalOp::FailedUnlock(note, keep) => ptx.add_failed_unlock(note, *keep)?,
                    LocalOp::ClearFailedUnlocks => ptx.clear_failed_unlocks()?,
                }
            }
            if let Some((key, sealed)) = &seen {
                ptx.put_meta(key, sealed)?;
            }
            Ok(())
        };
        if local.is_empty() {
            // Only the chain head seen, after every credential use: written without waiting
            // for the disk. A power cut may lose it, leaving an earlier head of the same chain
            // (checked as before, only less far); a sync per use made concurrent members'
            // uses queue behind each other's disk flushes.
            self.profile.write_unsynced(&mut profile_batch)
        } else {
            self.profile.write(&mut profile_batch)
        }
    }

    fn checkpoint(&mut self) -> Result<()> {
        self.profile.checkpoint()
    }

    fn resolve_data_key(&mut self, profile_key: Key256) -> Result<Key256> {
        let info = &self.info;
        let secrets = profile::open_secrets(&self.profile, &profile_key, &info.team_id)?;
        let ca = info.ca_pem.as_bytes();
        let mut client = conn::connect(&info.db, &info.db.user, &secrets.db_password, ca)?;
        let row = client
            .query_one("SELECT name, role, wrapped_key FROM sallyport.sp_my_key()", &[])
            .map_err(|e| match e.code().map(|c| c.code()) {
                Some("42501") | Some("3F000") | Some("42883") => Error::invalid(
                    "team",
                    format!("{} is not a member of this team (removed, or the database is not a Sallyport team)", info.member),
                ),
                _ => db_error(&e),
            })?;
        let name: String = row.get(0);
        let role: String = row.get(1);
        let wrapped: Option<Vec<u8>> = row.get(2);
        let wrapped = wrapped.ok_or_else(|| {
            Error::invalid(
                "team",
                format!(
                    "{name} has joined but is not confirmed yet: read your fingerprint {} out to an admin, who confirms it (the app's Team screen, or `sallyport team confirm`)",
                    crate::keys::fingerprint(&secrets.key.public())
                ),
            )
        })?;
        crate::schema::check(
            crate::schema::read_version(&mut client)?,
            &info.db.describe(),
        )?;
        let team_key = secrets
            .key
            .unwrap_team_key(&wrapped, &info.team_id, &name)?;
        let seen = profile::read_seen(&self.profile, &profile_key, &info.team_id)?;
        let prepared = Prepared::new(&mut client)?;
        Prepared::rehearse(&mut client);
        self.connected = Some(Connected {
            client: Mutex::new(client),
            role,
            team_key: Key256::from_bytes(*team_key.expose()),
            profile_key,
            db_password: secrets.db_password,
            versions: Mutex::new(HashMap::new()),
            seen: Mutex::new(seen),
            prepared,
        });
        Ok(team_key)
    }

    fn member(&self) -> Option<String> {
        Some(self.info.member.clone())
    }

    fn may_edit(&self) -> bool {
        self.connected.as_ref().is_some_and(|c| c.role != "staff")
    }

    fn watch_changes(&self, changed: ChangeHandler) -> Result<Option<ChangeWatch>> {
        let c = self.connected()?;
        crate::live::watch(&self.info, &c.db_password, changed).map(Some)
    }

    fn data_key_history(&self) -> Result<Vec<Key256>> {
        let c = self.connected()?;
        match server_meta(&mut *lock(&c.client), KEY_HISTORY)? {
            Some(sealed) => open_key_history(&c.team_key, &self.info.team_id, &sealed),
            None => Ok(Vec::new()),
        }
    }

    fn for_each_server_event(
        &self,
        visit: &mut dyn FnMut(ServerEventRow) -> Result<()>,
    ) -> Result<()> {
        self.for_each_audit_record(&mut |r| visit(server_row(r)))
    }

    fn verify_server_audit(&self) -> Result<ServerChainCheck> {
        let seen = self.seen();
        let mut walk = Walk::new(&self.info.team_id, seen.as_ref());
        self.for_each_audit_record(&mut |r| {
            walk.row(&r);
            Ok(())
        })?;
        Ok(walk.finish())
    }
}

impl TeamStore {
    /// Every row of the server's audit table in sequence order, a page at a time.
    fn for_each_audit_record(
        &self,
        visit: &mut dyn FnMut(AuditRecord) -> Result<()>,
    ) -> Result<()> {
        let c = self.connected()?;
        let mut after = 0i64;
        loop {
            let rows = lock(&c.client)
                .query(
                    "SELECT seq, at_us, member, client_addr, event_id, action, outcome, customer_id,
                            entry_id, reason, sealed, note, prev_hash, hash
                     FROM sallyport.audit WHERE seq > $1 ORDER BY seq LIMIT $2",
                    &[&after, &PAGE],
                )
                .map_err(|e| db_error(&e))?;
            let Some(last) = rows.last() else {
                return Ok(());
            };
            after = last.get(0);
            for row in &rows {
                visit(AuditRecord {
                    seq: row.get(0),
                    at_us: row.get(1),
                    member: row.get(2),
                    client_addr: row.get(3),
                    event_id: row.get(4),
                    action: row.get(5),
                    outcome: row.get(6),
                    customer_id: row.get(7),
                    entry_id: row.get(8),
                    reason: row.get(9),
                    sealed: row.get(10),
                    note: row.get(11),
                    prev_hash: row.get(12),
                    hash: row.get(13),
                })?;
            }
        }
    }
}

fn server_row(r: AuditRecord) -> ServerEventRow {
    ServerEventRow {
        seq: u64::try_from(r.seq).unwrap_or_default(),
        at_ms: r.at_us / 1000,
        member: r.member,
        client_addr: r.client_addr.unwrap_or_default(),
        event: ServerEvent {
            id: r.event_id.unwrap_or_default(),
            action: r.action,
            outcome: r.outcome,
            customer_id: r.customer_id,
            entry_id: r.entry_id,
            reason: r.reason,
            sealed: r.sealed.unwrap_or_default(),
        },
        note: r.note.unwrap_or_default(),
    }
}

/// A write to the profile, made once the database has committed.
enum LocalOp {
    Meta(String, Vec<u8>),
    FailedUnlock(FailedUnlock, usize),
    ClearFailedUnlocks,
}

/// What a batch writes to the database, sent in one `sp_write` and one `sp_log`.
#[derive(Default)]
struct Buffer {
    customers: Vec<(Uuid, Vec<u8>)>,
    customer_versions: Vec<Option<i64>>,
    entries: Vec<(Uuid, Uuid, Vec<u8>)>,
    entry_versions: Vec<Option<i64>>,
    secrets: Vec<(Uuid, Vec<u8>)>,
    deleted_customers: Vec<Uuid>,
    deleted_entries: Vec<Uuid>,
    meta: Vec<(String, Vec<u8>)>,
    events: Vec<ServerEvent>,
}

fn ids(v: &[(Uuid, Vec<u8>)]) -> Vec<Uuid> {
    v.iter().map(|(id, _)| *id).collect()
}

fn blobs(v: &[(Uuid, Vec<u8>)]) -> Vec<&[u8]> {
    v.iter().map(|(_, b)| b.as_slice()).collect()
}

impl Buffer {
    fn writes_records(&self) -> bool {
        !(self.customers.is_empty()
            && self.entries.is_empty()
            && self.secrets.is_empty()
            && self.deleted_customers.is_empty()
            && self.deleted_entries.is_empty()
            && self.meta.is_empty())
    }

    fn is_empty(&self) -> bool {
        !self.writes_records() && self.events.is_empty()
    }

    /// Sends the batch; returns the chain head after it.
    fn send(&self, pg: &mut Transaction<'_>) -> Result<Option<SeenHead>> {
        let mut head = None;
        if self.writes_records() {
            let parts = [self.customers.len(), self.entries.len(), self.secrets.len()]
                .into_iter()
                .max()
                .unwrap_or(0)
                .div_ceil(WRITE_PART)
                .max(1);
            for part in 0..parts {
                head = self.send_part(pg, part)?.or(head);
            }
        }
        if !self.events.is_empty() {
            if let Some(logged) = log_events(pg, &self.events)? {
                head = Some(logged);
            }
        }
        Ok(head)
    }

    /// One `sp_write` call with the `part`th slice of each list (deletions and settings
    /// go with the first).
    fn send_part(&self, pg: &mut Transaction<'_>, part: usize) -> Result<Option<SeenHead>> {
        fn slice<T>(v: &[T], part: usize) -> &[T] {
            let start = (part * WRITE_PART).min(v.len());
            &v[start..(start + WRITE_PART).min(v.len())]
        }
        let first = |v: &[Uuid]| if part == 0 { v.to_vec() } else { Vec::new() };
        let customers = slice(&self.customers, part);
        let entries = slice(&self.entries, part);
        let secrets = slice(&self.secrets, part);
        let meta = if part == 0 { &self.meta[..] } else { &[] };
        let entry_ids: Vec<Uuid> = entries.iter().map(|e| e.0).collect();
        let entry_customers: Vec<Uuid> = entries.iter().map(|e| e.1).collect();
        let entry_records: Vec<&[u8]> = entries.iter().map(|e| e.2.as_slice()).collect();
        let meta_keys: Vec<&str> = meta.iter().map(|m| m.0.as_str()).collect();
        let meta_values: Vec<&[u8]> = meta.iter().map(|m| m.1.as_slice()).collect();
        let row = pg
            .query_one(
                "SELECT head_seq, head_hash FROM sallyport.sp_write($1, $2, $3, $4, $5, $6, $7,
                    $8, $9, $10, $11, $12, $13)",
                &[
                    &ids(customers),
                    &blobs(customers),
                    &slice(&self.customer_versions, part),
                    &entry_ids,
                    &entry_customers,
                    &entry_records,
                    &slice(&self.entry_versions, part),
                    &ids(secrets),
                    &blobs(secrets),
                    &first(&self.deleted_customers),
                    &first(&self.deleted_entries),
                    &meta_keys,
                    &meta_values,
                ],
            )
            .map_err(|e| write_error(&e))?;
        Ok(head_of(&row, "head_seq", "head_hash"))
    }

    /// After a commit: every record written is one version further.
    fn note_versions(&self, known: &mut HashMap<Uuid, i64>) {
        let written = self
            .customers
            .iter()
            .map(|c| c.0)
            .zip(&self.customer_versions)
            .chain(self.entries.iter().map(|e| e.0).zip(&self.entry_versions));
        for (id, version) in written {
            known.insert(id, version.map_or(1, |v| v + 1));
        }
        for id in self.deleted_customers.iter().chain(&self.deleted_entries) {
            known.remove(id);
        }
    }
}

/// Appends client events through `sp_log`; the head after them.
pub(crate) fn log_events(
    client: &mut impl postgres::GenericClient,
    events: &[ServerEvent],
) -> Result<Option<SeenHead>> {
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    let outcomes: Vec<&str> = events.iter().map(|e| e.outcome.as_str()).collect();
    let customers: Vec<Option<Uuid>> = events.iter().map(|e| e.customer_id).collect();
    let entries: Vec<Option<Uuid>> = events.iter().map(|e| e.entry_id).collect();
    let reasons: Vec<Option<&str>> = events.iter().map(|e| e.reason.as_deref()).collect();
    let sealed: Vec<&[u8]> = events.iter().map(|e| e.sealed.as_slice()).collect();
    let row = client
        .query_one(
            "SELECT head_seq, head_hash FROM sallyport.sp_log($1, $2, $3, $4, $5, $6, $7)",
            &[
                &ids, &actions, &outcomes, &customers, &entries, &reasons, &sealed,
            ],
        )
        .map_err(|e| db_error(&e))?;
    Ok(head_of(&row, "head_seq", "head_hash"))
}

/// A refused write: a concurrent change names who and when; nothing was written.
fn write_error(e: &postgres::Error) -> Error {
    match e.code().map(|c| c.code()) {
        Some("40001") => Error::Import(format!(
            "a customer or entry was {}; nothing was saved: reload and try again",
            conn::db_message(e)
        )),
        _ => db_error(e),
    }
}

/// A batch: reads (and secrets, each recorded in its own transaction first) go to the
/// database as the batch asks; its writes are buffered and sent in one transaction at the end.
struct TeamTx<'p, 't> {
    pg: RefCell<Option<&'t mut Client>>,
    profile: &'p SqliteStore,
    connected: Option<&'p Connected>,
    buffer: Buffer,
    local: Vec<LocalOp>,
    head: RefCell<Option<SeenHead>>,
}

impl TeamTx<'_, '_> {
    fn with_pg<T>(&self, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        match self.pg.borrow_mut().as_mut() {
            Some(pg) => f(pg),
            None => Err(Error::Storage(
                "the team database is not connected (unlock first)".into(),
            )),
        }
    }

    fn version(&self, id: &Uuid) -> Option<i64> {
        self.connected
            .and_then(|c| lock(&c.versions).get(id).copied())
    }
}

impl StoreRead for TeamTx<'_, '_> {
    fn audit_keeping(&self) -> AuditKeeping {
        AuditKeeping::Server
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        if LOCAL_META.contains(&key) {
            if let Some(LocalOp::Meta(_, value)) = self
                .local
                .iter()
                .rev()
                .find(|op| matches!(op, LocalOp::Meta(k, _) if k == key))
            {
                return Ok(Some(value.clone()));
            }
            return self.profile.meta(key);
        }
        if let Some((_, value)) = self.buffer.meta.iter().rev().find(|(k, _)| k == key) {
            return Ok(Some(value.clone()));
        }
        match self.connected {
            Some(_) => self.with_pg(|pg| server_meta(pg, key)),
            None => Ok(None),
        }
    }

    fn entries_of(&self, customer_id: &str) -> Result<Vec<EntryRow>> {
        let connected = self
            .connected
            .ok_or_else(|| Error::Storage("not connected".into()))?;
        let mut rows = self.with_pg(|pg| entries_of(connected, pg, customer_id))?;
        let b = &self.buffer;
        rows.retain(|r| {
            parse_id(&r.id).is_ok_and(|id| {
                !b.deleted_entries.contains(&id) && !b.entries.iter().any(|e| e.0 == id)
            })
        });
        for (id, customer, record) in &b.entries {
            if customer.to_string() == customer_id {
                rows.push(EntryRow {
                    id: id.to_string(),
                    customer_id: customer.to_string(),
                    record: record.clone(),
                });
            }
        }
        Ok(rows)
    }

    fn entry_secrets(&self, entry_id: &str) -> Result<Option<Vec<u8>>> {
        let id = parse_id(entry_id)?;
        if let Some((_, blob)) = self.buffer.secrets.iter().rev().find(|(e, _)| *e == id) {
            return Ok(Some(blob.clone()));
        }
        let connected = self
            .connected
            .ok_or_else(|| Error::Storage("not connected".into()))?;
        let (blob, head) = self.with_pg(|pg| connected.prepared.read_secret(pg, entry_id))?;
        if head.is_some() {
            *self.head.borrow_mut() = head;
        }
        Ok(blob)
    }

    fn last_audit_row(&self) -> Result<Option<AuditRow>> {
        Ok(None)
    }

    fn failed_unlocks(&self) -> Result<Vec<FailedUnlock>> {
        if self
            .local
            .iter()
            .any(|op| matches!(op, LocalOp::ClearFailedUnlocks))
        {
            return Ok(Vec::new());
        }
        self.profile.failed_unlocks()
    }
}

impl StoreWrite for TeamTx<'_, '_> {
    fn put_customer(&mut self, row: &CustomerRow) -> Result<()> {
        let id = parse_id(&row.id)?;
        let version = self.version(&id);
        self.buffer.customers.push((id, row.record.clone()));
        self.buffer.customer_versions.push(version);
        Ok(())
    }

    fn put_entry(&mut self, row: &EntryRow) -> Result<()> {
        let id = parse_id(&row.id)?;
        let version = self.version(&id);
        self.buffer
            .entries
            .push((id, parse_id(&row.customer_id)?, row.record.clone()));
        self.buffer.entry_versions.push(version);
        Ok(())
    }

    fn put_entry_secrets(&mut self, entry_id: &str, blob: &[u8]) -> Result<()> {
        self.buffer
            .secrets
            .push((parse_id(entry_id)?, blob.to_vec()));
        Ok(())
    }

    fn delete_customer(&mut self, id: &str) -> Result<()> {
        self.buffer.deleted_customers.push(parse_id(id)?);
        Ok(())
    }

    fn delete_entry(&mut self, id: &str) -> Result<()> {
        self.buffer.deleted_entries.push(parse_id(id)?);
        Ok(())
    }

    fn put_meta(&mut self, key: &str, value: &[u8]) -> Result<()> {
        match LOCAL_META.contains(&key) {
            true => self
                .local
                .push(LocalOp::Meta(key.to_owned(), value.to_vec())),
            false => self.buffer.meta.push((key.to_owned(), value.to_vec())),
        }
        Ok(())
    }

    fn put_audit(&mut self, _row: &AuditRow) -> Result<()> {
        Err(Error::Storage(
            "a team database keeps its audit chain on the server".into(),
        ))
    }

    fn add_failed_unlock(&mut self, attempt: &FailedUnlock, keep_at_most: usize) -> Result<()> {
        self.local
            .push(LocalOp::FailedUnlock(attempt.clone(), keep_at_most));
        Ok(())
    }

    fn clear_failed_unlocks(&mut self) -> Result<()> {
        self.local.push(LocalOp::ClearFailedUnlocks);
        Ok(())
    }

    fn append_server_events(&mut self, events: &[ServerEvent]) -> Result<()> {
        self.buffer.events.extend_from_slice(events);
        Ok(())
    }

    fn use_entry_secrets(
        &mut self,
        entry_id: &str,
        event: &ServerEvent,
    ) -> Result<Option<Vec<u8>>> {
        let id = parse_id(entry_id)?;
        let connected = self
            .connected
            .ok_or_else(|| Error::Storage("not connected".into()))?;
        let (blob, head) = self.with_pg(|pg| connected.prepared.use_secret(pg, id, event))?;
        *self.head.borrow_mut() = head;
        Ok(blob)
    }
}
