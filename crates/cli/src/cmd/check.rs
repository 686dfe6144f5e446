//! `sallyport check CUSTOMER[/ENTRY] [--timeout S] [--json]`: can we reach the entry's
//! host and gateway? One TCP connection each; the result is kept for `report`.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use sallyport_core::hygiene::SystemResolver;
use sallyport_core::vault::Purpose;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or name, optionally with an entry label: ACME or ACME/DB server.
    target: String,
    /// Seconds to wait for each target.
    #[arg(long, default_value_t = 3.0)]
    timeout: f64,
    /// Print [{"role","host","port","status",...}] as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    if !(0.1..=60.0).contains(&args.timeout) {
        bail!("--timeout: {} is outside 0.1..=60 seconds", args.timeout);
    }
    let mut session = ctx.unlock()?;
    let target = session.select(&args.target, Purpose::Edit)?;
    let results = session.check_reachability(
        &target,
        &SystemResolver,
        Duration::from_secs_f64(args.timeout),
    )?;
    session.lock()?;
    if args.json {
        println!("{}", serde_json::to_string(&results)?);
    } else {
        println!("{}:", target.name());
        for r in &results {
            println!("  {}", r.describe());
        }
    }
    Ok(match results.iter().all(|r| r.reach.is_ok()) {
        true => ExitCode::SUCCESS,
        false => ExitCode::from(2),
    })
}
