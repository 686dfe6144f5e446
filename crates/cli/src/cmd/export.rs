//! `sallyport export FILE --format sallyport --plaintext`: every customer, entry and secret
//! as native CSV. The file holds plaintext passwords, so the flag is required.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;

use crate::Context;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// Native CSV with plaintext secrets (needs --plaintext).
    Sallyport,
    /// An encrypted backup file (not built yet).
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
    /// Print {"customers":N,"entries":N} as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    match args.format {
        Format::Backup => bail!("--format backup: the encrypted backup is not built yet"),
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
