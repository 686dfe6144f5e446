//! The customer's access statement: the evidence a customer's auditor asks the vendor for.
//! For one customer and a period: the accounts the vendor holds for them, every use of
//! their credentials in the period (when, staff member, device, action, reason, outcome),
//! the vendor's egress addresses, and whether the audit log verified, with its chain head
//! so the statement can be matched against the log later.
//!
//! [`crate::Session::access_statement`] builds one from the audit log; [`render`] writes it
//! as JSON, CSV, HTML or PDF ([`pdf`]). Nothing secret is in a statement: user names and
//! reasons are, passwords and TOTP secrets never.

mod pdf;
mod render;

use std::path::Path;

use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::audit::{Action, Event, NewEvent};
use crate::model::{Customer, Entry};
use crate::{Error, Result, Session};

pub use render::render;

/// The statement's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementFormat {
    /// A printable document for the customer's auditor (the default).
    Pdf,
    /// A self-contained web page.
    Html,
    /// The uses, one row each, for a spreadsheet.
    Csv,
    /// Everything, as one JSON object.
    Json,
}

impl StatementFormat {
    /// Reads `pdf`, `html`, `csv` or `json`.
    pub fn parse(value: &str) -> Result<Self> {
        match value.trim().to_lowercase().as_str() {
            "pdf" => Ok(StatementFormat::Pdf),
            "html" | "htm" => Ok(StatementFormat::Html),
            "csv" => Ok(StatementFormat::Csv),
            "json" => Ok(StatementFormat::Json),
            _ => Err(Error::invalid(
                "format",
                format!(
                    "'{}' is not a statement format; one of: pdf, html, csv, json",
                    crate::model::validate::shown(value)
                ),
            )),
        }
    }

    /// The file name extension (`pdf`).
    pub fn extension(self) -> &'static str {
        match self {
            StatementFormat::Pdf => "pdf",
            StatementFormat::Html => "html",
            StatementFormat::Csv => "csv",
            StatementFormat::Json => "json",
        }
    }
}

/// A statement file's name without its extension: `ACME-access-statement`. A code may hold
/// `.` (see `model::validate::code`), so leading dots are dropped: no hidden file, no `..`.
pub fn file_stem(code: &str) -> String {
    let code: String = code
        .chars()
        .map(|c| match c {
            c if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') => c,
            _ => '_',
        })
        .collect();
    format!("{}-access-statement", code.trim_start_matches('.'))
}

/// The days a statement covers, both inclusive (UTC); open ends cover the whole log.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    /// The first day.
    pub since: Option<Date>,
    /// The last day.
    pub until: Option<Date>,
}

impl Period {
    /// Reads `YYYY-MM-DD` days (either may be absent); a `since` after `until` is refused.
    pub fn parse(since: Option<&str>, until: Option<&str>) -> Result<Period> {
        let day = |field: &str, value: &str| {
            Date::parse(
                value.trim(),
                time::macros::format_description!("[year]-[month]-[day]"),
            )
            .map_err(|_| {
                Error::invalid(
                    field,
                    format!(
                        "'{}' is not a day as YYYY-MM-DD",
                        crate::model::validate::shown(value)
                    ),
                )
            })
        };
        let period = Period {
            since: since.map(|v| day("since", v)).transpose()?,
            until: until.map(|v| day("until", v)).transpose()?,
        };
        if let (Some(since), Some(until)) = (period.since, period.until) {
            if since > until {
                return Err(Error::invalid(
                    "since",
                    format!("{since} is after --until {until}"),
                ));
            }
        }
        Ok(period)
    }

    /// Whether `time` falls on one of the period's days.
    pub fn contains(&self, time: OffsetDateTime) -> bool {
        let day = time.to_offset(time::UtcOffset::UTC).date();
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }
}

/// The customer a statement is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementCustomer {
    /// The customer's code.
    pub code: String,
    /// The customer's name.
    pub name: String,
}

/// An account the vendor holds for the customer (an entry, without its secrets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The entry's label.
    pub entry: String,
    /// `rdp`, `web`, `vpn`, `ssh` or `other`.
    pub kind: String,
    /// The account's user name (with its domain as `DOMAIN\user`).
    pub username: String,
    /// `shared` or `named`.
    pub account_type: String,
    /// The day the account expires.
    pub expires: Option<String>,
    /// The day its password was last changed.
    pub password_changed: Option<String>,
}

/// One use of the customer's credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Use {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The staff member.
    pub staff: String,
    /// The device: host name, and the address a team database saw.
    pub device: String,
    /// What was done (`launch`, `copy_password`, `totp_show`, …).
    pub action: String,
    /// The entry used.
    pub entry: String,
    /// Why, as the staff member gave it.
    pub reason: Option<String>,
    /// `ok`, or `failed` for a use that was refused or did not start.
    pub outcome: String,
}

/// A customer's access statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// For whom.
    pub customer: StatementCustomer,
    /// The first day covered (`YYYY-MM-DD`), none for the start of the log.
    pub since: Option<String>,
    /// The last day covered, none for up to the time of issue.
    pub until: Option<String>,
    /// The accounts held.
    pub accounts: Vec<Account>,
    /// Every use in the period, oldest first.
    pub uses: Vec<Use>,
    /// The vendor's egress addresses (Settings).
    pub egress: Vec<String>,
    /// Whether the whole audit log verified when the statement was written.
    pub verified: bool,
    /// The audit chain's head then (hex): `sallyport audit verify` names the same one.
    pub chain_head: String,
    /// When it was written (RFC 3339, UTC).
    #[serde(skip)]
    pub issued_at: String,
    /// Who wrote it (the vault's staff name).
    #[serde(skip)]
    pub issued_by: String,
    /// What verification found, in words.
    #[serde(skip)]
    pub verification: String,
    /// The customer's rule on reasons for credential use.
    #[serde(skip)]
    pub reason_policy: crate::model::ReasonPolicy,
}

impl Statement {
    /// Writes the statement to `path` (created 0600, replaced if it exists).
    pub fn write(&self, path: &Path, format: StatementFormat) -> Result<()> {
        let bytes = render(self, format)?;
        let file = crate::private_fs::create_or_replace(path)?;
        write_all(file, path, &bytes)
    }

    /// Writes the statement to a new file at `path` (0600); an existing file is refused,
    /// never overwritten.
    pub fn write_new(&self, path: &Path, format: StatementFormat) -> Result<()> {
        let bytes = render(self, format)?;
        let file = crate::private_fs::create_new(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::invalid(
                "file",
                format!("{} already exists; choose another name", path.display()),
            ),
            _ => Error::io(path, e),
        })?;
        write_all(file, path, &bytes)
    }
}

fn write_all(mut file: std::fs::File, path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// RFC 3339 in UTC with milliseconds always written (`2026-12-05T00:32:09.610Z`), so that
/// the times line up in the PDF's rows.
fn rfc3339(time: OffsetDateTime) -> String {
    time.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        ))
        .unwrap_or_default()
}

fn account(entry: &Entry) -> Account {
    // A user name that names its domain itself (`ACME\vendor`, `vendor@acme`) is kept.
    let username = match (entry.domain.as_str(), entry.username.as_str()) {
        (_, "") => String::new(),
        ("", user) => user.to_owned(),
        (_, user) if user.contains(['\\', '@']) => user.to_owned(),
        (domain, user) => format!("{domain}\\{user}"),
    };
    Account {
        entry: entry.label.clone(),
        kind: entry.kind.name().to_owned(),
        username,
        account_type: entry.account_type.name().to_owned(),
        expires: entry.expires_at.map(|d| d.to_string()),
        password_changed: entry.password_changed_at.map(|d| d.to_string()),
    }
}

fn use_of(event: Event) -> Use {
    let device = match (event.host.is_empty(), event.address.is_empty()) {
        (false, false) => format!("{} ({})", event.host, event.address),
        (false, true) => event.host,
        (true, _) => event.address,
    };
    Use {
        at: rfc3339(event.time),
        staff: event.staff,
        device,
        action: event.action.as_str().to_owned(),
        entry: event.entry,
        reason: (!event.reason.is_empty()).then_some(event.reason),
        outcome: event.outcome.as_str().to_owned(),
    }
}

impl Session {
    /// The access statement for the customer `selector` names, over `period`. Recorded in
    /// the audit log first, so the chain head it names (after a full verification) is the
    /// head `audit verify` reports next.
    pub fn access_statement(&mut self, selector: &str, period: Period) -> Result<Statement> {
        let customer = self.find_customer(selector)?.id;
        let mut statements = self.statements(Some(customer), period)?;
        statements
            .pop()
            .ok_or_else(|| Error::Storage("no statement was built".into()))
    }

    /// The access statements of every customer with at least one use in `period`, sorted
    /// by code (the monthly run).
    pub fn access_statements_all(&mut self, period: Period) -> Result<Vec<Statement>> {
        self.statements(None, period)
    }

    /// The statement of `only` (whether or not it has uses), or of every customer with a
    /// use in the period.
    fn statements(&mut self, only: Option<Uuid>, period: Period) -> Result<Vec<Statement>> {
        let _span = tracing::info_span!("statement", all = only.is_none()).entered();
        let started = std::time::Instant::now();
        let mut uses: std::collections::HashMap<Uuid, Vec<Use>> = std::collections::HashMap::new();
        if let Some(id) = only {
            uses.insert(id, Vec::new());
        }
        self.for_each_audit_event(&crate::audit::AuditFilter::default(), &mut |event| {
            if !event.action.uses_credential() || !period.contains(event.time) {
                return Ok(());
            }
            match event.customer_id {
                Some(id) if only.is_none_or(|o| o == id) => {
                    uses.entry(id).or_default().push(use_of(event));
                }
                _ => {}
            }
            Ok(())
        })?;
        // Only the customers statements are for are copied (not a list of 100,000).
        let mut customers: Vec<Customer> = self
            .customers()
            .iter()
            .filter(|c| uses.contains_key(&c.id))
            .cloned()
            .collect();
        customers.sort_by_key(|c| c.code.to_lowercase());
        let shown =
            |d: Option<Date>, open: &str| d.map_or_else(|| open.to_owned(), |d| d.to_string());
        let events: Vec<NewEvent> = customers
            .iter()
            .map(|c| {
                NewEvent::new(Action::Statement).customer(c).detail(format!(
                    "access statement {} to {}, {} uses",
                    shown(period.since, "the start of the log"),
                    shown(period.until, "today"),
                    uses.get(&c.id).map_or(0, Vec::len)
                ))
            })
            .collect();
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.write_batch(&events, |_, _| Ok(Vec::new()))?;
        let report = self.verify_audit()?;
        let verification = match &report.problem {
            None => format!(
                "intact: {} events verified in order, from the first to the chain head",
                report.events
            ),
            Some(p) => format!("FAILED at event {}: {}", p.seq, p.message),
        };
        let issued_at = rfc3339(crate::audit::now());
        let mut statements = Vec::with_capacity(customers.len());
        for customer in customers {
            let entries = self.entries(&customer)?;
            statements.push(Statement {
                customer: StatementCustomer {
                    code: customer.code.to_string(),
                    name: customer.name.to_string(),
                },
                since: period.since.map(|d| d.to_string()),
                until: period.until.map(|d| d.to_string()),
                accounts: entries.iter().map(account).collect(),
                uses: uses.remove(&customer.id).unwrap_or_default(),
                egress: self.preferences().egress_ips.clone(),
                verified: report.is_ok(),
                chain_head: report.head.clone(),
                issued_at: issued_at.clone(),
                issued_by: self.staff().to_owned(),
                verification: verification.clone(),
                reason_policy: customer.reason_policy,
            });
        }
        tracing::info!(
            statements = statements.len(),
            uses = statements.iter().map(|s| s.uses.len()).sum::<usize>(),
            verified = report.is_ok(),
            ms = started.elapsed().as_millis() as u64,
            "statement built"
        );
        Ok(statements)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accounts_user_names_its_domain_once() {
        let mut entry = crate::model::Entry::default();
        let user = |e: &crate::model::Entry| account(e).username;
        entry.username = "vendor".into();
        assert_eq!(user(&entry), "vendor");
        entry.domain = "ACME".into();
        assert_eq!(user(&entry), "ACME\\vendor");
        entry.username = "ACME\\vendor".into();
        assert_eq!(user(&entry), "ACME\\vendor");
        entry.username = "vendor@acme.example".into();
        assert_eq!(user(&entry), "vendor@acme.example");
    }

    #[test]
    fn a_file_stem_is_never_hidden() {
        assert_eq!(file_stem("ACME"), "ACME-access-statement");
        assert_eq!(file_stem("acme.eu"), "acme.eu-access-statement");
        assert_eq!(file_stem("..x"), "x-access-statement");
    }

    #[test]
    fn times_are_rfc3339_utc_with_three_fraction_digits() {
        let at = time::macros::datetime!(2026-12-05 01:32:09.61 +01:00);
        assert_eq!(rfc3339(at), "2026-12-05T00:32:09.610Z");
        let whole = time::macros::datetime!(2026-12-05 00:32:35 UTC);
        let text = rfc3339(whole);
        assert_eq!(text, "2026-12-05T00:32:35.000Z");
        assert!(
            OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339).is_ok()
        );
    }
}
