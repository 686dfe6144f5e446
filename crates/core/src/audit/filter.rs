//! Selecting events: by customer, staff, action and time.

use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};
use uuid::Uuid;

use super::{Action, Event};
use crate::{Error, Result};

/// Which customer's events to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerMatch {
    /// A customer in the vault.
    Id(Uuid),
    /// A code no longer in the vault (a deleted customer), compared case-insensitively
    /// with the code recorded in each event.
    Code(String),
}

/// A selection of events; empty fields select everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this customer's events.
    pub customer: Option<CustomerMatch>,
    /// Only events of this staff name or OS user (case-insensitive).
    pub staff: Option<String>,
    /// Only these actions (any of them).
    pub actions: Vec<Action>,
    /// Only events at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only events before this time.
    pub until: Option<OffsetDateTime>,
}

/// A selection of events as a person types it, each field as text; a blank field selects
/// everything. `Session::audit_filter` turns it into an [`AuditFilter`].
#[derive(Debug, Clone, Copy)]
pub struct AuditSelection<'a> {
    /// A customer code or unique name (a deleted customer by its code).
    pub customer: &'a str,
    /// A staff name or OS user.
    pub staff: &'a str,
    /// Action names (`copy_password`) or families (`copy`), any of them.
    pub actions: &'a [&'a str],
    /// Events at or after: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
    pub since: &'a str,
    /// Events before: `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time.
    pub until: &'a str,
    /// What the front end calls the since and until fields, for error messages
    /// (`--since` on the command line).
    pub labels: [&'a str; 2],
}

impl AuditFilter {
    /// Whether `event` is selected.
    pub fn matches(&self, event: &Event) -> bool {
        let customer_ok = match &self.customer {
            None => true,
            Some(CustomerMatch::Id(id)) => event.customer_id == Some(*id),
            Some(CustomerMatch::Code(code)) => event.customer.eq_ignore_ascii_case(code),
        };
        let staff_ok = self.staff.as_ref().is_none_or(|s| {
            event.staff.to_lowercase() == s.to_lowercase()
                || event.os_user.to_lowercase() == s.to_lowercase()
        });
        customer_ok
            && staff_ok
            && (self.actions.is_empty() || self.actions.contains(&event.action))
            && self.since.is_none_or(|t| event.time >= t)
            && self.until.is_none_or(|t| event.time < t)
    }

    /// Adds the actions named by `value`: an action name (`copy_password`) or a family
    /// prefix (`copy` selects every `copy_*` action).
    pub fn add_actions(&mut self, value: &str) -> Result<()> {
        if let Ok(action) = super::parse_action(value) {
            self.actions.push(action);
            return Ok(());
        }
        let prefix = format!("{}_", value.trim().to_lowercase().replace('-', "_"));
        let family: Vec<Action> = Action::ALL
            .iter()
            .copied()
            .filter(|a| a.as_str().starts_with(&prefix))
            .collect();
        if family.is_empty() {
            return super::parse_action(value).map(|_| ());
        }
        self.actions.extend(family);
        Ok(())
    }
}

/// Parses a point in time given as `YYYY-MM-DD` (midnight UTC) or RFC 3339.
pub fn parse_time(field: &str, value: &str) -> Result<OffsetDateTime> {
    let value = value.trim();
    if let Ok(t) = OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339) {
        return Ok(t);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value, &format)
        .map(|d| PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc())
        .map_err(|_| {
            Error::invalid(
                field,
                format!(
                    "'{}' is not a date; use YYYY-MM-DD or an RFC 3339 time",
                    crate::model::validate::shown(value)
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_and_dates_parse() {
        let mut f = AuditFilter::default();
        f.add_actions("copy").unwrap();
        assert_eq!(
            f.actions,
            [Action::CopyPassword, Action::CopyUsername, Action::CopyTotp]
        );
        assert!(f.add_actions("nonsense").is_err());
        let t = parse_time("--since", "2026-11-01").unwrap();
        assert_eq!(t.unix_timestamp(), 1_793_491_200);
        assert!(parse_time("--since", "2026-11-01T10:00:00Z").is_ok());
        let err = parse_time("--since", "last week").unwrap_err().to_string();
        assert_eq!(
            err,
            "--since: 'last week' is not a date; use YYYY-MM-DD or an RFC 3339 time"
        );
    }
}
