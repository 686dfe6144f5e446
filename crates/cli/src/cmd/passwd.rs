//! `sallyport passwd [--rotate-key]`: change the master password (only the wrapped key is
//! rewritten), or with `--rotate-key` also replace the data key, every record re-sealed
//! and the audit log re-chained in one transaction.

use std::process::ExitCode;

use crate::Context;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Also replace the vault's data key: every record re-sealed, the audit log re-chained,
    /// every device's "remember on this device" forgotten (the new password may be the old).
    #[arg(long)]
    rotate_key: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let new_password = ctx.passwords.read_new("New master password: ")?;
    if !args.rotate_key {
        session.change_password(&new_password)?;
        session.lock()?;
        println!("Master password changed");
        return Ok(ExitCode::SUCCESS);
    }
    let report = session.rotate_data_key(&new_password)?;
    session.lock()?;
    println!(
        "Master password changed and data key rotated: {} records and {} audit events re-sealed",
        report.records, report.events
    );
    if report.devices_forgotten > 0 {
        println!(
            "{} device(s) that remembered this vault now ask for the master password",
            report.devices_forgotten
        );
    }
    Ok(ExitCode::SUCCESS)
}
