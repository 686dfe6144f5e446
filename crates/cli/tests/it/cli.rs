//! The `sallyport` CLI as scripts use it: each command, its output contract and its errors.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use crate::common::*;

#[test]
fn init_creates_a_private_vault_once() {
    let v = Vault::new();
    assert!(v.path.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&v.path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert_error(&v.run(&["init"], PASSWORD), "a vault already exists at");
}

#[test]
fn init_refuses_weak_settings() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vault {
        path: dir.path().join("v"),
        dir,
    };
    assert_error(
        &v.run(&["init", "--kdf-memory-kib", "1024"], PASSWORD),
        "Argon2 memory 1024 KiB is outside 19456..=1048576 KiB",
    );
    assert_error(
        &v.run(&["init", "--kdf-iterations", "11"], PASSWORD),
        "Argon2 iterations 11 is outside 2..=10",
    );
    assert_error(
        &v.run(
            &["init", "--kdf-iterations", "2", "--kdf-memory-kib", "19456"],
            "short",
        ),
        "at least 8 characters",
    );
    assert_error(
        &v.run(&["init", "--staff", "bad\u{7}name"], PASSWORD),
        "staff: contains a control character",
    );
    assert!(!v.path.exists(), "a refused init must leave no file");
    let _ = &v.dir;
}

#[test]
fn without_a_terminal_or_stdin_flag_the_password_is_not_guessed() {
    let v = Vault::new();
    let out = v
        .cmd()
        .arg("list")
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert_error(
        &out,
        "no terminal to ask for the master password; pass --password-stdin",
    );
}

#[test]
fn missing_vault_says_how_to_create_one() {
    let dir = tempfile::tempdir().unwrap();
    let v = Vault {
        path: dir.path().join("none.sallyport"),
        dir,
    };
    assert_error(
        &v.run(&["list"], PASSWORD),
        "create one with `sallyport init`",
    );
    let _ = &v.dir;
}

#[test]
fn import_json_contract_and_list() {
    let v = Vault::new();
    let out = v.run(
        &[
            "import",
            fixture("import/valid.csv").to_str().unwrap(),
            "--json",
        ],
        PASSWORD,
    );
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"created": 6, "updated": 0, "skipped": 0, "errors": []})
    );

    let out = v.run(&["list", "--json"], PASSWORD);
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        json,
        serde_json::json!([
            {"code": "ACME", "name": "Acme Manufacturing", "entries": 3},
            {"code": "BETA", "name": "Beta Logistics", "entries": 1},
            {"code": "DELTA", "name": "Delta Systems", "entries": 1},
            {"code": "GAMMA-HEALTH", "name": "Gamma Health", "entries": 0},
        ])
    );
    // QUERY matches hosts and tags too.
    for (query, code) in [
        ("10.20.30", "BETA"),
        ("apac", "DELTA"),
        ("gold", "ACME"),
        ("gamma", "GAMMA-HEALTH"),
    ] {
        let out = v.run(&["list", query, "--json"], PASSWORD);
        let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(json[0]["code"], code, "{query}");
    }
    let out = v.run(&["list", "zzzz-nothing"], PASSWORD);
    assert_ok(&out);
    assert_eq!(stdout(&out).trim(), "No customers match.");
    let table = stdout(&v.run(&["list"], PASSWORD));
    assert!(table.starts_with("CODE"), "{table}");
    assert!(
        table.contains("ACME                3  Acme Manufacturing"),
        "{table}"
    );
}

#[test]
fn import_dry_run_writes_nothing() {
    let v = Vault::new();
    let out = v.run(
        &[
            "import",
            fixture("import/valid.csv").to_str().unwrap(),
            "--dry-run",
        ],
        PASSWORD,
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("6 would be created"),
        "{}",
        stdout(&out)
    );
    assert_eq!(stdout(&v.run(&["list", "--json"], PASSWORD)).trim(), "[]");
}

#[test]
fn import_with_bad_rows_reports_lines_and_writes_nothing() {
    let v = Vault::new();
    let file = fixture("import/bad_rows.csv");
    let out = v.run(&["import", file.to_str().unwrap(), "--json"], PASSWORD);
    assert_error(&out, "14 invalid row(s)");
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let lines: Vec<u64> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 20]);
    assert_eq!(
        json["errors"][0]["reason"],
        "port: '70000' is not a port number from 1 to 65535"
    );
    assert_eq!(stdout(&v.run(&["list", "--json"], PASSWORD)).trim(), "[]");

    let human = v.run(&["import", file.to_str().unwrap()], PASSWORD);
    assert!(stdout(&human).contains("  line 5: port: '70000' is not a port number from 1 to 65535"));

    let out = v.run(
        &["import", file.to_str().unwrap(), "--skip-invalid", "--json"],
        PASSWORD,
    );
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["created"], 2);
    assert_eq!(json["errors"].as_array().unwrap().len(), 14);
}

#[test]
fn import_conflicts_follow_the_policy() {
    let v = Vault::with_fixture();
    let file = fixture("import/valid.csv");
    let file = file.to_str().unwrap();
    assert_error(&v.run(&["import", file], PASSWORD), "invalid row(s)");
    let out = v.run(
        &["import", file, "--on-conflict", "skip", "--json"],
        PASSWORD,
    );
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        (json["created"].as_u64(), json["skipped"].as_u64()),
        (Some(0), Some(6))
    );
    let out = v.run(
        &["import", file, "--on-conflict", "update", "--json"],
        PASSWORD,
    );
    assert_ok(&out);
}

#[test]
fn import_refuses_a_wrong_format_and_missing_files() {
    let v = Vault::new();
    let file = fixture("import/valid.csv");
    assert_error(
        &v.run(
            &["import", file.to_str().unwrap(), "--format", "mremoteng"],
            PASSWORD,
        ),
        "the header is not that of a mRemoteNG CSV export (it looks like Sallyport CSV)",
    );
    assert_error(
        &v.run(
            &["import", file.to_str().unwrap(), "--format", "keepassxc"],
            PASSWORD,
        ),
        "the header is not that of a KeePassXC CSV export (it looks like Sallyport CSV)",
    );
    assert_error(
        &v.run(&["import", "/nonexistent/x.csv"], PASSWORD),
        "/nonexistent/x.csv",
    );
}

#[test]
fn show_prints_the_customer_but_never_a_secret() {
    let v = Vault::with_fixture();
    let out = v.run(&["show", "acme"], PASSWORD);
    assert_ok(&out);
    let text = stdout(&out);
    for expected in [
        "ACME  Acme Manufacturing",
        "rds.acme.example:3390",
        "gw.acme.example:8443 (always)",
        "ACME\\vendor",
        "password       stored",
        "Sundays 02:00-04:00",
    ] {
        assert!(text.contains(expected), "{expected:?} missing in\n{text}");
    }
    let out = v.run(&["show", "BETA", "--json"], PASSWORD);
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["code"], "BETA");
    assert_eq!(json["entries"][0]["host"], "10.20.30.40");
    assert_eq!(json["entries"][0]["has_password"], true);
    assert_eq!(json["entries"][0]["totp"]["digits"], 8);
    assert!(json["entries"][0].get("password").is_none());

    assert_error(
        &v.run(&["show", "nobody"], PASSWORD),
        "no customer has the code or name 'nobody'",
    );
    assert_error(&v.run(&["show", "a"], PASSWORD), "matches 4 customers");
}

#[test]
fn wrong_password_is_one_clear_line() {
    let v = Vault::with_fixture();
    assert_error(
        &v.run(&["list"], "not the password"),
        "sallyport: wrong master password",
    );
}

#[test]
fn backoff_survives_new_processes() {
    let v = Vault::new();
    for _ in 0..4 {
        assert_error(
            &v.run(&["list"], "not the password"),
            "wrong master password",
        );
    }
    assert_error(
        &v.run(&["list"], "not the password"),
        "too many failed unlock attempts; try again in 30 s",
    );
    // A new process with the right password is refused too.
    assert_error(
        &v.run(&["list"], PASSWORD),
        "too many failed unlock attempts; try again in",
    );
}

#[test]
fn passwd_changes_the_master_password() {
    let v = Vault::with_fixture();
    let new = "another long passphrase";
    assert_error(
        &v.run(&["passwd"], &format!("not the password\n{new}")),
        "wrong master password",
    );
    let out = v.run(&["passwd"], &format!("{PASSWORD}\n{new}"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_error(&v.run(&["list"], PASSWORD), "wrong master password");
    let out = v.run(&["list", "--json"], new);
    assert!(out.status.success());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&out))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_error(
        &v.run(&["passwd"], new),
        "standard input ended before password line 2",
    );
}

#[test]
fn passwd_rotate_key_reseals_every_record_under_a_new_key() {
    let v = Vault::with_fixture();
    let records = |path: &std::path::Path| -> Vec<Vec<u8>> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut out = Vec::new();
        for query in [
            "SELECT record FROM customers",
            "SELECT record FROM entries",
            "SELECT blob FROM entry_secrets",
            "SELECT record FROM audit",
        ] {
            let mut stmt = conn.prepare(query).unwrap();
            let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        out
    };
    let header = |path: &std::path::Path| -> (Vec<u8>, Vec<u8>) {
        let conn = rusqlite::Connection::open(path).unwrap();
        let get = |key: &str| {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
                .unwrap()
        };
        (get("header"), get("header_sha256"))
    };
    let before = records(&v.path);
    let old_header = header(&v.path);
    let shown_before = stdout(&v.run(&["show", "ACME", "--json"], PASSWORD));

    // The same password may be kept: only the key changes.
    let out = v.run(
        &["passwd", "--rotate-key"],
        &format!("{PASSWORD}\n{PASSWORD}"),
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("data key rotated"),
        "{}",
        stdout(&out)
    );
    let after = records(&v.path);
    assert!(
        after.len() > before.len(),
        "the rotation and the unlocks are recorded"
    );
    assert!(
        before.iter().all(|old| !after.contains(old)),
        "every record re-sealed"
    );
    assert_eq!(
        stdout(&v.run(&["show", "ACME", "--json"], PASSWORD)),
        shown_before
    );
    let verified = v.run(&["audit", "verify"], PASSWORD);
    assert_ok(&verified);
    assert!(stdout(&verified).starts_with("audit log intact"));

    // The old header's key (what a copy of the old file and the old password give) no
    // longer opens the vault's records.
    let conn = rusqlite::Connection::open(&v.path).unwrap();
    for (key, value) in [("header", &old_header.0), ("header_sha256", &old_header.1)] {
        conn.execute(
            "UPDATE meta SET value = ?2 WHERE key = ?1",
            rusqlite::params![key, value],
        )
        .unwrap();
    }
    drop(conn);
    let refused = v.run(&["list"], PASSWORD);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("failed authentication"),
        "{}",
        stderr(&refused)
    );
}

/// Kills the CLI with SIGKILL in the middle of a large import's transaction and checks
/// that the vault is exactly as before.
#[cfg(unix)]
#[test]
fn import_killed_mid_transaction_leaves_the_vault_unchanged() {
    use std::io::Write;
    use std::os::unix::process::ExitStatusExt;
    use std::time::{Duration, Instant};

    let v = Vault::with_fixture();
    let before = stdout(&v.run(&["list", "--json"], PASSWORD));
    let big = v.dir.path().join("big.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
    writeln!(f, "customer,code,entry,host,username,password,notes").unwrap();
    for i in 0..150_000 {
        writeln!(
            f,
            "Customer {i},C{i},RDP,host{i}.example,user{i},pw-{i}-xyz,note {i}"
        )
        .unwrap();
    }
    f.flush().unwrap();
    drop(f);

    let bin = assert_cmd::cargo::cargo_bin("sallyport");
    let mut child = std::process::Command::new(bin)
        .arg("--vault")
        .arg(&v.path)
        .arg("--password-stdin")
        .arg("import")
        .arg(&big)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .unwrap();

    // Wait until the transaction is spilling pages into the WAL, then kill.
    let wal = v.dir.path().join("vault.sallyport-wal");
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
        if size > 1 << 20 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "import finished before it could be killed"
        );
        assert!(Instant::now() < deadline, "import never started writing");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "the import was not killed: {status:?}"
    );

    let out = v.run(&["list", "--json"], PASSWORD);
    assert_ok(&out);
    assert_eq!(stdout(&out), before, "the killed import changed the vault");
}

#[test]
fn export_needs_plaintext_and_imports_back() {
    let v = Vault::with_fixture();
    let file = v.dir.path().join("export.csv");
    let out = v.run(&["export", file.to_str().unwrap()], PASSWORD);
    assert_error(
        &out,
        "would hold every password and TOTP secret in plaintext; add --plaintext to confirm",
    );
    assert!(!file.exists(), "nothing is written without --plaintext");
    let out = v
        .cmd()
        .args([
            "--password-stdin",
            "export",
            file.to_str().unwrap(),
            "--plaintext",
            "--json",
        ])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), r#"{"customers":4,"entries":5}"#);
    let copy = Vault::new();
    assert_ok(&copy.run(&["import", file.to_str().unwrap()], PASSWORD));
    for customer in ["ACME", "BETA", "DELTA", "Gamma Health"] {
        assert_eq!(
            stdout(&copy.run(&["show", customer, "--json"], PASSWORD))
                .replace(char::is_whitespace, "")
                .split("\"entries\"")
                .nth(1)
                .map(|s| s.matches("\"id\"").count()),
            stdout(&v.run(&["show", customer, "--json"], PASSWORD))
                .replace(char::is_whitespace, "")
                .split("\"entries\"")
                .nth(1)
                .map(|s| s.matches("\"id\"").count()),
            "{customer}"
        );
    }
}

#[test]
fn a_backup_restores_into_a_new_vault() {
    let v = Vault::with_fixture();
    let file = v.dir.path().join("customers.backup");
    let f = file.to_str().unwrap();
    let backup_pw = "backup passphrase 42";
    let out = v.run(
        &["export", f, "--format", "backup", "--json"],
        &format!("{PASSWORD}\n{backup_pw}"),
    );
    assert_ok(&out);
    let counts: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(counts["customers"], 4);
    assert_eq!(counts["entries"], 5);
    assert!(counts["audit_events"].as_u64().unwrap() >= 3, "{counts}");

    // A backup is not a CSV, and is restored only into a vault without customers.
    assert_error(
        &v.run(&["import", f, "--format", "keepassxc"], PASSWORD),
        "is a Sallyport backup; restore it with `sallyport import backup",
    );
    assert_error(
        &v.run(
            &["import", "backup", f],
            &format!("{PASSWORD}\n{backup_pw}"),
        ),
        "this vault already holds 4 customers",
    );

    let copy = Vault::new();
    assert_error(
        &copy.run(
            &["import", "backup", f],
            &format!("{PASSWORD}\nnot the password"),
        ),
        "wrong backup password",
    );
    let preview = copy.run(
        &["import", "backup", f, "--dry-run"],
        &format!("{PASSWORD}\n{backup_pw}"),
    );
    assert_ok(&preview);
    assert!(
        stdout(&preview).contains("made") && stdout(&preview).contains("by Test Staff"),
        "{}",
        stdout(&preview)
    );
    assert_eq!(
        stdout(&copy.run(&["list", "--json"], PASSWORD)).trim(),
        "[]"
    );
    // Given as FILE, a backup is recognised by its first bytes.
    let out = copy.run(
        &["import", f, "--json"],
        &format!("{PASSWORD}\n{backup_pw}"),
    );
    assert_ok(&out);
    assert_eq!(
        stdout(&out).trim(),
        r#"{"created":6,"updated":0,"skipped":0,"errors":[]}"#
    );
    assert_eq!(
        stdout(&copy.run(&["list", "--json"], PASSWORD)),
        stdout(&v.run(&["list", "--json"], PASSWORD))
    );
    let restored = stdout(&copy.run(&["audit", "list", "--action", "export"], PASSWORD));
    assert!(
        restored.contains("[restored from backup, was event")
            && restored.contains("(encrypted backup)"),
        "{restored}"
    );
    assert_ok(&copy.run(&["audit", "verify"], PASSWORD));
    assert_error(
        &copy.run(&["import", "backup"], PASSWORD),
        "give the backup to restore: sallyport import backup FILE",
    );
}
