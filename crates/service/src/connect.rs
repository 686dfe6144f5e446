//! Connect, the one sequence both shells run: plan the launch of an entry (refusing an
//! expired account unless asked to insist) and record it, write the temporary .rdp file,
//! hand the password over, start the client, and leave the clean-up to the returned
//! [`Connection`]. If the client cannot be started, the failure is recorded and the .rdp
//! file and any stored credential are removed at once.

use std::path::PathBuf;
use std::time::Duration;

use sallyport_core::hygiene::Expiry;
use sallyport_core::rdp::{CredentialHandoff, LaunchEnv, LaunchPlan, Os, RdpTempDir};
use sallyport_core::signing::CertificateInfo;
use sallyport_core::vault::LaunchRequest;

use crate::cert_probe;
use sallyport_core::{ErrorKind, SecretString, Session};
use sallyport_launch::Started;
use uuid::Uuid;

/// How long a started client has to read the .rdp file and the credentials before they are
/// removed (sooner when it exits): what both shells pass to the clean-up.
pub const CLEAN_UP_GRACE: Duration = Duration::from_secs(5);

/// How long reading a server's certificate may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// The machine Connect runs on: its OS, where its clients are, and the private directory
/// for temporary .rdp files.
#[derive(Debug, Clone)]
pub struct Platform {
    /// The OS whose client is started.
    pub os: Os,
    /// `%SystemRoot%`, FreeRDP.
    pub env: LaunchEnv,
    /// Where temporary .rdp files are written (0700).
    pub rdp_dir: PathBuf,
    /// Reads the certificate of the RDP server at (host, port) before FreeRDP connects:
    /// [`cert_probe::server_certificate`] (tests pass a stand-in).
    pub read_certificate: CertificateReader,
}

/// What reads a server's certificate fingerprint (host, port, timeout).
pub type CertificateReader = fn(&str, u16, Duration) -> Result<String, String>;

impl Platform {
    /// This machine.
    pub fn current() -> sallyport_core::Result<Self> {
        Ok(Self {
            os: Os::current(),
            env: LaunchEnv::current(),
            rdp_dir: RdpTempDir::default_location()?,
            read_certificate: cert_probe::server_certificate,
        })
    }
}

/// How Connect is asked for.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Start even though the account has expired.
    pub expired_ok: bool,
    /// Only plan and record the plan; write and start nothing.
    pub dry_run: bool,
    /// Why (a ticket number), recorded with the launch; refused without one where the
    /// customer requires it.
    pub reason: Option<sallyport_core::audit::Reason>,
}

/// What Connect did: the plan, and the started client (none for a dry run).
#[derive(Debug)]
pub struct Connection {
    /// "ACME/Terminal server".
    pub target: String,
    /// What was (or, for a dry run, would be) started.
    pub plan: LaunchPlan,
    /// The account's expiry, when it expires soon or has expired (and the user insisted).
    pub expiry: Option<Expiry>,
    /// The certificate the .rdp file was signed with (`None`: unsigned, or a dry run).
    pub signed_by: Option<CertificateInfo>,
    /// The fingerprint of the server certificate pinned by this first connection (to show:
    /// the user may compare it with the customer's).
    pub pinned_certificate: Option<String>,
    /// The client, until its leftovers are removed: [`Started::clean_up_after`] waits for
    /// it to read them; dropping it removes them at once.
    pub started: Option<Started>,
}

/// Why Connect did not start the client. Messages are one line, never with a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The vault refused (not found, expired account, …) or failed.
    #[error(transparent)]
    Vault(#[from] sallyport_core::Error),
    /// The password could not be put on the clipboard for a client that takes none.
    #[error("cannot put the password on the clipboard: {0}")]
    Clipboard(String),
    /// The client could not be started or given the password.
    #[error(transparent)]
    Launch(#[from] sallyport_launch::Error),
}

impl ConnectError {
    /// The class of the error, for front ends.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ConnectError::Vault(e) => e.kind(),
            ConnectError::Clipboard(_) => ErrorKind::Clipboard,
            ConnectError::Launch(_) => ErrorKind::Launch,
        }
    }
}

/// Connects to the RDP entry `entry` on `platform` (the shells pass
/// [`Platform::current`]). `to_clipboard` puts the password on the self-clearing clipboard
/// (for `clear_after`) when the plan says the client takes no password (macOS, or Linux
/// without FreeRDP); each shell owns its clipboard.
pub fn connect(
    session: &mut Session,
    entry: Uuid,
    options: ConnectOptions,
    platform: &Platform,
    to_clipboard: &mut dyn FnMut(&SecretString, Duration) -> Result<(), String>,
) -> Result<Connection, ConnectError> {
    let _span = tracing::info_span!("connect", %entry, dry_run = options.dry_run).entered();
    let temp = RdpTempDir::open(&platform.rdp_dir)?;
    let request = LaunchRequest {
        os: platform.os,
        env: &platform.env,
        today: sallyport_core::hygiene::today(),
        expired_ok: options.expired_ok,
        dry_run: options.dry_run,
        reason: options.reason.as_ref(),
        read_certificate: Some(&|host: &str, port: u16| {
            (platform.read_certificate)(host, port, PROBE_TIMEOUT)
        }),
    };
    let mut prepared = session
        .prepare_launch(entry, request, &temp)
        .inspect_err(|e| {
            tracing::warn!(kind = e.kind().name(), "not started: refused before launch")
        })?;
    tracing::info!(
        program = %prepared.plan.program,
        handoff = prepared.plan.credentials.name(),
        signed = prepared.signed_by.is_some(),
        "planned"
    );
    let mut connection = Connection {
        target: prepared.target.name(),
        plan: prepared.plan.clone(),
        expiry: prepared.expiry,
        signed_by: prepared.signed_by.clone(),
        pinned_certificate: prepared.pinned_certificate.clone(),
        started: None,
    };
    if options.dry_run {
        return Ok(connection);
    }
    let clear_after = Duration::from_secs(u64::from(session.preferences().clipboard_clear_seconds));
    let handed = match (&prepared.plan.credentials, &prepared.password) {
        (CredentialHandoff::Clipboard, Some(password)) => {
            let copied = to_clipboard(password, clear_after).map_err(ConnectError::Clipboard);
            tracing::info!(
                ok = copied.is_ok(),
                seconds = clear_after.as_secs(),
                "password on the clipboard"
            );
            copied
        }
        _ => Ok(()),
    };
    let started = handed.and_then(|()| {
        sallyport_launch::start(
            &prepared.plan,
            prepared.file.take(),
            prepared.password.as_ref(),
        )
        .map_err(ConnectError::from)
    });
    match started {
        Ok(started) => {
            connection.started = Some(started);
            Ok(connection)
        }
        Err(e) => {
            // Nothing of a failed launch stays behind.
            drop(prepared.file.take());
            // The launch was recorded before; what the user needs now is why it failed,
            // even if noting the failure fails too.
            let _ = session.record_failed_launch(&prepared, &e.to_string());
            Err(e)
        }
    }
}
