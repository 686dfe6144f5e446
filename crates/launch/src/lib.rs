//! The per-platform end of "click Connect": starts the program of a
//! [`sallyport_core::rdp::LaunchPlan`] and hands the password over the way the plan says —
//! on the client's standard input (FreeRDP) or through the Windows Credential Manager
//! (mstsc) — never on a command line. It owns what the launch leaves behind, the temporary
//! .rdp file and the Credential Manager entries, and removes them once the client has read
//! them; at once when the launch fails.
//!
//! Credential Manager entries are lent, not just written: a credential the user saved under
//! the same target is left alone (the client uses it, and [`Started::notice`] says so), and
//! only Sallyport's own is ever deleted (`credentials.rs`).
//! A long-running caller keeps its launches in [`PendingCleanups`], so that quitting
//! within the grace period still removes what they left.
//!
//! Clipboard hand-offs (macOS, the Linux fallback) are the caller's: it owns the clipboard.

#![deny(missing_docs)]

mod credentials;
#[cfg(windows)]
mod credman;
mod pending;
#[cfg(test)]
mod tests;

pub use pending::PendingCleanups;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sallyport_core::rdp::{CredentialHandoff, LaunchPlan, TempRdpFile};
use sallyport_core::SecretString;
use zeroize::Zeroizing;

use credentials::{Lease, Lender, Lent};

/// What can go wrong. Messages are one line and never contain the password.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client program could not be started.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The password could not be handed over.
    #[error("cannot hand the password to {program}: {reason}")]
    Handoff {
        /// The program.
        program: String,
        /// Why.
        reason: String,
    },
    /// The plan needs a password and none was given.
    #[error("the launch plan needs a password and none was given")]
    NoPassword,
}

/// What a launch leaves behind until the client has read it: the temporary .rdp file and
/// the Credential Manager entries lent for it. Removed (the user's own credentials put
/// back) when this is dropped, so a launch that fails half-way leaves nothing.
#[derive(Debug, Default)]
struct Leftovers {
    rdp_file: Option<TempRdpFile>,
    credentials: Vec<Lease>,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        self.rdp_file = None; // removes the file
        self.credentials.clear(); // ends the leases
    }
}

/// A started client and what must be cleaned up after it (when this is dropped, at the
/// latest).
#[derive(Debug)]
pub struct Started {
    child: Child,
    leftovers: Leftovers,
    /// Targets under which the user's own credential was found and left alone.
    users_credentials: Vec<(String, String)>,
}

/// This machine's Credential Manager (none but on Windows).
fn credential_manager() -> Option<&'static Lender> {
    #[cfg(windows)]
    {
        static MANAGER: std::sync::LazyLock<Lender> =
            std::sync::LazyLock::new(|| Lender::new(Box::new(credman::CredentialManager)));
        Some(&MANAGER)
    }
    #[cfg(not(windows))]
    None
}

/// Starts the plan's program, taking over its .rdp file. For a Credential Manager hand-off
/// the entries are written before the spawn; for a stdin hand-off the password is written
/// and the pipe closed. The child runs in its own process group, so it outlives a
/// command-line caller. If anything fails, the file and the credentials written so far are
/// removed (the user's own put back) before the error is returned.
pub fn start(
    plan: &LaunchPlan,
    rdp_file: Option<TempRdpFile>,
    password: Option<&SecretString>,
) -> Result<Started, Error> {
    start_with(plan, rdp_file, password, credential_manager())
}

/// [`start`] with the credential store given (tests pass an in-memory one).
fn start_with(
    plan: &LaunchPlan,
    rdp_file: Option<TempRdpFile>,
    password: Option<&SecretString>,
    credential_store: Option<&'static Lender>,
) -> Result<Started, Error> {
    let mut leftovers = Leftovers {
        rdp_file,
        credentials: Vec::new(),
    };
    let mut users_credentials = Vec::new();
    let needs_password = matches!(
        plan.credentials,
        CredentialHandoff::Stdin | CredentialHandoff::CredentialManager { .. }
    );
    if needs_password && password.is_none() {
        return Err(Error::NoPassword);
    }
    if let (CredentialHandoff::CredentialManager { targets, username }, Some(password)) =
        (&plan.credentials, password)
    {
        let handoff_error = |reason: String| Error::Handoff {
            program: plan.program.clone(),
            reason,
        };
        let store = credential_store
            .ok_or_else(|| handoff_error("there is no Credential Manager on this OS".into()))?;
        for target in targets {
            // On an error `leftovers` goes, and with it the targets lent so far.
            match store
                .lend(target, username, password)
                .map_err(handoff_error)?
            {
                Lent::Ours(lease) => leftovers.credentials.push(lease),
                Lent::Users(found) => users_credentials.push((target.clone(), found.username)),
            }
        }
    }
    let mut command = Command::new(&plan.program);
    command
        .args(&plan.args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .stdin(match plan.credentials {
            CredentialHandoff::Stdin => Stdio::piped(),
            _ => Stdio::null(),
        });
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(|source| {
        tracing::warn!(program = %plan.program, error = %source, "client not started");
        Error::Spawn {
            program: plan.program.clone(),
            source,
        }
    })?;
    tracing::info!(
        program = %plan.program,
        pid = child.id(),
        credentials_lent = leftovers.credentials.len(),
        users_own_credentials = users_credentials.len(),
        "client started"
    );
    if let (CredentialHandoff::Stdin, Some(password)) = (&plan.credentials, password) {
        // FreeRDP reads exactly one line: the password (user and domain are in the file).
        let mut line = Zeroizing::new(String::with_capacity(password.expose().len() + 1));
        line.push_str(password.expose());
        line.push('\n');
        let written = child
            .stdin
            .take()
            .ok_or_else(|| "no pipe".to_owned())
            .and_then(|mut stdin| stdin.write_all(line.as_bytes()).map_err(|e| e.to_string()));
        if let Err(reason) = written {
            let _ = child.kill();
            tracing::warn!(program = %plan.program, "password hand-off on stdin failed");
            return Err(Error::Handoff {
                program: plan.program.clone(),
                reason,
            });
        }
    }
    Ok(Started {
        child,
        leftovers,
        users_credentials,
    })
}

impl Started {
    /// The client's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the user should know about the launch: a credential they saved themselves in
    /// Credential Manager was left in place, so the client uses it, not the vault's
    /// password. (Windows lets no application read that password back, so Sallyport could
    /// not restore it after replacing it.)
    pub fn notice(&self) -> Option<String> {
        let saved: Vec<String> = self
            .users_credentials
            .iter()
            .map(|(target, user)| match user.as_str() {
                "" => target.clone(),
                user => format!("{target} (user {user})"),
            })
            .collect();
        (!saved.is_empty()).then(|| {
            format!(
                "Windows has a credential you saved for {}: the client uses it, not the \
                 vault's password. Remove it in Credential Manager to connect with the vault's.",
                saved.join(" and ")
            )
        })
    }

    /// Waits until the client exits or `grace` has passed (time enough to have read the
    /// .rdp file and the credentials), then removes the temporary file and the Credential
    /// Manager entries. The client keeps running.
    pub fn clean_up_after(mut self, grace: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + grace;
        let mut status = None;
        while Instant::now() < deadline {
            status = self.exit_status();
            if status.is_some() {
                break;
            }
            std::thread::sleep(POLL);
        }
        let file = self.leftovers.rdp_file.is_some();
        let credentials = self.leftovers.credentials.len();
        drop(std::mem::take(&mut self.leftovers));
        tracing::info!(
            pid = self.child.id(),
            exit = status.map(|s| s.to_string()),
            rdp_file_removed = file,
            credentials_removed = credentials,
            "clean-up done"
        );
        status
    }

    /// Removes the temporary file and the Credential Manager entries now; the client keeps
    /// running (and this value keeps its process handle).
    fn remove_leftovers(&mut self) {
        drop(std::mem::take(&mut self.leftovers));
    }

    /// The client's exit status if it has exited (without waiting).
    fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// How often a clean-up looks whether the client has exited.
const POLL: Duration = Duration::from_millis(50);
