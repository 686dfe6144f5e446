//! `sallyport export FILE --format sallyport --plaintext`: every customer, entry and secret
//! as native CSV. The file holds plaintext passwords, so the flag is required.
//! `sallyport export FILE --format backup`: the whole vault, audit log included, encrypted
//! under a backup password (asked twice, or the next stdin line).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;

use crate::Context;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Native CSV with plaintext secrets (needs --plaintext).
    Sallyport,
    /// The whole vault and its audit log, encrypted under a backup password.
    Backup,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to write (created 0600, replaced if it exists).
    file: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value = "sallyport")]
    format: Format,
    /// Confirms that the CSV will hold every password and TOTP secret in plaintext.
    #[arg(long)]
    plaintext: bool,
    /// Print the counts written as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    match args.format {
        Format::Backup => return backup(ctx, &args),
        Format::Sallyport if !args.plaintext => bail!(
            "{} would hold every password and TOTP secret in plaintext; add --plaintext to confirm",
            args.file.display()
        ),
        Format::Sallyport => {}
    }
    let mut session = ctx.unlock()?;
    let counts = session.export_native(&args.file)?;
    session.lock()?;
    if args.json {
        println!("{}", serde_json::to_string(&counts)?);
    } else {
        println!(
            "Exported {} customers and {} entries to {} (plaintext secrets: keep it safe, delete it when done)",
            counts.customers,
            counts.entries,
            args.file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn backup(ctx: &mut Context, args: &Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let password = ctx.passwords.read_new("Backup password: ")?;
    let counts = session.export_backup(&args.file, &password)?;
    session.lock()?;
    if args.json {
        println!("{}", serde_json::to_string(&counts)?);
    } else {
        println!(
            "Backed up {} customers, {} entries and {} audit events to {} (encrypted; restore with `sallyport import backup {}`)",
            counts.customers,
            counts.entries,
            counts.audit_events,
            args.file.display(),
            args.file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
