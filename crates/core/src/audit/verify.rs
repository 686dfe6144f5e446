//! Checking the chain: every row in order, then the head record.

use serde::Serialize;

use super::chain::{self, ChainKey, HeadState};
use super::Action;
use crate::crypto::RecordCipher;
use crate::store::Store;
use crate::Result;

/// What is wrong with the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A row's content or MAC was changed.
    Edited,
    /// One or more rows are missing from the middle of the log.
    Missing,
    /// A row holds another position's event.
    Reordered,
    /// Rows were cut off the end: the head record names a later event.
    Truncated,
    /// The head record was changed or does not match the log's last row.
    HeadEdited,
    /// The head record is gone although the log was started.
    HeadMissing,
    /// The chain is intact but records earlier damage (an `audit_damaged` event).
    DamageRecorded,
    /// A server's history no longer extends the last head this client saw: it was rolled
    /// back or cut by someone with the database owner's rights.
    RolledBack,
}

/// The first problem found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// The first bad sequence number.
    pub seq: u64,
    /// What is wrong.
    pub kind: ProblemKind,
    /// One line for people.
    pub message: String,
}

/// The result of [`crate::Session::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Events checked and found in order (up to the first problem).
    pub events: u64,
    /// The first problem, if any.
    pub problem: Option<Problem>,
    /// The chain's head: the link (hex) of the last event found in order, what an access
    /// statement or an export names so that it can be matched against the log later
    /// (empty for an empty log).
    pub head: String,
}

impl VerifyReport {
    /// True when the log is intact.
    pub fn is_ok(&self) -> bool {
        self.problem.is_none()
    }
}

/// Walks the whole chain. A problem is a finding, not an error: `Err` is kept for storage
/// failures.
pub(crate) fn verify(
    store: &dyn Store,
    cipher: &RecordCipher,
    key: &ChainKey,
    log_started: bool,
) -> Result<VerifyReport> {
    let mut prev = key.genesis().to_vec();
    let mut expected = 1u64;
    let mut problem: Option<Problem> = None;
    let mut damage: Option<u64> = None;
    store.for_each_audit_row(&mut |row| {
        if problem.is_some() {
            return Ok(());
        }
        let found = |kind, message: String| {
            Some(Problem {
                seq: expected,
                kind,
                message,
            })
        };
        if row.seq < expected {
            // A stored number at or below the one before (0 or negative in a file someone
            // edited, which the store reads as 0): this row does not belong here.
            problem = found(
                ProblemKind::Reordered,
                format!(
                    "event {expected} is out of order (a row numbered {} stands in its place)",
                    row.seq
                ),
            );
            return Ok(());
        }
        if row.seq != expected {
            problem = found(
                ProblemKind::Missing,
                match row.seq - expected {
                    1 => format!("event {expected} is missing (deleted from the log)"),
                    n => format!(
                        "events {expected} to {} are missing ({n} deleted from the log)",
                        row.seq - 1
                    ),
                },
            );
            return Ok(());
        }
        let event = match chain::open_event(cipher, &row) {
            Ok(event) => event,
            Err(_) => {
                problem = found(
                    ProblemKind::Edited,
                    format!("event {expected} was edited (its content fails authentication)"),
                );
                return Ok(());
            }
        };
        if event.seq != row.seq {
            problem = found(
                ProblemKind::Reordered,
                format!(
                    "event {expected} is out of order (position {expected} holds event {})",
                    event.seq
                ),
            );
            return Ok(());
        }
        if !key.check_link(row.seq, &prev, &row.record, &row.mac) {
            problem = found(
                ProblemKind::Edited,
                format!("event {expected} was edited (its chain MAC does not match)"),
            );
            return Ok(());
        }
        if event.action == Action::AuditDamaged && damage.is_none() {
            damage = Some(row.seq);
        }
        prev = row.mac;
        expected += 1;
        Ok(())
    })?;
    let checked = expected - 1;
    if problem.is_none() {
        problem = check_head(store, key, checked, &prev, log_started)?;
    }
    if let (None, Some(seq)) = (&problem, damage) {
        problem = Some(Problem {
            seq,
            kind: ProblemKind::DamageRecorded,
            message: format!(
                "the chain is intact, but event {seq} records that the log was found damaged"
            ),
        });
    }
    Ok(VerifyReport {
        events: checked,
        problem,
        head: match checked {
            0 => String::new(),
            _ => hex::encode(&prev),
        },
    })
}

fn check_head(
    store: &dyn Store,
    key: &ChainKey,
    last: u64,
    last_mac: &[u8],
    log_started: bool,
) -> Result<Option<Problem>> {
    let problem = |seq, kind, message: String| Some(Problem { seq, kind, message });
    Ok(match chain::read_head(store, key)? {
        HeadState::Missing if last == 0 && !log_started => None,
        HeadState::Missing => problem(
            last + 1,
            ProblemKind::HeadMissing,
            "the head record is missing; events may have been cut off the end".into(),
        ),
        HeadState::Invalid => problem(
            last + 1,
            ProblemKind::HeadEdited,
            "the head record was edited (its MAC does not match)".into(),
        ),
        HeadState::Valid(head) if head.seq > last => problem(
            last + 1,
            ProblemKind::Truncated,
            match head.seq - last {
                1 => format!("event {} was cut off the end of the log", last + 1),
                n => format!(
                    "events {} to {} were cut off the end of the log ({n} events)",
                    last + 1,
                    head.seq
                ),
            },
        ),
        HeadState::Valid(head) if head.seq < last || head.mac != last_mac => problem(
            head.seq.min(last) + 1,
            ProblemKind::HeadEdited,
            format!(
                "the head record (event {}) does not match the log's last event ({last})",
                head.seq
            ),
        ),
        HeadState::Valid(_) => None,
    })
}
