//! Connecting: .rdp files and launch plans for an entry, each recorded in the audit log.
//! The launch itself (writing the temporary .rdp file, the hand-off, the spawn and the
//! clean-up) is `sallyport-service`'s `connect`, over `sallyport-launch`.

use std::path::Path;

use uuid::Uuid;

use super::{Purpose, Session, Target};
use crate::audit::{Action, NewEvent};
use crate::hygiene::Expiry;
use crate::rdp::{
    plan_launch, CredentialHandoff, LaunchEnv, LaunchPlan, Os, RdpFile, RdpPreferences, RdpTempDir,
    TempRdpFile,
};
use crate::secret::SecretString;
use crate::signing::CertificateInfo;
use crate::store::AuditKeeping;
use crate::{Error, Result};

/// How a launch is asked for.
#[derive(Clone, Copy)]
pub struct LaunchRequest<'a> {
    /// The OS whose client is started.
    pub os: Os,
    /// Where that OS keeps things (system root, FreeRDP).
    pub env: &'a LaunchEnv,
    /// Today, for the account's expiry.
    pub today: time::Date,
    /// Start even though the account has expired.
    pub expired_ok: bool,
    /// Only plan: nothing is decrypted, nothing is started.
    pub dry_run: bool,
    /// Why (a ticket number): recorded with the launch, required where the customer says
    /// so ([`Session::check_reason`]).
    pub reason: Option<&'a crate::audit::Reason>,
    /// Reads the TLS certificate of the RDP server at (host, port): its SHA-256 fingerprint,
    /// or why it could not (one line). Used where FreeRDP connects to the server directly:
    /// the certificate is checked against the entry's pin (and pinned at the first
    /// connection) before anything is started. `None`: not checked (the client checks).
    pub read_certificate: Option<&'a CertificateReader<'a>>,
}

impl std::fmt::Debug for LaunchRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LaunchRequest")
            .field("os", &self.os)
            .field("today", &self.today)
            .field("expired_ok", &self.expired_ok)
            .field("dry_run", &self.dry_run)
            .field("checks_certificate", &self.read_certificate.is_some())
            .finish_non_exhaustive()
    }
}

/// What reads a server's certificate fingerprint (host, port).
pub type CertificateReader<'a> = dyn Fn(&str, u16) -> std::result::Result<String, String> + 'a;

/// A launch ready to start: the plan, its temporary .rdp file (removed when the value that
/// holds it goes: the launcher takes it over), and the password for the hand-off (none
/// when the plan needs none). A dry run has neither file nor password.
#[derive(Debug)]
pub struct PreparedLaunch {
    /// The customer and entry.
    pub target: Target,
    /// What to start.
    pub plan: LaunchPlan,
    /// The written .rdp file at `plan.rdp_file`.
    pub file: Option<TempRdpFile>,
    /// The password to hand over as the plan says.
    pub password: Option<SecretString>,
    /// The account expires soon (or has expired and the user insisted).
    pub expiry: Option<Expiry>,
    /// The server certificate's fingerprint, when this first connection pinned it.
    pub pinned_certificate: Option<String>,
    /// The certificate the .rdp file was signed with (`None`: unsigned, or a dry run).
    pub signed_by: Option<CertificateInfo>,
}

impl Session {
    /// The .rdp display and redirection defaults.
    pub fn rdp_preferences(&self) -> &RdpPreferences {
        &self.settings.prefs.rdp
    }

    /// Before a launch: an expired account is refused (and the refusal recorded) unless
    /// `expired_ok`; otherwise the expiry to warn about, if any, is returned.
    fn check_expiry_before_launch(
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

    /// Whether the target's .rdp file shares the clipboard with the customer's server (the
    /// customer allows it, or the vault's defaults say so for every customer).
    pub fn shares_clipboard(&self, target: &Target) -> bool {
        target.customer.share_clipboard || self.settings.prefs.rdp.redirect_clipboard
    }

    /// The .rdp file for the target's entry (unsigned): the vault's .rdp defaults, with the
    /// clipboard shared where the customer allows it.
    pub fn rdp_file(&self, target: &Target) -> Result<RdpFile> {
        let mut prefs = self.settings.prefs.rdp.clone();
        prefs.redirect_clipboard = self.shares_clipboard(target);
        RdpFile::for_entry(&target.entry, &prefs).map_err(|e| in_entry(target, e))
    }

    /// The .rdp file for the target's entry as it is written: signed when the vault has a
    /// signing certificate.
    pub fn rdp_file_to_write(&self, target: &Target) -> Result<RdpFile> {
        self.sign_if_set(self.rdp_file(target)?)
    }

    /// Writes the .rdp file of the RDP entry `entry` to `path` (created 0600 or replaced),
    /// audited.
    pub fn write_rdp(&mut self, entry: Uuid, path: &Path) -> Result<()> {
        let target = &self.target(entry, Purpose::Connect)?;
        let file = self.rdp_file_to_write(target)?;
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

    /// Plans the launch of the RDP entry `entry` and records it in the audit log: an
    /// expired account is refused (the refusal recorded) unless the request insists. Unless
    /// it is a dry run, the .rdp file is then written under a fresh private name in `temp`
    /// and the password decrypted for the hand-off, both after the launch was recorded.
    pub fn prepare_launch(
        &mut self,
        entry: Uuid,
        request: LaunchRequest<'_>,
        temp: &RdpTempDir,
    ) -> Result<PreparedLaunch> {
        let target = self.target(entry, Purpose::Connect)?;
        self.check_reason(&target, Action::Launch, request.reason)?;
        let expiry = self.check_expiry_before_launch(&target, request.today, request.expired_ok)?;
        let (target, pinned_certificate) = match request.dry_run {
            true => (target, None),
            false => self.check_certificate_before_launch(target, &request)?,
        };
        let file = self.rdp_file(&target)?;
        let path = temp.reserve()?;
        let mut plan = plan_launch(
            &target.entry,
            target.entry.has_password,
            request.os,
            request.env,
            &path,
        )
        .map_err(|e| in_entry(&target, e))?;
        if plan.credentials == CredentialHandoff::Clipboard {
            let seconds = self.preferences().clipboard_clear_seconds;
            plan.notice = Some(crate::rdp::clipboard_notice(seconds));
        }
        let program = program_name(&plan);
        let event = NewEvent::new(Action::Launch)
            .customer(&target.customer)
            .entry(&target.entry)
            .reason(request.reason);
        if request.dry_run {
            let detail = format!("dry run, nothing started ({program})");
            self.audit(event.detail(detail))?;
            return Ok(PreparedLaunch {
                target,
                plan,
                file: None,
                password: None,
                expiry,
                pinned_certificate,
                signed_by: None,
            });
        }
        // Signed before the launch is recorded: a signing failure starts nothing. The key
        // is dropped (and wiped) as soon as the file is signed.
        let (file, signed_by) = match self.signing_identity()? {
            Some(identity) => (file.signed(&identity)?, Some(identity.info().clone())),
            None => (file, None),
        };
        let event = event.detail(format!(
            "{program}, password {}",
            handoff_words(&plan.credentials)
        ));
        let secrets = match (self.store.audit_keeping(), &plan.credentials) {
            // A server-kept log records the launch as it hands out the password. The
            // rotate-after-session mark is an edit of the entry, made first (nothing is
            // handed out when it fails) by a member who may edit; a staff member may not,
            // and their launch goes unmarked (the server's log still has it).
            (AuditKeeping::Server, CredentialHandoff::None) => {
                self.audit(event)?;
                None
            }
            (AuditKeeping::Server, _) => {
                if self.store.may_edit() && self.rotates_after_session(&target) {
                    self.mark_rotation_due(
                        target.entry.id,
                        "used in a support session (the customer's policy)",
                    )?;
                }
                Some(self.use_secrets(&target.entry, event)?)
            }
            (AuditKeeping::Chained, handoff) => {
                self.record_launch(&target, event)?;
                match handoff {
                    CredentialHandoff::None => None,
                    _ => Some(self.entry_secrets(&target.entry)?),
                }
            }
        };
        let password = match secrets {
            None => None,
            Some(secrets) => Some(secrets.password.ok_or_else(|| {
                Error::Integrity(format!("the password of {} is missing", target.name()))
            })?),
        };
        let file = Some(temp.write_at(&path, &file)?);
        Ok(PreparedLaunch {
            target,
            plan,
            file,
            password,
            expiry,
            pinned_certificate,
            signed_by,
        })
    }

    /// Where FreeRDP will connect to the server directly (no gateway), reads the server's
    /// certificate with the request's reader and checks it against the entry's pin
    /// ([`Session::check_server_certificate`]): the target as it now is (pinned at a first
    /// connection) and the fingerprint so pinned.
    fn check_certificate_before_launch(
        &mut self,
        target: Target,
        request: &LaunchRequest<'_>,
    ) -> Result<(Target, Option<String>)> {
        let entry = &target.entry;
        let direct = entry.gateway_usage == crate::model::GatewayUsage::None
            || entry.gateway_host.is_empty();
        let freerdp = request.os == Os::Linux && request.env.xfreerdp.is_some();
        let Some(read) = request.read_certificate.filter(|_| direct && freerdp) else {
            return Ok((target, None));
        };
        let host = crate::model::validate::host("host", &entry.host)?;
        let seen = read(&host, entry.port.unwrap_or(3389)).map_err(|why| {
            Error::ServerCertificate(format!(
                "{}: cannot read the server's certificate: {why}; nothing was started",
                target.name()
            ))
        })?;
        match self.check_server_certificate(entry.id, &seen)? {
            super::CertificateCheck::Pinned(fingerprint) => {
                let target = self.target(entry.id, Purpose::Connect)?;
                Ok((target, Some(fingerprint)))
            }
            super::CertificateCheck::Matches => Ok((target, None)),
        }
    }

    /// Records that a prepared launch did not start (the client could not be spawned, or
    /// the password not handed over); `reason` is the one-line error.
    pub fn record_failed_launch(&mut self, launch: &PreparedLaunch, reason: &str) -> Result<()> {
        let detail = format!("{} did not start: {reason}", program_name(&launch.plan));
        self.audit(
            NewEvent::new(Action::Launch)
                .failed()
                .customer(&launch.target.customer)
                .entry(&launch.target.entry)
                .detail(detail),
        )
        .map(|_| ())
    }
}

/// The program's file name ("mstsc.exe"), for the audit log.
fn program_name(plan: &LaunchPlan) -> String {
    Path::new(&plan.program)
        .file_name()
        .map_or(plan.program.clone(), |n| n.to_string_lossy().into_owned())
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
