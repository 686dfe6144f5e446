//! The tamper-evident audit log: who did what with which customer's credentials, and when.
//!
//! Every action goes through one append API ([`crate::Session::audit`], or the events a
//! write batch carries). Each event is sealed like any other record (customer codes and
//! entry labels are sensitive) and chained: its row's HMAC covers its sequence number, the
//! previous row's HMAC and the sealed bytes, under a key derived from the data key with
//! HKDF-SHA256 ([`chain`]). A MACed head record (last sequence number and MAC) makes a cut
//! tail detectable. [`verify`] walks the chain and names the first problem.
//!
//! Failed unlocks happen without the key; they are noted in plaintext and folded into the
//! chain at the next successful unlock ([`crate::store::FailedUnlock`]).
//!
//! An event never holds a secret value: its detail is a short text built from counts,
//! file names and reasons, never from passwords or TOTP secrets.

pub(crate) mod chain;
pub(crate) mod export;
mod filter;
mod reason;
pub mod verify;

pub use reason::{Reason, TicketPattern, MAX_REASON_CHARS};

pub use export::ExportFormat;
pub use filter::{parse_time, AuditFilter, AuditSelection, CustomerMatch};
pub use verify::{Problem, ProblemKind, VerifyReport};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::model::{Customer, Entry};
use crate::{Error, Result};

/// What happened. Stable snake_case names, used by filters, exports and the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// The vault was created.
    VaultCreate,
    /// An unlock attempt (outcome `failed` for a wrong password or a lock-out).
    Unlock,
    /// Customers were listed or searched.
    Search,
    /// A customer and its entries were shown (never secrets).
    CustomerView,
    /// A secret was shown on screen.
    Reveal,
    /// A password was copied to the clipboard.
    CopyPassword,
    /// A user name was copied to the clipboard.
    CopyUsername,
    /// A TOTP code was copied to the clipboard.
    CopyTotp,
    /// A TOTP code was computed for display.
    TotpShow,
    /// A TOTP secret was set or replaced.
    TotpSet,
    /// An .rdp file was written.
    RdpWrite,
    /// A remote-access client was launched.
    Launch,
    /// An import was previewed (nothing written).
    ImportPreview,
    /// An import was written (or refused).
    Import,
    /// Customers were exported.
    Export,
    /// A customer was created.
    CustomerCreate,
    /// A customer was edited.
    CustomerEdit,
    /// A customer was deleted.
    CustomerDelete,
    /// An entry was created.
    EntryCreate,
    /// An entry was edited.
    EntryEdit,
    /// An entry was deleted.
    EntryDelete,
    /// A setting was changed.
    SettingsChange,
    /// The master password was changed.
    PasswordChange,
    /// The audit log was exported.
    AuditExport,
    /// Sallyport found the audit chain's head missing or damaged and chained on; recorded
    /// so that the damage stays on record (verification reports it).
    AuditDamaged,
    /// An entry's password was recorded as rotated.
    PasswordRotated,
    /// An entry's host and gateway were checked for reachability (`failed`: not all answered).
    ReachabilityCheck,
    /// The access-readiness report was produced.
    Report,
    /// An entry's secrets were read from a team database for an edit or an export (recorded
    /// by the server).
    SecretsRead,
    /// Records were written to a team database (recorded by the server, with counts).
    RecordsWritten,
    /// A team member was invited.
    MemberInvite,
    /// An invited member joined with their enrolment code.
    MemberJoin,
    /// An admin confirmed a member's key fingerprint and gave them the team key.
    MemberConfirm,
    /// A member was removed from the team.
    MemberRemove,
    /// A member was shown their own database login (`team db-env`).
    DbEnv,
    /// Every record of a team was sealed under a new team key (`team remove --rekey`).
    Rekey,
    /// The .rdp signing certificate was set or replaced.
    SigningSet,
    /// The .rdp signing certificate was removed.
    SigningClear,
    /// A customer's access statement was written.
    Statement,
    /// The team database's schema was upgraded by its owner (`team upgrade`).
    SchemaUpgrade,
    /// An admin revoked an invitation not used yet (`team revoke`): its code no longer works.
    InviteRevoke,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: &'static [Action] = &[
        Action::VaultCreate,
        Action::Unlock,
        Action::Search,
        Action::CustomerView,
        Action::Reveal,
        Action::CopyPassword,
        Action::CopyUsername,
        Action::CopyTotp,
        Action::TotpShow,
        Action::TotpSet,
        Action::RdpWrite,
        Action::Launch,
        Action::ImportPreview,
        Action::Import,
        Action::Export,
        Action::CustomerCreate,
        Action::CustomerEdit,
        Action::CustomerDelete,
        Action::EntryCreate,
        Action::EntryEdit,
        Action::EntryDelete,
        Action::SettingsChange,
        Action::PasswordChange,
        Action::AuditExport,
        Action::AuditDamaged,
        Action::PasswordRotated,
        Action::ReachabilityCheck,
        Action::Report,
        Action::SecretsRead,
        Action::RecordsWritten,
        Action::MemberInvite,
        Action::MemberJoin,
        Action::MemberConfirm,
        Action::MemberRemove,
        Action::DbEnv,
        Action::Rekey,
        Action::SigningSet,
        Action::SigningClear,
        Action::Statement,
        Action::SchemaUpgrade,
        Action::InviteRevoke,
    ];

    /// The stable name (`copy_password`).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::VaultCreate => "vault_create",
            Action::Unlock => "unlock",
            Action::Search => "search",
            Action::CustomerView => "customer_view",
            Action::Reveal => "reveal",
            Action::CopyPassword => "copy_password",
            Action::CopyUsername => "copy_username",
            Action::CopyTotp => "copy_totp",
            Action::TotpShow => "totp_show",
            Action::TotpSet => "totp_set",
            Action::RdpWrite => "rdp_write",
            Action::Launch => "launch",
            Action::ImportPreview => "import_preview",
            Action::Import => "import",
            Action::Export => "export",
            Action::CustomerCreate => "customer_create",
            Action::CustomerEdit => "customer_edit",
            Action::CustomerDelete => "customer_delete",
            Action::EntryCreate => "entry_create",
            Action::EntryEdit => "entry_edit",
            Action::EntryDelete => "entry_delete",
            Action::SettingsChange => "settings_change",
            Action::PasswordChange => "password_change",
            Action::AuditExport => "audit_export",
            Action::AuditDamaged => "audit_damaged",
            Action::PasswordRotated => "password_rotated",
            Action::ReachabilityCheck => "reachability_check",
            Action::Report => "report",
            Action::SecretsRead => "secrets_read",
            Action::RecordsWritten => "records_written",
            Action::MemberInvite => "member_invite",
            Action::MemberJoin => "member_join",
            Action::MemberConfirm => "member_confirm",
            Action::MemberRemove => "member_remove",
            Action::DbEnv => "db_env",
            Action::Rekey => "rekey",
            Action::SigningSet => "signing_set",
            Action::SigningClear => "signing_clear",
            Action::Statement => "statement",
            Action::SchemaUpgrade => "schema_upgrade",
            Action::InviteRevoke => "invite_revoke",
        }
    }

    /// Whether this action used a credential (a secret left the vault or a client got it).
    pub fn uses_credential(self) -> bool {
        matches!(
            self,
            Action::Reveal
                | Action::CopyPassword
                | Action::CopyUsername
                | Action::CopyTotp
                | Action::TotpShow
                | Action::Launch
                | Action::SecretsRead
        )
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It was done.
    Ok,
    /// It was attempted and failed or was refused.
    Failed,
}

impl Outcome {
    /// `ok` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Failed => "failed",
        }
    }
}

/// One event of the log, as stored (sealed) and as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When it happened (UTC, millisecond precision).
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// Staff name of the vault.
    pub staff: String,
    /// OS user of the process.
    pub os_user: String,
    /// Host name of the machine.
    pub host: String,
    /// What happened.
    pub action: Action,
    /// How it ended.
    pub outcome: Outcome,
    /// The customer concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<Uuid>,
    /// The customer's code at the time (kept so events of deleted customers stay readable).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub customer: String,
    /// The entry concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<Uuid>,
    /// The entry's label at the time.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub entry: String,
    /// A short description: counts, file names, reasons. Never a secret.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// Why the credential was used, as the staff member gave it (a ticket number, a few
    /// words; one line): see [`Reason`].
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Set on events restored from a backup: the event's number in the log it was
    /// backed up from. Its time, staff and device are the original ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restored_from: Option<u64>,
    /// The client's address as a team database's server saw it (empty in a local vault).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub address: String,
    /// A failed unlock noted before any key was known (so without a MAC) and chained at the
    /// next unlock: anyone able to write the vault file could have written the note. What
    /// it says (time, OS user, host, reason) is a claim, not evidence.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unauthenticated: bool,
}

impl Event {
    /// The device the event came from as `os_user@host`, or the part that is known, or
    /// nothing (a team server's own records of member changes name no device).
    pub fn device(&self) -> String {
        match (self.os_user.is_empty(), self.host.is_empty()) {
            (true, true) => String::new(),
            (true, false) => self.host.clone(),
            (false, true) => self.os_user.clone(),
            (false, false) => format!("{}@{}", self.os_user, self.host),
        }
    }

    /// What a reader must know before trusting the event, in words (empty for an ordinary
    /// event): shown by `audit list` and the app.
    pub fn caveat(&self) -> String {
        let mut said = Vec::new();
        if self.unauthenticated {
            said.push(
                "unauthenticated note: written without the vault key, anyone able to write \
                 the vault file could have written it"
                    .to_owned(),
            );
        }
        if let Some(seq) = self.restored_from {
            said.push(format!(
                "restored from backup, was event {seq}; chained again on restore, its \
                 original chain cannot be checked"
            ));
        }
        said.join("; ")
    }
}

/// An event to append; the log fills in sequence number, time, staff and device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub(crate) action: Action,
    pub(crate) outcome: Outcome,
    pub(crate) customer: Option<(Uuid, String)>,
    pub(crate) entry: Option<(Uuid, String)>,
    pub(crate) detail: String,
    pub(crate) reason: Option<String>,
    /// Set only when folding failed unlocks (their own time, OS user and host).
    pub(crate) at: Option<(OffsetDateTime, String, String)>,
    /// Set only when restoring a backup: the event as it was in the backed-up log.
    pub(crate) original: Option<Box<Event>>,
}

/// Longest detail kept; longer texts are cut (details are descriptions, not data).
pub const MAX_DETAIL_CHARS: usize = 500;

impl NewEvent {
    /// A successful `action`.
    pub fn new(action: Action) -> Self {
        Self {
            action,
            outcome: Outcome::Ok,
            customer: None,
            entry: None,
            detail: String::new(),
            reason: None,
            at: None,
            original: None,
        }
    }

    /// An event from a backed-up log, appended as it was (marked restored).
    pub(crate) fn restored(original: Event) -> Self {
        Self {
            original: Some(Box::new(original)),
            ..NewEvent::new(Action::Import)
        }
    }

    /// Marks the event as failed or refused.
    pub fn failed(mut self) -> Self {
        self.outcome = Outcome::Failed;
        self
    }

    /// Sets the outcome.
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// The customer concerned.
    pub fn customer(mut self, customer: &Customer) -> Self {
        self.customer = Some((customer.id, customer.code.to_string()));
        self
    }

    /// The entry concerned.
    pub fn entry(mut self, entry: &Entry) -> Self {
        self.entry = Some((entry.id, entry.label.clone()));
        self
    }

    /// A short description (never a secret). Line breaks become spaces; over
    /// [`MAX_DETAIL_CHARS`] characters it is cut.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        let detail: String = detail.into();
        self.detail = detail
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(MAX_DETAIL_CHARS)
            .collect();
        self
    }

    /// Why (already checked: one line, not too long), when given.
    pub fn reason(mut self, reason: Option<&Reason>) -> Self {
        self.reason = reason.map(|r| r.as_str().to_owned());
        self
    }

    /// The action.
    pub fn action(&self) -> Action {
        self.action
    }
}

/// How a file is named in an event's detail: its file name (the whole path when it has
/// none). Directories can name customers; the name alone says which file it was.
pub(crate) fn file_label(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The current time, cut to milliseconds (what the log stores).
pub(crate) fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(now.nanosecond() / 1_000_000 * 1_000_000)
        .unwrap_or(now)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn unix_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// The event a failed-unlock note becomes when it is folded into the chain.
pub(crate) fn failed_unlock_event(note: &crate::store::FailedUnlock) -> NewEvent {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(note.at_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let detail = match note.repeats {
        0 | 1 => note.reason.clone(),
        n => format!("{} ({n} attempts, the last at this time)", note.reason),
    };
    NewEvent {
        at: Some((at, note.os_user.clone(), note.host.clone())),
        ..NewEvent::new(Action::Unlock).failed().detail(detail)
    }
}

/// Parses an action name as given on a command line or in a filter.
pub fn parse_action(value: &str) -> Result<Action> {
    let wanted = value.trim().to_lowercase().replace('-', "_");
    Action::ALL
        .iter()
        .copied()
        .find(|a| a.as_str() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
            Error::invalid(
                "action",
                format!(
                    "unknown action '{}'; one of: {}",
                    crate::model::validate::shown(value),
                    names.join(", ")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_round_trip_through_serde_and_parse() {
        for &action in Action::ALL {
            let json = serde_json::to_string(&action).unwrap();
            assert_eq!(json, format!("\"{}\"", action.as_str()));
            assert_eq!(parse_action(action.as_str()).unwrap(), action);
        }
        assert_eq!(parse_action("Copy-Password").unwrap(), Action::CopyPassword);
        let err = parse_action("steal").unwrap_err().to_string();
        assert!(err.contains("unknown action 'steal'"), "{err}");
    }

    #[test]
    fn a_device_is_what_is_known_of_it() {
        let event = |os_user: &str, host: &str| Event {
            seq: 1,
            time: OffsetDateTime::UNIX_EPOCH,
            staff: "Ann".into(),
            os_user: os_user.into(),
            host: host.into(),
            action: Action::MemberInvite,
            outcome: Outcome::Ok,
            customer_id: None,
            customer: String::new(),
            entry_id: None,
            entry: String::new(),
            detail: String::new(),
            reason: String::new(),
            restored_from: None,
            address: String::new(),
            unauthenticated: false,
        };
        assert_eq!(event("ann", "laptop").device(), "ann@laptop");
        assert_eq!(event("", "").device(), "", "a server's own record");
        assert_eq!(event("", "laptop").device(), "laptop");
        assert_eq!(event("ann", "").device(), "ann");
    }

    #[test]
    fn details_lose_line_breaks_and_are_bounded() {
        let e = NewEvent::new(Action::Import).detail("a\nb\r\u{1b}c");
        assert_eq!(e.detail, "a b  c");
        let long = NewEvent::new(Action::Import).detail("x".repeat(2000));
        assert_eq!(long.detail.chars().count(), MAX_DETAIL_CHARS);
    }
}
