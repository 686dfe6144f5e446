//! Access hygiene: what a customer's security officer asks of a vendor with remote access.
//! Expiring named accounts ([`expiry`]), passwords due for rotation, generated passwords
//! that meet a policy ([`genpw`]), whether hosts and gateways answer ([`reach`]), and the
//! readiness report that puts it together ([`report`]).
//!
//! Every function here takes "today" or a resolver as an argument, so tests control the
//! clock and never touch the network.

pub mod expiry;
pub mod genpw;
pub mod reach;
pub mod report;

pub use expiry::{expiry, Expiry, EXPIRING_WITHIN_DAYS};
pub use genpw::{generate, PasswordPolicy};
pub use reach::{Reach, Resolver, SystemResolver, TargetResult};
pub use report::{Finding, FindingKind, Readiness, ReportOptions};

use crate::model::Entry;

/// Whether the entry's VPN is PPTP, which customers do not accept (its encryption is broken).
pub fn is_pptp(entry: &Entry) -> bool {
    entry.vpn_type.trim().eq_ignore_ascii_case("pptp")
}

/// Today's date (UTC), for callers that do not inject one.
pub fn today() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

/// Short flags for a customer in a list, from its entry summaries (no decryption):
/// "expired", "expires in 3 days", "rotation due".
pub fn customer_flags(customer: &crate::model::Customer, today: time::Date) -> Vec<String> {
    let mut flags = Vec::new();
    let states: Vec<Expiry> = customer
        .entries
        .iter()
        .filter_map(|e| expiry(e.expires_at, today))
        .collect();
    if states.iter().any(Expiry::is_expired) {
        flags.push("expired".to_owned());
    }
    if let Some(soonest) = states
        .iter()
        .filter(|e| !e.is_expired())
        .min_by_key(|e| match e {
            Expiry::Expiring { days_left, .. } => *days_left,
            Expiry::Expired { .. } => 0,
        })
    {
        flags.push(soonest.describe());
    }
    if customer.entries.iter().any(|e| e.rotation_due) {
        flags.push("rotation due".to_owned());
    }
    flags
}

/// Short flags for one entry: expiry, rotation due, PPTP, a failed last check.
pub fn entry_flags(entry: &Entry, today: time::Date) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some(state) = expiry(entry.expires_at, today) {
        flags.push(state.describe());
    }
    if let Some(since) = entry.rotation_due {
        flags.push(format!("rotation due (since {since})"));
    }
    if is_pptp(entry) {
        flags.push("PPTP VPN unsupported".to_owned());
    }
    if entry.last_check.as_ref().is_some_and(|c| !c.ok) {
        flags.push("unreachable at last check".to_owned());
    }
    if entry.without_nla && entry.kind == crate::model::EntryKind::Rdp {
        flags.push("no Network Level Authentication (TLS alone)".to_owned());
    }
    flags
}
