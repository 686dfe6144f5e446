//! `sallyport report [--json] [--sort issues|name|code] [--max-password-age DAYS] [--all]`:
//! access readiness per customer.

use std::process::ExitCode;

use sallyport_core::hygiene::{Readiness, ReportOptions};

use crate::Context;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Sort {
    /// Most issues first.
    Issues,
    Name,
    Code,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print every customer as JSON: [{"code","name","issues","findings":[...]}].
    #[arg(long)]
    json: bool,
    /// Order of the customers.
    #[arg(long, value_enum, default_value = "issues")]
    sort: Sort,
    /// Flag passwords older than this many days.
    #[arg(long, default_value_t = 90)]
    max_password_age: u32,
    /// Also list customers without findings (JSON always lists every customer).
    #[arg(long)]
    all: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let options = ReportOptions {
        max_password_age_days: i64::from(args.max_password_age),
        ..ReportOptions::on(sallyport_core::hygiene::today())
    };
    let mut report = session.readiness_report(&options)?;
    session.lock()?;
    let by_name = |a: &Readiness, b: &Readiness| a.name.to_lowercase().cmp(&b.name.to_lowercase());
    match args.sort {
        Sort::Issues => report.sort_by(|a, b| b.issues.cmp(&a.issues).then_with(|| by_name(a, b))),
        Sort::Name => report.sort_by(by_name),
        Sort::Code => {} // the core sorts by code
    }
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let with_issues = report.iter().filter(|r| r.issues > 0).count();
    let mut shown = 0;
    for r in report.iter().filter(|r| args.all || !r.findings.is_empty()) {
        shown += 1;
        println!(
            "{}  {}  ({} issue{})",
            r.code,
            r.name,
            r.issues,
            if r.issues == 1 { "" } else { "s" }
        );
        for f in &r.findings {
            let kind = serde_json::to_value(f.kind)?;
            println!(
                "    {:<20} {}: {}",
                kind.as_str().unwrap_or_default(),
                f.entry,
                f.detail
            );
        }
    }
    if shown > 0 {
        println!();
    }
    println!(
        "{} customers: {with_issues} with issues, {} ready",
        report.len(),
        report.len() - with_issues
    );
    Ok(ExitCode::SUCCESS)
}
