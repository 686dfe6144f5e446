//! `sallyport`: the command line over sallyport-core, for scripts, tests and terminals.
//! Every subcommand parses its arguments, calls the core, and prints the result.

#![forbid(unsafe_code)]
#![allow(clippy::print_stdout)]

mod cmd;
mod output;
mod password;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sallyport_core::store::Backend;
use sallyport_service::Profile;

/// mimalloc: bulk imports allocate and free millions of small strings; glibc's allocator
/// spends a large share of the import's time consolidating them.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Desktop access launcher for support staff: customers, credentials, TOTP, RDP.
#[derive(Debug, Parser)]
#[command(name = "sallyport", version, about)]
pub struct Cli {
    /// Vault file (default: the OS data directory).
    #[arg(long, global = true, env = "SALLYPORT_VAULT", value_name = "PATH")]
    vault: Option<PathBuf>,

    /// Read the master password from the first line of standard input.
    #[arg(long, global = true)]
    password_stdin: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new vault.
    Init(cmd::init::Args),
    /// Import customers and entries from a CSV file.
    Import(cmd::import::Args),
    /// List customers, optionally matching QUERY (name, code, hosts, tags).
    List(cmd::list::Args),
    /// Show a customer and its entries (never secrets).
    Show(cmd::show::Args),
    /// Change the master password (with --password-stdin: line 1 old, line 2 new);
    /// --rotate-key also replaces the data key, re-sealing every record.
    Passwd(cmd::passwd::Args),
    /// The current TOTP code and seconds left (--watch: live until Ctrl-C).
    Totp(cmd::totp::Args),
    /// Copy a password, user name or TOTP code; the clipboard clears itself.
    Copy(cmd::copy::Args),
    /// Store a TOTP secret: from standard input (--secret, --uri) or a QR image (--qr).
    SetTotp(cmd::set_totp::Args),
    /// Write the .rdp file of an RDP entry (never with a password).
    Rdp(cmd::rdp::Args),
    /// Start the Remote Desktop client for an RDP entry (--dry-run: print the plan).
    Connect(cmd::connect::Args),
    /// Export as native CSV (needs --plaintext) or as an encrypted backup (--format backup).
    Export(cmd::export::Args),
    /// Record that an entry's password was rotated (clears "rotation due").
    Rotated(cmd::rotated::Args),
    /// Turn a customer's "rotate after each support session" policy on or off.
    Rotation(cmd::rotated::PolicyArgs),
    /// Let a customer's .rdp files share the clipboard with its servers (off by default).
    ShareClipboard(cmd::rotated::ClipboardArgs),
    /// Require Network Level Authentication for an RDP entry (on, the default) or not (off:
    /// only for a server that cannot do it, such as xrdp).
    Nla(cmd::rotated::NlaArgs),
    /// Pin the SHA-256 fingerprint of an RDP entry's server certificate (or --forget it).
    TrustCert(cmd::rotated::TrustCertArgs),
    /// Set a customer's policy on reasons for credential use: off, optional or required.
    Reason(cmd::reason::PolicyArgs),
    /// Write a customer's access statement (accounts, uses with reasons, egress, chain head).
    Statement(cmd::statement::Args),
    /// Generate a password meeting a policy (needs no vault).
    Genpw(cmd::genpw::Args),
    /// Check that an entry's host and gateway accept TCP connections.
    Check(cmd::check::Args),
    /// Access readiness per customer: expiry, rotation, TOTP, PPTP, reachability.
    Report(cmd::report::Args),
    /// The certificate .rdp files are signed with: set, show, clear.
    #[command(subcommand)]
    Signing(cmd::signing::Command),
    /// The audit log: list, verify, export.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// A team vault on PostgreSQL: init, invite, join, confirm, remove, members, push, db-env.
    #[command(subcommand)]
    Team(cmd::team::Command),
    /// Serves a copied value and clears it (started by `copy`; reads the value on stdin).
    #[command(hide = true)]
    ClipboardHolder(cmd::copy::HolderArgs),
}

/// Everything a subcommand needs from the global options.
pub struct Context {
    vault: Option<PathBuf>,
    passwords: password::Source,
}

impl Context {
    /// The vault: --vault, $SALLYPORT_VAULT, or the default location.
    pub fn profile(&self) -> sallyport_core::Result<Profile> {
        Profile::at_or_default(self.vault.clone())
    }

    /// The backend of an existing vault (refused before a password is asked for when there
    /// is none).
    fn existing(&self) -> anyhow::Result<Box<dyn Backend>> {
        let backend = self.profile()?.backend();
        if !backend.exists() {
            return Err(sallyport_core::Error::NoVault(backend.location()).into());
        }
        Ok(backend)
    }

    /// Unlocks the vault with the master password.
    pub fn unlock(&mut self) -> anyhow::Result<sallyport_core::Session> {
        let backend = self.existing()?;
        let password = self.passwords.read("Master password: ")?;
        Ok(sallyport_core::Session::unlock(
            backend.as_ref(),
            &password,
        )?)
    }

    /// Unlocks the vault, verifying the audit log before this unlock is recorded in it.
    pub fn unlock_and_verify_audit(
        &mut self,
    ) -> anyhow::Result<(sallyport_core::Session, sallyport_core::audit::VerifyReport)> {
        let backend = self.existing()?;
        let password = self.passwords.read("Master password: ")?;
        Ok(sallyport_core::Session::unlock_and_verify_audit(
            backend.as_ref(),
            &password,
        )?)
    }
}

impl Command {
    /// The subcommand's name, for the diagnostic log (its arguments stay out of it).
    fn name(&self) -> &'static str {
        match self {
            Command::Init(_) => "init",
            Command::Import(_) => "import",
            Command::List(_) => "list",
            Command::Show(_) => "show",
            Command::Passwd(_) => "passwd",
            Command::Totp(_) => "totp",
            Command::Copy(_) => "copy",
            Command::SetTotp(_) => "set-totp",
            Command::Rdp(_) => "rdp",
            Command::Connect(_) => "connect",
            Command::Export(_) => "export",
            Command::Rotated(_) => "rotated",
            Command::Rotation(_) => "rotation",
            Command::Reason(_) => "reason",
            Command::ShareClipboard(_) => "share-clipboard",
            Command::Nla(_) => "nla",
            Command::TrustCert(_) => "trust-cert",
            Command::Statement(_) => "statement",
            Command::Genpw(_) => "genpw",
            Command::Check(_) => "check",
            Command::Report(_) => "report",
            Command::Signing(_) => "signing",
            Command::Audit(_) => "audit",
            Command::Team(_) => "team",
            Command::ClipboardHolder(_) => "clipboard-holder",
        }
    }
}

fn main() -> ExitCode {
    // Core dumps off and the diagnostic log started, before any secret is in memory.
    for warning in sallyport_service::start_process("cli") {
        eprintln!("sallyport: warning: {warning}");
    }
    let cli = Cli::parse();
    let _span = tracing::info_span!("cli", command = cli.command.name()).entered();
    let mut ctx = Context {
        vault: cli.vault,
        passwords: password::Source::new(cli.password_stdin),
    };
    let result = match cli.command {
        Command::Init(args) => cmd::init::run(&mut ctx, args),
        Command::Import(args) => cmd::import::run(&mut ctx, args),
        Command::List(args) => cmd::list::run(&mut ctx, args),
        Command::Show(args) => cmd::show::run(&mut ctx, args),
        Command::Passwd(args) => cmd::passwd::run(&mut ctx, args),
        Command::Audit(command) => cmd::audit::run(&mut ctx, command),
        Command::Team(command) => cmd::team::run(&mut ctx, command),
        Command::Signing(command) => cmd::signing::run(&mut ctx, command),
        Command::Totp(args) => cmd::totp::run(&mut ctx, args),
        Command::Copy(args) => cmd::copy::run(&mut ctx, args),
        Command::SetTotp(args) => cmd::set_totp::run(&mut ctx, args),
        Command::ClipboardHolder(args) => cmd::copy::hold(args),
        Command::Rdp(args) => cmd::rdp::run(&mut ctx, args),
        Command::Export(args) => cmd::export::run(&mut ctx, args),
        Command::Connect(args) => cmd::connect::run(&mut ctx, args),
        Command::Rotated(args) => cmd::rotated::run(&mut ctx, args),
        Command::Rotation(args) => cmd::rotated::policy(&mut ctx, args),
        Command::Reason(args) => cmd::reason::policy(&mut ctx, args),
        Command::ShareClipboard(args) => cmd::rotated::clipboard(&mut ctx, args),
        Command::Nla(args) => cmd::rotated::nla(&mut ctx, args),
        Command::TrustCert(args) => cmd::rotated::trust_cert(&mut ctx, args),
        Command::Statement(args) => cmd::statement::run(&mut ctx, args),
        Command::Genpw(args) => cmd::genpw::run(args),
        Command::Check(args) => cmd::check::run(&mut ctx, args),
        Command::Report(args) => cmd::report::run(&mut ctx, args),
    };
    match result {
        Ok(code) => {
            tracing::info!(?code, "done");
            code
        }
        Err(e) => {
            // The kind only: messages may name a customer or a host.
            let kind = e
                .downcast_ref::<sallyport_core::Error>()
                .map_or("other", |e| e.kind().name());
            tracing::warn!(kind, "failed");
            let message = e.to_string().replace(['\r', '\n'], " ");
            eprintln!("sallyport: {message}");
            ExitCode::FAILURE
        }
    }
}
