//! What an address in another tool's export says about an entry: `cmd://mstsc /v:host:port`
//! and `rdp://full%20address=s:host:port` an RDP host and port, http(s) a web URL,
//! `ssh://` an SSH host, a bare `host[:port]` a server.

use super::Cells;
use crate::model::Column;

/// What a URL points at: kind, host and port, or a web URL.
pub(super) fn target(url: &str, out: &mut Cells) -> Result<(), String> {
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
pub(super) fn split_host_port(text: &str, out: &mut Cells) {
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
