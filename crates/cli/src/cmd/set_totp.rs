//! `sallyport set-totp CUSTOMER[/ENTRY] (--secret | --uri | --qr FILE)`: stores a TOTP
//! secret. A secret or URI is read from standard input (the line after the master
//! password) or asked for on the terminal — never taken from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use sallyport_core::totp;
use sallyport_core::vault::Purpose;

use crate::Context;

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["secret", "uri", "qr"])))]
pub struct Args {
    /// Customer code or name, optionally with an entry label: ACME or ACME/VPN.
    target: String,
    /// Read a Base32 secret (spaces, dashes, lowercase accepted).
    #[arg(long, num_args = 0..=1, default_missing_value = "", value_name = "-")]
    secret: Option<String>,
    /// Read an otpauth://totp/ URI.
    #[arg(long, num_args = 0..=1, default_missing_value = "", value_name = "-")]
    uri: Option<String>,
    /// Decode the QR code(s) in a PNG or JPEG image (a screenshot of the enrolment page or
    /// a Google Authenticator export code, which may hold several accounts).
    #[arg(long, value_name = "FILE")]
    qr: Option<PathBuf>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    for (flag, value) in [("--secret", &args.secret), ("--uri", &args.uri)] {
        if value.as_deref().is_some_and(|v| !v.is_empty()) {
            bail!(
                "{flag} takes no value: a secret on the command line is visible to other users and kept in shell history; it is read from standard input or asked for"
            );
        }
    }
    // Read the image before asking for any password, so a bad file costs nothing.
    let from_qr = match &args.qr {
        Some(path) => Some(totp::decode_qr_file(path)?),
        None => None,
    };
    let mut session = ctx.unlock()?;
    let mut skipped_hotp = 0;
    let accounts = match from_qr {
        Some(found) => {
            skipped_hotp = found.skipped_hotp;
            found.accounts
        }
        None => {
            let prompt = if args.secret.is_some() {
                "TOTP secret (Base32): "
            } else {
                "otpauth:// URI: "
            };
            let text = ctx.passwords.read(prompt)?;
            let parsed = totp::parse(text.expose())?;
            if args.uri.is_some()
                && !text
                    .expose()
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("otpauth://")
            {
                bail!(
                    "totp: --uri expects an otpauth://totp/ URI; use --secret for a Base32 secret"
                );
            }
            vec![parsed]
        }
    };
    let entry_named = args.target.contains('/');
    if accounts.len() > 1 {
        if entry_named {
            bail!(
                "the QR code holds {} accounts; give only the customer to add one entry per account",
                accounts.len()
            );
        }
        let customer = session.find_customer(&args.target)?.clone();
        let labels = session.add_totp_entries(&customer, accounts)?;
        session.lock()?;
        println!(
            "Added {} entries to {}: {}",
            labels.len(),
            customer.code,
            labels.join(", ")
        );
        if skipped_hotp > 0 {
            println!("Left out {skipped_hotp} counter-based (HOTP) account(s): not supported");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let Some((params, secret)) = accounts.into_iter().next() else {
        bail!("no TOTP account found");
    };
    let target = session.select(&args.target, Purpose::Edit)?;
    session.set_totp(&target, params.clone(), secret)?;
    session.lock()?;
    println!(
        "TOTP set for {} ({:?}, {} digits, {} s)",
        target.name(),
        params.algorithm,
        params.digits,
        params.period
    );
    Ok(ExitCode::SUCCESS)
}
