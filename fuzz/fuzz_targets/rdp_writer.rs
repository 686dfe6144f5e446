//! The .rdp writer (`rdp::RdpFile::for_entry`) on arbitrary entry values, read back with
//! `rdp::parse`; and `rdp::parse` itself on arbitrary bytes.
//!
//! Input: the entry's fields separated by U+001F: host, port, username, domain, gateway,
//! gateway port, gateway usage (`always`, `detect`, else none), kind (`rdp`, else web),
//! screen (`windowed`, else full screen), width, height, and four 0/1 flags (all monitors,
//! clipboard, drives, printers). An input without U+001F is given to `rdp::parse` as a file.
//!
//! Properties: every entry is refused with one line, or written as a file whose every line
//! is one `key:type:value` (CRLF only at line ends, each key once, no value starting with
//! `/` or holding a control character), UTF-16LE with a BOM, that parses back to the
//! validated address, port, user, domain and gateway; the same result twice. A file that
//! parses, written out again, parses to the same lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::model::{validate, Entry, EntryKind, GatewayUsage};
use sallyport_core::rdp::{parse, RdpFile, RdpPreferences, ScreenMode, DEFAULT_RDP_PORT};
use sallyport_core::text::is_forbidden_inline;
use sallyport_fuzz::assert_one_line;

fn port(text: &str) -> Option<u16> {
    text.parse().ok()
}

fn parse_again(data: &[u8]) {
    let Ok(lines) = parse(data) else { return };
    let text: String = lines
        .iter()
        .map(|(k, t, v)| format!("{k}:{t}:{v}\r\n"))
        .collect();
    let mut bytes = vec![0xFF, 0xFE]; // as the writer writes files
    bytes.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let again = parse(&bytes).expect("lines written out again parse");
    assert_eq!(again, lines, "parse → write → parse changed the lines");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if !text.contains('\u{1f}') {
        parse_again(data);
        return;
    }
    let f: Vec<&str> = text.split('\u{1f}').collect();
    let get = |i: usize| f.get(i).copied().unwrap_or("");
    let entry = Entry {
        kind: if get(7) == "rdp" || get(7).is_empty() {
            EntryKind::Rdp
        } else {
            EntryKind::Web
        },
        host: get(0).to_owned(),
        port: port(get(1)),
        username: get(2).to_owned(),
        domain: get(3).to_owned(),
        gateway_host: get(4).to_owned(),
        gateway_port: port(get(5)),
        gateway_usage: match get(6) {
            "always" => GatewayUsage::Always,
            "detect" => GatewayUsage::Detect,
            _ => GatewayUsage::None,
        },
        ..Entry::default()
    };
    let flag = |i: usize| get(12).as_bytes().get(i) == Some(&b'1');
    let prefs = RdpPreferences {
        screen_mode: if get(8) == "windowed" {
            ScreenMode::Windowed
        } else {
            ScreenMode::Fullscreen
        },
        width: port(get(9)).unwrap_or(1280),
        height: port(get(10)).unwrap_or(800),
        multi_monitor: flag(0),
        redirect_clipboard: flag(1),
        redirect_drives: flag(2),
        redirect_printers: flag(3),
    };
    let first = RdpFile::for_entry(&entry, &prefs);
    let again = RdpFile::for_entry(&entry, &prefs);
    assert_eq!(
        format!("{first:?}"),
        format!("{again:?}"),
        "same input, other result"
    );
    let file = match first {
        Ok(file) => file,
        Err(e) => {
            assert_one_line(&e.to_string());
            return;
        }
    };
    let text = file.to_text();
    let breaks = text.matches("\r\n").count();
    assert!(text.ends_with("\r\n"));
    assert_eq!(
        text.matches('\r').count(),
        breaks,
        "a CR inside a line: {text:?}"
    );
    assert_eq!(
        text.matches('\n').count(),
        breaks,
        "a LF inside a line: {text:?}"
    );
    let bytes = file.to_bytes();
    assert_eq!(&bytes[..2], &[0xFF, 0xFE]);
    let lines = parse(&bytes).expect("a written file parses");
    assert_eq!(lines.len(), breaks, "a line that is not key:type:value");
    let mut keys: Vec<&str> = lines.iter().map(|(k, _, _)| k.as_str()).collect();
    for (key, kind, value) in &lines {
        assert!(kind == "s" || kind == "i", "{key}: type {kind}");
        assert!(!value.starts_with('/'), "{key} starts with '/': {value:?}");
        assert!(!value.chars().any(is_forbidden_inline), "{key} = {value:?}");
        assert!(!key.starts_with('/') && !key.chars().any(is_forbidden_inline));
    }
    keys.sort_unstable();
    let count = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), count, "a key written twice");

    let get_line = |key: &str| {
        lines
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, _, v)| v.as_str())
    };
    let host = validate::host("host", &entry.host).expect("the host was accepted");
    let full = format!("{host}:{}", entry.port.unwrap_or(DEFAULT_RDP_PORT));
    assert_eq!(get_line("full address"), Some(full.as_str()));
    let user = validate::username(&entry.username).expect("the user was accepted");
    assert_eq!(get_line("username").unwrap_or(""), user);
    let domain = validate::domain(&entry.domain).expect("the domain was accepted");
    assert_eq!(get_line("domain").unwrap_or(""), domain);
    match entry.gateway_usage {
        GatewayUsage::None => assert_eq!(get_line("gatewayhostname"), None),
        usage => {
            let gateway =
                validate::host("gateway", &entry.gateway_host).expect("the gateway was accepted");
            let address = match entry.gateway_port {
                None | Some(443) => gateway,
                Some(port) => format!("{gateway}:{port}"),
            };
            assert_eq!(get_line("gatewayhostname"), Some(address.as_str()));
            let method = if usage == GatewayUsage::Always {
                "1"
            } else {
                "2"
            };
            assert_eq!(get_line("gatewayusagemethod"), Some(method));
        }
    }
});
