//! `sallyport audit list|verify|export` and the events the other commands record.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use crate::common::*;

fn events(v: &Vault, args: &[&str]) -> Vec<serde_json::Value> {
    events_with(v, PASSWORD, args)
}

fn events_with(v: &Vault, password: &str, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["audit", "list", "--json"];
    all.extend_from_slice(args);
    let out = v.run(&all, password);
    assert_ok(&out);
    serde_json::from_str(&stdout(&out)).unwrap()
}

fn actions(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_command_records_its_events() {
    let v = Vault::with_fixture();
    let file = fixture("import/valid.csv");
    let file = file.to_str().unwrap();
    assert_ok(&v.run(&["show", "ACME"], PASSWORD));
    assert_ok(&v.run(&["list", "acme"], PASSWORD));
    assert_ok(&v.run(
        &["import", file, "--dry-run", "--on-conflict", "skip"],
        PASSWORD,
    ));
    assert!(!v.run(&["show", "ACME"], "wrong password!").status.success());
    assert_ok(&v.run(&["passwd"], &format!("{PASSWORD}\n{PASSWORD}-2")));
    let list = events_with(&v, &format!("{PASSWORD}-2"), &[]);
    // Each command's own unlock comes first; the failed unlock is folded in at the next one.
    assert_eq!(
        actions(&list),
        [
            "vault_create:ok",
            "unlock:ok",
            "import:ok",
            "unlock:ok",
            "customer_view:ok",
            "unlock:ok",
            "search:ok",
            "unlock:ok",
            "import_preview:ok",
            "unlock:failed",
            "unlock:ok",
            "password_change:ok",
            "unlock:ok",
        ]
        .map(String::from)
    );
    let view = &list[4];
    assert_eq!(view["customer"], "ACME");
    assert_eq!(view["staff"], "Test Staff");
    assert!(view["customer_id"].as_str().unwrap().len() == 36);
    for field in ["time", "os_user", "host", "seq"] {
        assert!(!view[field].is_null(), "{field} missing: {view}");
    }
    assert_eq!(list[9]["detail"], "wrong master password");
    assert_eq!(
        list[9]["unauthenticated"], true,
        "a note written without the key"
    );
    assert!(list[8].get("unauthenticated").is_none(), "{}", list[8]);
    let table = stdout(&v.run(&["audit", "list"], &format!("{PASSWORD}-2")));
    let note = table
        .lines()
        .find(|l| l.contains("wrong master password"))
        .unwrap();
    assert!(
        note.contains("[unauthenticated note: written without the vault key"),
        "{note}"
    );
    assert_eq!(
        list[2]["detail"],
        "valid.csv (Sallyport CSV): 6 created, 0 updated, 0 skipped, 0 invalid"
    );
}

#[test]
fn list_filters_by_customer_action_staff_and_date() {
    let v = Vault::with_fixture();
    assert_ok(&v.run(&["show", "ACME"], PASSWORD));
    assert_ok(&v.run(&["show", "BETA"], PASSWORD));
    let acme = events(&v, &["--customer", "acme"]);
    assert_eq!(actions(&acme), ["customer_view:ok"]);
    let views = events(&v, &["--action", "customer_view"]);
    assert_eq!(views.len(), 2);
    let family = events(&v, &["--action", "import", "--action", "vault"]);
    assert_eq!(actions(&family), ["vault_create:ok", "import:ok"]);
    assert!(events(&v, &["--staff", "nobody"]).is_empty());
    assert!(events(&v, &["--since", "2999-01-01"]).is_empty());
    assert!(!events(&v, &["--since", "2000-01-01", "--staff", "test staff"]).is_empty());

    let table = stdout(&v.run(&["audit", "list", "--customer", "ACME"], PASSWORD));
    assert!(
        table.starts_with(&format!("SEQ  TIME (UTC){}STAFF", " ".repeat(11))),
        "{table}"
    );
    assert!(table.contains("customer_view"), "{table}");
    assert!(table.contains("Test Staff ("), "{table}");

    assert_error(
        &v.run(&["audit", "list", "--action", "steal"], PASSWORD),
        "action: unknown action 'steal'; one of: vault_create, unlock,",
    );
    assert_error(
        &v.run(&["audit", "list", "--since", "yesterday"], PASSWORD),
        "--since: 'yesterday' is not a date; use YYYY-MM-DD or an RFC 3339 time",
    );
}

#[test]
fn verify_counts_events_and_names_the_first_bad_one() {
    let v = Vault::with_fixture();
    let out = v.run(&["audit", "verify"], PASSWORD);
    assert_ok(&out);
    // vault_create, unlock + import, and nothing of this run yet.
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("audit log intact: 3 events verified"));
    let head = lines
        .next()
        .unwrap()
        .strip_prefix("chain head: ")
        .unwrap()
        .to_owned();
    assert_eq!(head.len(), 64, "{text}");
    let out = v.run(&["audit", "verify", "--json"], PASSWORD);
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // One more event (the unlock of the first verify), so a head that moved on.
    assert_eq!(json["ok"], true);
    assert_eq!(json["events"], 4);
    assert_eq!(json["problem"], serde_json::Value::Null);
    assert!(json["head"].as_str().unwrap().len() == 64 && json["head"] != head.as_str());

    let conn = rusqlite::Connection::open(&v.path).unwrap();
    conn.execute("DELETE FROM audit WHERE seq = 2", []).unwrap();
    drop(conn);
    let out = v.run(&["audit", "verify"], PASSWORD);
    assert_error(
        &out,
        "audit log verification failed at event 2: event 2 is missing (deleted from the log)",
    );
    let out = v.run(&["audit", "verify", "--json"], PASSWORD);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["ok"], false);
    assert_eq!(json["problem"]["seq"], 2);
    assert_eq!(json["problem"]["kind"], "missing");
    assert!(!out.status.success());
}

#[test]
fn export_writes_csv_or_json_lines_and_is_itself_recorded() {
    let v = Vault::with_fixture();
    assert_ok(&v.run(&["show", "ACME"], PASSWORD));
    let csv = v.dir.path().join("audit.csv");
    let out = v.run(&["audit", "export", csv.to_str().unwrap()], PASSWORD);
    assert_ok(&out);
    assert!(
        stdout(&out).starts_with("Exported 6 audit events to "),
        "{}",
        stdout(&out)
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "seq,time,staff,os_user,host,action,outcome,customer_id,customer,entry_id,entry,detail,restored_from,unauthenticated,reason"
    );
    assert_eq!(lines.count(), 6);

    let jsonl = v.dir.path().join("acme.jsonl");
    let out = v.run(
        &[
            "audit",
            "export",
            jsonl.to_str().unwrap(),
            "--customer",
            "ACME",
            "--json",
        ],
        PASSWORD,
    );
    assert_ok(&out);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["events"], 1);
    assert_eq!(summary["format"], "jsonl");
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "the event, then the head: {text}");
    assert_eq!(lines[0]["action"], "customer_view");
    assert_eq!(lines[0]["link"].as_str().unwrap().len(), 64);
    assert!(lines[1]["head"]["seq"].as_u64().unwrap() >= lines[0]["seq"].as_u64().unwrap());

    let recorded = events(&v, &["--action", "audit_export"]);
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[0]["detail"], "6 events to audit.csv (csv)");

    let missing_dir = v.dir.path().join("no/such/dir/x.csv");
    assert_error(
        &v.run(
            &["audit", "export", missing_dir.to_str().unwrap()],
            PASSWORD,
        ),
        "no/such/dir/x.csv: No such file or directory",
    );
}

#[test]
fn no_secret_in_audit_list_or_export() {
    let v = Vault::with_fixture();
    assert_ok(&v.run(&["show", "ACME"], PASSWORD));
    assert_ok(&v.run(&["audit", "list"], PASSWORD)); // assert_ok checks for canaries
    assert_ok(&v.run(&["audit", "list", "--json"], PASSWORD));
    let out = v.dir.path().join("all.jsonl");
    assert_ok(&v.run(&["audit", "export", out.to_str().unwrap()], PASSWORD));
    let text = std::fs::read_to_string(&out).unwrap();
    for secret in ["Canary-Pass", "JBSWY3DP", "GEZDGNBV", PASSWORD] {
        assert!(!text.contains(secret), "{secret} in the export");
    }
}

/// A JSON lines export carries each event's link and the chain's head: consecutive exports
/// join (the next one's first `prev_link` is the earlier one's head), and `audit verify
/// --export` checks a file against the vault, naming the first line that is not the vault's.
#[test]
fn json_lines_exports_carry_links_and_verify_against_the_vault() {
    let v = Vault::with_fixture();
    let first = v.dir.path().join("first.jsonl");
    assert_ok(&v.run(&["audit", "export", first.to_str().unwrap()], PASSWORD));
    assert_ok(&v.run(&["show", "ACME"], PASSWORD));
    let second = v.dir.path().join("second.jsonl");
    assert_ok(&v.run(&["audit", "export", second.to_str().unwrap()], PASSWORD));
    let read = |path: &std::path::Path| -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (a, b) = (read(&first), read(&second));
    let head = &a.last().unwrap()["head"];
    let after_head = b
        .iter()
        .find(|e| e["seq"].as_u64() == Some(head["seq"].as_u64().unwrap() + 1))
        .unwrap();
    assert_eq!(after_head["prev_link"], head["link"], "the exports join");
    for pair in b[..b.len() - 1].windows(2) {
        assert_eq!(pair[1]["prev_link"], pair[0]["link"]);
    }

    let out = v.run(
        &["audit", "verify", "--export", second.to_str().unwrap()],
        PASSWORD,
    );
    assert_ok(&out);
    let events = b.len() - 1;
    assert!(
        stdout(&out).ends_with(&format!(
            "second.jsonl: {events} events and the head (event {events}) are this vault's\n"
        )),
        "{}",
        stdout(&out)
    );

    let text = std::fs::read_to_string(&second).unwrap();
    let cases = [
        (
            text.replacen("valid.csv (Sallyport CSV)", "other.csv (Sallyport CSV)", 1),
            "line 3: event 3 differs from the vault's (edited in the file)",
        ),
        (
            {
                let link = b[1]["link"].as_str().unwrap();
                text.replacen(link, &"0".repeat(64), 1)
            },
            "line 2: event 2's link is not the vault's",
        ),
        (
            text.lines()
                .take(b.len() - 1)
                .collect::<Vec<_>>()
                .join("\n"),
            "no head line at the end",
        ),
    ];
    let edited = v.dir.path().join("edited.jsonl");
    for (content, expected) in cases {
        std::fs::write(&edited, content).unwrap();
        assert_error(
            &v.run(
                &["audit", "verify", "--export", edited.to_str().unwrap()],
                PASSWORD,
            ),
            expected,
        );
    }
    let other = Vault::with_fixture();
    assert_error(
        &other.run(
            &["audit", "verify", "--export", second.to_str().unwrap()],
            PASSWORD,
        ),
        "line 1: event 1's link is not the vault's",
    );
}
