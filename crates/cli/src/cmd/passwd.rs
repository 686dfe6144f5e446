//! `sallyport passwd`: change the master password (only the wrapped key is rewritten).

use std::process::ExitCode;

use crate::Context;

pub fn run(ctx: &mut Context) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let new_password = ctx.passwords.read_new("New master password: ")?;
    session.change_password(&new_password)?;
    session.lock()?;
    println!("Master password changed");
    Ok(ExitCode::SUCCESS)
}
