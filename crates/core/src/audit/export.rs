//! Writing events for a SIEM or a spreadsheet: CSV or JSON lines.

use std::io::Write;
use std::path::Path;

use super::Event;
use crate::{Error, Result};

/// The export file's layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A header line, then one row per event.
    Csv,
    /// One JSON object per line.
    JsonLines,
}

impl ExportFormat {
    /// The format a file name suggests: `.jsonl`, `.ndjson` and `.json` → JSON lines,
    /// anything else → CSV.
    pub fn from_path(path: &Path) -> Self {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref()
        {
            Some("jsonl" | "ndjson" | "json") => ExportFormat::JsonLines,
            _ => ExportFormat::Csv,
        }
    }

    /// `csv` or `jsonl`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::JsonLines => "jsonl",
        }
    }
}

const CSV_HEADER: [&str; 15] = [
    "seq",
    "time",
    "staff",
    "os_user",
    "host",
    "action",
    "outcome",
    "customer_id",
    "customer",
    "entry_id",
    "entry",
    "detail",
    "restored_from",
    "unauthenticated",
    "reason",
];

/// An event's place in a local vault's chain: the MAC of the row before (the chain's
/// genesis value for the first) and its own. A SIEM keeping exports checks that a later
/// export's first `prev_link` is an earlier export's last `link` (or its head), and
/// `sallyport audit verify --export FILE` checks a file against the vault.
#[derive(Debug, Clone)]
pub(crate) struct Links {
    pub prev: Vec<u8>,
    pub link: Vec<u8>,
}

/// One JSON line: the event's fields, then its links.
#[derive(serde::Serialize)]
struct LinkedEvent<'a> {
    #[serde(flatten)]
    event: &'a Event,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
}

/// Writes events one at a time.
pub(crate) enum EventWriter<W: Write> {
    Csv(Box<csv::Writer<W>>),
    JsonLines(W),
}

impl<W: Write> EventWriter<W> {
    pub fn new(format: ExportFormat, out: W) -> Result<Self> {
        Ok(match format {
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(CSV_HEADER).map_err(csv_error)?;
                EventWriter::Csv(Box::new(w))
            }
            ExportFormat::JsonLines => EventWriter::JsonLines(out),
        })
    }

    /// Writes one event; `links` (a local vault's) go into JSON lines only.
    pub fn write(&mut self, e: &Event, links: Option<&Links>) -> Result<()> {
        match self {
            EventWriter::Csv(w) => {
                let time = e
                    .time
                    .format(&time::format_description::well_known::Rfc3339)
                    .map_err(|err| Error::Storage(err.to_string()))?;
                let id = |id: Option<uuid::Uuid>| id.map(|i| i.to_string()).unwrap_or_default();
                let seq = e.seq.to_string();
                let cells = [
                    seq.as_str(),
                    &time,
                    &e.staff,
                    &e.os_user,
                    &e.host,
                    e.action.as_str(),
                    e.outcome.as_str(),
                    &id(e.customer_id),
                    &e.customer,
                    &id(e.entry_id),
                    &e.entry,
                    &e.detail,
                    &e.restored_from.map(|s| s.to_string()).unwrap_or_default(),
                    if e.unauthenticated { "yes" } else { "" },
                    &e.reason,
                ];
                // Names and details come from users and imported files: a spreadsheet
                // must not run them as formulas.
                for cell in cells {
                    w.write_field(crate::text::to_csv_cell(cell).as_bytes())
                        .map_err(csv_error)?;
                }
                w.write_record(None::<&[u8]>).map_err(csv_error)
            }
            EventWriter::JsonLines(w) => {
                let line = LinkedEvent {
                    event: e,
                    prev_link: links.map(|l| hex::encode(&l.prev)),
                    link: links.map(|l| hex::encode(&l.link)),
                };
                serde_json::to_writer(&mut *w, &line)
                    .map_err(|err| Error::Storage(err.to_string()))?;
                w.write_all(b"\n")
                    .map_err(|err| Error::Storage(err.to_string()))
            }
        }
    }

    /// Ends the file: JSON lines close with the chain's head at the time of the export
    /// (`{"head":{"seq":N,"link":"…"}}`), when there is one.
    pub fn finish(self, head: Option<(u64, Vec<u8>)>) -> Result<W> {
        match self {
            EventWriter::Csv(w) => w
                .into_inner()
                .map_err(|e| Error::Storage(e.error().to_string())),
            EventWriter::JsonLines(mut w) => {
                if let Some((seq, link)) = head {
                    let line = serde_json::json!({"head": {"seq": seq, "link": hex::encode(link)}});
                    writeln!(w, "{line}").map_err(|err| Error::Storage(err.to_string()))?;
                }
                Ok(w)
            }
        }
    }
}

fn csv_error(e: csv::Error) -> Error {
    Error::Storage(format!("cannot write the export: {e}"))
}
