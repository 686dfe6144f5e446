//! Launch planning: which program to start, with which arguments, and how the password
//! reaches the client. A pure function of its inputs, tested for every OS on any OS; the
//! spawn itself lives in the `sallyport-launch` crate.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::model::{validate, Entry, GatewayUsage};
use crate::Result;

/// The operating system a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// Windows: mstsc.
    Windows,
    /// macOS: Windows App (formerly Microsoft Remote Desktop).
    Macos,
    /// Linux and other Unix desktops: FreeRDP.
    Linux,
}

impl Os {
    /// The OS this program was built for.
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Macos
        } else {
            Os::Linux
        }
    }
}

/// What the plan needs to know about the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchEnv {
    /// `%SystemRoot%` on Windows (e.g. `C:\Windows`).
    pub system_root: String,
    /// FreeRDP's X11 client, if installed (Linux).
    pub xfreerdp: Option<PathBuf>,
}

impl LaunchEnv {
    /// The current machine: `%SystemRoot%` and `xfreerdp` on the `PATH`.
    pub fn current() -> Self {
        let system_root = std::env::var("SystemRoot").unwrap_or_else(|_| r"C:\Windows".into());
        let xfreerdp = std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join("xfreerdp"))
                .find(|candidate| candidate.is_file())
        });
        Self {
            system_root,
            xfreerdp,
        }
    }
}

/// How the password reaches the client. Never argv, never the .rdp file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum CredentialHandoff {
    /// No password is stored: the client asks.
    None,
    /// Windows Credential Manager entries (`CredWriteW`, domain-password type) for these
    /// targets, written before the spawn and deleted once the client has started.
    CredentialManager {
        /// `TERMSRV/<host>`, plus the gateway host when the gateway uses the same login.
        targets: Vec<String>,
        /// The user name stored with the password.
        username: String,
    },
    /// Written to the client's standard input (FreeRDP `/from-stdin:force`), then closed.
    Stdin,
    /// Copied to the self-clearing clipboard, with a notice, where the client takes none.
    Clipboard,
}

impl CredentialHandoff {
    /// How the password is handed over, in a word (`none`, `credential_manager`, `stdin`,
    /// `clipboard`): for logs, which must not hold the targets' host names.
    pub fn name(&self) -> &'static str {
        match self {
            CredentialHandoff::None => "none",
            CredentialHandoff::CredentialManager { .. } => "credential_manager",
            CredentialHandoff::Stdin => "stdin",
            CredentialHandoff::Clipboard => "clipboard",
        }
    }
}

/// What to start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaunchPlan {
    /// The program.
    pub program: String,
    /// Its arguments (never a secret).
    pub args: Vec<String>,
    /// The .rdp file it opens.
    pub rdp_file: PathBuf,
    /// How the password is handed over.
    pub credentials: CredentialHandoff,
    /// What to tell the user, if anything (e.g. "the password is on the clipboard").
    pub notice: Option<String>,
}

/// The plan for connecting to `entry` with the .rdp file at `rdp_file`.
pub fn plan_launch(
    entry: &Entry,
    has_password: bool,
    os: Os,
    env: &LaunchEnv,
    rdp_file: &Path,
) -> Result<LaunchPlan> {
    let file = rdp_file.display().to_string();
    let plan = match os {
        Os::Windows => LaunchPlan {
            program: format!(
                r"{}\System32\mstsc.exe",
                env.system_root.trim_end_matches(['\\', '/'])
            ),
            args: vec![file],
            rdp_file: rdp_file.to_path_buf(),
            credentials: if has_password {
                CredentialHandoff::CredentialManager {
                    targets: credential_targets(entry)?,
                    username: credential_username(entry),
                }
            } else {
                CredentialHandoff::None
            },
            notice: None,
        },
        Os::Macos => clipboard_plan(
            "open",
            vec!["-b".into(), "com.microsoft.rdc.macos".into(), file],
            rdp_file,
            has_password,
        ),
        Os::Linux => match &env.xfreerdp {
            Some(xfreerdp) => {
                // A password alone cannot log on: without a user name FreeRDP asks for both.
                let hand_over = has_password && !entry.username.is_empty();
                // /cert:tofu: the first certificate of a host is trusted and pinned (like
                // SSH); a changed one is refused. FreeRDP cannot ask without a terminal,
                // and stdin carries the password.
                // /sec:nla: Network Level Authentication or nothing, so that a man in the
                // middle cannot choose plain TLS and be sent the password; /sec:tls only for
                // an entry whose server cannot do NLA (xrdp).
                let security = match entry.without_nla {
                    false => "/sec:nla",
                    true => "/sec:tls",
                };
                // A fingerprint pinned for the entry: that certificate or none. Otherwise
                // /cert:tofu: FreeRDP's own store pins the first one per host.
                let cert = match entry.cert_sha256.is_empty() {
                    true => "/cert:tofu".to_owned(),
                    false => format!(
                        "/cert:deny,fingerprint:sha256:{}",
                        entry.cert_sha256.to_ascii_lowercase()
                    ),
                };
                let mut args = vec![file, cert, security.into()];
                // FreeRDP ignores the file's `domain` line when a user name is set (it
                // takes the domain from `DOMAIN\user` only); its `/d:` comes after the
                // file and wins.
                if let Some(domain) = freerdp_domain(entry)? {
                    args.push(format!("/d:{domain}"));
                }
                if hand_over {
                    args.push("/from-stdin:force".into());
                }
                LaunchPlan {
                    program: xfreerdp.display().to_string(),
                    args,
                    rdp_file: rdp_file.to_path_buf(),
                    credentials: handoff_or_none(hand_over, CredentialHandoff::Stdin),
                    notice: None,
                }
            }
            None => clipboard_plan("xdg-open", vec![file], rdp_file, has_password),
        },
    };
    Ok(plan)
}

/// The domain FreeRDP must be given besides the file: the entry's `domain` when the user
/// name carries none (`user`, not `DOMAIN\user` or `user@domain`).
fn freerdp_domain(entry: &Entry) -> Result<Option<String>> {
    let username = validate::username(&entry.username)?;
    let domain = validate::domain(&entry.domain)?;
    let bare_user = !username.is_empty() && !username.contains(['\\', '@']);
    Ok((bare_user && !domain.is_empty()).then_some(domain))
}

/// A client that takes no password from us: it goes to the self-clearing clipboard.
fn clipboard_plan(
    program: &str,
    args: Vec<String>,
    rdp_file: &Path,
    has_password: bool,
) -> LaunchPlan {
    LaunchPlan {
        program: program.into(),
        args,
        rdp_file: rdp_file.to_path_buf(),
        credentials: handoff_or_none(has_password, CredentialHandoff::Clipboard),
        notice: has_password.then(|| clipboard_notice(DEFAULT_CLIPBOARD_SECONDS)),
    }
}

/// How long the clipboard holds a password unless the vault's preferences say otherwise.
const DEFAULT_CLIPBOARD_SECONDS: u32 = 20;

/// What the user is told when the password goes to the clipboard, which clears itself after
/// `seconds` (the session's plans name the vault's setting).
pub fn clipboard_notice(seconds: u32) -> String {
    format!("the password is on the clipboard for {seconds} s: paste it when the client asks")
}

fn handoff_or_none(has_password: bool, handoff: CredentialHandoff) -> CredentialHandoff {
    if has_password {
        handoff
    } else {
        CredentialHandoff::None
    }
}

/// `TERMSRV/<host>` and, when a gateway is used with the same login, the gateway host.
fn credential_targets(entry: &Entry) -> Result<Vec<String>> {
    let host = validate::host("host", &entry.host)?;
    let mut targets = vec![format!("TERMSRV/{host}")];
    let gateway = validate::host("gateway", &entry.gateway_host)?;
    if entry.gateway_usage != GatewayUsage::None && !gateway.is_empty() {
        targets.push(gateway);
    }
    Ok(targets)
}

/// The user name as Credential Manager stores it: `DOMAIN\user` when a domain is set.
fn credential_username(entry: &Entry) -> String {
    match (
        entry.domain.is_empty(),
        entry.username.contains(['\\', '@']),
    ) {
        (false, false) => format!("{}\\{}", entry.domain, entry.username),
        _ => entry.username.clone(),
    }
}
