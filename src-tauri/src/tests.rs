//! Command tests through Tauri's IPC layer (mock runtime, the real capabilities and ACL).

use serde_json::{json, Value};
use tauri::test::{mock_builder, MockRuntime};
use tauri::{App, Manager, WebviewWindow};

use super::test_ipc::{self, PASSWORD};
use super::AppState;

struct Harness {
    _dir: tempfile::TempDir,
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (app, window) = test_ipc::app_in(mock_builder(), dir.path());
        Self {
            _dir: dir,
            _app: app,
            window,
        }
    }

    fn invoke_from(&self, url: &str, cmd: &str, args: Value) -> Result<Value, Value> {
        test_ipc::invoke_from(&self.window, url, cmd, args)
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        self.invoke_from("tauri://localhost", cmd, args)
    }
}

#[test]
fn status_of_a_missing_vault_is_no_vault() {
    let h = Harness::new();
    let status = h.invoke("vault_status", json!({})).unwrap();
    assert_eq!(status["state"], "no_vault");
}

#[test]
fn create_lock_unlock_through_ipc() {
    let h = Harness::new();
    let created = h
        .invoke(
            "create_vault",
            json!({ "staff": "Alice", "password": PASSWORD }),
        )
        .unwrap();
    assert_eq!(created["state"], "unlocked");
    assert_eq!(created["staff"], "Alice");
    assert_eq!(created["customers"], 0);

    let locked = h.invoke("lock", json!({})).unwrap();
    assert_eq!(locked["state"], "locked");

    let wrong = h
        .invoke("unlock", json!({ "password": "not the password" }))
        .unwrap_err();
    assert_eq!(wrong["kind"], "wrong_password");
    assert!(wrong["message"].as_str().unwrap().contains("wrong"));
    assert!(!wrong.to_string().contains("not the password"));

    let unlocked = h.invoke("unlock", json!({ "password": PASSWORD })).unwrap();
    assert_eq!(unlocked["state"], "unlocked");
    assert_eq!(unlocked["staff"], "Alice");
}

#[test]
fn backend_locks_reach_the_pages_channel_and_a_local_vault_is_not_followed() {
    use std::sync::{Arc, Mutex};
    use tauri::ipc::InvokeResponseBody;

    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = heard.clone();
    let builder = mock_builder().channel_interceptor(move |_, _, _, body| {
        if let InvokeResponseBody::Json(json) = body {
            seen.lock().unwrap().push(json.clone());
        }
        true
    });
    let dir = tempfile::tempdir().unwrap();
    let (app, window) = test_ipc::app_in(builder, dir.path());
    let invoke = |cmd: &str, args: Value| test_ipc::invoke(&window, cmd, args);
    invoke("subscribe_notices", json!({ "onNotice": "__CHANNEL__:7" })).unwrap();
    invoke(
        "create_vault",
        json!({ "staff": "Alice", "password": PASSWORD }),
    )
    .unwrap();
    assert_eq!(invoke("follow_changes", json!({})).unwrap(), false);

    let state = app.state::<AppState>();
    assert!(crate::preferences::lock_now(&state, "screen lock"));
    assert!(
        !crate::preferences::lock_now(&state, "screen lock"),
        "already locked"
    );

    assert_eq!(*heard.lock().unwrap(), [r#"{"locked":"screen lock"}"#]);
    assert_eq!(
        invoke("vault_status", json!({})).unwrap()["state"],
        "locked"
    );
}

#[test]
fn creating_twice_is_refused() {
    let h = Harness::new();
    h.invoke(
        "create_vault",
        json!({ "staff": "Alice", "password": PASSWORD }),
    )
    .unwrap();
    let again = h
        .invoke(
            "create_vault",
            json!({ "staff": "Bob", "password": PASSWORD }),
        )
        .unwrap_err();
    assert_eq!(again["kind"], "vault_exists");
}

#[test]
fn search_needs_an_unlocked_vault() {
    let h = Harness::new();
    let locked = h
        .invoke("search_customers", json!({ "query": "acme" }))
        .unwrap_err();
    assert_eq!(locked["kind"], "locked");

    h.invoke(
        "create_vault",
        json!({ "staff": "Alice", "password": PASSWORD }),
    )
    .unwrap();
    let found = h
        .invoke("search_customers", json!({ "query": "" }))
        .unwrap();
    assert_eq!(found, json!({ "total": 0, "offset": 0, "rows": [] }));
}

#[test]
fn search_pages_window_the_ranked_matches() {
    let h = Harness::new();
    with_fixture(&h);
    let codes = |page: &serde_json::Value| -> Vec<String> {
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = h
        .invoke("search_customers", json!({ "query": "" }))
        .unwrap();
    let total = all["total"].as_u64().unwrap() as usize;
    assert!(total >= 3, "{all}");
    assert_eq!(codes(&all).len(), total);
    let window = h
        .invoke(
            "search_customers",
            json!({ "query": "", "offset": 1, "limit": 2 }),
        )
        .unwrap();
    assert_eq!(window["total"], all["total"], "the total is of all matches");
    assert_eq!(window["offset"], 1);
    assert_eq!(codes(&window), codes(&all)[1..3]);
    let past_the_end = h
        .invoke(
            "search_customers",
            json!({ "query": "", "offset": total + 5, "limit": 10 }),
        )
        .unwrap();
    assert_eq!(codes(&past_the_end), Vec::<String>::new());
}

#[test]
fn missing_arguments_are_rejected() {
    let h = Harness::new();
    assert!(h.invoke("unlock", json!({})).is_err());
}

#[test]
fn remote_origins_are_refused_by_the_acl() {
    let h = Harness::new();
    let refused = h
        .invoke_from("https://example.com", "vault_status", json!({}))
        .unwrap_err();
    let message = refused.as_str().unwrap_or_default();
    assert!(
        message.contains("not allowed"),
        "expected an ACL refusal, got {refused}"
    );
}

/// The dialog plugin is registered (as `run` does), but the page may not use it: a path
/// reaches a command only as the user typed, dropped or chose it in a dialog the app ran.
#[test]
fn the_page_cannot_open_dialogs_itself() {
    let dir = tempfile::tempdir().unwrap();
    let builder = mock_builder().plugin(tauri_plugin_dialog::init());
    let (_app, window) = test_ipc::app_in(builder, dir.path());
    for (cmd, args) in [
        (
            "plugin:dialog|open",
            json!({ "options": { "defaultPath": "/etc" } }),
        ),
        (
            "plugin:dialog|save",
            json!({ "options": { "defaultPath": "/etc/passwd" } }),
        ),
    ] {
        let refused = test_ipc::invoke(&window, cmd, args).unwrap_err();
        let message = refused.as_str().unwrap_or_default();
        assert!(
            message.contains("not allowed"),
            "{cmd}: expected an ACL refusal, got {refused}"
        );
    }
}

/// A vault created through IPC, then filled with the CLI fixture through the core.
fn with_fixture(h: &Harness) {
    h.invoke(
        "create_vault",
        json!({ "staff": "Alice", "password": PASSWORD }),
    )
    .unwrap();
    let state = h._app.state::<AppState>();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import/valid.csv");
    state
        .vault
        .with_session(|s| {
            let plan = s.plan_import(&fixture, Default::default())?;
            s.apply_import(plan).map(|_| ())
        })
        .unwrap();
}

#[test]
fn the_detail_and_totp_carry_no_secret() {
    let h = Harness::new();
    with_fixture(&h);
    let detail = h
        .invoke("customer_detail", json!({ "code": "acme" }))
        .unwrap();
    let labels: Vec<&str> = detail["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Web server", "Portal", "VPN"], "RDP first");
    assert_eq!(detail["entries"][0]["has_password"], true);
    assert_eq!(detail["entries"][0]["totp"]["digits"], 6);
    let text = detail.to_string();
    for secret in ["Canary-Pass", "JBSWY3DP"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let entry_id = |label: &str| {
        let cards = detail["entries"].as_array().unwrap();
        let card = cards.iter().find(|e| e["label"] == label).unwrap();
        card["id"].clone()
    };
    let code = h
        .invoke("totp_code", json!({ "entry": entry_id("Web server") }))
        .unwrap();
    assert_eq!(code["code"].as_str().unwrap().len(), 6);
    assert!(code["seconds_left"].as_u64().unwrap() <= 30);
    assert!(!code.to_string().contains("JBSWY3DP"));
    let none = h
        .invoke("totp_code", json!({ "entry": entry_id("Portal") }))
        .unwrap_err();
    assert_eq!(none["kind"], "not_found");
    // Both reads are in the audit log.
    let actions = h
        ._app
        .state::<AppState>()
        .vault
        .with_session(|s| s.audit_events(&Default::default()))
        .unwrap()
        .iter()
        .map(|e| e.action.as_str().to_owned())
        .collect::<Vec<_>>();
    assert!(actions.contains(&"customer_view".to_owned()));
    assert!(actions.contains(&"totp_show".to_owned()));
}

#[test]
fn an_expired_account_is_not_launched_without_consent() {
    let h = Harness::new();
    with_fixture(&h);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("old.csv");
    std::fs::write(
        &csv,
        "customer,code,entry,kind,host,username,password,expires\nOld,OLD,Server,rdp,127.0.0.1,u,p,2020-01-01\n",
    )
    .unwrap();
    h._app
        .state::<AppState>()
        .vault
        .with_session(|s| {
            let plan = s.plan_import(&csv, Default::default())?;
            s.apply_import(plan).map(|_| ())
        })
        .unwrap();
    let old = h
        .invoke("customer_detail", json!({ "code": "OLD" }))
        .unwrap();
    let refused = h
        .invoke(
            "connect_entry",
            json!({ "entry": old["entries"][0]["id"], "expiredOk": false }),
        )
        .unwrap_err();
    assert_eq!(refused["kind"], "account_expired");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains("the account expired 2020-01-01"));
}

#[test]
fn the_page_gets_the_status_at_start_as_a_script_naming_no_secret() {
    let status = sallyport_core::vault::VaultStatus::Locked {
        path: "/home/ann/it's \"here\"\u{2028}.sallyport".into(),
    };
    let script = super::boot_script(&status);
    let (json, marks) = script
        .strip_prefix("window.__SALLYPORT_BOOT__ = ")
        .and_then(|s| s.split_once("; "))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(json).unwrap(),
        json!({ "state": "locked", "path": "/home/ann/it's \"here\"\u{2028}.sallyport" })
    );
    assert_eq!(
        marks,
        r#"document.documentElement?.setAttribute("data-boot", window.__SALLYPORT_BOOT__?.state ?? "");"#
    );
    assert!(!script.contains('\n'), "one line: {script}");
}
