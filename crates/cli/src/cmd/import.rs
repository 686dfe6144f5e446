//! `sallyport import FILE`: preview, then write in one transaction.
//! `sallyport import backup FILE` (or a backup given as FILE): restore an encrypted backup
//! into a vault without customers; the backup password is asked for, or is the next stdin line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use sallyport_core::import::{self, ConflictPolicy, ImportOptions, ImportSummary};

use std::io::{IsTerminal, Write};

use sallyport_core::import::{Phase, Progress};

use crate::Context;

/// A one-line progress display on a terminal's stderr (nothing otherwise).
struct ProgressBar {
    on: bool,
    shown: bool,
}

impl ProgressBar {
    fn new(on: bool) -> Self {
        Self { on, shown: false }
    }

    fn show(&mut self, p: Progress) {
        if !self.on {
            return;
        }
        let percent = (p.bytes_read * 100)
            .checked_div(p.total_bytes)
            .unwrap_or(100);
        let phase = match p.phase {
            Phase::Preview => "checking",
            Phase::Write => "writing",
        };
        let filled = (percent / 5) as usize;
        eprint!(
            "\r\x1b[2K{phase:8} [{}{}] {percent:3}%  {} rows",
            "#".repeat(filled),
            " ".repeat(20 - filled.min(20)),
            p.rows
        );
        let _ = std::io::stderr().flush();
        self.shown = true;
    }

    fn clear(&mut self) {
        if self.shown {
            eprint!("\r\x1b[2K");
            self.shown = false;
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        self.clear(); // also when an error ends the import early
    }
}

/// `--format`: detect, one of core's CSV formats (by its id), or an encrypted backup.
#[derive(Debug, Clone, Copy)]
enum Format {
    Auto,
    Csv(import::Format),
    Backup,
}

/// Parses `--format`, offering `auto`, core's format ids and `backup` (clap lists them
/// when the value is wrong).
fn format_parser() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::TypedValueParser;
    let names = ["auto"]
        .into_iter()
        .chain(import::Format::ALL.map(import::Format::id))
        .chain(["backup"]);
    clap::builder::PossibleValuesParser::new(names).try_map(|name| match name.as_str() {
        "auto" => Ok(Format::Auto),
        "backup" => Ok(Format::Backup),
        id => import::Format::from_id(id)
            .map(Format::Csv)
            .ok_or_else(|| format!("no format named '{id}'")),
    })
}

/// Parses `--on-conflict` as one of core's conflict policies (by its id).
fn conflict_parser() -> impl clap::builder::TypedValueParser<Value = ConflictPolicy> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(ConflictPolicy::ALL.map(ConflictPolicy::id)).try_map(
        |id| ConflictPolicy::from_id(&id).ok_or_else(|| format!("no conflict policy named '{id}'")),
    )
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file (or the word `backup` followed by a backup file).
    file: PathBuf,
    /// The backup file, after `backup`.
    #[arg(hide = true)]
    backup_file: Option<PathBuf>,
    /// File format.
    #[arg(long, value_parser = format_parser(), default_value = "auto")]
    format: Format,
    /// Show what would happen; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows even if some rows are invalid.
    #[arg(long)]
    skip_invalid: bool,
    /// What to do when a customer code + entry label already exists.
    #[arg(long, value_parser = conflict_parser(), default_value = "fail")]
    on_conflict: ConflictPolicy,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, mut args: Args) -> anyhow::Result<ExitCode> {
    if let Some(file) = args.backup_file.take() {
        if args.file.as_os_str() != "backup" {
            bail!(
                "unexpected argument '{}'; give one file, or `backup FILE` to restore a backup",
                file.display()
            );
        }
        args.file = file;
        args.format = Format::Backup;
    }
    if args.file.as_os_str() == "backup" && !args.file.exists() {
        bail!("give the backup to restore: sallyport import backup FILE");
    }
    let is_backup = sallyport_core::backup::is_backup(&args.file)?;
    let format = match args.format {
        Format::Backup if !is_backup => {
            bail!("{}: not a Sallyport backup", args.file.display())
        }
        Format::Backup => return restore(ctx, &args),
        Format::Auto if is_backup => return restore(ctx, &args),
        _ if is_backup => bail!(
            "{} is a Sallyport backup; restore it with `sallyport import backup {}`",
            args.file.display(),
            args.file.display()
        ),
        Format::Auto => None,
        Format::Csv(format) => Some(format),
    };
    let options = options(&args, format);
    let mut session = ctx.unlock()?;
    let mut bar = ProgressBar::new(!args.json && std::io::stderr().is_terminal());
    let (summary, detected, blocked) = if args.dry_run {
        let plan = session.plan_import_with_progress(&args.file, options, &mut |p| bar.show(p))?;
        session.record_import_preview(&plan)?;
        (
            plan.summary().clone(),
            plan.detected().clone(),
            plan.is_blocked(),
        )
    } else {
        // Checked and written in one pass; invalid rows roll it back (and are recorded).
        let done = session.import_in_one_pass(&args.file, options, &mut |p| bar.show(p))?;
        (done.summary, done.detected, !done.written)
    };
    bar.clear();
    session.lock()?;
    if !args.json {
        println!(
            "{}: {} ({})",
            args.file.display(),
            detected.format.title(),
            detected.reason
        );
    }
    report(&summary, &args, blocked, "")?;
    refuse_if_blocked(&summary, &args, blocked)
}

fn options(args: &Args, format: Option<import::Format>) -> ImportOptions {
    ImportOptions {
        format,
        on_conflict: args.on_conflict,
        skip_invalid: args.skip_invalid,
    }
}

fn restore(ctx: &mut Context, args: &Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let password = ctx.passwords.read("Backup password: ")?;
    let mut bar = ProgressBar::new(!args.json && std::io::stderr().is_terminal());
    let options = options(args, None);
    let plan = session.plan_restore(&args.file, &password, options, &mut |p| bar.show(p))?;
    drop(password);
    let blocked = plan.is_blocked();
    let summary = plan.summary().clone();
    let manifest = plan.manifest().clone();
    let events = plan.audit_events();
    if args.dry_run {
        session.record_restore_preview(&plan)?;
    } else if blocked {
        let _ = session.apply_restore(plan, &mut |_| {});
    } else {
        session.apply_restore(plan, &mut |p| bar.show(p))?;
    }
    bar.clear();
    session.lock()?;
    if !args.json {
        let made = manifest
            .created
            .format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute] UTC"
            ))
            .unwrap_or_default();
        let audit = match &manifest.audit_problem {
            None => "its audit log verified when it was made".to_owned(),
            Some(problem) => format!("its audit log did NOT verify when it was made ({problem})"),
        };
        println!(
            "{}: Sallyport backup of vault {} made {made} by {} (Sallyport {}); {audit}",
            args.file.display(),
            manifest.vault_id,
            manifest.staff,
            manifest.app_version
        );
    }
    let verb = if args.dry_run || blocked {
        "would be restored"
    } else {
        "restored"
    };
    report(
        &summary,
        args,
        blocked,
        &format!("; {events} audit events {verb}"),
    )?;
    refuse_if_blocked(&summary, args, blocked)
}

fn refuse_if_blocked(
    summary: &ImportSummary,
    args: &Args,
    blocked: bool,
) -> anyhow::Result<ExitCode> {
    if blocked {
        bail!(
            "{} invalid row(s) in {}; nothing was imported (fix them, or pass --skip-invalid)",
            summary.errors.len(),
            args.file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn report(summary: &ImportSummary, args: &Args, blocked: bool, extra: &str) -> anyhow::Result<()> {
    if args.json {
        println!("{}", serde_json::to_string(summary)?);
        return Ok(());
    }
    let verb = if args.dry_run || blocked {
        "would be "
    } else {
        ""
    };
    println!(
        "{}: {} {verb}created, {} {verb}updated, {} {verb}skipped, {} invalid{extra}{}",
        args.file.display(),
        summary.created,
        summary.updated,
        summary.skipped,
        summary.errors.len(),
        if args.dry_run {
            " (dry run, nothing written)"
        } else {
            ""
        }
    );
    for e in &summary.errors {
        println!("  line {}: {}", e.line, e.reason);
    }
    Ok(())
}
