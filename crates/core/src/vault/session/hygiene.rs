//! Access hygiene on an unlocked vault: rotation state, reachability checks and the
//! readiness report, each recorded in the audit log.

use std::time::Duration;

use time::Date;

use super::{Session, Target};
use crate::audit::{Action, NewEvent};
use crate::hygiene::{self, Readiness, ReportOptions, Resolver, TargetResult};
use crate::model::{CheckSummary, Customer, Entry};
use crate::secret::SecretString;
use crate::vault::records;
use crate::{Error, Result};

impl Session {
    /// Every customer's readiness, sorted by code (decrypts every entry). Audited.
    pub fn readiness_report(&mut self, options: &ReportOptions) -> Result<Vec<Readiness>> {
        let mut report = Vec::with_capacity(self.customers().len());
        for customer in self.customers() {
            let entries = self.entries(customer)?;
            report.push(hygiene::report::assess(customer, &entries, options));
        }
        report.sort_by_cached_key(|r| r.code.to_lowercase());
        let with_issues = report.iter().filter(|r| r.issues > 0).count();
        let issues: usize = report.iter().map(|r| r.issues).sum();
        self.audit(NewEvent::new(Action::Report).detail(format!(
            "readiness of {} customers: {issues} issues at {with_issues} customers (passwords older than {} days flagged)",
            report.len(),
            options.max_password_age_days
        )))?;
        Ok(report)
    }

    /// Records that the target's password was rotated on `today`: clears "rotation due" and
    /// sets the change date. With `new_password`, stores it as the entry's password.
    pub fn mark_rotated(
        &mut self,
        target: &Target,
        new_password: Option<&SecretString>,
        today: Date,
    ) -> Result<()> {
        if !target.entry.has_password && new_password.is_none() {
            return Err(Error::invalid(
                target.name(),
                "has no stored password to rotate; give the new one",
            ));
        }
        let mut entry = target.entry.clone();
        let was_due = entry.rotation_due.take();
        entry.password_changed_at = Some(today);
        let mut detail = match was_due {
            Some(since) => format!("password rotated (due since {since})"),
            None => "password rotated".to_owned(),
        };
        let secrets = match new_password {
            Some(password) => {
                crate::model::validate::single_line("password", password.expose())
                    .map_err(|_| Error::invalid("password", "contains a control character"))?;
                let mut secrets = self.entry_secrets(&entry)?;
                secrets.password = Some(password.clone());
                entry.has_password = true;
                detail.push_str("; new password stored");
                Some(secrets)
            }
            None => None,
        };
        let event = NewEvent::new(Action::PasswordRotated)
            .customer(&target.customer)
            .entry(&entry)
            .detail(detail);
        self.save_entry(&target.customer, &entry, secrets.as_ref(), event)
    }

    /// Turns the customer's "rotate after each support session" policy on or off. Audited.
    pub fn set_rotation_policy(&mut self, selector: &str, on: bool) -> Result<Customer> {
        self.change_customer(selector, |c| {
            (c.rotate_after_session != on).then(|| {
                c.rotate_after_session = on;
                let state = if on { "on" } else { "off" };
                format!("rotate after each support session: {state}")
            })
        })
    }

    /// Lets the customer's .rdp files share the clipboard with its servers, or stops it.
    /// Audited.
    pub fn set_clipboard_sharing(&mut self, selector: &str, on: bool) -> Result<Customer> {
        self.change_customer(selector, |c| {
            (c.share_clipboard != on).then(|| {
                c.share_clipboard = on;
                let state = if on { "shared" } else { "not shared" };
                format!("clipboard {state} with its servers")
            })
        })
    }

    /// Sets the customer's reason policy: whether each use of its credentials asks for a
    /// reason (`optional`) or is refused without one (`required`). Audited.
    pub fn set_reason_policy(
        &mut self,
        selector: &str,
        policy: crate::model::ReasonPolicy,
    ) -> Result<Customer> {
        self.change_customer(selector, |c| {
            (c.reason_policy != policy).then(|| {
                let before = std::mem::replace(&mut c.reason_policy, policy);
                format!("reason for each credential use: {before} -> {policy}")
            })
        })
    }

    /// Whether the entry's server must use Network Level Authentication (the default), or
    /// cannot (xrdp) and is connected to with TLS alone. Audited as an entry edit.
    pub fn set_nla(&mut self, target: &Target, required: bool) -> Result<Entry> {
        let mut entry = target.entry.clone();
        if entry.without_nla != required {
            return Ok(entry);
        }
        entry.without_nla = !required;
        let detail = match required {
            true => "Network Level Authentication required",
            false => "Network Level Authentication off: the server cannot do it, TLS alone",
        };
        self.save_entry_setting(target, entry, detail)
    }

    /// Writes `entry`, one setting of `target` changed, with its `entry_edit` event.
    fn save_entry_setting(
        &mut self,
        target: &Target,
        entry: Entry,
        detail: impl Into<String>,
    ) -> Result<Entry> {
        let event = NewEvent::new(Action::EntryEdit)
            .customer(&target.customer)
            .entry(&entry)
            .detail(detail);
        self.save_entry(&target.customer, &entry, None, event)?;
        Ok(entry)
    }

    /// Compares the certificate fingerprint the entry's server showed (`seen`, any form
    /// [`validate::cert_fingerprint`] reads) with the one pinned for it. The first one is
    /// pinned (audited); another than the pinned one is refused, recorded as a failed
    /// launch naming both, and nothing else changes.
    pub fn check_server_certificate(
        &mut self,
        entry: uuid::Uuid,
        seen: &str,
    ) -> Result<CertificateCheck> {
        let target = self.target(entry, super::Purpose::Connect)?;
        let seen = crate::model::validate::cert_fingerprint("certificate", seen)?;
        let pinned = &target.entry.cert_sha256;
        if *pinned == seen {
            return Ok(CertificateCheck::Matches);
        }
        if pinned.is_empty() {
            self.set_certificate_pin(&target, Some(&seen))?;
            return Ok(CertificateCheck::Pinned(seen));
        }
        let refusal = Error::CertificateChanged {
            target: target.name(),
            pinned: pinned.clone(),
            seen: seen.clone(),
        };
        self.audit(
            NewEvent::new(Action::Launch)
                .failed()
                .customer(&target.customer)
                .entry(&target.entry)
                .detail(format!(
                    "refused: the server's certificate changed (pinned SHA-256 {pinned}, now {seen})"
                )),
        )?;
        Err(refusal)
    }

    /// Pins `fingerprint` as the entry's server certificate (checked and written as
    /// `AB:CD:…`), or with `None` forgets the pin (the next connection pins again). Audited
    /// as an entry edit naming the old and new fingerprints.
    pub fn set_certificate_pin(
        &mut self,
        target: &Target,
        fingerprint: Option<&str>,
    ) -> Result<Entry> {
        let new = match fingerprint {
            Some(f) => crate::model::validate::cert_fingerprint("fingerprint", f)?,
            None => String::new(),
        };
        let mut entry = target.entry.clone();
        if entry.cert_sha256 == new {
            return Ok(entry);
        }
        let detail = match (entry.cert_sha256.is_empty(), new.is_empty()) {
            (true, _) => format!("server certificate pinned: SHA-256 {new}"),
            (false, true) => format!(
                "server certificate pin forgotten (was SHA-256 {})",
                entry.cert_sha256
            ),
            (false, false) => format!(
                "server certificate pin replaced: SHA-256 {new} (was {})",
                entry.cert_sha256
            ),
        };
        entry.cert_sha256 = new;
        self.save_entry_setting(target, entry, detail)
    }

    /// One setting of the customer `selector` names: `change` sets it and says what changed
    /// (the audit detail), or leaves it and says nothing, and then nothing is written. The
    /// customer record and its `customer_edit` event are written in one transaction.
    fn change_customer(
        &mut self,
        selector: &str,
        change: impl FnOnce(&mut Customer) -> Option<String>,
    ) -> Result<Customer> {
        let mut customer = self.find_customer(selector)?.clone();
        let Some(detail) = change(&mut customer) else {
            return Ok(customer);
        };
        let event = NewEvent::new(Action::CustomerEdit)
            .customer(&customer)
            .detail(detail);
        let stored = customer.clone();
        self.write_batch(&[event], |view, tx| {
            tx.put_customer(&records::seal_customer(view.cipher, &stored)?)?;
            Ok(vec![stored.clone()])
        })?;
        Ok(customer)
    }

    /// Opens TCP connections to the target's host and gateway and keeps the outcome with
    /// the entry (shown by `report`). Audited.
    pub fn check_reachability(
        &mut self,
        target: &Target,
        resolver: &dyn Resolver,
        timeout: Duration,
    ) -> Result<Vec<TargetResult>> {
        if hygiene::reach::targets(&target.entry).is_empty() {
            return Err(Error::invalid(
                target.name(),
                "has nothing to check (no host with a known port, no gateway)",
            ));
        }
        let results = hygiene::reach::check_entry(&target.entry, resolver, timeout);
        let summary = results
            .iter()
            .map(TargetResult::describe)
            .collect::<Vec<_>>()
            .join("; ");
        let ok = results.iter().all(|r| r.reach.is_ok());
        let mut entry = target.entry.clone();
        entry.last_check = Some(CheckSummary {
            at: crate::audit::now(),
            ok,
            summary: summary.clone(),
        });
        let event = NewEvent::new(Action::ReachabilityCheck)
            .outcome(if ok {
                crate::audit::Outcome::Ok
            } else {
                crate::audit::Outcome::Failed
            })
            .customer(&target.customer)
            .entry(&entry)
            .detail(summary);
        self.save_entry(&target.customer, &entry, None, event)?;
        Ok(results)
    }

    /// Marks the entry's password due for rotation (from today, unless it is already due),
    /// recorded as an edit of the entry with `why`. Returns whether it changed.
    pub fn mark_rotation_due(&mut self, entry: uuid::Uuid, why: &str) -> Result<bool> {
        let target = self.target(entry, super::Purpose::Edit)?;
        if target.entry.rotation_due.is_some() {
            return Ok(false);
        }
        let mut entry = target.entry.clone();
        entry.rotation_due = Some(hygiene::today());
        let event = NewEvent::new(Action::EntryEdit)
            .customer(&target.customer)
            .entry(&entry)
            .detail(format!("password due for rotation: {why}"));
        self.save_entry(&target.customer, &entry, None, event)?;
        Ok(true)
    }

    /// Whether a launch of the target's password makes it due for rotation: its customer
    /// says so and the entry has a password.
    pub(crate) fn rotates_after_session(&self, target: &Target) -> bool {
        let customer = self
            .customer_by_code(&target.customer.code)
            .unwrap_or(&target.customer);
        customer.rotate_after_session && target.entry.has_password
    }

    /// Marks the entry's password due for rotation after a launch, when its customer's
    /// policy asks for it; the launch event is written in the same transaction.
    pub(crate) fn record_launch(&mut self, target: &Target, event: NewEvent) -> Result<()> {
        if !self.rotates_after_session(target) {
            return self.audit(event).map(|_| ());
        }
        let customer = self
            .customer_by_code(&target.customer.code)
            .unwrap_or(&target.customer)
            .clone();
        let mut entry = target.entry.clone();
        entry.rotation_due.get_or_insert(hygiene::today());
        self.save_entry(&customer, &entry, None, event)
    }

    /// Writes a changed entry (and its secrets) with its customer's summary, and `event`,
    /// in one transaction.
    fn save_entry(
        &mut self,
        customer: &Customer,
        entry: &Entry,
        secrets: Option<&crate::model::EntrySecrets>,
        event: NewEvent,
    ) -> Result<()> {
        let mut customer = self
            .customer_by_code(&customer.code)
            .cloned()
            .unwrap_or_else(|| customer.clone());
        let Some(slot) = customer.entries.iter_mut().find(|e| e.id == entry.id) else {
            return Err(Error::NotFound(format!(
                "{}/{} is no longer in the vault",
                customer.code, entry.label
            )));
        };
        *slot = entry.to_ref();
        self.write_batch(&[event], |view, tx| {
            tx.put_entry(&records::seal_entry(view.cipher, &customer.id, entry)?)?;
            if let Some(secrets) = secrets {
                let id = entry.id.to_string();
                tx.put_entry_secrets(&id, &records::seal_secrets(view.cipher, &id, secrets)?)?;
            }
            tx.put_customer(&records::seal_customer(view.cipher, &customer)?)?;
            Ok(vec![customer.clone()])
        })
    }
}

/// What [`Session::check_server_certificate`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateCheck {
    /// The first certificate seen, now pinned (its fingerprint, to show the user).
    Pinned(String),
    /// The pinned one.
    Matches,
}
