//! `sallyport rotated CUSTOMER[/ENTRY] [--new-password]`: the password was changed on the
//! customer's system; clears "rotation due" and records the day (optionally storing the
//! new password, read like a master password: next stdin line or a hidden prompt).
//! `sallyport rotation CUSTOMER on|off`: the "rotate after each support session" policy.
//! `sallyport share-clipboard CUSTOMER on|off`: whether its .rdp files share the clipboard.

use std::process::ExitCode;

use sallyport_core::vault::Purpose;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or name, optionally with an entry label: ACME or ACME/DB server.
    target: String,
    /// Store the new password too (asked twice, or the next stdin line).
    #[arg(long)]
    new_password: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Switch {
    On,
    Off,
}

#[derive(Debug, clap::Args)]
pub struct PolicyArgs {
    /// Customer code or a unique part of its name.
    customer: String,
    /// on: each launch marks the entry's password due for rotation.
    #[arg(value_enum)]
    state: Switch,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let target = session.select(&args.target, Purpose::Edit)?;
    let new_password = match args.new_password {
        true => Some(ctx.passwords.read_new("New password of the account: ")?),
        false => None,
    };
    let today = sallyport_core::hygiene::today();
    session.mark_rotated(&target, new_password.as_ref(), today)?;
    session.lock()?;
    println!(
        "{}: password rotated on {today}{}",
        target.name(),
        if new_password.is_some() {
            "; new password stored"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct ClipboardArgs {
    /// Customer code or a unique part of its name.
    customer: String,
    /// on: the customer's .rdp files share the clipboard with its servers — while such a
    /// session is open, everything copied on this computer (other customers' passwords
    /// too) is offered to that server. off (the default): not shared.
    #[arg(value_enum)]
    state: Switch,
}

#[derive(clap::Args, Debug)]
pub struct NlaArgs {
    /// CUSTOMER[/ENTRY] (default: the first RDP entry).
    target: String,
    /// on (the default): Network Level Authentication or no connection. off: only for a
    /// server that cannot do it (xrdp); a man in the middle of a first connection could
    /// then choose plain TLS and receive the password.
    #[arg(value_enum)]
    state: Switch,
}

/// `sallyport nla CUSTOMER[/ENTRY] on|off`.
pub fn nla(ctx: &mut Context, args: NlaArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let target = session.select(&args.target, Purpose::Connect)?;
    let on = matches!(args.state, Switch::On);
    session.set_nla(&target, on)?;
    session.lock()?;
    println!(
        "{}: {}",
        target.name(),
        match on {
            true => "connects with Network Level Authentication only",
            false => "connects without Network Level Authentication (TLS alone): only for a server that cannot do it",
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Debug)]
pub struct TrustCertArgs {
    /// CUSTOMER[/ENTRY] (default: the first RDP entry).
    target: String,
    /// The SHA-256 fingerprint of the server's certificate, as the customer confirmed it
    /// (64 hex digits, with or without ':').
    #[arg(required_unless_present = "forget", conflicts_with = "forget")]
    fingerprint: Option<String>,
    /// Forget the pinned fingerprint: the next connection pins the one it sees.
    #[arg(long)]
    forget: bool,
}

/// `sallyport trust-cert CUSTOMER[/ENTRY] FINGERPRINT|--forget`.
pub fn trust_cert(ctx: &mut Context, args: TrustCertArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let target = session.select(&args.target, Purpose::Connect)?;
    let entry = session.set_certificate_pin(&target, args.fingerprint.as_deref())?;
    session.lock()?;
    match entry.cert_sha256.is_empty() {
        true => println!(
            "{}: no certificate pinned; the next connection pins the one it sees",
            target.name()
        ),
        false => println!(
            "{}: the server's certificate must be SHA-256 {}",
            target.name(),
            entry.cert_sha256
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// `sallyport share-clipboard CUSTOMER on|off`.
pub fn clipboard(ctx: &mut Context, args: ClipboardArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let on = matches!(args.state, Switch::On);
    let customer = session.set_clipboard_sharing(&args.customer, on)?;
    session.lock()?;
    println!(
        "{}: {}",
        customer.code,
        match on {
            true => "its .rdp files share the clipboard; while a session is open, whatever you copy (other customers' secrets too) reaches its server",
            false => "its .rdp files do not share the clipboard",
        }
    );
    Ok(ExitCode::SUCCESS)
}

pub fn policy(ctx: &mut Context, args: PolicyArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let on = matches!(args.state, Switch::On);
    let customer = session.set_rotation_policy(&args.customer, on)?;
    session.lock()?;
    println!(
        "{}: {}",
        customer.code,
        match on {
            true => "passwords are due for rotation after each support session",
            false => "no rotation after support sessions",
        }
    );
    Ok(ExitCode::SUCCESS)
}
