//! `sallyport audit list|verify|export`: read, check and export the audit log.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use sallyport_core::audit::{AuditFilter, AuditSelection, Event, ExportFormat};
use sallyport_core::Session;

use crate::Context;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List events, oldest first.
    List(ListArgs),
    /// Check the chain: exit 0 and the number of events, or name the first bad event.
    Verify(VerifyArgs),
    /// Write events to a file for a SIEM: CSV, or JSON lines for .jsonl/.json names.
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct Selection {
    /// Only this customer (code or unique name; a deleted customer by its code).
    #[arg(long, value_name = "CUSTOMER")]
    customer: Option<String>,
    /// Only this staff name or OS user.
    #[arg(long, value_name = "NAME")]
    staff: Option<String>,
    /// Only this action (e.g. copy_password), or a family (copy, import); repeatable.
    #[arg(long, value_name = "ACTION")]
    action: Vec<String>,
    /// Only events on or after this day (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only events before this day (YYYY-MM-DD, UTC) or RFC 3339 time.
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    selection: Selection,
    /// Print a JSON array of events.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Check a JSON lines export (`audit export FILE.jsonl`) against this vault's log
    /// instead: every event in it, its links and its head.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Print {"ok":..,"events":..,"problem":..} as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The file to write (replaced if it exists).
    file: PathBuf,
    /// csv or jsonl (default: from the file name; CSV unless it ends in .jsonl or .json).
    #[arg(long, value_parser = ["csv", "jsonl"])]
    format: Option<String>,
    #[command(flatten)]
    selection: Selection,
    /// Print {"events":N,"file":..} as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &mut Context, command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::List(args) => list(ctx, args),
        Command::Verify(args) => verify(ctx, args),
        Command::Export(args) => export(ctx, args),
    }
}

fn filter(session: &Session, s: &Selection) -> anyhow::Result<AuditFilter> {
    let actions: Vec<&str> = s.action.iter().map(String::as_str).collect();
    Ok(session.audit_filter(&AuditSelection {
        customer: s.customer.as_deref().unwrap_or_default(),
        staff: s.staff.as_deref().unwrap_or_default(),
        actions: &actions,
        since: s.since.as_deref().unwrap_or_default(),
        until: s.until.as_deref().unwrap_or_default(),
        labels: ["--since", "--until"],
    })?)
}

fn list(ctx: &mut Context, args: ListArgs) -> anyhow::Result<ExitCode> {
    let session = ctx.unlock()?;
    let filter = filter(&session, &args.selection)?;
    let events = session.audit_events(&filter)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = if args.json {
        serde_json::to_writer(&mut out, &events)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        table(&mut out, &events)
    };
    crate::output::finish(written.and_then(|()| out.flush()))?;
    Ok(ExitCode::SUCCESS)
}

fn table(out: &mut impl Write, events: &[Event]) -> std::io::Result<()> {
    if events.is_empty() {
        return writeln!(out, "No events match.");
    }
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let rows: Vec<[String; 6]> = events
        .iter()
        .map(|e| {
            let target = match (e.customer.as_str(), e.entry.as_str()) {
                ("", _) => "-".to_owned(),
                (c, "") => c.to_owned(),
                (c, entry) => format!("{c}/{entry}"),
            };
            [
                e.seq.to_string(),
                e.time.format(&format).unwrap_or_default(),
                match e.device().as_str() {
                    "" => e.staff.clone(),
                    device => format!("{} ({device})", e.staff),
                },
                e.action.as_str().to_owned(),
                e.outcome.as_str().to_owned(),
                target,
            ]
        })
        .collect();
    let header = [
        "SEQ",
        "TIME (UTC)",
        "STAFF",
        "ACTION",
        "OUTCOME",
        "CUSTOMER/ENTRY",
    ];
    let width = |i: usize| {
        rows.iter()
            .map(|r| r[i].chars().count())
            .chain([header[i].len()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..header.len()).map(width).collect();
    let line = |out: &mut dyn Write, cells: [&str; 6], detail: &str| {
        write!(out, "{:>w$}", cells[0], w = widths[0])?;
        for (cell, w) in cells.iter().zip(&widths).skip(1) {
            write!(out, "  {cell:w$}")?;
        }
        writeln!(out, "  {detail}")
    };
    line(out, header, "DETAIL")?;
    for (row, e) in rows.iter().zip(events) {
        let mut detail = match e.caveat() {
            caveat if caveat.is_empty() => e.detail.clone(),
            caveat => format!("[{caveat}] {}", e.detail),
        };
        if !e.reason.is_empty() {
            detail = match detail.is_empty() {
                true => format!("reason: {}", e.reason),
                false => format!("{detail}; reason: {}", e.reason),
            };
        }
        line(out, row.each_ref().map(String::as_str), &detail)?;
    }
    Ok(())
}

fn verify(ctx: &mut Context, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    if let Some(file) = &args.export {
        return verify_export(ctx, file, args.json);
    }
    let (session, report) = ctx.unlock_and_verify_audit()?;
    session.lock()?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({"ok": report.is_ok(), "events": report.events, "problem": report.problem, "head": report.head})
        );
    }
    match report.problem {
        None => {
            if !args.json {
                println!("audit log intact: {} events verified", report.events);
                if !report.head.is_empty() {
                    println!("chain head: {}", report.head);
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(p) => bail!(
            "audit log verification failed at event {}: {}",
            p.seq,
            p.message
        ),
    }
}

fn verify_export(
    ctx: &mut Context,
    file: &std::path::Path,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let session = ctx.unlock()?;
    let check = session.verify_audit_export(file)?;
    session.lock()?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "ok": check.problem.is_none(),
                "file": file,
                "events": check.events,
                "head": check.head,
                "problem": check.problem,
            })
        );
    }
    match check.problem {
        None => {
            if !json {
                println!(
                    "{}: {} events and the head (event {}) are this vault's",
                    file.display(),
                    check.events,
                    check.head
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(problem) => bail!("{}: {problem}", file.display()),
    }
}

fn export(ctx: &mut Context, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format.as_deref() {
        Some("jsonl") => ExportFormat::JsonLines,
        Some(_) => ExportFormat::Csv,
        None => ExportFormat::from_path(&args.file),
    };
    let mut session = ctx.unlock()?;
    let filter = filter(&session, &args.selection)?;
    let count = session.export_audit(&args.file, format, &filter)?;
    session.lock()?;
    if args.json {
        println!(
            "{}",
            serde_json::json!({"events": count, "file": args.file, "format": format.as_str()})
        );
    } else {
        println!(
            "Exported {count} audit events to {} ({})",
            args.file.display(),
            format.as_str()
        );
    }
    Ok(ExitCode::SUCCESS)
}
