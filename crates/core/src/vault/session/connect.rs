//! Connecting: .rdp files and launch plans for an entry, each recorded in the audit log.

use std::path::Path;

use super::{Session, Target};
use crate::audit::{Action, NewEvent};
use crate::rdp::{
    plan_launch, CredentialHandoff, LaunchEnv, LaunchPlan, Os, RdpFile, RdpPreferences, RdpTempDir,
};
use crate::secret::SecretString;
use crate::{Error, Result};

/// A launch ready to start: the plan, with its .rdp file written, and the password for the
/// hand-off (none when the plan needs none).
#[derive(Debug)]
pub struct PreparedLaunch {
    /// What to start.
    pub plan: LaunchPlan,
    /// The password to hand over as the plan says.
    pub password: Option<SecretString>,
}

impl Session {
    /// The .rdp display and redirection defaults.
    pub fn rdp_preferences(&self) -> &RdpPreferences {
        &self.settings.prefs.rdp
    }

    /// Before a launch: an expired account is refused (and the refusal recorded) unless
    /// `expired_ok`; otherwise the expiry to warn about, if any, is returned.
    pub fn check_expiry_before_launch(
        &mut self,
        target: &Target,
        today: time::Date,
        expired_ok: bool,
    ) -> Result<Option<crate::hygiene::Expiry>> {
        let state = crate::hygiene::expiry(target.entry.expires_at, today);
        match state {
            Some(s) if s.is_expired() && !expired_ok => {
                let reason = format!("the account {}", s.describe());
                self.audit(
                    NewEvent::new(Action::Launch)
                        .failed()
                        .customer(&target.customer)
                        .entry(&target.entry)
                        .detail(reason.clone()),
                )?;
                Err(Error::AccountExpired(format!(
                    "{}: {reason}; ask the customer to extend it",
                    target.name()
                )))
            }
            other => Ok(other),
        }
    }

    /// Replaces the .rdp display and redirection defaults (validated first), audited.
    pub fn set_rdp_preferences(&mut self, preferences: RdpPreferences) -> Result<()> {
        preferences.validate()?;
        if preferences == self.settings.prefs.rdp {
            return Ok(());
        }
        let (key, sealed) = self.sealed_settings_with_rdp(&preferences)?;
        let event = NewEvent::new(Action::SettingsChange).detail(".rdp defaults changed");
        self.write_batch(&[event], |_, tx| {
            tx.put_meta(key, &sealed)?;
            Ok(Vec::new())
        })?;
        self.adopt_rdp_preferences(preferences);
        Ok(())
    }

    /// The .rdp file for the target's entry.
    pub fn rdp_file(&self, target: &Target) -> Result<RdpFile> {
        RdpFile::for_entry(&target.entry, &self.settings.prefs.rdp).map_err(|e| in_entry(target, e))
    }

    /// Writes the target's .rdp file to `path` (created 0600 or replaced), audited.
    pub fn write_rdp(&mut self, target: &Target, path: &Path) -> Result<()> {
        let file = self.rdp_file(target)?;
        let mut out = crate::private_fs::create_or_replace(path)?;
        std::io::Write::write_all(&mut out, &file.to_bytes()).map_err(|e| Error::io(path, e))?;
        let name = crate::audit::file_label(path);
        self.audit(
            NewEvent::new(Action::RdpWrite)
                .customer(&target.customer)
                .entry(&target.entry)
                .detail(format!("to {name}")),
        )?;
        Ok(())
    }

    /// Plans a launch for `os`. Unless `dry_run`, writes the temporary .rdp file and
    /// decrypts the password for the hand-off; either way the launch is recorded first.
    pub fn prepare_launch(
        &mut self,
        target: &Target,
        os: Os,
        env: &LaunchEnv,
        temp: &RdpTempDir,
        dry_run: bool,
    ) -> Result<PreparedLaunch> {
        let file = self.rdp_file(target)?;
        let path = temp.reserve()?;
        let plan = plan_launch(&target.entry, target.entry.has_password, os, env, &path)
            .map_err(|e| in_entry(target, e))?;
        let password = match (&plan.credentials, dry_run) {
            (CredentialHandoff::None, _) | (_, true) => None,
            _ => Some(
                self.entry_secrets(&target.entry)?
                    .password
                    .clone()
                    .ok_or_else(|| {
                        Error::Integrity(format!("the password of {} is missing", target.name()))
                    })?,
            ),
        };
        let program = Path::new(&plan.program)
            .file_name()
            .map_or(plan.program.clone(), |n| n.to_string_lossy().into_owned());
        let detail = match dry_run {
            true => format!("dry run, nothing started ({program})"),
            false => format!("{program}, password {}", handoff_words(&plan.credentials)),
        };
        let event = NewEvent::new(Action::Launch)
            .customer(&target.customer)
            .entry(&target.entry)
            .detail(detail);
        match dry_run {
            true => self.audit(event).map(|_| ())?,
            false => self.record_launch(target, event)?,
        }
        if !dry_run {
            temp.write_at(&path, &file)?;
        }
        Ok(PreparedLaunch { plan, password })
    }
}

fn handoff_words(handoff: &CredentialHandoff) -> &'static str {
    match handoff {
        CredentialHandoff::None => "not stored (the client asks)",
        CredentialHandoff::CredentialManager { .. } => "via Credential Manager",
        CredentialHandoff::Stdin => "via the client's standard input",
        CredentialHandoff::Clipboard => "via the self-clearing clipboard",
    }
}

/// Prefixes a validation error with the entry it concerns ("ACME/Web server: host: ...").
fn in_entry(target: &Target, e: Error) -> Error {
    match e {
        Error::Invalid { field, message } => {
            Error::invalid(format!("{}: {field}", target.name()), message)
        }
        other => other,
    }
}
