//! The chain: MAC key, per-row links, the head record, and appending.
//!
//! Row `n` stores `mac_n = HMAC-SHA256(K, "sallyport-audit-row-v1" || n || mac_{n-1} ||
//! len(record) || record)`, with `mac_0 = HMAC(K, "sallyport-audit-genesis-v1" || vault id)`.
//! `K` comes from the data key by HKDF-SHA256 (salt: vault id, info: its own label), so the
//! chain can be checked by anyone holding the data key and forged by no one else.
//! The head record in `meta` holds the last sequence number and MAC under its own MAC; it
//! is rewritten with every append, in the same transaction.

use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

use super::{Action, Event, NewEvent};
use crate::crypto::{Binding, BlobKind, RecordCipher};
use crate::secret::Key256;
use crate::store::{AuditKeeping, AuditRow, ServerEvent, ServerEventRow, StoreRead, StoreWrite};
use crate::{Error, Result};

/// Meta key of the head record.
pub(crate) const META_HEAD: &str = "audit_head";
/// Table name bound into every sealed event.
pub(crate) const TABLE: &str = "audit";
/// Row id bound into every sealed event.
pub(crate) const EVENT_ROW: &str = "event";

const HKDF_INFO: &[u8] = b"sallyport audit-chain mac key v1";
const ROW_LABEL: &[u8] = b"sallyport-audit-row-v1";
const GENESIS_LABEL: &[u8] = b"sallyport-audit-genesis-v1";
const HEAD_LABEL: &[u8] = b"sallyport-audit-head-v1";

type HmacSha256 = Hmac<Sha256>;

/// The chain's MAC key, derived from the data key; wiped on drop.
pub(crate) struct ChainKey {
    key: Key256,
    vault_id: Uuid,
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(<redacted>)")
    }
}

impl ChainKey {
    /// HKDF-SHA256(data key, salt = vault id, info = the chain's label).
    pub fn derive(data_key: &Key256, vault_id: Uuid) -> Result<Self> {
        let mut okm = zeroize::Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(Some(vault_id.as_bytes()), data_key.expose())
            .expand(HKDF_INFO, okm.as_mut())
            .map_err(|_| Error::Storage("audit key derivation failed".into()))?;
        Ok(Self {
            key: Key256::from_bytes(*okm), // `okm` is wiped when it goes out of scope
            vault_id,
        })
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        <HmacSha256 as Mac>::new_from_slice(self.key.expose())
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// The MAC the first row chains from.
    pub fn genesis(&self) -> [u8; 32] {
        let mut mac = self.mac();
        mac.update(GENESIS_LABEL);
        mac.update(self.vault_id.as_bytes());
        mac.finalize().into_bytes().into()
    }

    fn row_mac(&self, seq: u64, prev: &[u8], record: &[u8]) -> HmacSha256 {
        let mut mac = self.mac();
        mac.update(ROW_LABEL);
        mac.update(&seq.to_be_bytes());
        mac.update(&(prev.len() as u64).to_be_bytes());
        mac.update(prev);
        mac.update(&(record.len() as u64).to_be_bytes());
        mac.update(record);
        mac
    }

    /// The MAC of row `seq` with sealed bytes `record` after a row whose MAC is `prev`.
    pub fn link(&self, seq: u64, prev: &[u8], record: &[u8]) -> [u8; 32] {
        self.row_mac(seq, prev, record)
            .finalize()
            .into_bytes()
            .into()
    }

    /// Whether `mac` is the right MAC for the row (constant-time comparison).
    pub fn check_link(&self, seq: u64, prev: &[u8], record: &[u8], mac: &[u8]) -> bool {
        self.row_mac(seq, prev, record).verify_slice(mac).is_ok()
    }

    fn head_mac(&self, seq: u64, last: &[u8]) -> HmacSha256 {
        let mut mac = self.mac();
        mac.update(HEAD_LABEL);
        mac.update(&seq.to_be_bytes());
        mac.update(last);
        mac
    }
}

/// Where the chain ends: the last sequence number and its MAC (0 and the genesis MAC for
/// an empty chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub seq: u64,
    pub mac: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct StoredHead {
    seq: u64,
    mac: String,
    tag: String,
}

/// The head record as found in the store.
#[derive(Debug)]
pub(crate) enum HeadState {
    /// No head record.
    Missing,
    /// A head record whose tag does not verify, or that cannot be read.
    Invalid,
    /// An authentic head.
    Valid(Head),
}

/// Reads and authenticates the head record.
pub(crate) fn read_head(store: &dyn StoreRead, key: &ChainKey) -> Result<HeadState> {
    let Some(bytes) = store.meta(META_HEAD)? else {
        return Ok(HeadState::Missing);
    };
    let Ok(stored) = serde_json::from_slice::<StoredHead>(&bytes) else {
        return Ok(HeadState::Invalid);
    };
    let (Ok(mac), Ok(tag)) = (hex::decode(&stored.mac), hex::decode(&stored.tag)) else {
        return Ok(HeadState::Invalid);
    };
    if key.head_mac(stored.seq, &mac).verify_slice(&tag).is_err() {
        return Ok(HeadState::Invalid);
    }
    Ok(HeadState::Valid(Head {
        seq: stored.seq,
        mac,
    }))
}

pub(crate) fn write_head(tx: &mut dyn StoreWrite, key: &ChainKey, head: &Head) -> Result<()> {
    let tag = key.head_mac(head.seq, &head.mac).finalize().into_bytes();
    let stored = StoredHead {
        seq: head.seq,
        mac: hex::encode(&head.mac),
        tag: hex::encode(tag),
    };
    let bytes = serde_json::to_vec(&stored).map_err(|e| Error::Storage(e.to_string()))?;
    tx.put_meta(META_HEAD, &bytes)
}

/// Everything appending needs: the keys and who is acting.
pub(crate) struct Appender<'a> {
    pub key: &'a ChainKey,
    pub cipher: &'a RecordCipher,
    /// The vault's staff name.
    pub staff: &'a str,
    /// The OS user and host acting.
    pub device: &'a crate::identity::Device,
    /// Whether this vault's log has been started (an empty log is then suspicious).
    pub log_started: bool,
}

/// Every event is sealed under the same binding: to the audit table and its kind. Its place
/// in the chain is bound by the sequence number inside the payload and by the row's MAC.
fn binding() -> Binding<'static> {
    Binding {
        table: TABLE,
        row_id: EVENT_ROW,
        kind: BlobKind::AuditEvent,
    }
}

impl Appender<'_> {
    /// Where the next row goes. An authentic head is trusted (rows missing behind it stay
    /// missing, so verification keeps reporting them). A missing or damaged head is
    /// replaced by chaining on from the last stored row, and the damage is recorded as an
    /// event of its own so it is never silently healed.
    fn tail(&self, tx: &dyn StoreRead) -> Result<(Head, Option<String>)> {
        let last = tx.last_audit_row()?;
        let last_seq = last.as_ref().map_or(0, |r| r.seq);
        let from_last = || match &last {
            Some(row) => Head {
                seq: row.seq,
                mac: row.mac.clone(),
            },
            None => Head {
                seq: 0,
                mac: self.key.genesis().to_vec(),
            },
        };
        Ok(match read_head(tx, self.key)? {
            HeadState::Valid(head) if head.seq >= last_seq => (head, None),
            HeadState::Valid(head) => (
                from_last(),
                Some(format!(
                    "the audit head said event {} but the log holds events up to {last_seq}",
                    head.seq
                )),
            ),
            HeadState::Missing if last.is_none() && !self.log_started => (from_last(), None),
            HeadState::Missing => (
                from_last(),
                Some(format!(
                    "the audit head record was missing (log holds {last_seq} events)"
                )),
            ),
            HeadState::Invalid => (
                from_last(),
                Some(format!(
                    "the audit head record was damaged (log holds {last_seq} events)"
                )),
            ),
        })
    }

    /// Appends `events` in order inside the caller's transaction and moves the head.
    /// Returns the sequence number of the last event written (0 where the server numbers
    /// them: a server-kept log is appended to as the server says, and chained by it).
    pub fn append(&self, tx: &mut dyn StoreWrite, events: &[NewEvent]) -> Result<u64> {
        if tx.audit_keeping() == AuditKeeping::Server {
            let events: Vec<ServerEvent> = events
                .iter()
                .map(|new| self.server_event(new))
                .collect::<Result<_>>()?;
            tx.append_server_events(&events)?;
            return Ok(0);
        }
        let (mut head, damage) = self.tail(tx)?;
        let damage_event = damage.map(|d| NewEvent::new(Action::AuditDamaged).failed().detail(d));
        for new in damage_event.iter().chain(events) {
            let seq = head.seq + 1;
            let event = self.event(seq, new);
            let plain = zeroize::Zeroizing::new(
                serde_json::to_vec(&event).map_err(|e| Error::Storage(e.to_string()))?,
            );
            let record = self.cipher.seal(binding(), &plain)?;
            let mac = self.key.link(seq, &head.mac, &record).to_vec();
            tx.put_audit(&AuditRow {
                seq,
                record,
                mac: mac.clone(),
            })?;
            head = Head { seq, mac };
        }
        write_head(tx, self.key, &head)?;
        Ok(head.seq)
    }

    /// `new` for a server-kept log: the action and ids in the clear, the whole event sealed
    /// and bound to a fresh event id.
    pub fn server_event(&self, new: &NewEvent) -> Result<ServerEvent> {
        let id = Uuid::new_v4();
        let event = self.event(0, new);
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(&event).map_err(|e| Error::Storage(e.to_string()))?,
        );
        let row_id = id.to_string();
        Ok(ServerEvent {
            id,
            action: event.action.as_str().to_owned(),
            outcome: event.outcome.as_str().to_owned(),
            customer_id: event.customer_id,
            entry_id: event.entry_id,
            reason: new.reason.clone(),
            sealed: self.cipher.seal(server_binding(&row_id), &plain)?,
        })
    }

    fn event(&self, seq: u64, new: &NewEvent) -> Event {
        if let Some(original) = &new.original {
            return Event {
                seq,
                restored_from: Some(original.seq),
                ..(**original).clone()
            };
        }
        let (time, os_user, host) = match &new.at {
            Some((at, user, host)) => (*at, user.clone(), host.clone()),
            None => (
                super::now(),
                self.device.os_user.clone(),
                self.device.host.clone(),
            ),
        };
        Event {
            seq,
            time,
            staff: self.staff.to_owned(),
            os_user,
            host,
            action: new.action,
            outcome: new.outcome,
            customer_id: new.customer.as_ref().map(|c| c.0),
            customer: new
                .customer
                .as_ref()
                .map(|c| c.1.clone())
                .unwrap_or_default(),
            entry_id: new.entry.as_ref().map(|e| e.0),
            entry: new.entry.as_ref().map(|e| e.1.clone()).unwrap_or_default(),
            detail: new.detail.clone(),
            reason: new.reason.clone().unwrap_or_default(),
            restored_from: None,
            address: String::new(),
            // Only folded failed-unlock notes carry their own time and device.
            unauthenticated: new.at.is_some(),
        }
    }
}

/// A server-kept event's sealed part is bound to its event id.
fn server_binding(event_id: &str) -> Binding<'_> {
    Binding {
        table: TABLE,
        row_id: event_id,
        kind: BlobKind::AuditEvent,
    }
}

/// The event a server keeps: what the server recorded itself (number, time, member, action,
/// outcome, ids) over what the client sealed, which must agree with it.
pub(crate) fn open_server_event(cipher: &RecordCipher, row: &ServerEventRow) -> Result<Event> {
    let unreadable = || Error::Integrity(format!("audit event {} is unreadable", row.seq));
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.at_ms) * 1_000_000)
        .map_err(|_| unreadable())?;
    if row.event.sealed.is_empty() {
        // Written by the server itself: all there is, is what it recorded.
        let outcome = match row.event.outcome.as_str() {
            "ok" => super::Outcome::Ok,
            _ => super::Outcome::Failed,
        };
        return Ok(Event {
            seq: row.seq,
            time,
            staff: row.member.clone(),
            os_user: String::new(),
            host: String::new(),
            action: super::parse_action(&row.event.action).map_err(|_| unreadable())?,
            outcome,
            customer_id: row.event.customer_id,
            customer: String::new(),
            entry_id: row.event.entry_id,
            entry: String::new(),
            detail: row.note.clone(),
            reason: row.event.reason.clone().unwrap_or_default(),
            restored_from: None,
            address: row.client_addr.clone(),
            unauthenticated: false,
        });
    }
    let plain = cipher
        .open(server_binding(&row.event.id.to_string()), &row.event.sealed)
        .map_err(|_| unreadable())?;
    let sealed: Event = serde_json::from_slice(&plain).map_err(|_| unreadable())?;
    let consistent = sealed.action.as_str() == row.event.action
        && sealed.outcome.as_str() == row.event.outcome
        && sealed.customer_id == row.event.customer_id
        && sealed.entry_id == row.event.entry_id
        && sealed.reason == row.event.reason.as_deref().unwrap_or_default();
    if !consistent {
        return Err(Error::Integrity(format!(
            "audit event {}: what the server recorded differs from what was sealed",
            row.seq
        )));
    }
    Ok(Event {
        seq: row.seq,
        time,
        staff: row.member.clone(),
        address: row.client_addr.clone(),
        ..sealed
    })
}

/// Decrypts one stored event.
pub(crate) fn open_event(cipher: &RecordCipher, row: &AuditRow) -> Result<Event> {
    let plain = cipher.open(binding(), &row.record)?;
    serde_json::from_slice(&plain)
        .map_err(|_| Error::Integrity(format!("audit event {} is unreadable", row.seq)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_depend_on_every_input() {
        let key = ChainKey::derive(&Key256::from_bytes([1; 32]), Uuid::nil()).unwrap();
        let base = key.link(5, b"prev", b"record");
        assert!(key.check_link(5, b"prev", b"record", &base));
        assert_ne!(base, key.link(6, b"prev", b"record"));
        assert_ne!(base, key.link(5, b"prev!", b"record"));
        assert_ne!(base, key.link(5, b"prev", b"recorD"));
        let other = ChainKey::derive(&Key256::from_bytes([2; 32]), Uuid::nil()).unwrap();
        assert_ne!(base, other.link(5, b"prev", b"record"));
        let other_vault =
            ChainKey::derive(&Key256::from_bytes([1; 32]), Uuid::from_u128(7)).unwrap();
        assert_ne!(key.genesis(), other_vault.genesis());
    }
}
