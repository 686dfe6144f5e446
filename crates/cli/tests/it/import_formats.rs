//! Importing other tools' exports: a KeePassXC CSV made by the real `keepassxc-cli` from a
//! generated database, and Bitwarden exports (personal vault and organisation).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

fn json(out: &std::process::Output) -> serde_json::Value {
    assert_ok(out);
    serde_json::from_str(&stdout(out)).unwrap()
}

fn show(v: &Vault, customer: &str) -> serde_json::Value {
    json(&v.run(&["show", customer, "--json"], PASSWORD))
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A KeePass 2 XML database: nested groups, quotes, commas, line breaks, unicode, and a
/// TOTP with SHA256, 8 digits and a 60 s period (the RFC 6238 SHA256 seed).
fn keepass_xml() -> String {
    // KeePass UUIDs: Base64 of 16 bytes (here 15 zeros and a counter).
    let mut uuids = [
        "AAAAAAAAAAAAAAAAAAAAAQ==",
        "AAAAAAAAAAAAAAAAAAAAAg==",
        "AAAAAAAAAAAAAAAAAAAAAw==",
        "AAAAAAAAAAAAAAAAAAAABA==",
        "AAAAAAAAAAAAAAAAAAAABQ==",
        "AAAAAAAAAAAAAAAAAAAABg==",
    ]
    .into_iter();
    let mut next_uuid = || uuids.next().unwrap().to_owned();
    let entry = |uuid: String, fields: &[(&str, &str)]| {
        let strings: String = fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "<String><Key>{k}</Key><Value>{}</Value></String>",
                    xml_escape(v)
                )
            })
            .collect();
        format!("<Entry><UUID>{uuid}</UUID>{strings}</Entry>")
    };
    let acme = entry(
        next_uuid(),
        &[
            ("Title", "Acme Manufacturing"),
            ("UserName", "ACME\\vendor"),
            ("Password", "Canary-Kp-1, \"quoted\""),
            ("URL", "cmd://mstsc /v:rds.acme.example:3390"),
            ("Notes", "Gateway on 8443,\nask \"Bob\" first"),
            (
                "otp",
                "otpauth://totp/Acme:vendor?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA&period=60&digits=8&algorithm=SHA256",
            ),
        ],
    );
    let muller = entry(
        next_uuid(),
        &[
            ("Title", "Müller & Söhne KG"),
            ("UserName", "admin@mueller.example"),
            ("Password", "Canary-Kp-2"),
            ("URL", "https://portal.mueller.example/admin"),
        ],
    );
    let delta = entry(
        next_uuid(),
        &[
            ("Title", "Delta Systems"),
            ("UserName", "DELTA\\support"),
            ("Password", "Canary-Kp-3"),
            ("URL", "rdp://full%20address=s:10.20.30.40:3391"),
        ],
    );
    let (root, customers, eu) = (next_uuid(), next_uuid(), next_uuid());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <KeePassFile><Meta><Generator>sallyport-test</Generator></Meta><Root>\
         <Group><UUID>{root}</UUID><Name>Root</Name>\
         <Group><UUID>{customers}</UUID><Name>Customers</Name>\
         <Group><UUID>{eu}</UUID><Name>EU, \"North\"</Name>{acme}{muller}</Group>\
         {delta}</Group></Group></Root></KeePassFile>"
    )
}

/// Runs keepassxc-cli with `stdin` (the database password, once or twice).
fn keepassxc_cli(args: &[&str], dir: &Path, stdin: &str) -> Vec<u8> {
    assert!(
        Command::new("keepassxc-cli")
            .arg("--version")
            .output()
            .is_ok(),
        "keepassxc-cli is needed (scripts/deps.sh installs keepassxc)"
    );
    let child = spawn_with_stdin(
        Command::new("keepassxc-cli")
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        stdin,
    );
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "keepassxc-cli {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_keepassxc_export_made_by_keepassxc_cli_imports_every_field() {
    let v = Vault::new();
    let dir = v.dir.path();
    std::fs::write(dir.join("db.xml"), keepass_xml()).unwrap();
    let db_password = "kp-test-db-password\n";
    keepassxc_cli(
        &["import", "-p", "db.xml", "db.kdbx"],
        dir,
        &db_password.repeat(2),
    );
    let csv = keepassxc_cli(&["export", "-f", "csv", "db.kdbx"], dir, db_password);
    let csv_path = dir.join("keepassxc.csv");
    std::fs::write(&csv_path, &csv).unwrap();
    let header = String::from_utf8_lossy(&csv);
    assert!(header
        .starts_with("\"Group\",\"Title\",\"Username\",\"Password\",\"URL\",\"Notes\",\"TOTP\""));

    let preview = v.run(
        &["import", csv_path.to_str().unwrap(), "--dry-run"],
        PASSWORD,
    );
    assert_ok(&preview);
    assert!(
        stdout(&preview).contains("KeePassXC CSV (the header has the columns group, title"),
        "{}",
        stdout(&preview)
    );
    let summary = json(&v.run(&["import", csv_path.to_str().unwrap(), "--json"], PASSWORD));
    assert_eq!(
        summary,
        serde_json::json!({"created": 3, "updated": 0, "skipped": 0, "errors": []})
    );

    let acme = show(&v, "Acme Manufacturing");
    assert_eq!(
        acme["tags"],
        serde_json::json!(["Customers", "EU", "\"North\""])
    );
    let entry = &acme["entries"][0];
    assert_eq!(entry["kind"], "rdp");
    assert_eq!(entry["host"], "rds.acme.example");
    assert_eq!(entry["port"], 3390);
    assert_eq!(entry["username"], "ACME\\vendor");
    assert_eq!(entry["notes"], "Gateway on 8443,\nask \"Bob\" first");
    assert_eq!(entry["has_password"], true);
    assert_eq!(entry["totp"]["algorithm"], "SHA256");
    assert_eq!(
        (
            entry["totp"]["digits"].as_u64(),
            entry["totp"]["period"].as_u64()
        ),
        (Some(8), Some(60))
    );
    // RFC 6238 Appendix B: SHA256 seed, counter 1 (T = 59 s at 30 s; 60..119 s at 60 s).
    let code = json(&v.run(
        &["totp", "Acme Manufacturing", "--at", "119", "--json"],
        PASSWORD,
    ));
    assert_eq!(code["code"], "46119246");

    let muller = show(&v, "Müller & Söhne KG");
    assert_eq!(muller["entries"][0]["kind"], "web");
    assert_eq!(
        muller["entries"][0]["url"],
        "https://portal.mueller.example/admin"
    );
    let delta = show(&v, "Delta Systems");
    assert_eq!(delta["tags"], serde_json::json!(["Customers"]));
    assert_eq!(delta["entries"][0]["host"], "10.20.30.40");
    assert_eq!(delta["entries"][0]["port"], 3391);
}

#[test]
fn bitwarden_exports_map_logins_and_skip_everything_else() {
    let v = Vault::new();
    let personal = fixture("import/formats/bitwarden-personal.csv");
    let out = v.run(&["import", personal.to_str().unwrap(), "--json"], PASSWORD);
    // One login has an ftp:// URI: refused with its line, so nothing is written.
    assert!(!out.status.success());
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["errors"][0]["line"], 8);
    assert!(summary["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("URL scheme 'ftp'"));
    assert_eq!(stdout(&v.run(&["list", "--json"], PASSWORD)).trim(), "[]");

    let out = v.run(
        &[
            "import",
            personal.to_str().unwrap(),
            "--skip-invalid",
            "--json",
        ],
        PASSWORD,
    );
    let summary = json(&out);
    assert_eq!(
        (summary["created"].as_u64(), summary["skipped"].as_u64()),
        (Some(3), Some(2))
    );
    let acme = show(&v, "Acme Manufacturing");
    assert_eq!(acme["tags"], serde_json::json!(["Customers", "EU"]));
    let entry = &acme["entries"][0];
    assert_eq!(
        (
            entry["kind"].as_str(),
            entry["host"].as_str(),
            entry["port"].as_u64()
        ),
        (Some("rdp"), Some("rds.acme.example"), Some(3390))
    );
    assert_eq!(entry["notes"], "Gateway on 8443\nask Bob first");
    assert_eq!(entry["totp"]["issuer"], "Acme");
    let code = json(&v.run(
        &["totp", "Acme Manufacturing", "--at", "59", "--json"],
        PASSWORD,
    ));
    assert_eq!(code["code"], "287082", "RFC 6238 SHA1 seed, 6 digits");
    let beta = show(&v, "Beta Logistics");
    assert_eq!(beta["entries"][0]["kind"], "web");
    assert_eq!(beta["entries"][0]["username"], "admin@beta.example");
    assert!(
        !beta["entries"][0]["totp"].is_null(),
        "a bare Base32 secret is a TOTP"
    );
    let delta = show(&v, "Delta Systems");
    assert_eq!(delta["entries"][0]["port"], 3391);
    assert!(
        !stdout(&v.run(&["show", "Delta Systems"], PASSWORD)).contains("1234"),
        "custom fields are left out"
    );

    let org = fixture("import/formats/bitwarden-org.csv");
    let out = v.run(&["import", org.to_str().unwrap()], PASSWORD);
    assert_ok(&out);
    assert!(stdout(&out).contains("Bitwarden CSV (the header has the columns type, name, login_uri, login_username, login_password and collections (organisation))"), "{}", stdout(&out));
    let gamma = show(&v, "Gamma Health");
    assert_eq!(gamma["tags"], serde_json::json!(["Support", "EU"]));
    assert_eq!(
        (
            gamma["entries"][0]["kind"].as_str(),
            gamma["entries"][0]["port"].as_u64()
        ),
        (Some("ssh"), Some(2222))
    );
    let epsilon = show(&v, "Epsilon AG");
    assert_eq!(epsilon["entries"][0]["host"], "rds.epsilon.example");
    assert_eq!(epsilon["entries"][0]["kind"], "rdp");
}

#[test]
fn mremoteng_exports_with_containers_unquoted_semicolons_and_gateways() {
    let v = Vault::new();
    let file = fixture("import/formats/mremoteng.csv");
    let out = v.run(&["import", file.to_str().unwrap()], PASSWORD);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("mRemoteNG CSV (the header has the columns name, id, parent, nodetype, hostname, protocol)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("4 created, 0 updated, 2 skipped, 0 invalid"),
        "{}",
        stdout(&out)
    );
    let acme = show(&v, "Acme Manufacturing");
    assert_eq!(acme["tags"], serde_json::json!(["Customers", "EU"]));
    let entry = &acme["entries"][0];
    assert_eq!(entry["notes"], "Main \"DC\"; ask Bob; weekends only");
    assert_eq!(
        (
            entry["kind"].as_str(),
            entry["host"].as_str(),
            entry["port"].as_u64()
        ),
        (Some("rdp"), Some("rds.acme.example"), Some(3390))
    );
    assert_eq!(
        (entry["username"].as_str(), entry["domain"].as_str()),
        (Some("vendor"), Some("ACME"))
    );
    assert_eq!(
        (
            entry["gateway_host"].as_str(),
            entry["gateway_usage"].as_str()
        ),
        (Some("gw.acme.example"), Some("always"))
    );
    assert_eq!(entry["has_password"], true);
    let beta = show(&v, "Beta Logistics");
    assert_eq!(beta["tags"], serde_json::json!(["Customers"]));
    assert_eq!(
        (
            beta["entries"][0]["kind"].as_str(),
            beta["entries"][0]["port"].as_u64()
        ),
        (Some("ssh"), Some(2222))
    );
    let gamma = show(&v, "Gamma Portal");
    assert_eq!(
        gamma["entries"][0]["url"],
        "https://portal.gamma.example:8443"
    );
    let delta = show(&v, "Delta VNC");
    assert_eq!(delta["entries"][0]["kind"], "other");
    assert!(
        delta["entries"][0]["gateway_host"].is_null(),
        "gateways are RDP's only"
    );

    let bare = fixture("import/formats/mremoteng-no-credentials.csv");
    assert_ok(&v.run(&["import", bare.to_str().unwrap()], PASSWORD));
    let epsilon = show(&v, "Epsilon AG");
    assert_eq!(epsilon["entries"][0]["gateway_usage"], "detect");
    assert_ne!(epsilon["entries"][0]["has_password"], true);
}

#[test]
fn remote_desktop_manager_exports_in_english_and_localised() {
    let v = Vault::new();
    let file = fixture("import/formats/rdm.csv");
    let summary = json(&v.run(&["import", file.to_str().unwrap(), "--json"], PASSWORD));
    assert_eq!(
        summary,
        serde_json::json!({"created": 3, "updated": 0, "skipped": 2, "errors": []})
    );
    let acme = show(&v, "Acme Manufacturing");
    assert_eq!(acme["tags"], serde_json::json!(["Customers", "EU"]));
    let entry = &acme["entries"][0];
    assert_eq!(
        (entry["kind"].as_str(), entry["port"].as_u64()),
        (Some("rdp"), Some(3390))
    );
    let text = stdout(&v.run(&["show", "Acme Manufacturing"], PASSWORD));
    assert!(text.contains("expires        2027-03-31"), "{text}");
    assert!(!entry["totp"].is_null(), "OTPSecret becomes the TOTP");
    let code = json(&v.run(
        &["totp", "Acme Manufacturing", "--at", "59", "--json"],
        PASSWORD,
    ));
    assert_eq!(code["code"], "287082");
    assert_eq!(show(&v, "Beta Logistics")["entries"][0]["kind"], "ssh");
    assert_eq!(
        show(&v, "Gamma Health")["entries"][0]["url"],
        "https://portal.gamma.example/admin"
    );

    let localised = fixture("import/formats/rdm-localised.csv");
    let summary = json(&v.run(&["import", localised.to_str().unwrap(), "--json"], PASSWORD));
    assert_eq!(
        (summary["created"].as_u64(), summary["skipped"].as_u64()),
        (Some(2), Some(1))
    );
    let muller = show(&v, "Müller & Söhne KG");
    assert_eq!(muller["tags"], serde_json::json!(["Kunden", "DACH"]));
    assert_eq!(muller["entries"][0]["kind"], "rdp");
    let text = stdout(&v.run(&["show", "Müller & Söhne KG"], PASSWORD));
    assert!(text.contains("expires        2026-12-31"), "{text}");
    assert_eq!(show(&v, "Dupont SA")["entries"][0]["port"], 3391);
}
