//! Checking the server's audit chain on the client. Row `n`'s hash is
//! `SHA-256(hash_{n-1} ‖ seq ‖ at_us ‖ member ‖ address ‖ event id ‖ action ‖ outcome ‖
//! customer id ‖ entry id ‖ reason ‖ sealed ‖ note)`, every field length-prefixed (a 32-bit
//! big-endian length, −1 for NULL), `hash_0 = SHA-256("sallyport-team-audit-v1:" ‖ team id)`
//! — the same computation as the database's `sallyport.sp_hash` over `sp_row_fields`. A
//! client recomputes every row and checks that the chain still holds the last head it saw: a
//! database owner who edits, deletes or rolls back rows cannot hide it from a client that was
//! there before.

use sallyport_core::store::{ServerChainCheck, ServerChainFault};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::profile::SeenHead;

/// One row of the audit table, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditRecord {
    pub seq: i64,
    pub at_us: i64,
    pub member: String,
    pub client_addr: Option<String>,
    pub event_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    pub customer_id: Option<Uuid>,
    pub entry_id: Option<Uuid>,
    pub reason: Option<String>,
    pub sealed: Option<Vec<u8>>,
    pub note: Option<String>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// What the first row chains from.
pub(crate) fn genesis(team_id: &str) -> Vec<u8> {
    Sha256::digest(format!("sallyport-team-audit-v1:{team_id}").as_bytes()).to_vec()
}

fn field(hash: &mut Sha256, value: Option<&[u8]>) {
    match value {
        None => hash.update((-1i32).to_be_bytes()),
        Some(bytes) => {
            hash.update((bytes.len() as i32).to_be_bytes());
            hash.update(bytes);
        }
    }
}

/// The hash row `r` must carry after a row whose hash is `prev`.
pub(crate) fn row_hash(prev: &[u8], r: &AuditRecord) -> Vec<u8> {
    let text = |v: &Option<String>| v.as_deref().map(str::as_bytes).map(<[u8]>::to_vec);
    let id = |v: &Option<Uuid>| v.map(|id| id.to_string().into_bytes());
    let mut hash = Sha256::new();
    hash.update(prev);
    hash.update(r.seq.to_be_bytes());
    hash.update(r.at_us.to_be_bytes());
    field(&mut hash, Some(r.member.as_bytes()));
    field(&mut hash, text(&r.client_addr).as_deref());
    field(&mut hash, id(&r.event_id).as_deref());
    field(&mut hash, Some(r.action.as_bytes()));
    field(&mut hash, Some(r.outcome.as_bytes()));
    field(&mut hash, id(&r.customer_id).as_deref());
    field(&mut hash, id(&r.entry_id).as_deref());
    field(&mut hash, text(&r.reason).as_deref());
    field(&mut hash, r.sealed.as_deref());
    field(&mut hash, text(&r.note).as_deref());
    hash.finalize().to_vec()
}

/// Walks rows fed in sequence order; [`Walk::finish`] gives the verdict.
pub(crate) struct Walk<'a> {
    prev: Vec<u8>,
    expected: i64,
    seen: Option<&'a SeenHead>,
    seen_found: bool,
    check: ServerChainCheck,
}

impl<'a> Walk<'a> {
    pub fn new(team_id: &str, seen: Option<&'a SeenHead>) -> Self {
        Self {
            prev: genesis(team_id),
            expected: 1,
            seen,
            seen_found: false,
            check: ServerChainCheck {
                events: 0,
                problem: None,
                head: Vec::new(),
            },
        }
    }

    /// Takes the next row (ignored once a problem was found).
    pub fn row(&mut self, r: &AuditRecord) {
        if self.check.problem.is_some() {
            return;
        }
        let seq = self.expected as u64;
        if r.seq != self.expected {
            self.check.problem = Some((
                seq,
                ServerChainFault::Missing,
                format!(
                    "audit event {seq} is missing from the server's log (the next is {})",
                    r.seq
                ),
            ));
            return;
        }
        if r.prev_hash != self.prev || row_hash(&self.prev, r) != r.hash {
            self.check.problem = Some((
                seq,
                ServerChainFault::Edited,
                format!("audit event {seq} on the server was changed after it was written"),
            ));
            return;
        }
        if let Some(seen) = self.seen {
            if seen.seq == seq {
                if hex::encode(&r.hash) != seen.hash {
                    self.check.problem = Some((
                        seq,
                        ServerChainFault::RolledBack,
                        format!("the server's audit history was rewritten: event {seq} is not the one this client saw"),
                    ));
                    return;
                }
                self.seen_found = true;
            }
        }
        self.prev = r.hash.clone();
        self.expected += 1;
        self.check.events += 1;
    }

    pub fn finish(mut self) -> ServerChainCheck {
        if self.check.events > 0 {
            self.check.head = self.prev.clone();
        }
        if let (None, Some(seen)) = (&self.check.problem, self.seen) {
            if !self.seen_found {
                self.check.problem = Some((
                    self.check.events + 1,
                    ServerChainFault::RolledBack,
                    format!(
                        "the server's audit history was rolled back or cut: this client saw {} events, the server holds {}",
                        seen.seq, self.check.events
                    ),
                ));
            }
        }
        self.check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, prev: &[u8]) -> AuditRecord {
        let mut r = AuditRecord {
            seq,
            at_us: 1_700_000_000_000_000 + seq,
            member: "alice".into(),
            client_addr: Some("127.0.0.1".into()),
            event_id: Some(Uuid::from_u128(seq as u128)),
            action: "copy_password".into(),
            outcome: "ok".into(),
            customer_id: None,
            entry_id: Some(Uuid::from_u128(9)),
            reason: None,
            sealed: Some(vec![1, 2, 3]),
            note: None,
            prev_hash: prev.to_vec(),
            hash: Vec::new(),
        };
        r.hash = row_hash(prev, &r);
        r
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = genesis("t");
        (1..=n)
            .map(|seq| {
                let r = row(seq, &prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn walk(rows: &[AuditRecord], seen: Option<&SeenHead>) -> ServerChainCheck {
        let mut w = Walk::new("t", seen);
        rows.iter().for_each(|r| w.row(r));
        w.finish()
    }

    #[test]
    fn edits_gaps_and_rollbacks_are_found() {
        let rows = chain(5);
        let seen = SeenHead {
            seq: 4,
            hash: hex::encode(&rows[3].hash),
        };
        assert_eq!(walk(&rows, Some(&seen)).problem, None);
        assert_eq!(walk(&rows, Some(&seen)).events, 5);

        let mut edited = rows.clone();
        edited[2].member = "mallory".into();
        assert_eq!(
            walk(&edited, None).problem.unwrap().1,
            ServerChainFault::Edited
        );

        let mut gap = rows.clone();
        gap.remove(1);
        assert_eq!(
            walk(&gap, None).problem.unwrap().1,
            ServerChainFault::Missing
        );

        let cut = &rows[..3];
        assert_eq!(
            walk(cut, None).problem,
            None,
            "alone, a cut tail is a valid chain"
        );
        let found = walk(cut, Some(&seen)).problem.unwrap();
        assert_eq!(found.1, ServerChainFault::RolledBack);

        let other = chain(5);
        let foreign_seen = SeenHead {
            seq: 4,
            hash: hex::encode([0u8; 32]),
        };
        assert_eq!(
            walk(&other, Some(&foreign_seen)).problem.unwrap().1,
            ServerChainFault::RolledBack
        );
    }
}
