//! `sallyport list [QUERY]`: customers with their entry counts.

use std::io::Write;
use std::process::ExitCode;

use sallyport_core::audit::{Action, NewEvent};
use serde::Serialize;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Words to match against name, code, hosts and tags.
    query: Option<String>,
    /// Print JSON: [{"code","name","entries"}].
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct Row<'a> {
    code: &'a str,
    name: &'a str,
    entries: usize,
    /// Expiry and rotation flags (the table only; the JSON shape is fixed).
    #[serde(skip)]
    flags: Vec<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    // Rendered once into memory, so the search runs once and the listing is recorded in
    // the audit log before anything is printed.
    let (text, detail) = {
        let found = session.search(args.query.as_deref().unwrap_or(""));
        let today = sallyport_core::hygiene::today();
        let rows: Vec<Row> = found
            .iter()
            .map(|c| Row {
                code: &c.code,
                name: &c.name,
                entries: c.entries.len(),
                flags: match args.json {
                    true => Vec::new(),
                    false => sallyport_core::hygiene::customer_flags(c, today),
                },
            })
            .collect();
        let mut text = Vec::new();
        if args.json {
            serde_json::to_writer(&mut text, &rows)?;
            text.push(b'\n');
        } else {
            table(&mut text, &rows)?;
        }
        let detail = format!(
            "{} of {} customers listed",
            rows.len(),
            session.customers().len()
        );
        (text, detail)
    };
    session.audit(NewEvent::new(Action::Search).detail(detail))?;
    let mut out = std::io::stdout().lock();
    crate::output::finish(out.write_all(&text).and_then(|()| out.flush()))?;
    Ok(ExitCode::SUCCESS)
}

fn table(out: &mut impl Write, rows: &[Row]) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "No customers match.");
    }
    let width = rows
        .iter()
        .map(|r| r.code.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "{:width$}  {:>7}  NAME", "CODE", "ENTRIES")?;
    for r in rows {
        match r.flags.as_slice() {
            [] => writeln!(out, "{:width$}  {:>7}  {}", r.code, r.entries, r.name)?,
            flags => writeln!(
                out,
                "{:width$}  {:>7}  {}  [{}]",
                r.code,
                r.entries,
                r.name,
                flags.join(", ")
            )?,
        }
    }
    Ok(())
}
