//! `sallyport show CUSTOMER`: a customer and its entries. Secrets are never printed; only
//! whether one is stored.

use std::process::ExitCode;

use sallyport_core::hygiene;
use sallyport_core::model::{Customer, Entry, GatewayUsage, Words};
use serde::Serialize;

use crate::Context;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Customer code or a unique part of its name.
    customer: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The customer's fields with its full entries (which carry no secrets).
#[derive(Serialize)]
struct View<'a> {
    id: uuid::Uuid,
    code: &'a str,
    name: &'a str,
    tags: &'a Words,
    notes: &'a str,
    contact: &'a str,
    active: bool,
    rotate_after_session: bool,
    reason_policy: sallyport_core::model::ReasonPolicy,
    share_clipboard: bool,
    entries: Vec<EntryView<'a>>,
}

/// An entry with its hygiene flags ("expired 2026-11-01", "rotation due (since …)").
#[derive(Serialize)]
struct EntryView<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    flags: Vec<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<ExitCode> {
    let mut session = ctx.unlock()?;
    let (customer, entries) = session.open_customer(&args.customer)?;
    let customer = &customer;
    let today = hygiene::today();
    if args.json {
        let view = View {
            id: customer.id,
            code: &customer.code,
            name: &customer.name,
            tags: &customer.tags,
            notes: &customer.notes,
            contact: &customer.contact,
            active: customer.active,
            rotate_after_session: customer.rotate_after_session,
            reason_policy: customer.reason_policy,
            share_clipboard: customer.share_clipboard,
            entries: entries
                .iter()
                .map(|entry| EntryView {
                    entry,
                    flags: hygiene::entry_flags(entry, today),
                })
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        print!("{}", render(customer, &entries, today));
    }
    Ok(ExitCode::SUCCESS)
}

fn render(c: &Customer, entries: &[Entry], today: time::Date) -> String {
    let mut out = format!(
        "{}  {}{}\n",
        c.code,
        c.name,
        if c.active { "" } else { "  (inactive)" }
    );
    for (label, value) in [
        ("tags", c.tags.join(", ")),
        ("contact", c.contact.clone()),
        ("notes", c.notes.clone()),
        (
            "rotation",
            match c.rotate_after_session {
                true => "after each support session".to_owned(),
                false => String::new(),
            },
        ),
        (
            "clipboard",
            match c.share_clipboard {
                true => "shared with its servers (.rdp files)".to_owned(),
                false => String::new(),
            },
        ),
        (
            "reason",
            match c.reason_policy {
                sallyport_core::model::ReasonPolicy::Off => String::new(),
                policy => format!("{policy} with each credential use"),
            },
        ),
    ] {
        if !value.is_empty() {
            out.push_str(&format!("  {label:<9}{}\n", indent(&value)));
        }
    }
    if entries.is_empty() {
        out.push_str("  (no entries)\n");
    }
    for e in entries {
        out.push_str(&format!(
            "\n  [{}] {}\n",
            serde_json::to_value(e.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_uppercase))
                .unwrap_or_default(),
            e.label
        ));
        let flags = hygiene::entry_flags(e, today);
        if !flags.is_empty() {
            out.push_str(&format!("    ! {}\n", flags.join("; ")));
        }
        for (label, value) in entry_fields(e) {
            if !value.is_empty() {
                out.push_str(&format!("    {label:<15}{}\n", indent(&value)));
            }
        }
    }
    out
}

fn entry_fields(e: &Entry) -> Vec<(&'static str, String)> {
    let with_port = |host: &str, port: Option<u16>| match (host.is_empty(), port) {
        (true, _) => String::new(),
        (false, Some(p)) => format!("{host}:{p}"),
        (false, None) => host.to_owned(),
    };
    let gateway = match e.gateway_usage {
        GatewayUsage::None if e.gateway_host.is_empty() => String::new(),
        usage => format!(
            "{} ({})",
            with_port(&e.gateway_host, e.gateway_port),
            format!("{usage:?}").to_lowercase()
        ),
    };
    let stored = |yes: bool| {
        if yes {
            "stored".to_owned()
        } else {
            String::new()
        }
    };
    let totp = e.totp.as_ref().map_or(String::new(), |t| {
        let issuer = if t.issuer.is_empty() {
            String::new()
        } else {
            format!(", {}", t.issuer)
        };
        format!(
            "stored ({:?}, {} digits, {} s{issuer})",
            t.algorithm, t.digits, t.period
        )
    });
    let date = |d: Option<time::Date>| d.map_or(String::new(), |d| d.to_string());
    vec![
        ("host", with_port(&e.host, e.port)),
        ("gateway", gateway),
        ("username", e.username.clone()),
        ("domain", e.domain.clone()),
        ("password", stored(e.has_password)),
        ("totp", totp),
        ("url", e.url.clone()),
        (
            "vpn type",
            match hygiene::is_pptp(e) {
                true => format!(
                    "{} (unsupported: PPTP is insecure; use the client and steps below)",
                    e.vpn_type
                ),
                false => e.vpn_type.clone(),
            },
        ),
        ("vpn server", e.vpn_server.clone()),
        ("vpn client", e.vpn_client_url.clone()),
        ("vpn steps", e.vpn_instructions.clone()),
        ("account", format!("{:?}", e.account_type).to_lowercase()),
        ("owner", e.owner.clone()),
        ("expires", date(e.expires_at)),
        ("pw changed", date(e.password_changed_at)),
        (
            "last check",
            e.last_check
                .as_ref()
                .map_or(String::new(), |c| format!("{}: {}", c.at.date(), c.summary)),
        ),
        ("notes", e.notes.clone()),
    ]
}

/// Continuation lines of multi-line values line up under the first.
fn indent(value: &str) -> String {
    value
        .replace("\r\n", "\n")
        .replace('\n', &format!("\n{:19}", ""))
}
