//! `sallyport import FILE`: preview, then write in one transaction.

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
    let mut bar = ProgressBar::new(!args.json && std::io::stderr().is_terminal());
    let plan = session.plan_import_with_progress(&args.file, options, &mut |p| bar.show(p))?;
    let blocked = plan.is_blocked();
    let summary = plan.summary().clone();
    let detected = plan.detected().clone();
    if args.dry_run {
        session.record_import_preview(&plan)?;
    } else if blocked {
        // Refused by the core, which records the refusal; the summary below says why.
        let _ = session.apply_import(plan);
    } else {
        session.apply_import_with_progress(plan, &mut |p| bar.show(p))?;
    }
    bar.clear();
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
