//! `sallyport genpw`: passwords meeting a customer's policy, from the OS CSPRNG. Needs no
//! vault; nothing is stored or recorded (store one with `rotated --new-password`).

use std::process::ExitCode;

use anyhow::bail;
use sallyport_core::hygiene::{generate, PasswordPolicy};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of characters.
    #[arg(long, default_value_t = 20)]
    length: usize,
    /// At least this many digits.
    #[arg(long, default_value_t = 1)]
    min_digits: usize,
    /// At least this many uppercase letters.
    #[arg(long, default_value_t = 1)]
    min_upper: usize,
    /// At least this many lowercase letters.
    #[arg(long, default_value_t = 1)]
    min_lower: usize,
    /// Allow symbols (printable ASCII without space, quotes, backslash, backtick).
    #[arg(long)]
    symbols: bool,
    /// At least this many symbols (implies --symbols).
    #[arg(long, default_value_t = 0)]
    min_symbols: usize,
    /// How many passwords to print, one per line.
    #[arg(long, default_value_t = 1)]
    count: usize,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !(1..=10_000).contains(&args.count) {
        bail!("--count: {} is outside 1..=10000", args.count);
    }
    let policy = PasswordPolicy {
        length: args.length,
        min_lower: args.min_lower,
        min_upper: args.min_upper,
        min_digits: args.min_digits,
        symbols: args.symbols || args.min_symbols > 0,
        min_symbols: args.min_symbols,
    };
    policy.check()?;
    let mut out = zeroize::Zeroizing::new(String::new());
    for _ in 0..args.count {
        out.push_str(generate(&policy)?.expose());
        out.push('\n');
    }
    print!("{}", out.as_str());
    Ok(ExitCode::SUCCESS)
}
