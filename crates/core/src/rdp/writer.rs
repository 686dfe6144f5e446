//! The .rdp file: `key:type:value` lines, UTF-16LE with a BOM and CRLF line ends, as mstsc
//! writes them. Each key appears once. Every value passes the core validators and a final
//! line check, so no value can add a line or start one with `/` (which FreeRDP 2 would run
//! as a command-line option). No password is ever written.

use super::preferences::{RdpPreferences, ScreenMode};
use crate::model::{validate, Entry, EntryKind, GatewayUsage};
use crate::{Error, Result};

/// The port `full address` gets when the entry has none.
pub const DEFAULT_RDP_PORT: u16 = 3389;

/// One `key:type:value` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) key: &'static str,
    pub(super) kind: char,
    pub(super) value: String,
}

/// The lines of an .rdp file, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdpFile {
    pub(super) lines: Vec<Line>,
}

impl RdpFile {
    /// The file for an RDP entry with the user's preferences. Refuses entries that are
    /// not RDP, have no host, or hold a value that fails validation.
    pub fn for_entry(entry: &Entry, prefs: &RdpPreferences) -> Result<RdpFile> {
        if entry.kind != EntryKind::Rdp {
            return Err(Error::invalid(
                "entry",
                format!("'{}' is not an RDP entry", validate::shown(&entry.label)),
            ));
        }
        prefs.validate()?;
        let host = validate::host("host", &entry.host)?;
        if host.is_empty() {
            return Err(Error::invalid(
                "host",
                format!(
                    "'{}' has no host to connect to",
                    validate::shown(&entry.label)
                ),
            ));
        }
        let port = entry.port.unwrap_or(DEFAULT_RDP_PORT);
        if port == 0 {
            return Err(Error::invalid("port", "0 is not a port number"));
        }
        let mut file = RdpFile { lines: Vec::new() };
        file.push("full address", 's', format!("{host}:{port}"))?;
        let username = validate::username(&entry.username)?;
        if !username.is_empty() {
            file.push("username", 's', username)?;
        }
        let domain = validate::domain(&entry.domain)?;
        if !domain.is_empty() {
            file.push("domain", 's', domain)?;
        }
        file.push_gateway(entry)?;
        let screen = match prefs.screen_mode {
            ScreenMode::Windowed => 1,
            ScreenMode::Fullscreen => 2,
        };
        file.push("screen mode id", 'i', screen.to_string())?;
        if prefs.screen_mode == ScreenMode::Windowed {
            file.push("desktopwidth", 'i', prefs.width.to_string())?;
            file.push("desktopheight", 'i', prefs.height.to_string())?;
        }
        file.push("use multimon", 'i', flag(prefs.multi_monitor))?;
        file.push("redirectclipboard", 'i', flag(prefs.redirect_clipboard))?;
        file.push("redirectdrives", 'i', flag(prefs.redirect_drives))?;
        let drives = if prefs.redirect_drives { "*" } else { "" };
        file.push("drivestoredirect", 's', drives.to_owned())?;
        file.push("redirectprinters", 'i', flag(prefs.redirect_printers))?;
        // Network Level Authentication (CredSSP): without it a man in the middle can offer
        // plain TLS and be sent the password. Only an entry whose server cannot do it
        // (`without_nla`, e.g. xrdp) turns it off. Level 2: a server certificate that
        // cannot be verified is shown to the user (a customer's self-hosted server often
        // has its own), level 0 would connect silently.
        file.push("enablecredsspsupport", 'i', flag(!entry.without_nla))?;
        file.push("authentication level", 'i', "2".into())?;
        file.push("prompt for credentials", 'i', "0".into())?;
        Ok(file)
    }

    fn push_gateway(&mut self, entry: &Entry) -> Result<()> {
        let gateway = validate::host("gateway", &entry.gateway_host)?;
        let method = match entry.gateway_usage {
            GatewayUsage::None => return Ok(()),
            GatewayUsage::Always => 1,
            GatewayUsage::Detect => 2,
        };
        if gateway.is_empty() {
            return Err(Error::invalid(
                "gateway",
                format!(
                    "gateway usage is '{}' but no gateway host is set",
                    if method == 1 { "always" } else { "detect" }
                ),
            ));
        }
        // Readers split the value at its last ':' (FreeRDP takes what follows as the port),
        // so an IPv6 address always carries its port, 443 included.
        let address = match entry.gateway_port {
            Some(0) => return Err(Error::invalid("gateway_port", "0 is not a port number")),
            Some(443) | None if !gateway.starts_with('[') => gateway,
            port => format!("{gateway}:{}", port.unwrap_or(443)),
        };
        self.push("gatewayhostname", 's', address)?;
        self.push("gatewayusagemethod", 'i', method.to_string())?;
        // 4: the client chooses (mstsc's own default); with promptcredentialonce the
        // remote computer's credentials are used for the gateway too.
        self.push("gatewaycredentialssource", 'i', "4".into())?;
        self.push("gatewayprofileusagemethod", 'i', "1".into())?;
        self.push("promptcredentialonce", 'i', "1".into())
    }

    /// Adds a line after the last guard: the value is one line and the key is new.
    pub(super) fn push(&mut self, key: &'static str, kind: char, value: String) -> Result<()> {
        if let Some(c) = value.chars().find(|c| validate::is_forbidden_inline(*c)) {
            return Err(Error::invalid(
                key,
                format!("contains a control character (U+{:04X})", c as u32),
            ));
        }
        if value.starts_with('/') {
            return Err(Error::invalid(key, "must not start with '/'"));
        }
        if self.lines.iter().any(|l| l.key == key) {
            return Err(Error::invalid(key, "is set twice"));
        }
        self.lines.push(Line { key, kind, value });
        Ok(())
    }

    /// The value of `key`, if the file has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.lines
            .iter()
            .find(|l| l.key == key)
            .map(|l| l.value.as_str())
    }

    /// The keys, in file order.
    pub fn keys(&self) -> Vec<&'static str> {
        self.lines.iter().map(|l| l.key).collect()
    }

    /// The text: `key:type:value` lines, each ended by CRLF.
    pub fn to_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| format!("{}:{}:{}\r\n", l.key, l.kind, l.value))
            .collect()
    }

    /// The file's bytes: a UTF-16LE BOM and the text in UTF-16LE.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in self.to_text().encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    }
}

fn flag(on: bool) -> String {
    if on { "1" } else { "0" }.to_owned()
}

/// Reads an .rdp file (UTF-16LE with BOM, or UTF-8) into `(key, type, value)` triples, in
/// order. Used by tests and to inspect files; refuses lines that are not `key:type:value`.
pub fn parse(bytes: &[u8]) -> Result<Vec<(String, String, String)>> {
    let text = match bytes {
        [0xFF, 0xFE, rest @ ..] => {
            if rest.len() % 2 != 0 {
                return Err(Error::invalid(
                    "rdp file",
                    "odd number of bytes in UTF-16 text",
                ));
            }
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units)
                .map_err(|_| Error::invalid("rdp file", "is not valid UTF-16"))?
        }
        _ => String::from_utf8(
            bytes
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(bytes)
                .to_vec(),
        )
        .map_err(|_| Error::invalid("rdp file", "is neither UTF-16 with a BOM nor UTF-8"))?,
    };
    text.split("\r\n")
        .enumerate()
        .filter(|(_, line)| !line.is_empty())
        .map(|(i, line)| {
            let mut parts = line.splitn(3, ':');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(k), Some(t), Some(v)) if !k.is_empty() && t.len() == 1 => {
                    Ok((k.to_owned(), t.to_owned(), v.to_owned()))
                }
                _ => Err(Error::invalid(
                    "rdp file",
                    format!("line {} is not key:type:value", i + 1),
                )),
            }
        })
        .collect()
}
