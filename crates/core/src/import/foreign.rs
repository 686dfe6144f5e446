//! Exports of other tools, mapped row by row onto Sallyport's native columns, so that the
//! same validation and planning apply: KeePassXC, Bitwarden, mRemoteNG and Remote Desktop
//! Manager.
//!
//! Each tool keeps one login or connection per row. Its title or name becomes the
//! customer, its group path, folder or containers the customer's tags; the URL or protocol
//! says what kind of entry it is (`cmd://mstsc /v:host:port` and
//! `rdp://full%20address=s:host:port` give an RDP host and port, http(s) a web URL,
//! `ssh://` an SSH host). Rows that are not logins (Bitwarden notes, cards, identities;
//! mRemoteNG containers; RDM folders and credential entries) are skipped and counted.

use std::collections::HashMap;
use std::io::Read;

use super::format::Format;
use super::{FileError, RowError};
use crate::model::column::normalise_header;
use crate::model::patch::RawRow;
use crate::model::Column;

/// What a record became (native rows come through the same type).
pub enum Next<'a> {
    /// A row in native columns.
    Row(RawRow<'a>),
    /// Not a login; counted as skipped.
    Skip,
    /// A row that cannot be imported.
    Error(RowError),
}

/// Streams the mapped rows of a foreign CSV file.
pub struct Reader<R: Read> {
    csv: csv::Reader<R>,
    format: Format,
    columns: HashMap<String, usize>,
    width: usize,
    record: csv::StringRecord,
    cells: Vec<(Column, String)>,
    fatal: Option<FileError>,
    /// mRemoteNG containers seen so far: id → (name, parent id).
    containers: HashMap<String, (String, String)>,
}

impl<R: Read> Reader<R> {
    /// A reader for `format` whose header (already read) is `header`.
    pub fn new(csv: csv::Reader<R>, header: &[String], format: Format) -> Self {
        let columns = header
            .iter()
            .enumerate()
            .map(|(i, h)| (normalise_header(h), i))
            .collect();
        Self {
            csv,
            format,
            columns,
            width: header.len(),
            record: csv::StringRecord::new(),
            cells: Vec::new(),
            fatal: None,
            containers: HashMap::new(),
        }
    }

    /// The next record, mapped; `None` at the end (or after a read error, see `error`).
    pub fn next_row(&mut self) -> Option<Next<'_>> {
        let line = loop {
            match self.csv.read_record(&mut self.record) {
                Ok(false) => return None,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    return match e.kind() {
                        csv::ErrorKind::Io(io) => {
                            self.fatal = Some(FileError::new(line, io.to_string()));
                            None
                        }
                        csv::ErrorKind::Utf8 { .. } => {
                            Some(Next::Error(RowError::new(line, "is not valid UTF-8 text")))
                        }
                        _ => Some(Next::Error(RowError::new(
                            line,
                            "unreadable CSV: malformed record",
                        ))),
                    };
                }
                Ok(true) => {}
            }
            if self.record.iter().any(|f| !f.trim().is_empty()) {
                break self.record.position().map_or(0, |p| p.line());
            }
        };
        if self.format == Format::Mremoteng && self.record.len() > self.width {
            // mRemoteNG does not quote: a ';' in a description splits it. The surplus
            // fields are put back into the description.
            if let Some(merged) = merge_description(&self.record, &self.columns, self.width) {
                self.record = merged;
            }
        }
        if self.record.len() != self.width {
            return Some(Next::Error(RowError::new(
                line,
                format!(
                    "has {} fields but the header has {}",
                    self.record.len(),
                    self.width
                ),
            )));
        }
        self.cells.clear();
        let fields = Fields {
            record: &self.record,
            columns: &self.columns,
        };
        let mapped = match self.format {
            Format::Keepassxc => keepassxc(&fields, &mut self.cells),
            Format::Bitwarden => bitwarden(&fields, &mut self.cells),
            Format::Mremoteng => mremoteng(&fields, &mut self.containers, &mut self.cells),
            Format::Rdm => rdm(&fields, &mut self.cells),
            Format::Sallyport => Err("a native file reached the foreign reader".into()),
        };
        Some(match mapped {
            Ok(true) => Next::Row(RawRow {
                line,
                cells: self
                    .cells
                    .iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(c, v)| (*c, v.as_str()))
                    .collect(),
            }),
            Ok(false) => Next::Skip,
            Err(reason) => Next::Error(RowError::new(line, reason)),
        })
    }

    /// A read error that ended the file early.
    pub fn error(&self) -> Option<&FileError> {
        self.fatal.as_ref()
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.csv.into_inner()
    }
}

/// The cells of one record by (normalised) column name.
struct Fields<'a> {
    record: &'a csv::StringRecord,
    columns: &'a HashMap<String, usize>,
}

impl Fields<'_> {
    fn get(&self, name: &str) -> &str {
        self.columns
            .get(name)
            .and_then(|&i| self.record.get(i))
            .unwrap_or("")
    }
}

type Cells = Vec<(Column, String)>;

/// KeePassXC: Group, Title, Username, Password, URL, Notes[, TOTP, Icon, Last Modified,
/// Created]. The group path (without "Root") becomes tags.
fn keepassxc(f: &Fields, out: &mut Cells) -> Result<bool, String> {
    let title = f.get("title").trim();
    if title.is_empty() {
        return Err("the entry has no Title (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, title.to_owned()));
    let tags: Vec<&str> = f
        .get("group")
        .split('/')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .enumerate()
        .filter(|(i, g)| !(*i == 0 && g.eq_ignore_ascii_case("root")))
        .map(|(_, g)| g)
        .collect();
    out.push((Column::Tags, tags.join(";")));
    out.push((Column::Username, f.get("username").to_owned()));
    out.push((Column::Password, f.get("password").to_owned()));
    out.push((Column::Notes, f.get("notes").to_owned()));
    out.push((Column::Totp, f.get("totp").trim().to_owned()));
    target(f.get("url"), out)?;
    Ok(true)
}

/// Bitwarden: [folder | collections], type, name, notes, fields, reprompt, login_uri,
/// login_username, login_password, login_totp. Only `login` rows are imported; custom
/// `fields` are left out (they may hold secrets Sallyport has no place for).
fn bitwarden(f: &Fields, out: &mut Cells) -> Result<bool, String> {
    let kind = f.get("type").trim();
    if !kind.eq_ignore_ascii_case("login") {
        return if kind.is_empty() {
            Err("the row has no type".into())
        } else {
            Ok(false) // secure notes, cards, identities
        };
    }
    let name = f.get("name").trim();
    if name.is_empty() {
        return Err("the login has no name (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, name.to_owned()));
    let tags = match f.get("collections") {
        "" => f.get("folder").replace('/', ";"),
        collections => collections.replace('/', ";"),
    };
    out.push((Column::Tags, tags));
    out.push((Column::Username, f.get("login_username").to_owned()));
    out.push((Column::Password, f.get("login_password").to_owned()));
    out.push((Column::Notes, f.get("notes").to_owned()));
    out.push((Column::Totp, f.get("login_totp").trim().to_owned()));
    // Several URIs are separated by commas; the first says what the login is for.
    let uri = f.get("login_uri").split(',').next().unwrap_or("");
    target(uri, out)?;
    Ok(true)
}

/// mRemoteNG: Name;Id;Parent;NodeType;Description;...;Username;Password;Domain;Hostname;
/// Port;Protocol;...;RDGatewayUsageMethod;RDGatewayHostname;... Containers give the tags
/// of the connections below them (they come first in an export).
fn mremoteng(
    f: &Fields,
    containers: &mut HashMap<String, (String, String)>,
    out: &mut Cells,
) -> Result<bool, String> {
    let name = f.get("name").trim();
    let node = f.get("nodetype").trim();
    if node.eq_ignore_ascii_case("container") {
        containers.insert(
            f.get("id").trim().to_owned(),
            (name.to_owned(), f.get("parent").trim().to_owned()),
        );
        return Ok(false);
    }
    if !node.eq_ignore_ascii_case("connection") {
        return Err(format!(
            "NodeType '{}' is neither Connection nor Container",
            crate::model::validate::shown(node)
        ));
    }
    if name.is_empty() {
        return Err("the connection has no Name (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, name.to_owned()));
    let mut tags = Vec::new();
    let mut parent = f.get("parent").trim().to_owned();
    while let Some((container, up)) = containers.get(&parent) {
        if tags.len() > 32 {
            break; // a cycle in a damaged file
        }
        tags.insert(0, container.clone());
        parent = up.clone();
    }
    out.push((Column::Tags, tags.join(";")));
    let host = f.get("hostname").trim();
    let port = f.get("port").trim();
    let protocol = f.get("protocol").trim().to_ascii_uppercase();
    let kind = match protocol.as_str() {
        "RDP" => "rdp",
        "SSH1" | "SSH2" => "ssh",
        "HTTP" | "HTTPS" => "web",
        _ => "other", // VNC, Telnet, Rlogin, RAW, IntApp, PowerShell
    };
    out.push((Column::Kind, kind.into()));
    if kind == "web" {
        let scheme = protocol.to_ascii_lowercase();
        let with_port = match port {
            "" | "80" | "443" => String::new(),
            p => format!(":{p}"),
        };
        out.push((Column::Url, format!("{scheme}://{host}{with_port}")));
    } else {
        out.push((Column::Host, host.to_owned()));
        out.push((Column::Port, port.to_owned()));
    }
    out.push((Column::Username, f.get("username").to_owned()));
    out.push((Column::Password, f.get("password").to_owned()));
    out.push((Column::Domain, f.get("domain").trim().to_owned()));
    out.push((Column::Notes, f.get("description").to_owned()));
    let usage = f.get("rdgatewayusagemethod").trim().to_ascii_lowercase();
    let usage = match usage.as_str() {
        "" | "never" => "",
        "always" => "always",
        "detect" => "detect",
        other => {
            return Err(format!(
                "RDGatewayUsageMethod '{}' is not Never, Always or Detect",
                crate::model::validate::shown(other)
            ))
        }
    };
    if kind == "rdp" && !usage.is_empty() {
        out.push((Column::GatewayUsage, usage.into()));
        out.push((
            Column::Gateway,
            f.get("rdgatewayhostname").trim().to_owned(),
        ));
    }
    Ok(true)
}

/// Puts the surplus fields of an unquoted mRemoteNG row back into its Description.
fn merge_description(
    record: &csv::StringRecord,
    columns: &HashMap<String, usize>,
    width: usize,
) -> Option<csv::StringRecord> {
    let at = *columns.get("description")?;
    let extra = record.len() - width;
    let fields: Vec<&str> = record.iter().collect();
    let mut merged = csv::StringRecord::new();
    for field in &fields[..at] {
        merged.push_field(field);
    }
    merged.push_field(&fields[at..=at + extra].join(";"));
    for field in &fields[at + extra + 1..] {
        merged.push_field(field);
    }
    merged.set_position(record.position().cloned());
    Some(merged)
}

/// Remote Desktop Manager: Name, Host, Group (backslash path), ConnectionType (English or
/// localised names), Description, Username, Domain, Password, Port, Expiration, OTPSecret.
fn rdm(f: &Fields, out: &mut Cells) -> Result<bool, String> {
    let name = f.get("name").trim();
    let kind = rdm_kind(f.get("connectiontype"));
    let Some(kind) = kind else {
        return Ok(false); // folders, credential and information entries
    };
    if name.is_empty() {
        return Err("the entry has no Name (it becomes the customer's name)".into());
    }
    out.push((Column::Customer, name.to_owned()));
    let tags: Vec<&str> = f
        .get("group")
        .split('\\')
        .map(str::trim)
        .filter(|g| !g.is_empty())
        .collect();
    out.push((Column::Tags, tags.join(";")));
    let host = f.get("host").trim();
    if kind == "web" {
        out.push((Column::Kind, "web".into()));
        let url = match f.get("url").trim() {
            "" => host,
            url => url,
        };
        let url = if url.contains("://") || url.is_empty() {
            url.to_owned()
        } else {
            format!("https://{url}")
        };
        out.push((Column::Url, url));
    } else {
        out.push((Column::Kind, kind.into()));
        split_host_port(host, out);
        let port = f.get("port").trim();
        if !port.is_empty() {
            out.retain(|(c, _)| *c != Column::Port);
            out.push((Column::Port, port.to_owned()));
        }
    }
    out.push((Column::Username, f.get("username").to_owned()));
    out.push((Column::Password, f.get("password").to_owned()));
    out.push((Column::Domain, f.get("domain").trim().to_owned()));
    out.push((Column::Notes, f.get("description").to_owned()));
    out.push((Column::Totp, f.get("otpsecret").trim().to_owned()));
    let expires = f.get("expiration").trim();
    // RDM writes a date and time; the date is what an account expiry needs.
    out.push((
        Column::Expires,
        expires.get(..10).unwrap_or(expires).to_owned(),
    ));
    Ok(true)
}

/// The entry kind of an RDM ConnectionType, in RDM's internal names or the names its
/// English, German, French and Spanish interfaces show; `None` for entries that are not
/// connections (folders, credentials, information).
fn rdm_kind(connection_type: &str) -> Option<&'static str> {
    let t = connection_type.trim().to_lowercase();
    let any = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if t.is_empty() {
        return Some("rdp"); // RDM's own fallback for rows without a type
    }
    if any(&[
        "group",
        "folder",
        "dossier",
        "ordner",
        "carpeta",
        "credential",
        "identifiant",
        "anmeldeinformation",
        "credencial",
        "information",
        "informationen",
        "información",
    ]) {
        return None;
    }
    if any(&[
        "rdp",
        "remote desktop",
        "remotedesktop",
        "bureau à distance",
        "remotedesktopverbindung",
        "escritorio remoto",
    ]) {
        return Some("rdp");
    }
    if any(&["ssh"]) {
        return Some("ssh");
    }
    if any(&["web", "browser", "navigateur", "navegador", "http"]) {
        return Some("web");
    }
    if any(&["vpn"]) {
        return Some("vpn");
    }
    Some("other")
}

/// What a URL points at: kind, host and port, or a web URL.
pub(crate) fn target(url: &str, out: &mut Cells) -> Result<(), String> {
    let url = url.trim();
    if url.is_empty() {
        return Ok(());
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        out.push((Column::Kind, "web".into()));
        out.push((Column::Url, url.to_owned()));
        return Ok(());
    }
    if let Some(rest) = lower.strip_prefix("cmd://") {
        // cmd://mstsc /v:host:port [other switches]
        let is_mstsc = rest.trim_start_matches('"').starts_with("mstsc");
        let address = url.split_whitespace().find_map(|arg| {
            let arg = arg.trim_matches('"');
            arg.strip_prefix("/v:").or_else(|| arg.strip_prefix("/V:"))
        });
        return match (is_mstsc, address) {
            (true, Some(address)) => rdp_address(address, out),
            _ => Err("URL is a cmd:// command other than mstsc /v:host".into()),
        };
    }
    if lower.starts_with("rdp://") {
        let rest = &url["rdp://".len()..];
        let decoded = percent_decode(rest);
        // rdp://full%20address=s:host:port&... or rdp://host[:port]
        let address = decoded
            .split('&')
            .find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("full address")
                    .then(|| value.strip_prefix("s:").unwrap_or(value))
            })
            .unwrap_or(decoded.split(['/', '?']).next().unwrap_or(""));
        return rdp_address(address, out);
    }
    if let Some(rest) = lower.strip_prefix("ssh://") {
        let authority = rest.split('/').next().unwrap_or("");
        let host_port = authority.rsplit('@').next().unwrap_or("");
        out.push((Column::Kind, "ssh".into()));
        split_host_port(host_port, out);
        return Ok(());
    }
    if lower.contains("://") {
        return Err(format!(
            "URL scheme '{}' is not one Sallyport knows (http, https, rdp, cmd://mstsc, ssh)",
            crate::model::validate::shown(url.split("://").next().unwrap_or(""))
        ));
    }
    // A bare host[:port] names a server; the validators check it.
    split_host_port(url, out);
    Ok(())
}

fn rdp_address(address: &str, out: &mut Cells) -> Result<(), String> {
    if address.trim().is_empty() {
        return Err("the RDP URL has no host".into());
    }
    out.push((Column::Kind, "rdp".into()));
    split_host_port(address.trim(), out);
    Ok(())
}

/// `host`, `host:port`, `[v6]:port`; the port goes to its own column.
fn split_host_port(text: &str, out: &mut Cells) {
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p))
            if !p.is_empty()
                && p.bytes().all(|b| b.is_ascii_digit())
                && (!h.contains(':') || h.ends_with(']')) =>
        {
            (h, p)
        }
        _ => (text, ""),
    };
    out.push((Column::Host, host.to_owned()));
    out.push((Column::Port, port.to_owned()));
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(url: &str) -> Result<Vec<(Column, String)>, String> {
        let mut out = Vec::new();
        target(url, &mut out)?;
        Ok(out.into_iter().filter(|(_, v)| !v.is_empty()).collect())
    }

    #[test]
    fn urls_say_what_an_entry_is() {
        let rdp = |host: &str, port: &str| {
            let mut v = vec![
                (Column::Kind, "rdp".to_owned()),
                (Column::Host, host.to_owned()),
            ];
            if !port.is_empty() {
                v.push((Column::Port, port.to_owned()));
            }
            v
        };
        assert_eq!(
            cells("cmd://mstsc /v:rds.acme.example:3390").unwrap(),
            rdp("rds.acme.example", "3390")
        );
        assert_eq!(
            cells("cmd://\"mstsc\" /f /v:10.0.0.5").unwrap(),
            rdp("10.0.0.5", "")
        );
        assert_eq!(
            cells("rdp://full%20address=s:rds.acme.example:3391&username=s:x").unwrap(),
            rdp("rds.acme.example", "3391")
        );
        assert_eq!(
            cells("rdp://host.example").unwrap(),
            rdp("host.example", "")
        );
        assert_eq!(
            cells("rdp://[2001:db8::1]:3389").unwrap(),
            rdp("[2001:db8::1]", "3389")
        );
        assert_eq!(
            cells("https://portal.example/admin").unwrap(),
            [
                (Column::Kind, "web".to_owned()),
                (Column::Url, "https://portal.example/admin".to_owned())
            ]
        );
        assert_eq!(
            cells("ssh://root@db.example:2222/").unwrap(),
            [
                (Column::Kind, "ssh".to_owned()),
                (Column::Host, "db.example".to_owned()),
                (Column::Port, "2222".to_owned())
            ]
        );
        assert_eq!(
            cells("db.example:2222").unwrap(),
            [
                (Column::Host, "db.example".to_owned()),
                (Column::Port, "2222".to_owned())
            ]
        );
        assert!(cells("cmd://calc.exe")
            .unwrap_err()
            .contains("other than mstsc"));
        assert!(cells("ftp://x").unwrap_err().contains("'ftp'"));
    }
}
