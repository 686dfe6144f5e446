//! `sallyport connect CUSTOMER[/ENTRY] [--dry-run]`: writes a temporary .rdp file and starts
//! the official client (mstsc, Windows App) or FreeRDP, handing the password over without a
//! command line. `--dry-run` prints the plan as JSON and starts nothing.

use std::process::ExitCode;
use std::time::Instant;

use sallyport_core::vault::Purpose;
use sallyport_core::Error;
use sallyport_service::{ConnectError, ConnectOptions, Platform, CLEAN_UP_GRACE};
use serde::Serialize;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or name, optionally with an entry label: ACME or ACME/DB server.
    target: String,
    /// Print the plan {"program","args","rdp_file"} as JSON; start nothing.
    #[arg(long)]
    dry_run: bool,
    /// Connect even though the account has expired.
    #[arg(long)]
    expired_ok: bool,
    #[command(flatten)]
    reason: crate::cmd::reason::ReasonArg,
}

#[derive(Serialize)]
struct DryRun<'a> {
    program: &'a str,
    args: &'a [String],
    rdp_file: &'a std::path::Path,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let reason = args.reason.parse()?;
    let mut session = ctx.unlock()?;
    let unlocked = Instant::now();
    let entry = session.select(&args.target, Purpose::Connect)?.entry.id;
    let options = ConnectOptions {
        expired_ok: args.expired_ok,
        dry_run: args.dry_run,
        reason,
    };
    let platform = Platform::current()?;
    let connected = sallyport_service::connect(
        &mut session,
        entry,
        options,
        &platform,
        &mut |password, clear_after| {
            crate::cmd::copy::to_clipboard(password, clear_after).map_err(|e| e.to_string())
        },
    );
    let connection = match connected {
        Ok(connection) => connection,
        Err(ConnectError::Vault(Error::AccountExpired(message))) => {
            anyhow::bail!("{message}, or pass --expired-ok to try anyway")
        }
        Err(ConnectError::Vault(e)) => return Err(crate::cmd::reason::hint(e)),
        Err(e) => return Err(e.into()),
    };
    if let Some(expiry) = connection.expiry {
        eprintln!(
            "warning: {}: the account {}",
            connection.target,
            expiry.describe()
        );
    }
    let plan = &connection.plan;
    let Some(started) = connection.started else {
        session.lock()?;
        let json = DryRun {
            program: &plan.program,
            args: &plan.args,
            rdp_file: &plan.rdp_file,
        };
        println!("{}", serde_json::to_string(&json)?);
        trace(unlocked, "planned");
        return Ok(ExitCode::SUCCESS);
    };
    trace(unlocked, "spawned");
    session.lock()?;
    println!(
        "Started {} (pid {}) for {}",
        plan.program,
        started.pid(),
        connection.target
    );
    if let Some(fingerprint) = &connection.pinned_certificate {
        println!(
            "First connection: the server's certificate (SHA-256 {fingerprint}) is now pinned for {}; a different one will be refused. Compare it with the customer's if you can.",
            connection.target
        );
    }
    for notice in plan.notice.iter().cloned().chain(started.notice()) {
        println!("Note: {notice}");
    }
    // Waits for the client to read the file and the credentials (it returns sooner if the
    // client exits), then removes them.
    if let Some(status) = started.clean_up_after(CLEAN_UP_GRACE) {
        if !status.success() {
            anyhow::bail!(
                "{} exited at once ({status}); run it by hand to see why",
                plan.program
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// With `SALLYPORT_TIMINGS=1`, prints the time from unlock to `what` on stderr (for the
/// connect benchmark).
fn trace(since: Instant, what: &str) {
    if std::env::var_os("SALLYPORT_TIMINGS").is_some() {
        eprintln!(
            "timing: unlocked -> {what}: {:.2} ms",
            since.elapsed().as_secs_f64() * 1e3
        );
    }
}
