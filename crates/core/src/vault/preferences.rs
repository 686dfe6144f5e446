//! The vault's preferences: how long it stays unlocked when idle, how long a copied secret
//! stays on the clipboard, the vendor's egress addresses to hand customers, and the .rdp
//! defaults. Stored sealed with the vault's settings; every change is audited.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::model::validate::FieldError;
use crate::rdp::RdpPreferences;
use crate::Error;

/// Inactivity before the app locks itself, in minutes (default 5).
pub const AUTO_LOCK_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;
/// How long a copied secret stays on the clipboard, in seconds (default 20).
pub const CLIPBOARD_SECONDS: std::ops::RangeInclusive<u32> = 5..=600;
/// Most egress addresses kept.
pub const MAX_EGRESS: usize = 64;

/// The preferences of one vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct Preferences {
    /// Minutes without input before the app locks the vault.
    pub auto_lock_minutes: u32,
    /// Seconds before a copied secret is cleared from the clipboard.
    pub clipboard_clear_seconds: u32,
    /// The vendor's outgoing addresses or ranges (`203.0.113.7`, `2001:db8::/48`), for
    /// customers' firewall allow-lists.
    pub egress_ips: Vec<String>,
    /// Display and redirection defaults for .rdp files.
    pub rdp: RdpPreferences,
    /// A regular expression every reason must contain a match of (`TASS-\d+`), so that a
    /// reason names a ticket; empty: any reason.
    pub ticket_pattern: String,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            auto_lock_minutes: 5,
            clipboard_clear_seconds: 20,
            egress_ips: Vec::new(),
            rdp: RdpPreferences::default(),
            ticket_pattern: String::new(),
        }
    }
}

impl Preferences {
    /// Checks every field and normalises the egress list (trimmed, canonical addresses,
    /// duplicates dropped); every wrong field is named.
    pub fn validated(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut range = |field: &str, value: u32, range: std::ops::RangeInclusive<u32>, unit| {
            if !range.contains(&value) {
                errors.push(FieldError {
                    field: field.to_owned(),
                    message: format!(
                        "{value} is not from {} to {} {unit}",
                        range.start(),
                        range.end()
                    ),
                });
            }
        };
        range(
            "auto_lock_minutes",
            self.auto_lock_minutes,
            AUTO_LOCK_MINUTES,
            "minutes",
        );
        range(
            "clipboard_clear_seconds",
            self.clipboard_clear_seconds,
            CLIPBOARD_SECONDS,
            "seconds",
        );
        let mut egress: Vec<String> = Vec::new();
        for (i, value) in self.egress_ips.iter().enumerate() {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match egress_address(value) {
                Ok(address) if !egress.contains(&address) => egress.push(address),
                Ok(_) => {}
                Err(message) => errors.push(FieldError {
                    field: "egress_ips".to_owned(),
                    message: format!("line {}: {message}", i + 1),
                }),
            }
        }
        if egress.len() > MAX_EGRESS {
            errors.push(FieldError {
                field: "egress_ips".to_owned(),
                message: format!("at most {MAX_EGRESS} addresses"),
            });
        }
        self.egress_ips = egress;
        if let Err(Error::Invalid { field, message }) = self.rdp.validate() {
            errors.push(FieldError {
                field: format!("rdp_{field}"),
                message,
            });
        }
        self.ticket_pattern = self.ticket_pattern.trim().to_owned();
        if let Err(Error::Invalid { field, message }) =
            crate::audit::TicketPattern::parse(&self.ticket_pattern)
        {
            errors.push(FieldError { field, message });
        }
        match errors.is_empty() {
            true => Ok(self),
            false => Err(errors),
        }
    }

    /// The names of the fields that differ from `other` (for the audit log).
    pub fn changed_fields(&self, other: &Preferences) -> Vec<&'static str> {
        [
            (
                "auto-lock",
                self.auto_lock_minutes != other.auto_lock_minutes,
            ),
            (
                "clipboard clearing",
                self.clipboard_clear_seconds != other.clipboard_clear_seconds,
            ),
            ("egress addresses", self.egress_ips != other.egress_ips),
            (".rdp defaults", self.rdp != other.rdp),
            (
                "ticket pattern",
                self.ticket_pattern != other.ticket_pattern,
            ),
        ]
        .into_iter()
        .filter_map(|(name, changed)| changed.then_some(name))
        .collect()
    }
}

/// An address or CIDR range in canonical form, or why it is not one.
fn egress_address(value: &str) -> Result<String, String> {
    let shown = crate::model::validate::shown(value);
    let not_one = || format!("'{shown}' is not an IPv4 or IPv6 address or range");
    let (address, prefix) = match value.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (value, None),
    };
    let address: IpAddr = address.parse().map_err(|_| not_one())?;
    let Some(prefix) = prefix else {
        return Ok(address.to_string());
    };
    let max = if address.is_ipv4() { 32 } else { 128 };
    match prefix.parse::<u8>() {
        Ok(bits) if bits <= max => Ok(format!("{address}/{bits}")),
        _ => Err(format!(
            "'{shown}' has a prefix length that is not 0 to {max}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn egress_addresses_are_normalised_and_checked() {
        let prefs = Preferences {
            egress_ips: vec![
                " 203.0.113.7 ".into(),
                "2001:DB8:0:0::1".into(),
                "198.51.100.0/24".into(),
                "".into(),
                "203.0.113.7".into(),
            ],
            ..Preferences::default()
        }
        .validated()
        .unwrap_or_default();
        assert_eq!(
            prefs.egress_ips,
            ["203.0.113.7", "2001:db8::1", "198.51.100.0/24"]
        );
        let errors = Preferences {
            egress_ips: vec![
                "10.0.0.300".into(),
                "10.0.0.0/33".into(),
                "fd00::/129".into(),
            ],
            auto_lock_minutes: 0,
            clipboard_clear_seconds: 601,
            ..Preferences::default()
        }
        .validated()
        .err()
        .unwrap_or_default();
        let messages: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        assert_eq!(
            messages,
            [
                "auto_lock_minutes: 0 is not from 1 to 240 minutes",
                "clipboard_clear_seconds: 601 is not from 5 to 600 seconds",
                "egress_ips: line 1: '10.0.0.300' is not an IPv4 or IPv6 address or range",
                "egress_ips: line 2: '10.0.0.0/33' has a prefix length that is not 0 to 32",
                "egress_ips: line 3: 'fd00::/129' has a prefix length that is not 0 to 128",
            ]
        );
    }
}
