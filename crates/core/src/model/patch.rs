//! One validated import row: a patch to a customer and, optionally, a patch to one of its
//! entries. A patch field is `None` where the file's cell was empty or absent, so updating
//! an existing record never erases a value the file did not mention.

use time::Date;

use super::column::Column;
use super::validate;
use super::{AccountType, Customer, Entry, EntryKind, EntrySecrets, GatewayUsage};
use crate::secret::{SecretBytes, SecretString};
use crate::totp::TotpParams;
use crate::{Error, Result};

/// The longest entry label.
const MAX_LABEL_CHARS: usize = 64;

/// The cells of one CSV record, by native column name, before validation. Borrows the
/// reader's buffer: nothing is copied until a value is validated.
#[derive(Debug, Default, Clone)]
pub struct RawRow<'a> {
    /// Physical line where the record starts (header = 1).
    pub line: u64,
    /// `(column, value)` pairs for non-empty cells.
    pub cells: Vec<(Column, &'a str)>,
}

impl RawRow<'_> {
    fn get(&self, column: Column) -> &str {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map_or("", |(_, v)| validate::trim_blank(v))
    }

    fn opt(&self, column: Column) -> Option<&str> {
        Some(self.get(column)).filter(|v| !v.is_empty())
    }

    /// The cell as written, untrimmed (passwords may start or end with spaces).
    fn untrimmed(&self, column: Column) -> Option<&str> {
        self.cells
            .iter()
            .find(|(c, v)| *c == column && !v.is_empty())
            .map(|(_, v)| *v)
    }
}

/// Customer fields a row sets.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CustomerPatch {
    /// Customer name (always present: the one required column).
    pub name: String,
    /// Customer code, when given.
    pub code: Option<String>,
    /// Tags, when given.
    pub tags: Option<Vec<String>>,
    /// Notes, when given.
    pub notes: Option<String>,
    /// Support contact, when given.
    pub contact: Option<String>,
    /// Active flag, when given.
    pub active: Option<bool>,
    /// Rotation policy, when given.
    pub rotate_after_session: Option<bool>,
    /// Reason policy, when given.
    pub reason_policy: Option<super::ReasonPolicy>,
    /// Clipboard sharing, when given.
    pub share_clipboard: Option<bool>,
}

impl CustomerPatch {
    /// Applies the given fields to `customer`; returns whether anything changed.
    pub fn apply(&self, customer: &mut Customer) -> bool {
        let before = customer.clone();
        customer.name = self.name.as_str().into();
        if let Some(code) = &self.code {
            customer.code = code.as_str().into();
        }
        if let Some(tags) = &self.tags {
            for tag in tags {
                if !customer.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                    customer.tags.push(tag);
                }
            }
        }
        set(&mut customer.notes, &self.notes);
        set(&mut customer.contact, &self.contact);
        if let Some(active) = self.active {
            customer.active = active;
        }
        if let Some(rotate) = self.rotate_after_session {
            customer.rotate_after_session = rotate;
        }
        if let Some(policy) = self.reason_policy {
            customer.reason_policy = policy;
        }
        if let Some(share) = self.share_clipboard {
            customer.share_clipboard = share;
        }
        *customer != before
    }
}

/// Entry fields a row sets, including its secrets.
#[derive(Debug, Default, Clone)]
pub struct EntryPatch {
    /// Label (explicit or derived from host / URL / kind).
    pub label: String,
    /// Kind, when given or implied.
    pub kind: Option<EntryKind>,
    /// Host.
    pub host: Option<String>,
    /// Port.
    pub port: Option<u16>,
    /// Gateway host.
    pub gateway_host: Option<String>,
    /// Gateway port.
    pub gateway_port: Option<u16>,
    /// Gateway usage.
    pub gateway_usage: Option<GatewayUsage>,
    /// User name.
    pub username: Option<String>,
    /// Domain.
    pub domain: Option<String>,
    /// Password.
    pub password: Option<SecretString>,
    /// TOTP parameters and secret.
    pub totp: Option<(TotpParams, SecretBytes)>,
    /// Web URL.
    pub url: Option<String>,
    /// VPN type.
    pub vpn_type: Option<String>,
    /// VPN server.
    pub vpn_server: Option<String>,
    /// VPN instructions.
    pub vpn_instructions: Option<String>,
    /// VPN client download URL.
    pub vpn_client_url: Option<String>,
    /// Account type.
    pub account_type: Option<AccountType>,
    /// Owner of a named account.
    pub owner: Option<String>,
    /// Expiry date.
    pub expires_at: Option<Date>,
    /// Day the password was last changed.
    pub password_changed_at: Option<Date>,
    /// Day the password became due for rotation.
    pub rotation_due: Option<Date>,
    /// VPN pre-shared key or password.
    pub vpn_secret: Option<SecretString>,
    /// Notes.
    pub notes: Option<String>,
    /// The server cannot do NLA (the `nla` column said `no`).
    pub without_nla: Option<bool>,
    /// The pinned certificate fingerprint.
    pub cert_sha256: Option<String>,
}

impl EntryPatch {
    /// Applies the non-secret fields to `entry`; returns whether anything changed.
    pub fn apply(&self, entry: &mut Entry) -> bool {
        let before = entry.clone();
        entry.label = self.label.clone();
        if let Some(kind) = self.kind {
            entry.kind = kind;
        }
        set(&mut entry.host, &self.host);
        set_copy(&mut entry.port, self.port);
        set(&mut entry.gateway_host, &self.gateway_host);
        set_copy(&mut entry.gateway_port, self.gateway_port);
        if let Some(usage) = self.gateway_usage {
            entry.gateway_usage = usage;
        } else if self.gateway_host.is_some() && entry.gateway_usage == GatewayUsage::None {
            entry.gateway_usage = GatewayUsage::Always;
        }
        set(&mut entry.username, &self.username);
        set(&mut entry.domain, &self.domain);
        set(&mut entry.url, &self.url);
        set(&mut entry.vpn_type, &self.vpn_type);
        set(&mut entry.vpn_server, &self.vpn_server);
        set(&mut entry.vpn_instructions, &self.vpn_instructions);
        set(&mut entry.vpn_client_url, &self.vpn_client_url);
        if let Some(t) = self.account_type {
            entry.account_type = t;
        }
        set(&mut entry.owner, &self.owner);
        set_copy(&mut entry.expires_at, self.expires_at);
        set_copy(&mut entry.password_changed_at, self.password_changed_at);
        set_copy(&mut entry.rotation_due, self.rotation_due);
        if self.vpn_secret.is_some() {
            entry.has_vpn_secret = true;
        }
        set(&mut entry.notes, &self.notes);
        if let Some(without) = self.without_nla {
            entry.without_nla = without;
        }
        set(&mut entry.cert_sha256, &self.cert_sha256);
        if let Some((params, _)) = &self.totp {
            entry.totp = Some(params.clone());
        }
        if self.password.is_some() {
            entry.has_password = true;
        }
        *entry != before
    }

    /// Applies the secrets to `secrets`; returns whether anything changed.
    pub fn apply_secrets(&self, secrets: &mut EntrySecrets) -> bool {
        let mut changed = false;
        if let Some(pw) = &self.password {
            changed |= secrets.password.as_ref() != Some(pw);
            secrets.password = Some(pw.clone());
        }
        if let Some((_, secret)) = &self.totp {
            changed |= secrets.totp_secret.as_ref() != Some(secret);
            secrets.totp_secret = Some(secret.clone());
        }
        if let Some(vpn) = &self.vpn_secret {
            changed |= secrets.vpn_secret.as_ref() != Some(vpn);
            secrets.vpn_secret = Some(vpn.clone());
        }
        changed
    }

    /// Whether the row carries any secret.
    pub fn has_secrets(&self) -> bool {
        self.password.is_some() || self.totp.is_some() || self.vpn_secret.is_some()
    }
}

/// Checks the rules that span fields, on the entry as it will be stored.
pub fn check_entry(entry: &Entry) -> Result<()> {
    match entry.kind {
        EntryKind::Rdp | EntryKind::Ssh if entry.host.is_empty() => {
            return Err(Error::invalid(
                "host",
                format!("is required for an {} entry", entry.kind.name()),
            ));
        }
        EntryKind::Web if entry.url.is_empty() && entry.host.is_empty() => {
            return Err(Error::invalid("url", "is required for a web entry"));
        }
        _ => {}
    }
    if entry.gateway_host.is_empty() {
        if entry.gateway_port.is_some() {
            return Err(Error::invalid(
                "gateway_port",
                "is set but there is no gateway",
            ));
        }
        if entry.gateway_usage != GatewayUsage::None {
            return Err(Error::invalid(
                "gateway_usage",
                "is set but there is no gateway",
            ));
        }
    }
    Ok(())
}

/// Validates a raw row into patches. `entry` is `None` for a customer-only row.
pub fn validate(raw: &RawRow) -> Result<(CustomerPatch, Option<EntryPatch>)> {
    let customer = CustomerPatch {
        name: validate::required_line("customer", raw.get(Column::Customer), 200)?,
        code: raw.opt(Column::Code).map(validate::code).transpose()?,
        tags: raw.opt(Column::Tags).map(validate::tags).transpose()?,
        notes: None,
        contact: raw
            .opt(Column::Contact)
            .map(|v| validate::single_line("contact", v).map(|()| v.to_owned()))
            .transpose()?,
        active: raw
            .opt(Column::Active)
            .map(|v| parse_bool("active", v))
            .transpose()?,
        rotate_after_session: raw
            .opt(Column::RotateAfterSession)
            .map(|v| parse_bool("rotate_after_session", v))
            .transpose()?,
        reason_policy: raw
            .opt(Column::Reason)
            .map(|v| super::ReasonPolicy::parse("reason", v))
            .transpose()?,
        share_clipboard: raw
            .opt(Column::ShareClipboard)
            .map(|v| parse_bool("share_clipboard", v))
            .transpose()?,
    };
    let customer_notes = raw
        .opt(Column::CustomerNotes)
        .map(|v| validate::multi_line("customer_notes", v).map(|()| v.to_owned()))
        .transpose()?;
    let notes = raw
        .opt(Column::Notes)
        .map(|v| validate::multi_line("notes", v).map(|()| v.to_owned()))
        .transpose()?;
    let entry = entry_patch(raw, notes.clone())?;
    let customer = CustomerPatch {
        notes: customer_notes.or(if entry.is_none() { notes } else { None }),
        ..customer
    };
    Ok((customer, entry))
}

/// Validates the entry columns of a row; `None` when the row has none.
pub(crate) fn entry_patch(raw: &RawRow, notes: Option<String>) -> Result<Option<EntryPatch>> {
    if !raw
        .cells
        .iter()
        .any(|(c, v)| c.is_entry() && !validate::trim_blank(v).is_empty())
    {
        return Ok(None);
    }
    let line = |column: Column| -> Result<Option<String>> {
        raw.opt(column)
            .map(|v| validate::single_line(column.name(), v).map(|()| v.to_owned()))
            .transpose()
    };
    let non_empty = |s: String| Some(s).filter(|s| !s.is_empty());
    let host = non_empty(validate::host("host", raw.get(Column::Host))?);
    let url = non_empty(validate::web_url("url", raw.get(Column::Url))?);
    let vpn_server = non_empty(validate::host("vpn_server", raw.get(Column::VpnServer))?);
    let kind = raw
        .opt(Column::Kind)
        .map(parse_kind)
        .transpose()?
        .or_else(|| {
            if host.is_some() {
                Some(EntryKind::Rdp)
            } else if url.is_some() {
                Some(EntryKind::Web)
            } else if vpn_server.is_some() || raw.opt(Column::VpnType).is_some() {
                Some(EntryKind::Vpn)
            } else {
                None
            }
        });
    let label = match raw.opt(Column::Entry) {
        Some(l) => validate::required_line("entry", l, MAX_LABEL_CHARS)?,
        // A label made from the host or address is cut to a label's 64 characters (a
        // host name may have 253), so that what was imported exports and imports again.
        None => host
            .clone()
            .or_else(|| url.as_deref().and_then(url_host))
            .map(|name| name.chars().take(MAX_LABEL_CHARS).collect())
            .unwrap_or_else(|| kind.unwrap_or_default().name().to_uppercase()),
    };
    let password = raw.untrimmed(Column::Password).map(|p| {
        // Passwords may contain anything printable, but never a line break or NUL.
        validate::single_line("password", p)
            .map_err(|_| Error::invalid("password", "contains a control character"))
            .map(|()| SecretString::from(p))
    });
    Ok(Some(EntryPatch {
        label,
        kind,
        host,
        port: validate::port("port", raw.get(Column::Port))?,
        gateway_host: non_empty(validate::host("gateway", raw.get(Column::Gateway))?),
        gateway_port: validate::port("gateway_port", raw.get(Column::GatewayPort))?,
        gateway_usage: raw
            .opt(Column::GatewayUsage)
            .map(parse_gateway_usage)
            .transpose()?,
        username: non_empty(validate::username(raw.get(Column::Username))?),
        domain: non_empty(validate::domain(raw.get(Column::Domain))?),
        password: password.transpose()?,
        totp: raw.opt(Column::Totp).map(crate::totp::parse).transpose()?,
        url,
        vpn_type: line(Column::VpnType)?,
        vpn_server,
        vpn_instructions: raw
            .opt(Column::VpnInstructions)
            .map(|v| validate::multi_line("vpn_instructions", v).map(|()| v.to_owned()))
            .transpose()?,
        vpn_client_url: non_empty(validate::web_url(
            "vpn_client_url",
            raw.get(Column::VpnClientUrl),
        )?),
        account_type: raw
            .opt(Column::AccountType)
            .map(parse_account_type)
            .transpose()?,
        owner: line(Column::Owner)?,
        expires_at: validate::iso_date("expires", raw.get(Column::Expires))?,
        password_changed_at: validate::iso_date(
            "password_changed",
            raw.get(Column::PasswordChanged),
        )?,
        rotation_due: validate::iso_date("rotation_due", raw.get(Column::RotationDue))?,
        vpn_secret: raw
            .untrimmed(Column::VpnSecret)
            .map(|v| {
                validate::single_line("vpn_secret", v)
                    .map_err(|_| Error::invalid("vpn_secret", "contains a control character"))
                    .map(|()| SecretString::from(v))
            })
            .transpose()?,
        notes,
        without_nla: raw
            .opt(Column::Nla)
            .map(|v| parse_bool("nla", v).map(|nla| !nla))
            .transpose()?,
        cert_sha256: non_empty(validate::cert_fingerprint(
            "cert_sha256",
            raw.get(Column::CertSha256),
        )?),
    }))
}

fn url_host(url: &str) -> Option<String> {
    url::Url::parse(url).ok()?.host_str().map(str::to_owned)
}

fn parse_kind(value: &str) -> Result<EntryKind> {
    match value.to_ascii_lowercase().as_str() {
        "rdp" => Ok(EntryKind::Rdp),
        "web" | "http" | "https" => Ok(EntryKind::Web),
        "vpn" => Ok(EntryKind::Vpn),
        "ssh" => Ok(EntryKind::Ssh),
        "other" => Ok(EntryKind::Other),
        _ => Err(Error::invalid(
            "kind",
            format!(
                "'{}' is not one of rdp, web, vpn, ssh, other",
                validate::shown(value)
            ),
        )),
    }
}

fn parse_gateway_usage(value: &str) -> Result<GatewayUsage> {
    match value.to_ascii_lowercase().as_str() {
        "always" | "1" => Ok(GatewayUsage::Always),
        "detect" | "2" => Ok(GatewayUsage::Detect),
        "none" | "never" | "0" => Ok(GatewayUsage::None),
        _ => Err(Error::invalid(
            "gateway_usage",
            format!(
                "'{}' is not one of always, detect, none",
                validate::shown(value)
            ),
        )),
    }
}

fn parse_account_type(value: &str) -> Result<AccountType> {
    match value.to_ascii_lowercase().as_str() {
        "shared" => Ok(AccountType::Shared),
        "named" => Ok(AccountType::Named),
        _ => Err(Error::invalid(
            "account_type",
            format!("'{}' is not one of shared, named", validate::shown(value)),
        )),
    }
}

fn parse_bool(field: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "y" => Ok(true),
        "no" | "false" | "0" | "n" => Ok(false),
        _ => Err(Error::invalid(
            field,
            format!("'{}' is not yes or no", validate::shown(value)),
        )),
    }
}

fn set(target: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        target.clone_from(v);
    }
}

fn set_copy<T: Copy>(target: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *target = value;
    }
}
