//! The access-readiness report: per customer, what stands between the support team and a
//! clean, compliant connection.

use serde::Serialize;
use time::Date;

use super::expiry::{expiry, Expiry};
use crate::model::{Customer, Entry, EntryKind};

/// What the report looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// The account has expired.
    Expired,
    /// The account expires within 14 days.
    Expiring,
    /// The password must be rotated (a launch under the rotate-after-session policy).
    RotationDue,
    /// The password is older than the report's limit.
    PasswordOld,
    /// An RDP or web login with a password but no TOTP.
    MissingTotp,
    /// The VPN is PPTP, which customers do not accept.
    PptpVpn,
    /// The last reachability check failed.
    Unreachable,
    /// The day the password was last changed is not recorded (not counted as an issue).
    PasswordAgeUnknown,
}

impl FindingKind {
    /// Whether the finding counts as an issue (everything but an unknown password age).
    pub fn is_issue(self) -> bool {
        self != FindingKind::PasswordAgeUnknown
    }
}

/// One thing found about one entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The entry's label.
    pub entry: String,
    /// What was found.
    pub kind: FindingKind,
    /// In words ("expired 2026-11-01", "last changed 2026-01-10, 317 days ago").
    pub detail: String,
}

/// One customer's readiness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// Customer code.
    pub code: String,
    /// Customer name.
    pub name: String,
    /// Findings that count as issues.
    pub issues: usize,
    /// Everything found, by entry then kind.
    pub findings: Vec<Finding>,
}

/// How the report judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportOptions {
    /// The day to judge expiry and password age on.
    pub today: Date,
    /// Passwords older than this many days are flagged (default 90).
    pub max_password_age_days: i64,
}

impl ReportOptions {
    /// The default limit (90 days) on `today`.
    pub fn on(today: Date) -> Self {
        Self {
            today,
            max_password_age_days: 90,
        }
    }
}

/// The findings for one entry.
pub fn entry_findings(entry: &Entry, options: &ReportOptions) -> Vec<Finding> {
    let mut found = Vec::new();
    let mut add = |kind, detail: String| {
        found.push(Finding {
            entry: entry.label.clone(),
            kind,
            detail,
        })
    };
    match expiry(entry.expires_at, options.today) {
        Some(e @ Expiry::Expired { .. }) => add(FindingKind::Expired, e.describe()),
        Some(e @ Expiry::Expiring { .. }) => add(FindingKind::Expiring, e.describe()),
        None => {}
    }
    if let Some(since) = entry.rotation_due {
        add(
            FindingKind::RotationDue,
            format!("due since the support session of {since}"),
        );
    }
    if entry.has_password {
        match entry.password_changed_at {
            Some(changed) => {
                let age = (options.today - changed).whole_days();
                if age > options.max_password_age_days {
                    add(
                        FindingKind::PasswordOld,
                        format!(
                            "last changed {changed}, {age} days ago (limit {})",
                            options.max_password_age_days
                        ),
                    );
                }
            }
            None => add(
                FindingKind::PasswordAgeUnknown,
                "no password change date recorded".into(),
            ),
        }
        if matches!(entry.kind, EntryKind::Rdp | EntryKind::Web) && entry.totp.is_none() {
            add(FindingKind::MissingTotp, "password without a TOTP".into());
        }
    }
    if super::is_pptp(entry) {
        let client = match entry.vpn_client_url.as_str() {
            "" => String::new(),
            url => format!("; client: {url}"),
        };
        add(
            FindingKind::PptpVpn,
            format!("PPTP VPN is not supported (insecure){client}"),
        );
    }
    if let Some(check) = entry.last_check.as_ref().filter(|c| !c.ok) {
        let at = check.at.date();
        add(
            FindingKind::Unreachable,
            format!("check of {at}: {}", check.summary),
        );
    }
    found
}

/// One customer's readiness from its entries.
pub fn assess(customer: &Customer, entries: &[Entry], options: &ReportOptions) -> Readiness {
    let findings: Vec<Finding> = entries
        .iter()
        .flat_map(|e| entry_findings(e, options))
        .collect();
    Readiness {
        code: customer.code.to_string(),
        name: customer.name.to_string(),
        issues: findings.iter().filter(|f| f.kind.is_issue()).count(),
        findings,
    }
}
