//! `sallyport rdp CUSTOMER[/ENTRY] --out FILE`: writes the entry's .rdp file (no password).

use std::path::PathBuf;
use std::process::ExitCode;

use sallyport_core::vault::Purpose;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or name, optionally with an entry label: ACME or ACME/DB server.
    target: String,
    /// The file to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let target = session.select(&args.target, Purpose::Connect)?;
    session.write_rdp(target.entry.id, &args.out)?;
    session.lock()?;
    println!("Wrote {} for {}", args.out.display(), target.name());
    Ok(ExitCode::SUCCESS)
}
