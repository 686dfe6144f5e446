//! `sallyport copy CUSTOMER[/ENTRY] password|username|totp`: puts the value on the
//! clipboard and has it cleared after a delay, if it is still there.
//!
//! On X11 and Wayland the clipboard lives only as long as the process that set it, so the
//! value is handed (through a pipe, never argv) to a small background copy of this program
//! that serves the clipboard and clears it; this command returns at once.

use std::io::{BufRead, BufReader, Write};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use anyhow::{bail, Context as _};
use sallyport_clipboard::{Clipboard, DEFAULT_CLEAR_AFTER};
use sallyport_core::vault::CopyField;
use sallyport_core::SecretString;
use zeroize::Zeroizing;

use crate::Context;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Field {
    Password,
    Username,
    Totp,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or name, optionally with an entry label: ACME or ACME/VPN.
    target: String,
    /// What to copy.
    #[arg(value_enum)]
    field: Field,
    /// Seconds until the clipboard is cleared (if it still holds the value).
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_CLEAR_AFTER.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    clear_after: u64,
    #[command(flatten)]
    reason: crate::cmd::reason::ReasonArg,
}

#[derive(Debug, clap::Args)]
pub struct HolderArgs {
    #[arg(long)]
    clear_after: u64,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let field = match args.field {
        Field::Password => CopyField::Password,
        Field::Username => CopyField::Username,
        Field::Totp => CopyField::Totp,
    };
    let reason = args.reason.parse()?;
    let mut session = ctx.unlock()?;
    let target = session.select(&args.target, field.purpose())?;
    // The customer's rule first: a refusal says what is missing even where no clipboard is.
    session
        .check_reason(&target, field.action(), reason.as_ref())
        .map_err(crate::cmd::reason::hint)?;
    sallyport_clipboard::check_display()?;
    let mut holder = spawn_holder(args.clear_after)?;
    let value = session.copy_value(target.entry.id, field, reason.as_ref())?;
    session.lock()?;
    holder.hand_over(&value)?;
    println!(
        "Copied the {} of {}; the clipboard clears in {} s",
        match args.field {
            Field::Password => "password",
            Field::Username => "user name",
            Field::Totp => "TOTP code",
        },
        target.name(),
        args.clear_after
    );
    Ok(ExitCode::SUCCESS)
}

/// Puts `value` on the clipboard through a background holder that clears it after
/// `clear_after` (used by `connect` where the client takes no password).
pub fn to_clipboard(value: &SecretString, clear_after: Duration) -> anyhow::Result<()> {
    sallyport_clipboard::check_display()?;
    spawn_holder(clear_after.as_secs())?.hand_over(value)
}

/// The background holder: connects to the clipboard, says "waiting", reads the value from
/// stdin, sets it, says "ready", closes its output and holds the value until it is cleared.
pub fn hold(args: HolderArgs) -> anyhow::Result<ExitCode> {
    let clipboard = Clipboard::open()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "waiting")?;
    out.flush()?;
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line)?;
    let value = SecretString::from(line.strip_suffix('\n').unwrap_or(&line));
    let held = clipboard.copy(value)?;
    writeln!(out, "ready")?;
    out.flush()?;
    drop(out);
    // Asked to end early (logout, kill, Ctrl-C in its group): clear first, then go.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut signals = vec![signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT];
    #[cfg(unix)]
    signals.push(signal_hook::consts::SIGHUP);
    for signal in signals {
        signal_hook::flag::register(signal, std::sync::Arc::clone(&stop))?;
    }
    held.hold(Duration::from_secs(args.clear_after), &stop);
    Ok(ExitCode::SUCCESS)
}

struct Spawned {
    child: std::process::Child,
    lines: BufReader<std::process::ChildStdout>,
}

fn spawn_holder(clear_after: u64) -> anyhow::Result<Spawned> {
    let exe = std::env::current_exe().context("cannot find the sallyport program")?;
    let mut command = std::process::Command::new(exe);
    command
        .args([
            "clipboard-holder",
            "--clear-after",
            &clear_after.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        // Its own process group: Ctrl-C in the terminal must not cut the clearing short.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command
        .spawn()
        .context("cannot start the clipboard holder")?;
    let stdout = child
        .stdout
        .take()
        .context("no pipe to the clipboard holder")?;
    let mut spawned = Spawned {
        child,
        lines: BufReader::new(stdout),
    };
    spawned.expect("waiting")?;
    Ok(spawned)
}

impl Spawned {
    fn hand_over(&mut self, value: &SecretString) -> anyhow::Result<()> {
        let mut stdin = self
            .child
            .stdin
            .take()
            .context("no pipe to the clipboard holder")?;
        let mut line = Zeroizing::new(String::with_capacity(value.expose().len() + 1));
        line.push_str(value.expose());
        line.push('\n');
        stdin.write_all(line.as_bytes())?;
        drop(stdin);
        self.expect("ready")
    }

    fn expect(&mut self, word: &str) -> anyhow::Result<()> {
        let mut line = String::new();
        self.lines.read_line(&mut line)?;
        if line.trim_end() == word {
            return Ok(());
        }
        // The holder failed: its one-line error is on stderr.
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(stderr) = self.child.stderr.as_mut() {
            let _ = std::io::Read::read_to_string(stderr, &mut err);
        }
        let reason = err
            .trim()
            .strip_prefix("sallyport: ")
            .unwrap_or(err.trim())
            .to_owned();
        if reason.is_empty() {
            bail!("the clipboard holder stopped unexpectedly");
        }
        bail!("{reason}")
    }
}
