//! `sallyport totp CUSTOMER[/ENTRY]`: the current code and the seconds it stays valid.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use sallyport_core::totp::TotpCode;
use sallyport_core::vault::Purpose;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or name, optionally with an entry label: ACME or ACME/VPN.
    target: String,
    /// The code at this time (Unix seconds) instead of now.
    #[arg(long, value_name = "UNIX_SECONDS", conflicts_with = "watch")]
    at: Option<u64>,
    /// Print {"code","seconds_left","period","digits"}.
    #[arg(long)]
    json: bool,
    /// Redraw the code and the seconds left every second until Ctrl-C.
    #[arg(long)]
    watch: bool,
    #[command(flatten)]
    reason: crate::cmd::reason::ReasonArg,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let reason = args.reason.parse()?;
    let mut session = ctx.unlock()?;
    let target = session.select(&args.target, Purpose::Totp)?;
    let generator = session
        .totp_generator(target.entry.id, reason.as_ref())
        .map_err(crate::cmd::reason::hint)?;
    session.lock()?;
    if !args.watch {
        let code = match args.at {
            Some(at) => generator.at(at),
            None => generator.now(),
        };
        crate::output::finish(print(
            &mut std::io::stdout().lock(),
            &code,
            args.json,
            false,
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let redraw = std::io::stdout().is_terminal() && !args.json;
    let mut out = std::io::stdout().lock();
    if redraw {
        writeln!(out, "{} (Ctrl-C to stop)", target.name())?;
    }
    loop {
        if let Err(e) = print(&mut out, &generator.now(), args.json, redraw) {
            crate::output::finish(Err(e))?;
            bail!("cannot write the code");
        }
        // Wake at the next whole second so the countdown ticks evenly.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        std::thread::sleep(Duration::from_millis(1000 - u64::from(now.subsec_millis())));
    }
}

fn print(out: &mut impl Write, code: &TotpCode, json: bool, redraw: bool) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, code)?;
        writeln!(out)?;
    } else if redraw {
        write!(
            out,
            "\r\x1b[2K{}  {:>2} s left",
            code.code, code.seconds_left
        )?;
    } else {
        writeln!(out, "{}  {} s left", code.code, code.seconds_left)?;
    }
    out.flush()
}
