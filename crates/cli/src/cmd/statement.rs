//! `sallyport statement CUSTOMER|--all [--since D] [--until D] --out FILE|DIR [--format …]`:
//! the customer's access statement (accounts held, every use in the period with who, where
//! and why, egress addresses, whether the log verified and its chain head).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _};
use sallyport_core::statement::{Period, Statement, StatementFormat};
use serde::Serialize;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or name (or --all).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    customer: Option<String>,
    /// One statement per customer with any use in the period, into the folder --out names.
    #[arg(long)]
    all: bool,
    /// First day covered (YYYY-MM-DD, UTC); default: the start of the log.
    #[arg(long, value_name = "YYYY-MM-DD")]
    since: Option<String>,
    /// Last day covered (YYYY-MM-DD, UTC); default: up to now.
    #[arg(long, value_name = "YYYY-MM-DD")]
    until: Option<String>,
    /// The file to write (with --all: the folder, created if missing).
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// pdf (default), html, csv or json.
    #[arg(long, default_value = "pdf", value_parser = ["pdf", "html", "csv", "json"])]
    format: String,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Written {
    customer: String,
    file: PathBuf,
    uses: usize,
    verified: bool,
    chain_head: String,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let format = StatementFormat::parse(&args.format)?;
    let period = Period::parse(args.since.as_deref(), args.until.as_deref())?;
    if args.all {
        prepare_dir(&args.out)?;
    } else if args.out.is_dir() {
        bail!(
            "{}: is a folder; --out names the statement's file (a folder only with --all)",
            args.out.display()
        );
    }
    let mut session = ctx.unlock()?;
    let statements = match &args.customer {
        Some(customer) if !args.all => vec![session.access_statement(customer, period)?],
        _ => session.access_statements_all(period)?,
    };
    session.lock()?;
    let mut written = Vec::new();
    for statement in &statements {
        let file = match args.all {
            true => args.out.join(file_name(statement, format)),
            false => args.out.clone(),
        };
        statement.write(&file, format)?;
        written.push(Written {
            customer: statement.customer.code.clone(),
            file,
            uses: statement.uses.len(),
            verified: statement.verified,
            chain_head: statement.chain_head.clone(),
        });
    }
    if args.json {
        println!("{}", serde_json::to_string(&written)?);
    } else if written.is_empty() {
        println!("no customer's credentials were used in the period; nothing written");
    } else {
        for w in &written {
            println!(
                "{}: {} ({} uses; audit log {})",
                w.customer,
                w.file.display(),
                w.uses,
                if w.verified {
                    "verified"
                } else {
                    "NOT verified"
                }
            );
        }
    }
    if let Some(bad) = statements.iter().find(|s| !s.verified) {
        eprintln!(
            "sallyport: warning: the audit log did not verify ({}); the statement says so",
            bad.verification
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        bail!(
            "{}: is not a folder; with --all, --out names a folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("{}: cannot create the folder", dir.display()))
}

/// `ACME-access-statement.pdf`: the code, with anything a file name cannot hold as `_`.
fn file_name(statement: &Statement, format: StatementFormat) -> String {
    format!(
        "{}.{}",
        sallyport_core::statement::file_stem(&statement.customer.code),
        format.extension()
    )
}
