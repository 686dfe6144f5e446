//! `sallyport import FILE`: preview, then write in one transaction.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use sallyport_core::import::{self, ConflictPolicy, ImportOptions, ImportSummary};

use crate::Context;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Auto,
    Sallyport,
    Keepassxc,
    Mremoteng,
    Bitwarden,
    Rdm,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum OnConflict {
    Skip,
    Update,
    Fail,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The CSV file.
    file: PathBuf,
    /// File format.
    #[arg(long, value_enum, default_value = "auto")]
    format: Format,
    /// Show what would happen; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows even if some rows are invalid.
    #[arg(long)]
    skip_invalid: bool,
    /// What to do when a customer code + entry label already exists.
    #[arg(long, value_enum, default_value = "fail")]
    on_conflict: OnConflict,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        Format::Auto => None,
        Format::Sallyport => Some(import::Format::Sallyport),
        Format::Keepassxc => Some(import::Format::Keepassxc),
        Format::Bitwarden => Some(import::Format::Bitwarden),
        Format::Mremoteng => Some(import::Format::Mremoteng),
        Format::Rdm => Some(import::Format::Rdm),
    };
    let options = ImportOptions {
        format,
        on_conflict: match args.on_conflict {
            OnConflict::Skip => ConflictPolicy::Skip,
            OnConflict::Update => ConflictPolicy::Update,
            OnConflict::Fail => ConflictPolicy::Fail,
        },
        skip_invalid: args.skip_invalid,
    };
    let mut session = ctx.unlock()?;
    let plan = session.plan_import(&args.file, options)?;
    let blocked = plan.is_blocked();
    let summary = plan.summary().clone();
    let detected = plan.detected().clone();
    if args.dry_run {
        session.record_import_preview(&plan)?;
    } else if blocked {
        // Refused by the core, which records the refusal; the summary below says why.
        let _ = session.apply_import(plan);
    } else {
        session.apply_import(plan)?;
    }
    session.lock()?;
    report(&summary, &detected, &args, blocked)?;
    if blocked {
        bail!(
            "{} invalid row(s) in {}; nothing was imported (fix them, or pass --skip-invalid)",
            summary.errors.len(),
            args.file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn report(
    summary: &ImportSummary,
    detected: &import::Detected,
    args: &Args,
    blocked: bool,
) -> anyhow::Result<()> {
    if args.json {
        println!("{}", serde_json::to_string(summary)?);
        return Ok(());
    }
    println!(
        "{}: {} ({})",
        args.file.display(),
        detected.format.title(),
        detected.reason
    );
    let verb = if args.dry_run || blocked {
        "would be "
    } else {
        ""
    };
    println!(
        "{}: {} {verb}created, {} {verb}updated, {} {verb}skipped, {} invalid{}",
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
