//! `sallyport signing set|show|clear`: the certificate every written .rdp file is signed
//! with. `set --pfx` reads the file's password from standard input (the line after the
//! master password) or a prompt — never from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use sallyport_core::signing::{
    CertificateInfo, SigningIdentity, EXPIRY_WARNING_DAYS, TRUSTED_THUMBPRINTS_KEY,
};
use time::OffsetDateTime;

use crate::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Set the signing certificate: --cert CERT.pem --key KEY.pem, or --pfx FILE.pfx.
    Set(SetArgs),
    /// Show the certificate and how staff PCs trust it.
    Show(ShowArgs),
    /// Remove the certificate: files are written unsigned again.
    Clear,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["cert", "pfx"])))]
pub struct SetArgs {
    /// The certificate, PEM (or DER).
    #[arg(long, value_name = "CERT.pem", requires = "key")]
    cert: Option<PathBuf>,
    /// Its RSA private key, PEM: PKCS#8 (BEGIN PRIVATE KEY) or PKCS#1 (BEGIN RSA PRIVATE KEY).
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    key: Option<PathBuf>,
    /// Certificate and key as PKCS#12; its password is read from standard input or asked for.
    #[arg(long, value_name = "FILE.pfx", conflicts_with_all = ["cert", "key"])]
    pfx: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Print {"subject","not_after","thumbprint"} (or null when none is set).
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Set(args) => set(ctx, args),
        Command::Show(args) => show(ctx, args),
        Command::Clear => {
            let mut session = ctx.unlock()?;
            let cleared = session.clear_signing()?;
            session.lock()?;
            println!(
                "{}",
                match cleared {
                    true => "Signing certificate removed; .rdp files are written unsigned.",
                    false => "No signing certificate was set.",
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn set(ctx: &mut Context, args: SetArgs) -> anyhow::Result<ExitCode> {
    let now = OffsetDateTime::now_utc();
    // PEM files are checked before the vault is unlocked, so a bad file costs nothing.
    let identity = match (&args.cert, &args.key, &args.pfx) {
        (Some(cert), Some(key), None) => Some(SigningIdentity::from_pem_files(cert, key, now)?),
        _ => None,
    };
    if let Some(pfx) = &args.pfx {
        std::fs::metadata(pfx).map_err(|e| anyhow::anyhow!("{}: {e}", pfx.display()))?;
    }
    let mut session = ctx.unlock()?;
    let identity = match (identity, &args.pfx) {
        (Some(identity), _) => identity,
        (None, Some(pfx)) => {
            let password = ctx.passwords.read(".pfx password: ")?;
            SigningIdentity::from_pfx_file(pfx, &password, now)?
        }
        (None, None) => anyhow::bail!("give --cert and --key, or --pfx"),
    };
    let info = session.set_signing(&identity)?;
    session.lock()?;
    println!("Signing .rdp files with:");
    print_info(&info);
    Ok(ExitCode::SUCCESS)
}

fn show(ctx: &mut Context, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let session = ctx.unlock()?;
    let current = session.signing_certificate()?;
    session.lock()?;
    if args.json {
        println!("{}", serde_json::to_string(&current.map(|c| c.info))?);
        return Ok(ExitCode::SUCCESS);
    }
    let Some(current) = current else {
        println!("No signing certificate is set; .rdp files are written unsigned.");
        println!("Set one with `sallyport signing set --pfx FILE.pfx` (or --cert and --key).");
        return Ok(ExitCode::SUCCESS);
    };
    print_info(&current.info);
    println!();
    println!("To open these files on staff PCs without the \"Unknown remote connection\" warning:");
    println!(
        "1. Trust the thumbprint by policy: the REG_SZ value TrustedCertThumbprints (thumbprints"
    );
    println!("   separated by commas) under {TRUSTED_THUMBPRINTS_KEY}");
    println!("   (Group Policy: Remote Desktop Connection Client > \"Specify SHA1 thumbprints of");
    println!("   certificates representing trusted .rdp publishers\"), for example:");
    println!("   {}", current.info.reg_add_line());
    println!(
        "   (this replaces the value; add other thumbprints it already lists, comma-separated)"
    );
    println!("2. Import this certificate into the Trusted Publishers store");
    println!("   (certutil -addstore TrustedPublisher sallyport-signing.cer):");
    print!("{}", current.pem);
    Ok(ExitCode::SUCCESS)
}

fn print_info(info: &CertificateInfo) {
    let days = info.days_left(sallyport_core::hygiene::today());
    let state = if days < 0 {
        "EXPIRED: files signed with it are not trusted; set a new certificate".to_owned()
    } else if days <= EXPIRY_WARNING_DAYS {
        format!("expires in {days} days: renew it soon")
    } else {
        format!("{days} days left")
    };
    println!("Subject:    {}", info.subject);
    println!("Expires:    {} ({state})", info.not_after_text());
    println!("Thumbprint: {}", info.thumbprint);
}
