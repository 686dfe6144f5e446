//! Using credentials: finding the entry meant (by id for the app, by `CUSTOMER[/ENTRY]` for
//! the command line), TOTP codes, values to copy, the audited reveal, an entry's links, and
//! setting TOTP secrets. Every use is addressed by the entry's id and recorded in the audit
//! log before anything is handed out.

use uuid::Uuid;

use super::{appender, records, Session};
use crate::audit::{Action, NewEvent, Reason, TicketPattern};
use crate::model::{new_record_id, Customer, Entry, EntryKind, EntrySecrets, ReasonPolicy};
use crate::secret::{SecretBytes, SecretString};
use crate::store::AuditKeeping;
use crate::totp::{TotpGenerator, TotpParams};
use crate::{Error, Result};

/// What an entry is wanted for: decides which entry `CUSTOMER` alone means, and what the
/// chosen entry must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Connecting: an RDP entry.
    Connect,
    /// Its password.
    Password,
    /// Its user name.
    Username,
    /// Its TOTP code.
    Totp,
    /// Changing it (any entry; the first RDP entry by default).
    Edit,
}

impl Purpose {
    fn fits(self, e: &Entry) -> bool {
        match self {
            Purpose::Connect => e.kind == EntryKind::Rdp,
            Purpose::Password => e.has_password,
            Purpose::Username => !e.username.is_empty(),
            Purpose::Totp => e.totp.is_some(),
            Purpose::Edit => e.kind == EntryKind::Rdp,
        }
    }

    fn lacks(self) -> &'static str {
        match self {
            Purpose::Connect | Purpose::Edit => "is not an RDP entry",
            Purpose::Password => "has no password",
            Purpose::Username => "has no user name",
            Purpose::Totp => "has no TOTP secret",
        }
    }

    fn wanted(self) -> &'static str {
        match self {
            Purpose::Connect | Purpose::Edit => "RDP entry",
            Purpose::Password => "entry with a password",
            Purpose::Username => "entry with a user name",
            Purpose::Totp => "entry with a TOTP secret",
        }
    }
}

/// A customer and one of its entries, as chosen by a `CUSTOMER[/ENTRY]` selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The customer.
    pub customer: Customer,
    /// The entry.
    pub entry: Entry,
}

impl Target {
    /// "ACME/Web server".
    pub fn name(&self) -> String {
        format!("{}/{}", self.customer.code, self.entry.label)
    }
}

/// Which value to copy (also what the app's copy command takes: `"password"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum CopyField {
    /// The password.
    Password,
    /// The user name.
    Username,
    /// The current TOTP code.
    Totp,
}

impl CopyField {
    /// The action a copy of it is recorded as.
    pub fn action(self) -> Action {
        match self {
            CopyField::Password => Action::CopyPassword,
            CopyField::Username => Action::CopyUsername,
            CopyField::Totp => Action::CopyTotp,
        }
    }

    /// The kind of entry that holds it, for [`Session::select`].
    pub fn purpose(self) -> Purpose {
        match self {
            CopyField::Password => Purpose::Password,
            CopyField::Username => Purpose::Username,
            CopyField::Totp => Purpose::Totp,
        }
    }
}

/// Which link of an entry to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The web application.
    Url,
    /// The VPN client's download page.
    VpnClientUrl,
}

/// A generator for `entry`'s TOTP codes from its decrypted secrets.
fn generator(entry: &Entry, secrets: &EntrySecrets) -> Result<TotpGenerator> {
    let params = entry
        .totp
        .as_ref()
        .ok_or_else(|| Error::NotFound(format!("{} has no TOTP secret", entry.label)))?;
    let secret = secrets.totp_secret.as_ref().ok_or_else(|| {
        Error::Integrity(format!("the TOTP secret of {} is missing", entry.label))
    })?;
    TotpGenerator::new(params, secret)
}

impl Session {
    /// The entry with id `entry` and its customer, checked to fit `purpose` (any entry
    /// for [`Purpose::Edit`]).
    pub fn target(&self, entry: Uuid, purpose: Purpose) -> Result<Target> {
        let gone = || Error::NotFound("that entry is no longer in the vault".into());
        let customer = self
            .customers()
            .iter()
            .find(|c| c.entries.iter().any(|e| e.id == entry))
            .ok_or_else(gone)?;
        let entry = self
            .entries(customer)?
            .into_iter()
            .find(|e| e.id == entry)
            .ok_or_else(gone)?;
        let target = Target {
            customer: customer.clone(),
            entry,
        };
        if purpose != Purpose::Edit && !purpose.fits(&target.entry) {
            return Err(Error::NotFound(format!(
                "{} {}",
                target.name(),
                purpose.lacks()
            )));
        }
        Ok(target)
    }

    /// Resolves `CUSTOMER[/ENTRY]`: a customer code or unique name, and optionally an entry
    /// label (case-insensitive). Without a label, the first entry that fits `purpose` is
    /// taken, RDP entries first.
    pub fn select(&self, selector: &str, purpose: Purpose) -> Result<Target> {
        let (customer, label) = match selector.split_once('/') {
            Some((c, l)) => match self.find_customer(c) {
                Ok(customer) => (customer, Some(l.trim())),
                // A name that itself contains '/'.
                Err(e) => match self.find_customer(selector) {
                    Ok(customer) => (customer, None),
                    Err(_) => return Err(e),
                },
            },
            None => (self.find_customer(selector)?, None),
        };
        let entries = self.entries(customer)?;
        let shown = crate::model::validate::shown;
        let entry = match label {
            Some(label) => {
                let entry = entries
                    .iter()
                    .find(|e| e.label.eq_ignore_ascii_case(label))
                    .ok_or_else(|| {
                        let labels: Vec<&str> = entries.iter().map(|e| e.label.as_str()).collect();
                        Error::NotFound(format!(
                            "{} has no entry '{}' (entries: {})",
                            customer.code,
                            shown(label),
                            if labels.is_empty() {
                                "none".to_owned()
                            } else {
                                labels.join(", ")
                            }
                        ))
                    })?;
                if purpose != Purpose::Edit && !purpose.fits(entry) {
                    return Err(Error::NotFound(format!(
                        "{}/{} {}",
                        customer.code,
                        entry.label,
                        purpose.lacks()
                    )));
                }
                entry
            }
            None => entries
                .iter()
                .filter(|e| purpose.fits(e))
                .min_by_key(|e| e.kind != EntryKind::Rdp)
                .ok_or_else(|| {
                    Error::NotFound(format!(
                        "{} has no {}; name the entry as {}/ENTRY",
                        customer.code,
                        purpose.wanted(),
                        customer.code
                    ))
                })?,
        };
        Ok(Target {
            customer: customer.clone(),
            entry: entry.clone(),
        })
    }

    /// The customer and its entries, for display (never secrets); recorded in the audit log.
    pub fn open_customer(&mut self, selector: &str) -> Result<(Customer, Vec<Entry>)> {
        let customer = self.find_customer(selector)?.clone();
        let entries = self.entries(&customer)?;
        self.audit(NewEvent::new(Action::CustomerView).customer(&customer))?;
        Ok((customer, entries))
    }

    /// The entry's current TOTP code; the read is recorded in the audit log, with
    /// `reason` ([`Session::check_reason`]).
    pub fn current_totp(
        &mut self,
        entry: Uuid,
        reason: Option<&Reason>,
    ) -> Result<crate::totp::TotpCode> {
        Ok(self.totp_generator(entry, reason)?.now())
    }

    /// A generator for the entry's TOTP codes; the read is recorded in the audit log, with
    /// `reason` ([`Session::check_reason`]).
    pub fn totp_generator(
        &mut self,
        entry: Uuid,
        reason: Option<&Reason>,
    ) -> Result<TotpGenerator> {
        let target = self.target(entry, Purpose::Totp)?;
        self.check_reason(&target, Action::TotpShow, reason)?;
        let event = NewEvent::new(Action::TotpShow)
            .customer(&target.customer)
            .entry(&target.entry)
            .reason(reason);
        let secrets = self.use_secrets(&target.entry, event)?;
        generator(&target.entry, &secrets)
    }

    /// Checks a use of `target`'s credentials against the customer's reason policy and
    /// the vault's ticket pattern, before anything is read. A use the policy refuses (no
    /// reason where the customer requires one) is recorded as a failed `action` and
    /// nothing is handed out; a reason that names no ticket is an input error.
    pub fn check_reason(
        &mut self,
        target: &Target,
        action: Action,
        reason: Option<&Reason>,
    ) -> Result<()> {
        if let Some(reason) = reason {
            if let Some(pattern) = TicketPattern::parse(&self.preferences().ticket_pattern)? {
                pattern.check(reason)?;
            }
            return Ok(());
        }
        if target.customer.reason_policy != ReasonPolicy::Required {
            return Ok(());
        }
        let refusal = Error::ReasonRequired(target.customer.code.to_string());
        self.audit(
            NewEvent::new(action)
                .failed()
                .customer(&target.customer)
                .entry(&target.entry)
                .detail("refused: the customer requires a reason and none was given"),
        )?;
        Err(refusal)
    }

    /// The entry's secrets for a use that `event` records. Read, then recorded, before the
    /// caller hands anything out; where a server keeps the log (a team database), one call
    /// has the server record the event and return the sealed secrets.
    pub(crate) fn use_secrets(&mut self, entry: &Entry, event: NewEvent) -> Result<EntrySecrets> {
        if self.store.audit_keeping() == AuditKeeping::Server {
            let event = appender(&self.audit_key, &self.cipher, &self.settings, &self.device)
                .server_event(&event)?;
            let id = entry.id.to_string();
            let mut blob = None;
            self.store.write(&mut |tx| {
                blob = tx.use_entry_secrets(&id, &event)?;
                Ok(())
            })?;
            return match blob {
                Some(blob) => records::open_secrets(&self.cipher, &id, &blob),
                None => Ok(EntrySecrets::default()),
            };
        }
        let secrets = self.entry_secrets(entry)?;
        self.audit(event)?;
        Ok(secrets)
    }

    /// The entry's value to put on the clipboard (the current code for
    /// [`CopyField::Totp`]). The copy is recorded in the audit log first, with `reason`
    /// ([`Session::check_reason`]); nothing is returned if that fails.
    pub fn copy_value(
        &mut self,
        entry: Uuid,
        field: CopyField,
        reason: Option<&Reason>,
    ) -> Result<SecretString> {
        let target = self.target(entry, field.purpose())?;
        self.check_reason(&target, field.action(), reason)?;
        let entry = &target.entry;
        let event = NewEvent::new(field.action())
            .customer(&target.customer)
            .entry(entry)
            .reason(reason)
            .detail("to the clipboard");
        Ok(match field {
            CopyField::Username => {
                self.audit(event)?;
                SecretString::from(entry.username.as_str())
            }
            CopyField::Totp => {
                let secrets = self.use_secrets(entry, event)?;
                SecretString::new(generator(entry, &secrets)?.now().code)
            }
            CopyField::Password => self.use_secrets(entry, event)?.password.ok_or_else(|| {
                Error::Integrity(format!("the password of {} is missing", target.name()))
            })?,
        })
    }

    /// The entry's password, to be shown on screen (the app's explicit "reveal"). Recorded
    /// in the audit log first, with `reason` ([`Session::check_reason`]); nothing is
    /// returned if that fails.
    pub fn reveal_password(
        &mut self,
        entry: Uuid,
        reason: Option<&Reason>,
    ) -> Result<SecretString> {
        let target = self.target(entry, Purpose::Password)?;
        self.check_reason(&target, Action::Reveal, reason)?;
        let event = NewEvent::new(Action::Reveal)
            .customer(&target.customer)
            .entry(&target.entry)
            .reason(reason)
            .detail("password shown on screen");
        self.use_secrets(&target.entry, event)?
            .password
            .ok_or_else(|| {
                Error::NotFound(format!("{} {}", target.name(), Purpose::Password.lacks()))
            })
    }

    /// The address behind one of the entry's links, to open in the browser: taken from the
    /// vault (never from a front end), and only an http or https address.
    pub fn entry_link(&self, entry: Uuid, link: Link) -> Result<String> {
        let entry = self.target(entry, Purpose::Edit)?.entry;
        let url = match link {
            Link::Url => entry.url,
            Link::VpnClientUrl => entry.vpn_client_url,
        };
        // The same reading as validation's (`HTTPS://` is a web address too), and the
        // address handed on as that reading writes it.
        match url::Url::parse(&url) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Ok(parsed.into()),
            _ => Err(Error::invalid("link", "is not an http or https address")),
        }
    }

    /// Sets (or replaces) the entry's TOTP secret, with its audit event, in one transaction.
    pub fn set_totp(
        &mut self,
        target: &Target,
        params: TotpParams,
        secret: SecretBytes,
    ) -> Result<()> {
        TotpGenerator::new(&params, &secret)?; // refuses what could never make a code
        let mut entry = target.entry.clone();
        let replaced = entry.totp.is_some();
        entry.totp = Some(params);
        let mut secrets = self.entry_secrets(&target.entry)?;
        secrets.totp_secret = Some(secret);
        let event = NewEvent::new(Action::TotpSet)
            .customer(&target.customer)
            .entry(&entry)
            .detail(if replaced { "replaced" } else { "added" });
        let customer_id = target.customer.id;
        self.write_batch(&[event], |view, tx| {
            let id = entry.id.to_string();
            tx.put_entry(&records::seal_entry(view.cipher, &customer_id, &entry)?)?;
            tx.put_entry_secrets(&id, &records::seal_secrets(view.cipher, &id, &secrets)?)?;
            Ok(Vec::new())
        })
    }

    /// Adds one entry (kind `other`) per TOTP account, labelled "Issuer (account)", to the
    /// customer. Returns the new labels.
    pub fn add_totp_entries(
        &mut self,
        customer: &Customer,
        accounts: Vec<(TotpParams, SecretBytes)>,
    ) -> Result<Vec<String>> {
        let mut customer = customer.clone();
        let mut new = Vec::new();
        let mut events = Vec::new();
        for (params, secret) in accounts {
            TotpGenerator::new(&params, &secret)?;
            let base = match (params.issuer.as_str(), params.account.as_str()) {
                ("", "") => "TOTP".to_owned(),
                (issuer, "") => issuer.to_owned(),
                ("", account) => account.to_owned(),
                (issuer, account) => format!("{issuer} ({account})"),
            };
            let base: String = base.chars().take(100).collect();
            let taken = |l: &str| {
                customer
                    .entries
                    .iter()
                    .any(|e| e.label.eq_ignore_ascii_case(l))
            };
            let label = (1..)
                .map(|n| {
                    if n == 1 {
                        base.clone()
                    } else {
                        format!("{base} {n}")
                    }
                })
                .find(|l| !taken(l))
                .unwrap_or(base);
            let entry = Entry {
                id: new_record_id(),
                label,
                kind: EntryKind::Other,
                totp: Some(params),
                ..Entry::default()
            };
            customer.entries.push(entry.to_ref());
            events.push(
                NewEvent::new(Action::EntryCreate)
                    .customer(&customer)
                    .entry(&entry)
                    .detail("TOTP from a QR code"),
            );
            new.push((entry, secret));
        }
        customer
            .entries
            .sort_by_cached_key(|e| e.label.to_lowercase());
        let labels = new.iter().map(|(e, _)| e.label.clone()).collect();
        self.write_batch(&events, |view, tx| {
            for (entry, secret) in &new {
                let id = entry.id.to_string();
                let secrets = crate::model::EntrySecrets {
                    totp_secret: Some(secret.clone()),
                    ..Default::default()
                };
                tx.put_entry(&records::seal_entry(view.cipher, &customer.id, entry)?)?;
                tx.put_entry_secrets(&id, &records::seal_secrets(view.cipher, &id, &secrets)?)?;
            }
            tx.put_customer(&records::seal_customer(view.cipher, &customer)?)?;
            Ok(vec![customer.clone()])
        })?;
        Ok(labels)
    }
}
