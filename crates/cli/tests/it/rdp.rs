//! `sallyport rdp` and `connect` with real third-party components, on 127.0.0.1 only:
//! FreeRDP's own parser reads the generated file; xfreerdp authenticates against an xrdp
//! server the test starts, with the password handed over on stdin; `connect` starts
//! xfreerdp for real and the server sees the credentials arrive.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use sallyport_core::model::{validate, Entry, EntryKind, GatewayUsage};
use sallyport_core::rdp::{plan_launch, LaunchEnv, Os, RdpFile, RdpPreferences};

/// Compiles `tests/rdp/freerdp_settings.c` against the system's libfreerdp-client2.
pub(crate) fn freerdp_settings_tool(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/rdp/freerdp_settings.c");
    let flags = Command::new("pkg-config")
        .args([
            "--cflags",
            "--libs",
            "freerdp-client2",
            "freerdp2",
            "winpr2",
        ])
        .output()
        .expect("pkg-config is needed (scripts/deps.sh installs it)");
    assert!(
        flags.status.success(),
        "FreeRDP's development files are missing (scripts/deps.sh installs freerdp2-dev)"
    );
    let flags = String::from_utf8(flags.stdout).unwrap();
    let tool = dir.join("freerdp_settings");
    let status = Command::new("cc")
        .arg("-o")
        .arg(&tool)
        .arg(&source)
        .args(flags.split_whitespace())
        .status()
        .unwrap();
    assert!(status.success(), "cannot compile {}", source.display());
    tool
}

/// What FreeRDP makes of `file`, and of the xfreerdp arguments after it when `args` holds
/// any (`args[0]` is the file itself, as in a launch plan).
fn freerdp_reads_with(tool: &Path, file: &Path, args: &[String]) -> Vec<(String, String)> {
    let out = Command::new(tool)
        .arg(file)
        .args(args.iter().skip(1))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

pub(crate) fn freerdp_reads(tool: &Path, file: &Path) -> Vec<(String, String)> {
    freerdp_reads_with(tool, file, &[])
}

#[test]
fn freerdps_own_parser_reads_what_was_meant() {
    let v = Vault::with_fixture();
    let file = v.dir.path().join("acme.rdp");
    let out = v.run(&["rdp", "ACME", "--out", file.to_str().unwrap()], PASSWORD);
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        format!("Wrote {} for ACME/Web server\n", file.display())
    );
    let tool = freerdp_settings_tool(v.dir.path());
    let settings = freerdp_reads(&tool, &file);
    let get = |key: &str| {
        settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{key} missing in {settings:?}"))
    };
    for (key, want) in [
        ("ServerHostname", "rds.acme.example"),
        ("ServerPort", "3390"),
        ("Username", "vendor"),
        ("Domain", "ACME"),
        ("PasswordSet", "0"),
        ("GatewayHostname", "gw.acme.example"),
        ("GatewayPort", "8443"),
        ("GatewayEnabled", "1"),
        ("GatewayUseSameCredentials", "1"),
        ("Fullscreen", "1"),
        ("RedirectClipboard", "0"),
        ("RedirectDrives", "0"),
        ("RedirectPrinters", "0"),
    ] {
        assert_eq!(get(key), want, "{key}");
    }
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(&bytes[..2], &[0xFF, 0xFE], "UTF-16LE BOM");
    assert!(!String::from_utf16_lossy(
        &bytes[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect::<Vec<_>>()
    )
    .contains("Canary"));
    let recorded = v.run(
        &["audit", "list", "--action", "rdp_write", "--json"],
        PASSWORD,
    );
    assert!(stdout(&recorded).contains("\"detail\":\"to acme.rdp\""));
}

/// Values the validators accept: DNS names (any case), IPv4 and IPv6 addresses.
fn accepted_host() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9-]{0,10}[A-Za-z0-9](\\.[a-z][a-z0-9-]{0,8}[a-z0-9]){0,3}",
        any::<[u8; 4]>().prop_map(|a| std::net::Ipv4Addr::from(a).to_string()),
        any::<[u16; 8]>().prop_map(|a| format!("[{}]", std::net::Ipv6Addr::from(a))),
    ]
}

/// Entries the validators accept: every host form, ports, the three user name forms
/// (`user`, `DOMAIN\user`, `user@domain`), NetBIOS and DNS domains, gateways with and
/// without a port, each gateway usage.
fn accepted_entries() -> impl Strategy<Value = Entry> {
    let user = prop_oneof![
        Just(String::new()),
        "[a-z][a-z0-9._-]{0,15}",
        "[A-Z][A-Z0-9]{0,9}\\\\[a-z][a-z0-9.-]{0,12}",
        "[a-z][a-z0-9.]{0,10}@[a-z]{1,8}\\.example",
    ];
    let domain = prop_oneof![
        Just(String::new()),
        "[A-Z][A-Z0-9-]{0,14}",
        "[a-z]{1,8}\\.example",
    ];
    let usage = prop_oneof![
        Just(GatewayUsage::None),
        Just(GatewayUsage::Always),
        Just(GatewayUsage::Detect),
    ];
    (
        (accepted_host(), proptest::option::of(1u16..)),
        (user, domain),
        (accepted_host(), proptest::option::of(1u16..), usage),
    )
        .prop_map(
            |((host, port), (username, domain), (gateway_host, gateway_port, usage))| {
                let gateway = usage != GatewayUsage::None;
                Entry {
                    kind: EntryKind::Rdp,
                    host,
                    port,
                    username,
                    domain,
                    gateway_host: if gateway { gateway_host } else { String::new() },
                    gateway_port: gateway_port.filter(|_| gateway),
                    gateway_usage: usage,
                    ..Entry::default()
                }
            },
        )
}

/// The user and domain the entry means: `DOMAIN\user` is split, `user@domain` kept whole
/// (the domain is in it), and a bare user takes the `domain` column.
fn meant_user_and_domain(username: &str, domain: &str) -> (String, String) {
    match username.split_once('\\') {
        Some((domain, user)) => (user.to_owned(), domain.to_owned()),
        None if username.contains('@') => (username.to_owned(), String::new()),
        None if username.is_empty() => (String::new(), domain.to_owned()),
        None => (username.to_owned(), domain.to_owned()),
    }
}

#[test]
fn freerdp_reads_any_accepted_entry_with_its_address_gateway_and_user() {
    let dir = tempfile::tempdir().unwrap();
    let tool = freerdp_settings_tool(dir.path());
    let file = dir.path().join("entry.rdp");
    let config = ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    };
    let accepted = std::cell::Cell::new(0);
    TestRunner::new(config)
        .run(&accepted_entries(), |entry| {
            let written = RdpFile::for_entry(&entry, &RdpPreferences::default());
            prop_assert!(written.is_ok(), "{entry:?}: {written:?}");
            std::fs::write(&file, written.unwrap().to_bytes()).unwrap();
            accepted.set(accepted.get() + 1);
            // As xfreerdp is started: the file, then the plan's switches over it.
            let env = LaunchEnv {
                system_root: String::new(),
                xfreerdp: Some("/usr/bin/xfreerdp".into()),
            };
            let plan = plan_launch(&entry, false, Os::Linux, &env, &file).unwrap();
            let settings = freerdp_reads_with(&tool, &file, &plan.args);
            let get = |key: &str| {
                settings
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("{key} missing in {settings:?}"))
            };
            let host = validate::host("host", &entry.host).unwrap();
            prop_assert_eq!(get("ServerHostname"), host);
            prop_assert_eq!(get("ServerPort"), entry.port.unwrap_or(3389).to_string());
            let username = validate::username(&entry.username).unwrap();
            let domain = validate::domain(&entry.domain).unwrap();
            let (user, domain) = meant_user_and_domain(&username, &domain);
            prop_assert_eq!(get("Username"), user);
            prop_assert_eq!(get("Domain"), domain);
            prop_assert_eq!(get("PasswordSet"), "0");
            let gateway = entry.gateway_usage != GatewayUsage::None;
            prop_assert_eq!(get("GatewayEnabled"), if gateway { "1" } else { "0" });
            if gateway {
                let gateway_host = validate::host("gateway", &entry.gateway_host).unwrap();
                prop_assert_eq!(get("GatewayHostname"), gateway_host);
                let port = entry.gateway_port.unwrap_or(443);
                prop_assert_eq!(get("GatewayPort"), port.to_string());
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(accepted.get(), 300);
}

#[test]
fn rdp_and_connect_refuse_what_is_not_rdp() {
    let v = Vault::with_fixture();
    assert_error(
        &v.run(&["rdp", "ACME/Portal", "--out", "/dev/null"], PASSWORD),
        "ACME/Portal is not an RDP entry",
    );
    assert_error(
        &v.run(&["connect", "Gamma Health", "--dry-run"], PASSWORD),
        "has no RDP entry; name the entry as ",
    );
}

#[test]
fn connect_dry_run_prints_the_plan_and_starts_nothing() {
    let v = Vault::with_fixture();
    let runtime = tempfile::tempdir().unwrap();
    let out = v
        .cmd()
        .env("XDG_RUNTIME_DIR", runtime.path())
        .args(["--password-stdin", "connect", "ACME", "--dry-run"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert_ok(&out);
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let keys: Vec<&String> = plan.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["args", "program", "rdp_file"]);
    let file = plan["rdp_file"].as_str().unwrap();
    assert!(file.starts_with(runtime.path().to_str().unwrap()), "{file}");
    assert!(!Path::new(file).exists(), "a dry run writes no file");
    let program = plan["program"].as_str().unwrap();
    let args: Vec<&str> = plan["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    if program.ends_with("xfreerdp") {
        assert_eq!(args, [file, "/cert:tofu", "/sec:nla", "/from-stdin:force"]);
    } else {
        assert_eq!((program, args), ("xdg-open", vec![file]));
    }
}

/// An xrdp server on 127.0.0.1 and a free port, with its own log file; killed on drop.
struct Xrdp {
    server: Child,
    port: u16,
    log: PathBuf,
}

impl Xrdp {
    fn start(dir: &Path) -> Xrdp {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join("xrdp.log");
        let ini = std::fs::read_to_string("/etc/xrdp/xrdp.ini")
            .expect("xrdp is needed for the RDP tests (scripts/deps.sh installs it)");
        let ini: String = ini
            .lines()
            .map(|line| match line {
                "port=3389" => format!("port=tcp://127.0.0.1:{port}"),
                l if l.starts_with("LogFile=") => format!("LogFile={}", log.display()),
                l if l.starts_with("EnableSyslog=") => "EnableSyslog=false".to_owned(),
                l => l.to_owned(),
            })
            .map(|l| l + "\n")
            .collect();
        assert!(
            ini.contains(&format!("127.0.0.1:{port}")),
            "xrdp.ini has no port=3389 line"
        );
        let ini_path = dir.join("xrdp.ini");
        std::fs::write(&ini_path, ini).unwrap();
        let server = Command::new("xrdp")
            .arg("-n")
            .arg("-c")
            .arg(&ini_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("xrdp is needed for the RDP tests (scripts/deps.sh installs it)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "xrdp did not start listening");
            std::thread::sleep(Duration::from_millis(50));
        }
        Xrdp { server, port, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Xrdp {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A vault with one customer whose RDP entry points at the test's xrdp server, which
/// cannot do Network Level Authentication (`nla` = no).
fn lab_vault(port: u16) -> Vault {
    let v = Vault::new();
    let csv = v.dir.path().join("lab.csv");
    std::fs::write(
        &csv,
        format!(
            "customer,code,entry,host,port,username,password,nla\n\
             Loopback Lab,LAB,RDP,127.0.0.1,{port},vendor,Canary-Pass-Lab-9,no\n"
        ),
    )
    .unwrap();
    assert_ok(&v.run(&["import", csv.to_str().unwrap()], PASSWORD));
    v
}

/// Runs `xvfb-run -a xfreerdp FILE +auth-only /cert:ignore /from-stdin:force`, giving
/// `stdin` as its standard input; returns the exit status.
fn xfreerdp_auth_only(file: &Path, home: &Path, stdin: &str) -> std::process::ExitStatus {
    let mut child = spawn_with_stdin(
        Command::new("xvfb-run")
            .args(["-a", "xfreerdp"])
            .arg(file)
            .args(["+auth-only", "/cert:ignore", "/from-stdin:force"])
            .env("HOME", home)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
        stdin,
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("xfreerdp did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn xfreerdp_authenticates_against_xrdp_with_the_generated_file() {
    let dir = tempfile::tempdir().unwrap();
    let xrdp = Xrdp::start(dir.path());
    let v = lab_vault(xrdp.port);
    let file = v.dir.path().join("lab.rdp");
    assert_ok(&v.run(&["rdp", "LAB", "--out", file.to_str().unwrap()], PASSWORD));
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let status = xfreerdp_auth_only(&file, &home, "Canary-Pass-Lab-9\n");
    assert!(status.success(), "xfreerdp +auth-only failed: {status}");
    assert!(
        xrdp.log().contains("TLS connection established"),
        "{}",
        xrdp.log()
    );
}

/// Stands in for xrdp's session manager on 127.0.0.1:3350: accepts the one connection
/// xrdp makes for an auto-logon and returns the bytes it sent (they hold the user name and
/// password the RDP client delivered).
fn fake_sesman() -> std::thread::JoinHandle<Vec<u8>> {
    let listener = std::net::TcpListener::bind("127.0.0.1:3350")
        .expect("127.0.0.1:3350 is taken (is xrdp-sesman running?); the test needs it");
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut stream, &mut buf) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
        bytes
    })
}

#[test]
fn connect_starts_xfreerdp_and_the_server_receives_the_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let xrdp = Xrdp::start(dir.path());
    let v = lab_vault(xrdp.port);
    let sesman = fake_sesman();
    let display = Display::start();
    let home = dir.path().join("home");
    let runtime = dir.path().join("runtime");
    std::fs::create_dir_all(&home).unwrap();
    let connect = || {
        v.cmd()
            .env("DISPLAY", &display.name)
            .env("HOME", &home)
            .env("XDG_RUNTIME_DIR", &runtime)
            .args(["--password-stdin", "connect", "LAB"])
            .write_stdin(format!("{PASSWORD}\n"))
            .output()
            .unwrap()
    };
    // With NLA required (the default), xfreerdp will not fall back to TLS alone for a
    // server that offers nothing else: it gives up before sending the password.
    assert_ok(&v.run(&["nla", "LAB", "on"], PASSWORD));
    let refused = connect();
    assert!(!refused.status.success(), "{}", stdout(&refused));
    // Before FreeRDP ran, Sallyport read the server's certificate and pinned it: it is the
    // one xrdp serves.
    let xrdp_cert = Command::new("openssl")
        .args([
            "x509",
            "-in",
            "/etc/xrdp/cert.pem",
            "-noout",
            "-fingerprint",
            "-sha256",
        ])
        .output()
        .unwrap();
    let xrdp_cert = String::from_utf8(xrdp_cert.stdout).unwrap();
    let xrdp_cert = xrdp_cert.trim().rsplit('=').next().unwrap().to_owned();
    assert_eq!(xrdp_cert.len(), 95, "{xrdp_cert}");
    assert!(
        stdout(&refused).contains(&format!("(SHA-256 {xrdp_cert}) is now pinned for LAB/RDP")),
        "{}",
        stdout(&refused)
    );
    let shown: serde_json::Value =
        serde_json::from_slice(&v.run(&["show", "LAB", "--json"], PASSWORD).stdout).unwrap();
    assert_eq!(shown["entries"][0]["cert_sha256"], xrdp_cert.as_str());
    assert!(
        !xrdp.log().contains("connecting to sesman"),
        "the server got credentials without NLA:\n{}",
        xrdp.log()
    );
    assert_ok(&v.run(&["nla", "LAB", "off"], PASSWORD));
    let out = connect();
    assert_ok(&out);
    let said = stdout(&out);
    assert!(said.contains("xfreerdp (pid "), "{said}");
    let pid: i32 = said
        .split("(pid ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap()
        .parse()
        .unwrap();
    // xrdp logs the TLS session, then, because the client sent user name and password
    // (auto-logon), tries to open a session for them.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !xrdp.log().contains("connecting to sesman") {
        assert!(
            Instant::now() < deadline,
            "xrdp never saw the credentials:\n{}",
            xrdp.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(xrdp.log().contains("TLS connection established"));
    // The session manager received exactly the stored user name and password: the
    // password travelled from the vault to FreeRDP on its stdin, not on a command line.
    let received = sesman.join().unwrap();
    let expect = [&[0, 6][..], b"vendor", &[0, 17], b"Canary-Pass-Lab-9"].concat();
    assert!(
        received.windows(expect.len()).any(|w| w == expect),
        "xrdp did not forward vendor / the password: {:?}",
        String::from_utf8_lossy(&received)
    );
    let _ = Command::new("kill").arg(pid.to_string()).status();
    // The temporary .rdp file is gone once the command returned.
    let left: Vec<_> = std::fs::read_dir(runtime.join("sallyport/rdp"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let launches = v.run(&["audit", "list", "--action", "launch", "--json"], PASSWORD);
    assert!(
        stdout(&launches).contains("password via the client's standard input"),
        "{}",
        stdout(&launches)
    );

    // Another certificate than the pinned one: refused, both named, FreeRDP not started.
    let other = "AB".repeat(32);
    assert_ok(&v.run(&["trust-cert", "LAB", &other], PASSWORD));
    let refused = connect();
    assert!(!refused.status.success());
    let said = stderr(&refused);
    assert!(said.contains("the server's certificate changed"), "{said}");
    assert!(said.contains(&xrdp_cert), "{said}");
    assert!(
        !stdout(&refused).contains("Started"),
        "{}",
        stdout(&refused)
    );
    assert_error(
        &v.run(&["trust-cert", "LAB", "not-a-fingerprint"], PASSWORD),
        "is not a SHA-256 fingerprint",
    );
    let out = v.run(&["trust-cert", "LAB", "--forget"], PASSWORD);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("no certificate pinned"),
        "{}",
        stdout(&out)
    );
}

/// The lines of an .rdp file (UTF-16LE with BOM, CRLF).
fn rdp_lines(path: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let units: Vec<u16> = bytes[2..]
        .chunks(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units)
        .unwrap()
        .split("\r\n")
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_clipboard_is_shared_only_with_a_customer_that_allows_it() {
    let v = Vault::with_fixture();
    let file = v.dir.path().join("acme.rdp");
    let path = file.to_str().unwrap();
    assert_ok(&v.run(&["rdp", "ACME", "--out", path], PASSWORD));
    assert!(rdp_lines(&file).contains(&"redirectclipboard:i:0".to_owned()));

    let out = v.run(&["share-clipboard", "ACME", "on"], PASSWORD);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("other customers' secrets too"),
        "{}",
        stdout(&out)
    );
    assert_ok(&v.run(&["rdp", "ACME", "--out", path], PASSWORD));
    assert!(rdp_lines(&file).contains(&"redirectclipboard:i:1".to_owned()));
    let shown: serde_json::Value =
        serde_json::from_slice(&v.run(&["show", "ACME", "--json"], PASSWORD).stdout).unwrap();
    assert_eq!(shown["share_clipboard"], true);
    // Another customer's files are not touched.
    let beta = v.dir.path().join("beta.rdp");
    assert_ok(&v.run(&["rdp", "BETA", "--out", beta.to_str().unwrap()], PASSWORD));
    assert!(rdp_lines(&beta).contains(&"redirectclipboard:i:0".to_owned()));

    assert_ok(&v.run(&["share-clipboard", "ACME", "off"], PASSWORD));
    assert_ok(&v.run(&["rdp", "ACME", "--out", path], PASSWORD));
    assert!(rdp_lines(&file).contains(&"redirectclipboard:i:0".to_owned()));
}

#[test]
fn nla_is_required_unless_an_entry_says_its_server_cannot_do_it() {
    let v = Vault::with_fixture();
    let file = v.dir.path().join("acme.rdp");
    let path = file.to_str().unwrap();
    assert_ok(&v.run(&["rdp", "ACME", "--out", path], PASSWORD));
    assert!(rdp_lines(&file).contains(&"enablecredsspsupport:i:1".to_owned()));

    let out = v.run(&["nla", "ACME", "off"], PASSWORD);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("without Network Level Authentication"),
        "{}",
        stdout(&out)
    );
    assert_ok(&v.run(&["rdp", "ACME", "--out", path], PASSWORD));
    assert!(rdp_lines(&file).contains(&"enablecredsspsupport:i:0".to_owned()));
    let shown = stdout(&v.run(&["show", "ACME"], PASSWORD));
    assert!(
        shown.contains("no Network Level Authentication (TLS alone)"),
        "{shown}"
    );
    let exported = v.dir.path().join("export.csv");
    assert_ok(&v.run(
        &["export", exported.to_str().unwrap(), "--plaintext"],
        PASSWORD,
    ));
    let csv = std::fs::read_to_string(&exported).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.ends_with(",nla,cert_sha256"), "{header}");
    assert!(csv.contains(",no,"), "the entry's nla cell");

    assert_ok(&v.run(&["nla", "ACME", "on"], PASSWORD));
    assert_ok(&v.run(&["rdp", "ACME", "--out", path], PASSWORD));
    assert!(rdp_lines(&file).contains(&"enablecredsspsupport:i:1".to_owned()));
    assert_error(
        &v.run(&["nla", "ACME/Portal", "off"], PASSWORD),
        "ACME/Portal is not an RDP entry",
    );
}
