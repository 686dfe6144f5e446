//! The diagnostic log of the app's commands: the commands that handle secrets and reasons
//! run through IPC with the log at `trace`, then the log searched for the fixture's
//! canary secrets and the master password. (The command line's commands have the same
//! test in `crates/cli/tests/it/logging.rs`.)

use serde_json::{json, Value};
use tauri::test::mock_builder;
use tauri::Manager;

use super::test_ipc::{self, PASSWORD};
use super::AppState;

#[test]
fn the_commands_at_trace_log_no_secret_and_no_reason() {
    let logs = tempfile::tempdir().unwrap();
    // Set before the subscriber starts; no other test of this binary starts one.
    std::env::set_var("SALLYPORT_LOG_DIR", logs.path());
    std::env::set_var("SALLYPORT_LOG", "trace");
    let log = sallyport_service::logging::init("app").unwrap();

    let dir = tempfile::tempdir().unwrap();
    let (app, window) = test_ipc::app_in(mock_builder(), dir.path());
    let invoke = |cmd: &str, args: Value| test_ipc::invoke(&window, cmd, args);
    invoke(
        "create_vault",
        json!({ "staff": "Alice", "password": PASSWORD }),
    )
    .unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import/valid.csv");
    app.state::<AppState>()
        .vault
        .with_session(|s| {
            let plan = s.plan_import(&fixture, Default::default())?;
            s.apply_import(plan).map(|_| ())
        })
        .unwrap();
    let mut form = app
        .state::<AppState>()
        .vault
        .with_session(|s| {
            Ok(sallyport_core::model::form::CustomerForm::of(
                s.find_customer("ACME")?,
            ))
        })
        .unwrap();
    form.reason_policy = sallyport_core::model::ReasonPolicy::Required;
    let detail = invoke("customer_detail", json!({ "code": "ACME" })).unwrap();
    invoke("save_customer", json!({ "id": detail["id"], "form": form })).unwrap();
    let entry = detail["entries"][0]["id"].clone();

    let reason = "TASS-31337 Reason-Canary";
    let refused = invoke("totp_code", json!({ "entry": entry })).unwrap_err();
    assert_eq!(refused["kind"], "reason_required");
    invoke("totp_code", json!({ "entry": entry, "reason": reason })).unwrap();
    let shown = invoke(
        "reveal_password",
        json!({ "entry": entry, "reason": reason }),
    )
    .unwrap();
    assert!(shown["password"]
        .as_str()
        .unwrap()
        .starts_with("Canary-Pass"));
    let bad = invoke(
        "reveal_password",
        json!({ "entry": entry, "reason": "a\nb" }),
    )
    .unwrap_err();
    assert_eq!(bad["kind"], "invalid");
    // Connect under the mock runtime: planned, audited, whatever the client does here.
    let _ = invoke(
        "connect_entry",
        json!({ "entry": entry, "expiredOk": true, "reason": reason }),
    );
    let statement = dir.path().join("acme.pdf");
    let written = invoke(
        "access_statement",
        json!({ "code": "ACME", "since": "", "until": "", "format": "pdf",
                "path": statement.to_str().unwrap() }),
    )
    .unwrap();
    assert!(written["uses"].as_u64().unwrap() >= 3, "{written}");
    let again = invoke(
        "access_statement",
        json!({ "code": "ACME", "since": "", "until": "", "format": "pdf",
                "path": statement.to_str().unwrap() }),
    )
    .unwrap_err();
    assert!(
        again["message"]
            .as_str()
            .unwrap()
            .contains("already exists"),
        "{again}"
    );
    let pdf = std::fs::read(&statement).unwrap();
    assert!(pdf.windows(reason.len()).any(|w| w == reason.as_bytes()));

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("statement"),
        "the statement is logged: {text}"
    );
    for secret in [
        "Canary-Pass",
        "JBSWY3DP",
        PASSWORD,
        "Reason-Canary",
        "Acme Manufacturing",
    ] {
        assert!(!text.contains(secret), "{secret:?} in the log:\n{text}");
    }
}
