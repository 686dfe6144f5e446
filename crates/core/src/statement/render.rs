//! A statement as file bytes: JSON (the contract's shape), CSV (the uses), HTML and PDF.

use super::{pdf, Statement, StatementFormat};
use crate::{Error, Result};

/// The statement in `format`.
pub fn render(statement: &Statement, format: StatementFormat) -> Result<Vec<u8>> {
    match format {
        StatementFormat::Json => {
            let mut bytes =
                serde_json::to_vec_pretty(statement).map_err(|e| Error::Storage(e.to_string()))?;
            bytes.push(b'\n');
            Ok(bytes)
        }
        StatementFormat::Csv => csv(statement),
        StatementFormat::Html => Ok(html(statement).into_bytes()),
        StatementFormat::Pdf => Ok(pdf::statement(statement)),
    }
}

/// The CSV columns: one row per use.
pub(crate) const USE_COLUMNS: [&str; 7] = [
    "at", "staff", "device", "action", "entry", "reason", "outcome",
];

fn csv(statement: &Statement) -> Result<Vec<u8>> {
    let failed = |e: csv::Error| Error::Storage(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["customer"];
    header.extend(USE_COLUMNS);
    out.write_record(&header).map_err(failed)?;
    for u in &statement.uses {
        let cells = [
            statement.customer.code.as_str(),
            &u.at,
            &u.staff,
            &u.device,
            &u.action,
            &u.entry,
            u.reason.as_deref().unwrap_or_default(),
            &u.outcome,
        ];
        out.write_record(
            cells
                .map(crate::text::to_csv_cell)
                .iter()
                .map(|c| c.as_ref()),
        )
        .map_err(failed)?;
    }
    out.into_inner().map_err(|e| Error::Storage(e.to_string()))
}

/// The accounts table's headings (HTML and PDF).
pub(crate) const ACCOUNT_HEADERS: [&str; 6] = [
    "Entry",
    "Kind",
    "User",
    "Account",
    "Expires",
    "Password changed",
];

/// The uses table's headings (HTML and PDF).
pub(crate) const USE_HEADERS: [&str; 7] = [
    "When (UTC)",
    "Staff",
    "Device",
    "Action",
    "Entry",
    "Reason",
    "Outcome",
];

/// The accounts as table rows, `-` for a day not set.
pub(crate) fn account_rows(s: &Statement) -> Vec<Vec<String>> {
    s.accounts
        .iter()
        .map(|a| {
            vec![
                a.entry.clone(),
                a.kind.clone(),
                a.username.clone(),
                a.account_type.clone(),
                a.expires.clone().unwrap_or_else(|| "-".into()),
                a.password_changed.clone().unwrap_or_else(|| "-".into()),
            ]
        })
        .collect()
}

/// The uses as table rows, `-` for no reason.
pub(crate) fn use_rows(s: &Statement) -> Vec<Vec<String>> {
    s.uses
        .iter()
        .map(|u| {
            vec![
                u.at.clone(),
                u.staff.clone(),
                u.device.clone(),
                u.action.clone(),
                u.entry.clone(),
                u.reason.clone().unwrap_or_else(|| "-".into()),
                u.outcome.clone(),
            ]
        })
        .collect()
}

/// `text` with HTML's special characters escaped.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The period in words: "2026-11-01 to 2026-11-30".
pub(crate) fn period_words(statement: &Statement) -> String {
    format!(
        "{} to {}",
        statement.since.as_deref().unwrap_or("the start of the log"),
        statement.until.as_deref().unwrap_or("the time of issue")
    )
}

/// The customer's rule on reasons, in a sentence.
pub(crate) fn policy_words(statement: &Statement) -> &'static str {
    match statement.reason_policy {
        crate::model::ReasonPolicy::Off => "A reason for each use is not asked for.",
        crate::model::ReasonPolicy::Optional => {
            "A reason is asked for with each use (not required)."
        }
        crate::model::ReasonPolicy::Required => {
            "A reason is required for each use; a use without one is refused and listed as failed."
        }
    }
}

/// "yes — intact: …" or "NO — FAILED at …".
pub(crate) fn verification_words(statement: &Statement) -> String {
    match statement.verified {
        true => format!("yes ({})", statement.verification),
        false => format!("NO ({})", statement.verification),
    }
}

fn table(out: &mut String, header: &[&str], rows: &[Vec<String>], empty: &str) {
    if rows.is_empty() {
        out.push_str(&format!("<p class=\"none\">{}</p>\n", esc(empty)));
        return;
    }
    out.push_str("<table>\n<thead><tr>");
    for h in header {
        out.push_str(&format!("<th>{}</th>", esc(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", esc(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

fn html(s: &Statement) -> String {
    let title = format!(
        "Access statement: {} ({})",
        s.customer.name, s.customer.code
    );
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(&format!("<title>{}</title>\n", esc(&title)));
    out.push_str(
        "<style>\nbody{font:13px/1.4 system-ui,sans-serif;margin:2em;color:#111}\n\
         table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}\n\
         th,td{border:1px solid #bbb;padding:3px 6px;text-align:left;vertical-align:top}\n\
         th{background:#eee}.none{color:#555}footer{margin-top:2em;font-size:11px;color:#333}\n\
         code{word-break:break-all}@media print{body{margin:0}}\n</style>\n</head>\n<body>\n",
    );
    out.push_str(&format!("<h1>{}</h1>\n", esc(&title)));
    out.push_str(&format!(
        "<p>Period: {} (UTC).<br>Issued {} by {}.<br>{}</p>\n",
        esc(&period_words(s)),
        esc(&s.issued_at),
        esc(&s.issued_by),
        esc(policy_words(s))
    ));
    out.push_str(&format!(
        "<h2>Accounts held for {}</h2>\n",
        esc(&s.customer.code)
    ));
    table(
        &mut out,
        &ACCOUNT_HEADERS,
        &account_rows(s),
        "No accounts are held.",
    );
    out.push_str(&format!(
        "<h2>Uses of the credentials in the period ({})</h2>\n",
        s.uses.len()
    ));
    table(
        &mut out,
        &USE_HEADERS,
        &use_rows(s),
        "No credential was used in the period.",
    );
    out.push_str("<h2>The vendor's egress addresses</h2>\n");
    match s.egress.is_empty() {
        true => out.push_str("<p class=\"none\">None recorded.</p>\n"),
        false => {
            out.push_str("<ul>\n");
            for address in &s.egress {
                out.push_str(&format!("<li><code>{}</code></li>\n", esc(address)));
            }
            out.push_str("</ul>\n");
        }
    }
    out.push_str("<h2>Audit log</h2>\n");
    out.push_str(&format!(
        "<p>Verified: {}</p>\n",
        esc(&verification_words(s))
    ));
    out.push_str(&format!(
        "<footer>Audit chain head: <code>{}</code> &middot; compare with <code>sallyport audit verify</code></footer>\n</body>\n</html>\n",
        esc(if s.chain_head.is_empty() { "(empty log)" } else { &s.chain_head })
    ));
    out
}
