//! .rdp files and launch plans: the exact file, hostile values from a fixture table, a
//! property test over random values, plans for every OS, the private temp directory, and
//! the session's audited writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use crate::common::*;
use proptest::prelude::*;
use sallyport_core::audit::{Action, AuditFilter};
use sallyport_core::model::{validate, Entry, EntryKind, GatewayUsage};
use sallyport_core::rdp::{
    self, plan_launch, CredentialHandoff, LaunchEnv, Os, RdpFile, RdpPreferences, RdpTempDir,
    ScreenMode,
};
use sallyport_core::vault::{LaunchRequest, Purpose};

fn acme() -> Entry {
    Entry {
        label: "Web server".into(),
        kind: EntryKind::Rdp,
        host: "rds.acme.example".into(),
        port: Some(3390),
        gateway_host: "gw.acme.example".into(),
        gateway_port: Some(8443),
        gateway_usage: GatewayUsage::Always,
        username: "ACME\\vendor".into(),
        has_password: true,
        ..Entry::default()
    }
}

#[test]
fn the_file_is_utf16le_with_bom_and_crlf_and_says_what_was_meant() {
    let file = RdpFile::for_entry(&acme(), &RdpPreferences::default()).unwrap();
    assert_eq!(
        file.to_text(),
        "full address:s:rds.acme.example:3390\r\n\
         username:s:ACME\\vendor\r\n\
         gatewayhostname:s:gw.acme.example:8443\r\n\
         gatewayusagemethod:i:1\r\n\
         gatewaycredentialssource:i:4\r\n\
         gatewayprofileusagemethod:i:1\r\n\
         promptcredentialonce:i:1\r\n\
         screen mode id:i:2\r\n\
         use multimon:i:0\r\n\
         redirectclipboard:i:0\r\n\
         redirectdrives:i:0\r\n\
         drivestoredirect:s:\r\n\
         redirectprinters:i:0\r\n\
         enablecredsspsupport:i:1\r\n\
         authentication level:i:2\r\n\
         prompt for credentials:i:0\r\n"
    );
    let bytes = file.to_bytes();
    assert_eq!(&bytes[..4], &[0xFF, 0xFE, b'f', 0]);
    let parsed = rdp::parse(&bytes).unwrap();
    assert_eq!(parsed.len(), file.keys().len());
    assert_eq!(
        parsed[0],
        (
            "full address".into(),
            "s".into(),
            "rds.acme.example:3390".into()
        )
    );
}

#[test]
fn only_an_entry_whose_server_cannot_do_nla_turns_credssp_off() {
    let text = |entry: &Entry| {
        RdpFile::for_entry(entry, &RdpPreferences::default())
            .unwrap()
            .to_text()
    };
    assert!(text(&acme()).contains("enablecredsspsupport:i:1\r\n"));
    let without = Entry {
        without_nla: true,
        ..acme()
    };
    assert!(text(&without).contains("enablecredsspsupport:i:0\r\n"));
}

#[test]
fn defaults_ipv6_detect_windowed_and_no_gateway() {
    let entry = Entry {
        host: "2001:DB8::1".into(),
        port: None,
        gateway_usage: GatewayUsage::Detect,
        gateway_port: Some(443),
        domain: "ACME".into(),
        username: "vendor".into(),
        ..acme()
    };
    let prefs = RdpPreferences {
        screen_mode: ScreenMode::Windowed,
        width: 1280,
        height: 720,
        multi_monitor: true,
        redirect_drives: true,
        ..RdpPreferences::default()
    };
    let file = RdpFile::for_entry(&entry, &prefs).unwrap();
    assert_eq!(file.get("full address"), Some("[2001:db8::1]:3389"));
    assert_eq!(file.get("domain"), Some("ACME"));
    assert_eq!(file.get("gatewayhostname"), Some("gw.acme.example"));
    assert_eq!(file.get("gatewayusagemethod"), Some("2"));
    assert_eq!(file.get("screen mode id"), Some("1"));
    assert_eq!(
        (file.get("desktopwidth"), file.get("desktopheight")),
        (Some("1280"), Some("720"))
    );
    assert_eq!(file.get("use multimon"), Some("1"));
    assert_eq!(file.get("drivestoredirect"), Some("*"));

    let direct = Entry {
        gateway_usage: GatewayUsage::None,
        ..acme()
    };
    let file = RdpFile::for_entry(&direct, &RdpPreferences::default()).unwrap();
    assert!(file.keys().iter().all(|k| !k.starts_with("gateway")));
    assert_eq!(file.get("promptcredentialonce"), None);
}

/// Found by the FreeRDP property test (crates/cli/tests/it/rdp.rs): readers split the
/// gateway at its last ':', so `[::]` alone was refused and `[2001:db8::1]` read as host
/// `[2001:db8:` port 1.
#[test]
fn an_ipv6_gateway_always_carries_its_port() {
    for (port, written) in [
        (None, "[2001:db8::1]:443"),
        (Some(8443), "[2001:db8::1]:8443"),
    ] {
        let entry = Entry {
            gateway_host: "2001:db8::1".into(),
            gateway_port: port,
            gateway_usage: GatewayUsage::Always,
            ..acme()
        };
        let file = RdpFile::for_entry(&entry, &RdpPreferences::default()).unwrap();
        assert_eq!(file.get("gatewayhostname"), Some(written));
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('r') => out.push('\r'),
            Some('n') => out.push('\n'),
            Some('0') => out.push('\0'),
            Some('\\') => out.push('\\'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            other => panic!("bad escape \\{other:?} in the fixture"),
        }
    }
    out
}

#[test]
fn hostile_values_are_refused_with_clear_errors() {
    let table = std::fs::read_to_string(fixture("rdp/hostile.tsv")).unwrap();
    let mut checked = 0;
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let [field, value, expected] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("bad fixture line {line:?}");
        };
        let value = unescape(value);
        let mut entry = acme();
        match field {
            "host" => entry.host = value.clone(),
            "username" => entry.username = value.clone(),
            "domain" => entry.domain = value.clone(),
            "gateway" => entry.gateway_host = value.clone(),
            "port" => entry.port = Some(value.parse().unwrap()),
            "gateway_port" => entry.gateway_port = Some(value.parse().unwrap()),
            "label" => entry.kind = EntryKind::Web,
            other => panic!("unknown field {other}"),
        }
        let err = RdpFile::for_entry(&entry, &RdpPreferences::default())
            .expect_err(&format!("{field} {value:?} was accepted"))
            .to_string();
        assert!(err.contains(expected), "{field} {value:?}: {err}");
        assert!(
            !err.contains(['\r', '\n', '\0']),
            "error spans lines: {err:?}"
        );
        checked += 1;
    }
    assert!(checked >= 19, "only {checked} fixture rows");
}

/// The keys a valid file must have for `entry`, in order.
fn expected_keys(entry: &Entry) -> Vec<&'static str> {
    // Blank as the validators define it (spaces and tabs around a value are dropped; other
    // Unicode spaces, e.g. U+2000, are characters of the value).
    let blank = |value: &str| validate::trim_blank(value).is_empty();
    let mut keys = vec!["full address"];
    if !blank(&entry.username) {
        keys.push("username");
    }
    if !blank(&entry.domain) {
        keys.push("domain");
    }
    if entry.gateway_usage != GatewayUsage::None {
        keys.extend([
            "gatewayhostname",
            "gatewayusagemethod",
            "gatewaycredentialssource",
            "gatewayprofileusagemethod",
            "promptcredentialonce",
        ]);
    }
    keys.extend([
        "screen mode id",
        "use multimon",
        "redirectclipboard",
        "redirectdrives",
        "drivestoredirect",
        "redirectprinters",
        "enablecredsspsupport",
        "authentication level",
        "prompt for credentials",
    ]);
    keys
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        6 => "[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6})?(\\.[a-z][a-z0-9]{0,8}){0,3}",
        2 => "[a-z0-9-]{1,12}(\\.[a-z0-9-]{1,12}){0,3}",
        2 => "[A-Za-z0-9\\\\@._/:-]{0,20}",
        1 => any::<String>(),
        2 => "[a-z]{1,8}[\r\n\u{0}\u{2028}/][a-z]{0,8}",
    ]
}

#[test]
fn any_values_give_an_error_or_exactly_the_expected_keys() {
    let entries = (
        (value(), value(), value(), value()),
        proptest::option::of(any::<u16>()),
        proptest::option::of(any::<u16>()),
        prop_oneof![
            Just(GatewayUsage::None),
            Just(GatewayUsage::Always),
            Just(GatewayUsage::Detect)
        ],
    )
        .prop_map(
            |((host, username, domain, gateway), port, gateway_port, usage)| Entry {
                host,
                username,
                domain,
                gateway_host: gateway,
                port,
                gateway_port,
                gateway_usage: usage,
                kind: EntryKind::Rdp,
                ..Entry::default()
            },
        );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(4000));
    let accepted = std::cell::Cell::new(0);
    runner
        .run(&entries, |entry| {
            let file = match RdpFile::for_entry(&entry, &RdpPreferences::default()) {
                Ok(file) => file,
                Err(_) => return Ok(()),
            };
            accepted.set(accepted.get() + 1);
            let text = file.to_text();
            // Exactly one CR and one LF per line, each as the line end.
            let lines = text.matches("\r\n").count();
            prop_assert_eq!(text.matches('\r').count(), lines);
            prop_assert_eq!(text.matches('\n').count(), lines);
            let parsed = rdp::parse(&file.to_bytes()).unwrap();
            let keys: Vec<&str> = parsed.iter().map(|(k, _, _)| k.as_str()).collect();
            prop_assert_eq!(keys, expected_keys(&entry));
            for (key, _, value) in &parsed {
                prop_assert!(!value.starts_with('/'), "{} = {:?}", key, value);
                prop_assert!(
                    !value
                        .chars()
                        .any(|c| c.is_control() || c == '\u{2028}' || c == '\u{2029}'),
                    "{} = {:?}",
                    key,
                    value
                );
            }
            Ok(())
        })
        .unwrap();
    // Enough valid entries were generated for the property to mean something.
    assert!(
        accepted.get() >= 150,
        "only {} of 4000 entries were valid",
        accepted.get()
    );
}

fn env() -> LaunchEnv {
    LaunchEnv {
        system_root: r"D:\Windows\".into(),
        xfreerdp: Some(PathBuf::from("/usr/bin/xfreerdp")),
    }
}

#[test]
fn plans_for_windows_macos_and_linux_field_by_field() {
    let file = Path::new("/run/user/1000/sallyport/rdp/sallyport-0123.rdp");
    let shown = file.display().to_string();

    let windows = plan_launch(&acme(), true, Os::Windows, &env(), file).unwrap();
    assert_eq!(windows.program, r"D:\Windows\System32\mstsc.exe");
    assert_eq!(windows.args, [shown.as_str()]);
    assert_eq!(windows.rdp_file, file);
    assert_eq!(
        windows.credentials,
        CredentialHandoff::CredentialManager {
            targets: vec!["TERMSRV/rds.acme.example".into(), "gw.acme.example".into()],
            username: "ACME\\vendor".into(),
        }
    );
    assert_eq!(windows.notice, None);

    let macos = plan_launch(&acme(), true, Os::Macos, &env(), file).unwrap();
    assert_eq!(macos.program, "open");
    assert_eq!(macos.args, ["-b", "com.microsoft.rdc.macos", &shown]);
    assert_eq!(macos.credentials, CredentialHandoff::Clipboard);
    assert!(macos.notice.unwrap().contains("clipboard"));

    let linux = plan_launch(&acme(), true, Os::Linux, &env(), file).unwrap();
    assert_eq!(linux.program, "/usr/bin/xfreerdp");
    assert_eq!(
        linux.args,
        [
            shown.as_str(),
            "/cert:tofu",
            "/sec:nla",
            "/from-stdin:force"
        ]
    );
    assert_eq!(linux.credentials, CredentialHandoff::Stdin);
    // An entry whose server cannot do NLA (xrdp) is the one exception: TLS alone.
    let without_nla = Entry {
        without_nla: true,
        ..acme()
    };
    let linux = plan_launch(&without_nla, true, Os::Linux, &env(), file).unwrap();
    assert_eq!(
        linux.args,
        [
            shown.as_str(),
            "/cert:tofu",
            "/sec:tls",
            "/from-stdin:force"
        ]
    );
    // Without a user name a password cannot log on: nothing is handed over.
    let no_user = Entry {
        username: String::new(),
        ..acme()
    };
    let linux = plan_launch(&no_user, true, Os::Linux, &env(), file).unwrap();
    assert_eq!(linux.args, [shown.as_str(), "/cert:tofu", "/sec:nla"]);
    assert_eq!(linux.credentials, CredentialHandoff::None);

    // FreeRDP ignores the file's domain line beside a bare user name: /d: carries it.
    let bare_user = Entry {
        username: "vendor".into(),
        domain: "ACME".into(),
        ..acme()
    };
    let linux = plan_launch(&bare_user, true, Os::Linux, &env(), file).unwrap();
    assert_eq!(
        linux.args,
        [
            shown.as_str(),
            "/cert:tofu",
            "/sec:nla",
            "/d:ACME",
            "/from-stdin:force"
        ]
    );

    let no_freerdp = LaunchEnv {
        xfreerdp: None,
        ..env()
    };
    let fallback = plan_launch(&acme(), true, Os::Linux, &no_freerdp, file).unwrap();
    assert_eq!(
        (fallback.program.as_str(), fallback.args.clone()),
        ("xdg-open", vec![shown.clone()])
    );
    assert_eq!(fallback.credentials, CredentialHandoff::Clipboard);

    // Without a stored password nothing is handed over and FreeRDP is not told to read stdin.
    let linux = plan_launch(&acme(), false, Os::Linux, &env(), file).unwrap();
    assert_eq!(linux.args, [shown.as_str(), "/cert:tofu", "/sec:nla"]);
    assert_eq!(linux.credentials, CredentialHandoff::None);
    let windows = plan_launch(&acme(), false, Os::Windows, &env(), file).unwrap();
    assert_eq!(windows.credentials, CredentialHandoff::None);

    // A domain kept apart is joined for Credential Manager; no gateway, one target.
    let split = Entry {
        username: "vendor".into(),
        domain: "ACME".into(),
        gateway_usage: GatewayUsage::None,
        ..acme()
    };
    let windows = plan_launch(&split, true, Os::Windows, &env(), file).unwrap();
    assert_eq!(
        windows.credentials,
        CredentialHandoff::CredentialManager {
            targets: vec!["TERMSRV/rds.acme.example".into()],
            username: "ACME\\vendor".into(),
        }
    );
    // No plan ever carries the password in its arguments: it is not an input.
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn temp_files_are_private_random_and_swept() {
    let base = tempfile::tempdir().unwrap();
    let dir = base.path().join("rdp");
    let temp = RdpTempDir::open(&dir).unwrap();
    let file = RdpFile::for_entry(&acme(), &RdpPreferences::default()).unwrap();
    let a = temp.write(&file).unwrap();
    let b = temp.write(&file).unwrap();
    assert_ne!(a, b);
    let name = a.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("sallyport-") && name.ends_with(".rdp") && !name.contains("acme"));
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&a), 0o600);
    }
    std::fs::write(dir.join("keep.txt"), "not ours").unwrap();
    assert_eq!(temp.sweep(std::time::Duration::from_secs(3600)).unwrap(), 0);
    assert_eq!(temp.sweep(std::time::Duration::ZERO).unwrap(), 2);
    assert!(dir.join("keep.txt").exists());
    assert!(!a.exists() && !b.exists());
}

#[test]
fn the_session_records_written_files_and_launches() {
    let (dir, path) = populated_vault();
    let mut session = unlock(&path).unwrap();
    let target = session.select("ACME", Purpose::Connect).unwrap();
    assert_eq!(target.entry.label, "Web server");
    let out = dir.path().join("acme.rdp");
    session.write_rdp(target.entry.id, &out).unwrap();
    assert_eq!(
        rdp::parse(&std::fs::read(&out).unwrap()).unwrap()[0].2,
        "rds.acme.example:3390"
    );

    let temp = RdpTempDir::open(&dir.path().join("private")).unwrap();
    let env = env();
    let request = |dry_run| LaunchRequest {
        os: Os::Linux,
        env: &env,
        today: sallyport_core::hygiene::today(),
        expired_ok: false,
        dry_run,
        reason: None,
        read_certificate: None,
    };
    let dry = session
        .prepare_launch(target.entry.id, request(true), &temp)
        .unwrap();
    assert!(dry.password.is_none(), "a dry run decrypts no password");
    assert!(!dry.plan.rdp_file.exists(), "a dry run writes no file");
    let real = session
        .prepare_launch(target.entry.id, request(false), &temp)
        .unwrap();
    assert_eq!(
        real.password.as_ref().unwrap().expose(),
        "Canary-Pass-Acme-1"
    );
    assert!(real.plan.rdp_file.exists());
    assert!(!real.plan.args.iter().any(|a| a.contains("Canary")));

    let filter = AuditFilter {
        actions: vec![Action::RdpWrite, Action::Launch],
        ..AuditFilter::default()
    };
    let details: Vec<(Action, String, String)> = session
        .audit_events(&filter)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.entry, e.detail))
        .collect();
    assert_eq!(
        details,
        [
            (Action::RdpWrite, "Web server".into(), "to acme.rdp".into()),
            (
                Action::Launch,
                "Web server".into(),
                "dry run, nothing started (xfreerdp)".into()
            ),
            (
                Action::Launch,
                "Web server".into(),
                "xfreerdp, password via the client's standard input".into()
            ),
        ]
    );
    assert!(session.select("ACME/Portal", Purpose::Connect).is_err());
}

/// The clipboard notice names the vault's own clipboard time, not the default's.
#[test]
fn the_clipboard_notice_names_the_configured_seconds() {
    let (dir, path) = populated_vault();
    let mut session = unlock(&path).unwrap();
    let mut prefs = session.preferences().clone();
    prefs.clipboard_clear_seconds = 45;
    session.set_preferences(prefs).unwrap();
    let target = session.select("ACME", Purpose::Connect).unwrap();
    let temp = RdpTempDir::open(&dir.path().join("private")).unwrap();
    let env = env();
    let request = LaunchRequest {
        os: Os::Macos,
        env: &env,
        today: sallyport_core::hygiene::today(),
        expired_ok: false,
        dry_run: true,
        reason: None,
        read_certificate: None,
    };
    let plan = session
        .prepare_launch(target.entry.id, request, &temp)
        .unwrap()
        .plan;
    assert_eq!(plan.credentials, CredentialHandoff::Clipboard);
    assert_eq!(
        plan.notice.as_deref(),
        Some("the password is on the clipboard for 45 s: paste it when the client asks")
    );
}
