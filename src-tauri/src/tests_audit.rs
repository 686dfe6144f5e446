//! The audit view's commands through Tauri's IPC layer (mock runtime, the real
//! capabilities and ACL): filters, the cap and total, verification (also of a tampered
//! log) and export.

use std::path::{Path, PathBuf};

use sallyport_core::audit::{Action, NewEvent};
use serde_json::{json, Value};
use tauri::test::{mock_builder, MockRuntime};
use tauri::{App, Manager, WebviewWindow};

use super::AppState;
use crate::audit_view::MAX_EVENTS;

use super::test_ipc::{self, PASSWORD};

/// An app over an unlocked vault holding the import fixture, with a customer viewed and a
/// TOTP code shown (so the log has `customer_view` and `totp_show` events).
struct Harness {
    dir: tempfile::TempDir,
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (app, window) = test_ipc::app_in(mock_builder(), dir.path());
        let h = Self { dir, app, window };
        h.invoke(
            "create_vault",
            json!({ "staff": "Alice", "password": PASSWORD }),
        )
        .unwrap();
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import/valid.csv");
        h.state()
            .vault
            .with_session(|s| {
                let plan = s.plan_import(&fixture, Default::default())?;
                s.apply_import(plan).map(|_| ())
            })
            .unwrap();
        let detail = h
            .invoke("customer_detail", json!({ "code": "ACME" }))
            .unwrap();
        let web_server = &detail["entries"][0]; // RDP first
        assert_eq!(web_server["label"], "Web server");
        h.invoke("totp_code", json!({ "entry": web_server["id"] }))
            .unwrap();
        h
    }

    fn state(&self) -> tauri::State<'_, AppState> {
        self.app.state::<AppState>()
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        test_ipc::invoke(&self.window, cmd, args)
    }

    fn events(&self, filter: Value) -> Value {
        self.invoke("audit_events", json!({ "filter": filter }))
            .unwrap()
    }

    fn vault_path(&self) -> PathBuf {
        self.dir.path().join("vault.sallyport")
    }
}

fn field<'a>(events: &'a Value, name: &str) -> Vec<&'a str> {
    events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[name].as_str().unwrap())
        .collect()
}

#[test]
fn events_filter_by_action_family_customer_staff_and_date() {
    let h = Harness::new();
    let all = h.events(json!({}));
    let total = all["total"].as_u64().unwrap();
    assert!(
        total >= 4,
        "vault_create, import, customer_view, totp_show: {all}"
    );
    let seqs: Vec<u64> = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs.len() as u64, total);
    assert_eq!(seqs[0], total, "newest first");
    assert!(seqs.windows(2).all(|w| w[0] == w[1] + 1), "{seqs:?}");
    assert_eq!(all["events"][0]["action"], "totp_show");
    assert_eq!(all["events"][0]["staff"], "Alice");
    assert!(all["events"][0]["device"].as_str().unwrap().contains('@'));

    let viewed = h.events(json!({ "action": "customer_view" }));
    assert_eq!(viewed["total"], 1);
    assert_eq!(field(&viewed, "action"), ["customer_view"]);
    assert_eq!(field(&viewed, "customer"), ["ACME"]);

    let totp = h.events(json!({ "action": "totp" }));
    assert_eq!(field(&totp, "action"), ["totp_show"], "the totp family");

    let acme = h.events(json!({ "customer": "acme" }));
    assert_eq!(acme["total"], 2);
    assert!(field(&acme, "customer").iter().all(|c| *c == "ACME"));
    assert_eq!(field(&acme, "entry"), ["Web server", ""]);

    assert_eq!(h.events(json!({ "staff": "alice" }))["total"], total);
    assert_eq!(h.events(json!({ "staff": "Bob" }))["total"], 0);
    assert_eq!(h.events(json!({ "since": "2000-01-01" }))["total"], total);
    assert_eq!(h.events(json!({ "until": "2000-01-01" }))["total"], 0);
    assert_eq!(
        h.events(json!({ "until": "2000-01-01T00:00:00.000Z" }))["total"],
        0,
        "the UI sends local midnight as RFC 3339"
    );

    let unknown = h
        .invoke("audit_events", json!({ "filter": { "action": "steal" } }))
        .unwrap_err();
    assert_eq!(unknown["kind"], "invalid");
    assert!(unknown["message"]
        .as_str()
        .unwrap()
        .contains("unknown action 'steal'"));
    let bad_day = h
        .invoke(
            "audit_events",
            json!({ "filter": { "since": "yesterday" } }),
        )
        .unwrap_err();
    assert_eq!(bad_day["kind"], "invalid");
}

#[test]
fn the_action_filter_offers_the_cores_families_and_actions() {
    let h = Harness::new();
    let offered = h.invoke("audit_actions", json!({})).unwrap();
    assert_eq!(
        offered["actions"].as_array().unwrap().len(),
        Action::ALL.len()
    );
    let copy = offered["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "copy")
        .unwrap();
    assert_eq!(
        copy["actions"],
        json!(["copy_password", "copy_username", "copy_totp"])
    );
    for family in offered["families"].as_array().unwrap() {
        let name = family["name"].as_str().unwrap();
        assert_ne!(name, "import", "'import' is an action, not a family");
        assert!(family["actions"].as_array().unwrap().len() > 1, "{family}");
        h.events(json!({ "action": name }));
    }
}

#[test]
fn events_are_capped_and_the_total_counts_every_match() {
    let h = Harness::new();
    let before = h.events(json!({}))["total"].as_u64().unwrap();
    h.state()
        .vault
        .with_session(|s| {
            for _ in 0..MAX_EVENTS + 20 {
                s.audit(NewEvent::new(Action::Search).detail("bulk"))?;
            }
            Ok(())
        })
        .unwrap();
    let page = h.events(json!({}));
    let total = before + MAX_EVENTS as u64 + 20;
    assert_eq!(page["total"], total);
    let events = page["events"].as_array().unwrap();
    assert_eq!(events.len(), MAX_EVENTS);
    assert_eq!(events[0]["seq"], total, "the newest are kept");
    assert_eq!(events[MAX_EVENTS - 1]["seq"], total - MAX_EVENTS as u64 + 1);
    let small = h.events(json!({ "action": "customer_view" }));
    assert_eq!(small["total"], 1);
    assert_eq!(small["events"].as_array().unwrap().len(), 1);
}

#[test]
fn verify_reports_an_intact_log() {
    let h = Harness::new();
    let total = h.events(json!({}))["total"].clone();
    let verdict = h.invoke("audit_verify", json!({})).unwrap();
    assert_eq!(verdict["ok"], true, "{verdict}");
    assert_eq!(verdict["events"], total);
    assert_eq!(verdict["problem"], Value::Null);
}

#[test]
fn verify_names_the_first_edited_event_of_a_tampered_log() {
    let h = Harness::new();
    let conn = rusqlite::Connection::open(h.vault_path()).unwrap();
    let mut record: Vec<u8> = conn
        .query_row("SELECT record FROM audit WHERE seq = 3", [], |r| r.get(0))
        .unwrap();
    let middle = record.len() / 2;
    record[middle] ^= 0x01;
    conn.execute("UPDATE audit SET record = ?1 WHERE seq = 3", [&record])
        .unwrap();
    drop(conn);

    let verdict = h.invoke("audit_verify", json!({})).unwrap();
    assert_eq!(verdict["ok"], false, "{verdict}");
    assert_eq!(verdict["events"], 2, "events 1 and 2 are in order");
    assert_eq!(verdict["problem"]["seq"], 3);
    assert_eq!(verdict["problem"]["kind"], "edited");
    assert_eq!(
        verdict["problem"]["message"],
        "event 3 was edited (its content fails authentication)"
    );
    // The table cannot be read past the damage; it says so instead of hiding events.
    let unreadable = h
        .invoke("audit_events", json!({ "filter": {} }))
        .unwrap_err();
    assert_eq!(unreadable["kind"], "integrity");
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn export_writes_a_private_file_and_never_replaces_one() {
    let h = Harness::new();
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("audit.csv");
    let export = |path: &Path, format: &str, filter: Value| {
        h.invoke(
            "audit_export",
            json!({ "path": path, "format": format, "filter": filter }),
        )
    };

    let written = export(&csv, "csv", json!({ "customer": "ACME" })).unwrap();
    assert_eq!(written["events"], 2);
    assert_eq!(written["path"], csv.to_str().unwrap());
    #[cfg(unix)]
    assert_eq!(mode(&csv), 0o600);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("seq,time,staff,"), "{text}");
    assert_eq!(text.lines().count(), 3, "header and two events: {text}");
    assert!(text.contains("customer_view") && text.contains("totp_show"));
    assert!(!text.contains("Canary-Pass") && !text.contains("JBSWY3DP"));

    let again = export(&csv, "csv", json!({})).unwrap_err();
    assert_eq!(again["kind"], "invalid");
    let message = again["message"].as_str().unwrap();
    assert!(message.contains("already exists"), "{message}");
    assert!(!message.contains('\n'));
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), text, "not replaced");

    let missing = out.path().join("no such folder").join("audit.csv");
    let refused = export(&missing, "csv", json!({})).unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("no such folder does not exist"),
        "{refused}"
    );
    let relative = export(Path::new("audit.csv"), "csv", json!({})).unwrap_err();
    assert_eq!(relative["kind"], "invalid");
    assert!(relative["message"].as_str().unwrap().contains("full path"));
    assert!(!Path::new("audit.csv").exists());

    let jsonl = out.path().join("audit.jsonl");
    let lines = export(&jsonl, "jsonl", json!({ "action": "customer_view" })).unwrap();
    assert_eq!(lines["events"], 1);
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["action"], "customer_view");
    assert!(
        lines[1]["head"]["seq"].is_u64(),
        "the chain's head ends the file: {text}"
    );

    // Each export that wrote a file is itself in the log; refusals wrote nothing.
    let exports = h.events(json!({ "action": "audit_export" }));
    assert_eq!(exports["total"], 2, "{exports}");
    assert_eq!(
        field(&exports, "detail")[0],
        "1 events to audit.jsonl (jsonl)"
    );
}

#[test]
fn the_suggested_export_file_is_in_the_home_folder() {
    let h = Harness::new();
    let path = h
        .invoke("audit_export_default_path", json!({ "format": "jsonl" }))
        .unwrap();
    let path = PathBuf::from(path.as_str().unwrap());
    assert!(path.is_absolute());
    assert_eq!(path.parent(), std::env::home_dir().as_deref());
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("sallyport-audit-20"), "{name}");
    assert!(name.ends_with(".jsonl"), "{name}");
    assert!(!path.exists());
}

#[test]
fn the_audit_view_needs_an_unlocked_vault() {
    let h = Harness::new();
    h.invoke("lock", json!({})).unwrap();
    for cmd in ["audit_events", "audit_verify"] {
        let refused = h.invoke(cmd, json!({ "filter": {} })).unwrap_err();
        assert_eq!(refused["kind"], "locked", "{cmd}");
    }
}
