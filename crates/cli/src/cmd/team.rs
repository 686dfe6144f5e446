//! `sallyport team …`: one customer database for the whole support team, on PostgreSQL.
//! `--vault PATH` names this member's team profile; the master password opens it as it
//! opens a vault file. A database owner's password (`team init`) comes from `PGPASSWORD`
//! or a prompt, never from argv.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use sallyport_core::SecretString;
use sallyport_team::admin;
use sallyport_team::conn::DbAddress;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::cmd::init::KdfArgs;
use crate::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create the team database's schema, roles and key, with you as its first admin.
    Init(InitArgs),
    /// Invite a member: prints the enrolment code to pass them.
    Invite(InviteArgs),
    /// Join a team with an enrolment code: writes your profile, prints your fingerprint.
    Join(JoinArgs),
    /// Confirm a member whose fingerprint you compared over another channel.
    Confirm(ConfirmArgs),
    /// Remove a member at once; lists the credentials they used (marked for rotation).
    Remove(RemoveArgs),
    /// Revoke an invitation not used yet: its enrolment code stops working.
    Revoke(RevokeArgs),
    /// The team's members.
    Members(JsonArgs),
    /// Copy a local vault's customers, entries and secrets into the team.
    Push(PushArgs),
    /// Your own database login as NAME='value' lines for a POSIX shell (recorded).
    DbEnv,
    /// As the database's owner, bring the team schema up to this Sallyport's version.
    Upgrade(UpgradeArgs),
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The database: postgres://OWNER@HOST:PORT/DB (OWNER owns DB and may create roles).
    #[arg(long, value_name = "URL")]
    db: String,
    /// The CA certificate (PEM) the database's certificate must chain to.
    #[arg(long, value_name = "CA.pem")]
    ca: PathBuf,
    /// Your name in the team (default: your OS user name).
    #[arg(long)]
    staff: Option<String>,
    #[command(flatten)]
    kdf: KdfArgs,
}

#[derive(Debug, clap::Args)]
pub struct UpgradeArgs {
    /// The database: postgres://OWNER@HOST:PORT/DB (OWNER owns DB).
    #[arg(long, value_name = "URL")]
    db: String,
    /// The CA certificate (PEM) the database's certificate must chain to.
    #[arg(long, value_name = "CA.pem")]
    ca: PathBuf,
    /// Print {"from","to"}.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct InviteArgs {
    /// The new member's name.
    name: String,
    /// What they may do.
    #[arg(long, default_value = "staff", value_parser = admin::ROLES)]
    role: String,
    /// Print {"name","role","code"}.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct JoinArgs {
    /// The database: postgres://HOST:PORT/DB.
    #[arg(long, value_name = "URL")]
    db: String,
    /// The CA certificate (PEM) the database's certificate must chain to.
    #[arg(long, value_name = "CA.pem")]
    ca: PathBuf,
    /// The enrolment code an admin gave you.
    #[arg(long)]
    code: String,
    /// Your name, as the admin invited you (checked).
    #[arg(long)]
    staff: Option<String>,
    /// Print {"fingerprint"}.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    kdf: KdfArgs,
}

#[derive(Debug, clap::Args)]
pub struct ConfirmArgs {
    /// The member.
    name: String,
    /// Their key fingerprint, as they read it out to you.
    #[arg(long, value_name = "FP")]
    fingerprint: String,
}

#[derive(Debug, clap::Args)]
pub struct RevokeArgs {
    /// The member invited.
    name: String,
}

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// The member.
    name: String,
    /// Then seal every record under a new team key, for the remaining members only.
    #[arg(long)]
    rekey: bool,
    /// Print {"removed","rotate":[{"customer","entry","last_used"}]}.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct PushArgs {
    /// The local vault file to copy from (its master password: the next stdin line, or a
    /// prompt).
    #[arg(long, value_name = "LOCAL_VAULT")]
    from: PathBuf,
    /// Print {"created","updated","skipped","errors"}.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct JsonArgs {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Init(args) => init(ctx, args),
        Command::Invite(args) => invite(ctx, args),
        Command::Join(args) => join(ctx, args),
        Command::Confirm(args) => confirm(ctx, args),
        Command::Remove(args) => remove(ctx, args),
        Command::Revoke(args) => revoke(ctx, args),
        Command::Members(args) => members(ctx, args),
        Command::Push(args) => push(ctx, args),
        Command::DbEnv => db_env(ctx),
        Command::Upgrade(args) => upgrade(args),
    }
}

fn read_ca(path: &Path) -> anyhow::Result<Vec<u8>> {
    Ok(sallyport_team::conn::read_ca_file(path)?)
}

/// The database owner's password: `PGPASSWORD`, or a prompt on the terminal.
fn owner_password(address: &DbAddress) -> anyhow::Result<SecretString> {
    if let Ok(password) = std::env::var("PGPASSWORD") {
        return Ok(SecretString::new(password));
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no database password for {}: set PGPASSWORD (never on the command line)",
            address.user
        );
    }
    let typed = Zeroizing::new(
        rpassword::prompt_password(format!("Database password of {}: ", address.user))
            .context("cannot read the database password from the terminal")?,
    );
    Ok(SecretString::from(typed.as_str()))
}

fn new_profile_path(ctx: &Context) -> anyhow::Result<PathBuf> {
    let profile = ctx.profile()?;
    if profile.path().exists() {
        return Err(
            sallyport_core::Error::VaultExists(profile.path().display().to_string()).into(),
        );
    }
    Ok(profile.path().to_path_buf())
}

fn init(ctx: &mut Context, args: InitArgs) -> anyhow::Result<ExitCode> {
    let address = DbAddress::parse(&args.db)?;
    let ca = read_ca(&args.ca)?;
    let kdf = args.kdf.params()?;
    let path = new_profile_path(ctx)?;
    let staff = args
        .staff
        .unwrap_or_else(|| sallyport_core::identity::Device::current().os_user);
    let master = ctx.passwords.read_new("New master password: ")?;
    let owner = owner_password(&address)?;
    let made = admin::init(&address, &owner, &ca, &path, &master, &staff, kdf)?;
    println!(
        "Created team {} on {} with {} as its first admin (profile {})",
        made.team_id,
        address.describe(),
        made.admin,
        path.display()
    );
    println!("Your key fingerprint: {}", made.fingerprint);
    Ok(ExitCode::SUCCESS)
}

fn upgrade(args: UpgradeArgs) -> anyhow::Result<ExitCode> {
    let address = DbAddress::parse(&args.db)?;
    let ca = read_ca(&args.ca)?;
    let owner = owner_password(&address)?;
    let done = admin::upgrade(&address, &owner, &ca)?;
    if args.json {
        println!("{}", serde_json::to_string(&done)?);
    } else if done.from == done.to {
        println!(
            "{} is at team schema version {} already: nothing to do",
            address.describe(),
            done.to
        );
    } else {
        println!(
            "Upgraded {} from team schema version {} to {}",
            address.describe(),
            done.from,
            done.to
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn invite(ctx: &mut Context, args: InviteArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let invitation = admin::invite(&mut session, &args.name, &args.role)?;
    session.lock()?;
    if args.json {
        println!("{}", serde_json::to_string(&invitation)?);
    } else {
        println!(
            "Invited {} as {}. Pass them this enrolment code (valid {} days):\n{}",
            invitation.name,
            invitation.role,
            admin::INVITE_DAYS,
            invitation.code
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn join(ctx: &mut Context, args: JoinArgs) -> anyhow::Result<ExitCode> {
    let address = DbAddress::parse(&args.db)?;
    let ca = read_ca(&args.ca)?;
    let kdf = args.kdf.params()?;
    let path = new_profile_path(ctx)?;
    let master = ctx.passwords.read_new("New master password: ")?;
    let joined = admin::join(
        &address,
        &ca,
        &args.code,
        &path,
        &master,
        args.staff.as_deref(),
        kdf,
    )?;
    if args.json {
        #[derive(Serialize)]
        struct Out<'a> {
            fingerprint: &'a str,
        }
        println!(
            "{}",
            serde_json::to_string(&Out {
                fingerprint: &joined.fingerprint
            })?
        );
    } else {
        println!(
            "Joined as {} ({}); profile {}.\nRead your fingerprint out to an admin, who confirms it:\n{}",
            joined.name,
            joined.role,
            path.display(),
            joined.fingerprint
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn confirm(ctx: &mut Context, args: ConfirmArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    admin::confirm(&mut session, &args.name, &args.fingerprint)?;
    session.lock()?;
    println!(
        "Confirmed {}: they can now unlock the team vault",
        args.name
    );
    Ok(ExitCode::SUCCESS)
}

fn revoke(ctx: &mut Context, args: RevokeArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    admin::revoke(&mut session, &args.name)?;
    session.lock()?;
    println!(
        "Revoked the invitation of {}: its code no longer works",
        args.name.trim()
    );
    Ok(ExitCode::SUCCESS)
}

fn remove(ctx: &mut Context, args: RemoveArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let removed = admin::remove(&mut session, &args.name, args.rekey)?;
    session.lock()?;
    if args.json {
        println!("{}", serde_json::to_string(&removed)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "Removed {}: their login is disabled and their key deleted.",
        removed.removed
    );
    if args.rekey {
        println!("Every record is now sealed under a new team key, for the remaining members.");
    }
    match removed.rotate.len() {
        0 => println!("They used no credential in the last 90 days."),
        n => {
            println!("Rotate these {n} credential(s) they used in the last 90 days (marked due):");
            for r in &removed.rotate {
                println!("  {}/{}  last used {}", r.customer, r.entry, r.last_used);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn push(ctx: &mut Context, args: PushArgs) -> anyhow::Result<ExitCode> {
    let profile = ctx.profile()?;
    if !profile.is_team() {
        bail!("--vault {} is not a team profile", profile.path().display());
    }
    let local = sallyport_service::Profile::at(&args.from);
    if local.is_team() {
        bail!(
            "--from {} is a team profile, not a local vault",
            args.from.display()
        );
    }
    let local_backend = local.backend();
    if !local_backend.exists() {
        return Err(sallyport_core::Error::NoVault(local_backend.location()).into());
    }
    let mut team = ctx.unlock()?;
    let password = ctx
        .passwords
        .read(&format!("Master password of {}: ", args.from.display()))?;
    let mut source = sallyport_core::Session::unlock(local_backend.as_ref(), &password)?;
    let pushed = source.copy_into(&mut team, Default::default(), &mut |_| {})?;
    source.lock()?;
    team.lock()?;
    let summary = &pushed.summary;
    if args.json {
        println!("{}", serde_json::to_string(summary)?);
    } else {
        println!(
            "Pushed {}: {} created, {} updated, {} skipped",
            args.from.display(),
            summary.created,
            summary.updated,
            summary.skipped
        );
    }
    if !pushed.written {
        bail!(
            "{} row(s) of the local vault were refused; nothing was pushed",
            summary.errors.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn members(ctx: &mut Context, args: JsonArgs) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let members = admin::members(&mut session)?;
    session.lock()?;
    if args.json {
        println!("{}", serde_json::to_string(&members)?);
        return Ok(ExitCode::SUCCESS);
    }
    for m in &members {
        let state = match (m.active, m.confirmed) {
            (false, _) => "removed",
            (true, false) => "waiting for confirmation",
            (true, true) => "confirmed",
        };
        println!("{:<24} {:<7} {state}", m.name, m.role);
    }
    Ok(ExitCode::SUCCESS)
}

fn db_env(ctx: &mut Context) -> anyhow::Result<ExitCode> {
    let path = ctx.profile()?.path().to_path_buf();
    let mut session = ctx.unlock()?;
    let lines = admin::db_env(&mut session, &path)?;
    session.lock()?;
    for (name, value) in &lines {
        let quoted = Zeroizing::new(value.expose().replace('\'', r"'\''"));
        println!("{name}='{}'", quoted.as_str());
    }
    Ok(ExitCode::SUCCESS)
}
