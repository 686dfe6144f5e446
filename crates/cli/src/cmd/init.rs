//! `sallyport init`: create a vault.

use std::process::ExitCode;

use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::Session;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Staff name recorded in the audit log (default: your OS user name).
    #[arg(long)]
    staff: Option<String>,
    #[command(flatten)]
    kdf: KdfArgs,
}

/// The Argon2id cost of a new vault or team profile.
#[derive(Debug, clap::Args)]
pub struct KdfArgs {
    /// Argon2id memory cost in KiB (19456 to 1048576; default 65536).
    #[arg(long, value_name = "N")]
    kdf_memory_kib: Option<u32>,
    /// Argon2id passes (2 to 10; default 3).
    #[arg(long, value_name = "N")]
    kdf_iterations: Option<u32>,
}

impl KdfArgs {
    /// The parameters asked for (defaults where not given), checked against the bounds.
    pub fn params(&self) -> anyhow::Result<KdfParams> {
        let defaults = KdfParams::default();
        let kdf = KdfParams {
            memory_kib: self.kdf_memory_kib.unwrap_or(defaults.memory_kib),
            iterations: self.kdf_iterations.unwrap_or(defaults.iterations),
            ..defaults
        };
        kdf.check_bounds()?;
        Ok(kdf)
    }
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let backend = ctx.profile()?.backend();
    if backend.exists() {
        return Err(sallyport_core::Error::VaultExists(backend.location()).into());
    }
    let kdf = args.kdf.params()?;
    let staff = args
        .staff
        .unwrap_or_else(|| sallyport_core::identity::Device::current().os_user);
    let password = ctx.passwords.read_new("New master password: ")?;
    let session = Session::create(backend.as_ref(), &password, &staff, kdf)?;
    println!(
        "Created vault {} for {} (Argon2id {} KiB, {} passes, {} lanes)",
        backend.location(),
        session.staff(),
        kdf.memory_kib,
        kdf.iterations,
        kdf.parallelism
    );
    session.lock()?;
    Ok(ExitCode::SUCCESS)
}
