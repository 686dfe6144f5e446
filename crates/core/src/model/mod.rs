//! The domain model: customers, their access entries, and the secrets kept apart from them.

pub mod column;
pub mod form;
pub mod patch;
pub mod validate;
mod words;

pub use column::Column;
pub use words::Words;

pub use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;

use crate::secret::{SecretBytes, SecretString};
use crate::totp::TotpParams;

/// A customer whose servers the vendor's staff reach.
///
/// Every customer of an unlocked vault stays in memory: its short text (code, and its
/// entries' labels) is [`CompactString`], kept inside the value up to 24 bytes instead of in
/// an allocation of its own, and its lists of words (tags, its entries' hosts) are [`Words`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Stable id.
    pub id: Uuid,
    /// Display name, e.g. "Acme Manufacturing GmbH".
    pub name: CompactString,
    /// Short unique code, e.g. "ACME" (compared case-insensitively).
    pub code: CompactString,
    /// Free tags (region, product line, group path).
    #[serde(default, skip_serializing_if = "Words::is_empty")]
    pub tags: Words,
    /// Free notes (may span lines).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Support contact at the customer.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub contact: String,
    /// Whether the customer is active.
    #[serde(default = "yes")]
    pub active: bool,
    /// Policy: an entry's password is due for rotation after each launch.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rotate_after_session: bool,
    /// The customer's own rule on a reason (a ticket number) for each credential use.
    #[serde(default, skip_serializing_if = "ReasonPolicy::is_off")]
    pub reason_policy: ReasonPolicy,
    /// The customer's .rdp files share the clipboard with its servers (off by default:
    /// while a session is open, everything later copied here — another customer's
    /// password too — is offered to this customer's server).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub share_clipboard: bool,
    /// A summary of each entry, sorted by label. The entries themselves are separate
    /// records, decrypted only when needed ([`crate::Session::entries`]).
    #[serde(default)]
    pub entries: Vec<EntryRef>,
}

impl Customer {
    /// Overwrites the customer's text (and its entries' labels and hosts) in memory: the
    /// decrypted list is wiped when the vault locks.
    pub(crate) fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.name.zeroize();
        self.code.zeroize();
        self.tags.wipe();
        self.notes.zeroize();
        self.contact.zeroize();
        for entry in &mut self.entries {
            entry.label.zeroize();
            entry.hosts.wipe();
        }
    }
}

/// Whether a customer asks for a reason (a ticket number, a few words) with every use of
/// its credentials: its own rule, set by `sallyport reason` or the native CSV's `reason`
/// column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReasonPolicy {
    /// No reason asked for (one given is still recorded).
    #[default]
    Off,
    /// A reason is asked for but not required.
    Optional,
    /// A use without a reason is refused.
    Required,
}

impl ReasonPolicy {
    /// Every policy.
    pub const ALL: [ReasonPolicy; 3] = [
        ReasonPolicy::Off,
        ReasonPolicy::Optional,
        ReasonPolicy::Required,
    ];

    /// `off`, `optional` or `required`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonPolicy::Off => "off",
            ReasonPolicy::Optional => "optional",
            ReasonPolicy::Required => "required",
        }
    }

    /// Whether this is the default (kept out of stored records).
    pub fn is_off(&self) -> bool {
        *self == ReasonPolicy::Off
    }

    /// Reads `off`, `optional` or `required` (case-insensitive; `no`/`yes` for off and
    /// required); `field` names where the value came from in the error.
    pub fn parse(field: &str, value: &str) -> crate::Result<Self> {
        let wanted = value.trim().to_lowercase();
        match wanted.as_str() {
            "off" | "no" | "none" | "false" => Ok(ReasonPolicy::Off),
            "optional" => Ok(ReasonPolicy::Optional),
            "required" | "yes" | "true" => Ok(ReasonPolicy::Required),
            _ => Err(crate::Error::invalid(
                field,
                format!(
                    "'{}' is not a reason policy; one of: off, optional, required",
                    validate::shown(value)
                ),
            )),
        }
    }
}

impl std::fmt::Display for ReasonPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What lists, search and selection need of an entry; kept in the customer record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryRef {
    /// The entry's id.
    pub id: Uuid,
    /// The entry's label.
    pub label: CompactString,
    /// The entry's kind.
    pub kind: EntryKind,
    /// Host names to search by: host, gateway, VPN server, URL host.
    #[serde(default, skip_serializing_if = "Words::is_empty")]
    pub hosts: Words,
    /// The account's expiry day (for list flags without decrypting the entry).
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Date>,
    /// Whether the password is due for rotation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rotation_due: bool,
}

impl Entry {
    /// The summary kept in the customer record.
    pub fn to_ref(&self) -> EntryRef {
        let url_host = url::Url::parse(&self.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned));
        let hosts = [
            Some(&self.host),
            Some(&self.gateway_host),
            Some(&self.vpn_server),
            url_host.as_ref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        EntryRef {
            id: self.id,
            label: self.label.as_str().into(),
            kind: self.kind,
            hosts,
            expires_at: self.expires_at,
            rotation_due: self.rotation_due.is_some(),
        }
    }
}

impl Customer {
    /// Releases spare capacity of the lists (a list grown one element at a time keeps room
    /// for four). Called before a customer joins the in-memory list of 100,000.
    pub fn shrink_to_fit(&mut self) {
        self.tags.shrink_to_fit();
        self.entries.shrink_to_fit();
        for e in &mut self.entries {
            e.hosts.shrink_to_fit();
        }
    }

    /// A new, active customer with a fresh id and no entries.
    pub fn new(name: String, code: String) -> Self {
        Self {
            id: new_record_id(),
            name: name.into(),
            code: code.into(),
            tags: Words::new(),
            notes: String::new(),
            contact: String::new(),
            active: true,
            rotate_after_session: false,
            reason_policy: ReasonPolicy::Off,
            share_clipboard: false,
            entries: Vec::new(),
        }
    }
}

/// A new record id: a UUIDv7, whose leading creation time keeps inserts at the end of the
/// storage B-trees (fast bulk imports). The time a record was created is thereby visible in
/// the vault file; nothing about the customer is.
pub fn new_record_id() -> Uuid {
    Uuid::now_v7()
}

fn yes() -> bool {
    true
}

/// Dates as `YYYY-MM-DD` (what scripts reading `show --json` expect). Records written
/// before this read back too: `time`'s own form, `[year, day of year]`.
mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]");

    pub fn serialize<S: Serializer>(date: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match date {
            Some(d) => s.serialize_str(&d.format(FORMAT).map_err(serde::ser::Error::custom)?),
            None => s.serialize_none(),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Iso(String),
        Ordinal(i32, u16),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        match Option::<Stored>::deserialize(d)? {
            None => Ok(None),
            Some(Stored::Iso(text)) => Date::parse(&text, FORMAT)
                .map(Some)
                .map_err(serde::de::Error::custom),
            Some(Stored::Ordinal(year, day)) => Date::from_ordinal_date(year, day)
                .map(Some)
                .map_err(serde::de::Error::custom),
        }
    }
}

/// What an entry gives access to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// Remote Desktop.
    #[default]
    Rdp,
    /// A web application.
    Web,
    /// A VPN.
    Vpn,
    /// SSH.
    Ssh,
    /// Anything else.
    Other,
}

impl EntryKind {
    /// The lowercase name (`rdp`, `web`, …), as in a CSV file or a form.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Rdp => "rdp",
            EntryKind::Web => "web",
            EntryKind::Vpn => "vpn",
            EntryKind::Ssh => "ssh",
            EntryKind::Other => "other",
        }
    }
}

/// How the RD Gateway is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum GatewayUsage {
    /// Always connect through the gateway.
    Always,
    /// Let the client detect whether the gateway is needed.
    Detect,
    /// Never use a gateway.
    #[default]
    None,
}

impl GatewayUsage {
    /// The lowercase name (`always`, `detect`, `none`), as in a CSV file or a form.
    pub fn name(self) -> &'static str {
        match self {
            GatewayUsage::Always => "always",
            GatewayUsage::Detect => "detect",
            GatewayUsage::None => "none",
        }
    }
}

/// Whether an account is shared by all staff or belongs to one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum AccountType {
    /// One account for the whole support team.
    #[default]
    Shared,
    /// An account named after one staff member.
    Named,
}

impl AccountType {
    /// The lowercase name (`shared`, `named`), as in a CSV file or a form.
    pub fn name(self) -> &'static str {
        match self {
            AccountType::Shared => "shared",
            AccountType::Named => "named",
        }
    }
}

/// One way into a customer's systems. Secrets are not here: see [`EntrySecrets`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Entry {
    /// Stable id.
    pub id: Uuid,
    /// Label, unique within the customer ("Web server", "DB server").
    pub label: String,
    /// What this entry gives access to.
    pub kind: EntryKind,
    /// Host name or address (IPv6 bracketed).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub host: String,
    /// Port, when not the protocol's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub port: Option<u16>,
    /// RD Gateway host.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub gateway_host: String,
    /// RD Gateway port, when not 443.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub gateway_port: Option<u16>,
    /// How the gateway is used.
    #[serde(default)]
    pub gateway_usage: GatewayUsage,
    /// User name (`user`, `DOMAIN\user` or `user@domain`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub username: String,
    /// Windows domain.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    /// Web application URL.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    /// VPN type (ikev2, sstp, l2tp, openvpn, wireguard, vendor client…).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vpn_type: String,
    /// VPN server.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vpn_server: String,
    /// VPN instructions (may span lines).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vpn_instructions: String,
    /// Download URL of the VPN client.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub vpn_client_url: String,
    /// Shared or named account.
    #[serde(default)]
    pub account_type: AccountType,
    /// Staff member owning a named account.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub owner: String,
    /// Day the account expires.
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string", optional))]
    pub expires_at: Option<Date>,
    /// Day the password was last changed.
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string", optional))]
    pub password_changed_at: Option<Date>,
    /// Day the password became due for rotation (a launch under the customer's
    /// "rotate after each support session" policy); cleared when it is rotated.
    #[serde(default, with = "iso_date", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "string", optional))]
    pub rotation_due: Option<Date>,
    /// The last reachability check of this entry's targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub last_check: Option<CheckSummary>,
    /// Free notes (may span lines).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// TOTP parameters (the secret itself is in [`EntrySecrets`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub totp: Option<TotpParams>,
    /// Whether a password is stored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub has_password: bool,
    /// Whether a VPN secret is stored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub has_vpn_secret: bool,
    /// The server cannot do Network Level Authentication (xrdp does not): connect with TLS
    /// alone. Off by default: without NLA a man in the middle of a first connection could
    /// choose plain TLS and receive the password the client then sends.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_nla: bool,
    /// The SHA-256 fingerprint of the server's TLS certificate (`AB:CD:…`), pinned at the
    /// first connection (or given with `trust-cert`); a server showing another is refused.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cert_sha256: String,
}

/// The outcome of the last reachability check of an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckSummary {
    /// When it ran (UTC).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub at: time::OffsetDateTime,
    /// Whether every target was reachable.
    pub ok: bool,
    /// One line per target, e.g. "host 10.0.0.5:3389 reachable (12 ms)".
    pub summary: String,
}

/// The secrets of one entry, stored in their own sealed blob and decrypted only when used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EntrySecrets {
    /// Account password.
    pub password: Option<SecretString>,
    /// Raw TOTP secret (decoded from Base32).
    pub totp_secret: Option<SecretBytes>,
    /// VPN pre-shared key or password.
    pub vpn_secret: Option<SecretString>,
}

impl EntrySecrets {
    /// True when no secret is set.
    pub fn is_empty(&self) -> bool {
        self.password.is_none() && self.totp_secret.is_none() && self.vpn_secret.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_iso_and_old_records_still_read() {
        let entry = Entry {
            expires_at: Some(time::macros::date!(2027 - 03 - 31)),
            ..Entry::default()
        };
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["expires_at"], "2027-03-31");
        assert!(json.get("password_changed_at").is_none());
        let mut old = json.clone();
        old["expires_at"] = serde_json::json!([2027, 90]);
        let read: Entry = serde_json::from_value(old).unwrap();
        assert_eq!(read.expires_at, entry.expires_at);
        assert_eq!(serde_json::from_value::<Entry>(json).unwrap(), entry);
    }
}
