//! Which program wrote an import file, told from its header, and why.

use serde::{Deserialize, Serialize};

use crate::model::column::{normalise_header, Column};

/// A CSV layout Sallyport reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Sallyport's own columns.
    Sallyport,
    /// KeePassXC's CSV export (2.6 and 2.7+).
    Keepassxc,
    /// mRemoteNG's CSV export.
    Mremoteng,
    /// Bitwarden's CSV export (personal vault or organisation).
    Bitwarden,
    /// Devolutions Remote Desktop Manager's CSV export.
    Rdm,
}

impl Format {
    /// Every format, in the order detection tries them.
    pub const ALL: [Format; 5] = [
        Format::Sallyport,
        Format::Keepassxc,
        Format::Mremoteng,
        Format::Bitwarden,
        Format::Rdm,
    ];

    /// The name users type and programs send (`--format keepassxc`; the same as its
    /// serialized name).
    pub fn id(self) -> &'static str {
        match self {
            Format::Sallyport => "sallyport",
            Format::Keepassxc => "keepassxc",
            Format::Mremoteng => "mremoteng",
            Format::Bitwarden => "bitwarden",
            Format::Rdm => "rdm",
        }
    }

    /// The format whose [`id`](Format::id) is `id`.
    pub fn from_id(id: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.id() == id)
    }

    /// The name users know it by.
    pub fn title(self) -> &'static str {
        match self {
            Format::Sallyport => "Sallyport CSV",
            Format::Keepassxc => "KeePassXC CSV",
            Format::Mremoteng => "mRemoteNG CSV",
            Format::Bitwarden => "Bitwarden CSV",
            Format::Rdm => "Remote Desktop Manager CSV",
        }
    }

    /// The columns that identify the format (lowercase).
    fn signature(self) -> &'static [&'static str] {
        match self {
            Format::Sallyport => &["customer"],
            Format::Keepassxc => &["group", "title", "username", "password", "url", "notes"],
            Format::Mremoteng => &["name", "id", "parent", "nodetype", "hostname", "protocol"],
            Format::Bitwarden => &[
                "type",
                "name",
                "login_uri",
                "login_username",
                "login_password",
            ],
            Format::Rdm => &["name", "connectiontype"],
        }
    }
}

/// What detection chose and why (shown to the user before anything is written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detected {
    /// The format.
    pub format: Format,
    /// Why: the columns that decided it, or "chosen with --format".
    pub reason: String,
}

/// Tells the format from the header cells (compared case-insensitively, spaces and dashes
/// as underscores). `None` when no known layout fits.
pub fn detect(header: &[String]) -> Option<Detected> {
    let names: Vec<String> = header.iter().map(|h| normalise_header(h)).collect();
    let has = |c: &str| names.iter().any(|n| n == c);
    for format in Format::ALL {
        if format == Format::Sallyport {
            // The native layout also takes aliases (customer_name), checked by its reader.
            let native = header
                .iter()
                .any(|h| Column::for_header(h) == Some(Column::Customer));
            if native {
                return Some(Detected {
                    format,
                    reason: "the header has a 'customer' column".into(),
                });
            }
            continue;
        }
        let signature = format.signature();
        if signature.iter().all(|c| has(c)) {
            let mut reason = format!("the header has the columns {}", signature.join(", "));
            match format {
                Format::Keepassxc if has("totp") => reason.push_str(" and TOTP (KeePassXC 2.7+)"),
                Format::Keepassxc => reason.push_str(" (KeePassXC 2.6 layout)"),
                Format::Bitwarden if has("collections") => {
                    reason.push_str(" and collections (organisation)")
                }
                Format::Bitwarden => reason.push_str(" (personal vault)"),
                _ => {}
            }
            return Some(Detected { format, reason });
        }
    }
    // Native column names without 'customer': the native reader says what is missing.
    let native_names = header
        .iter()
        .filter(|h| Column::for_header(h).is_some())
        .count();
    (native_names * 2 > header.len()).then(|| Detected {
        format: Format::Sallyport,
        reason: "most columns have Sallyport's names".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str, sep: char) -> Vec<String> {
        text.split(sep).map(str::to_owned).collect()
    }

    #[test]
    fn ids_are_the_serialized_names_and_name_one_format_each() {
        for format in Format::ALL {
            let json = serde_json::to_string(&format).unwrap();
            assert_eq!(json, format!("\"{}\"", format.id()));
            assert_eq!(serde_json::from_str::<Format>(&json).unwrap(), format);
            assert_eq!(Format::from_id(format.id()), Some(format));
        }
        assert_eq!(Format::from_id("auto"), None);
        assert_eq!(
            Format::from_id("KeePassXC"),
            None,
            "ids are lowercase, as typed"
        );
    }

    #[test]
    fn headers_of_each_tool_are_recognised() {
        let cases = [
            ("customer,code,entry", ',', Format::Sallyport),
            ("Customer Name,Hostname", ',', Format::Sallyport),
            ("Group,Title,Username,Password,URL,Notes,TOTP,Icon,Last Modified,Created", ',', Format::Keepassxc),
            ("Group,Title,Username,Password,URL,Notes", ',', Format::Keepassxc),
            ("folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp", ',', Format::Bitwarden),
            ("collections,type,name,notes,fields,reprompt,login_uri,login_username,login_password,login_totp", ',', Format::Bitwarden),
            ("Name;Id;Parent;NodeType;Description;Icon;Panel;Username;Password;Domain;Hostname;Port;Protocol", ';', Format::Mremoteng),
            ("Host,Name,Group,ConnectionType,Description", ',', Format::Rdm),
        ];
        for (text, sep, want) in cases {
            let found = detect(&header(text, sep)).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(found.format, want, "{text}");
            assert!(
                found.reason.starts_with("the header has"),
                "{}",
                found.reason
            );
        }
        assert!(detect(&header("a,b,c", ',')).is_none());
    }
}
