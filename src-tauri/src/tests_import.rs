//! The import wizard's commands through Tauri's IPC layer (mock runtime, the real
//! capabilities and ACL): the preview writes nothing, only the current preview applies,
//! a changed file or invalid rows are refused, and locking drops the plan.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tauri::ipc::InvokeResponseBody;
use tauri::test::{mock_builder, MockRuntime};
use tauri::{App, Manager, WebviewWindow};

use super::AppState;

use super::test_ipc::{self, PASSWORD};

/// An app over a new, empty, unlocked vault; it records what the progress channels carry.
struct Harness {
    dir: tempfile::TempDir,
    app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    progress: Arc<Mutex<Vec<Value>>>,
}

impl Harness {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let progress = Arc::new(Mutex::new(Vec::new()));
        let seen = progress.clone();
        let builder = mock_builder().channel_interceptor(move |_, _, _, body| {
            if let InvokeResponseBody::Json(json) = body {
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_str(json).unwrap());
            }
            true
        });
        let (app, window) = test_ipc::app_in(builder, dir.path());
        let h = Self {
            dir,
            app,
            window,
            progress,
        };
        h.invoke(
            "create_vault",
            json!({ "staff": "Alice", "password": PASSWORD }),
        )
        .unwrap();
        h
    }

    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        test_ipc::invoke(&self.window, cmd, args)
    }

    /// `import_preview` of `path` with the wizard's defaults (detect, fail on conflicts).
    fn preview(&self, path: &Path, skip_invalid: bool) -> Result<Value, Value> {
        self.invoke(
            "import_preview",
            json!({
                "path": path,
                "format": null,
                "onConflict": "fail",
                "skipInvalid": skip_invalid,
                "onProgress": "__CHANNEL__:7",
            }),
        )
    }

    fn apply(&self, preview: &Value) -> Result<Value, Value> {
        self.invoke(
            "import_apply",
            json!({ "previewId": preview["id"], "onProgress": "__CHANNEL__:8" }),
        )
    }

    /// Customers in the vault, as the unlocked status counts them.
    fn customers(&self) -> u64 {
        let status = self.invoke("vault_status", json!({})).unwrap();
        status["customers"].as_u64().unwrap()
    }

    /// A copy of a fixture in the test's folder (so a test may change it).
    fn copy_of(&self, fixture: &str) -> PathBuf {
        let copy = self.dir.path().join(fixture);
        std::fs::copy(fixture_path(fixture), &copy).unwrap();
        copy
    }
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/import")
        .join(name)
}

#[test]
fn the_preview_counts_rows_and_writes_nothing() {
    let h = Harness::new();
    let preview = h.preview(&fixture_path("valid.csv"), false).unwrap();
    assert_eq!(preview["format"], "sallyport");
    assert_eq!(preview["format_title"], "Sallyport CSV");
    assert!(!preview["reason"].as_str().unwrap().is_empty());
    assert_eq!(
        preview["summary"],
        json!({ "created": 6, "updated": 0, "skipped": 0, "errors": [] })
    );
    assert_eq!(preview["blocked"], false);
    assert_eq!(h.customers(), 0, "a preview writes nothing");
    for secret in ["Canary-Pass", "JBSWY3DP", "GEZDGNBV"] {
        assert!(
            !preview.to_string().contains(secret),
            "{secret} in {preview}"
        );
    }
    // Progress came over the channel, ending at the end of the file.
    let progress = h.progress.lock().unwrap();
    let last = progress.last().expect("a progress message");
    assert_eq!(last["phase"], "preview");
    assert_eq!(last["bytes_read"], last["total_bytes"]);
    assert!(last["total_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn applying_the_preview_writes_it_once() {
    let h = Harness::new();
    let preview = h.preview(&fixture_path("valid.csv"), false).unwrap();
    let done = h.apply(&preview).unwrap();
    assert_eq!(done["summary"]["created"], 6);
    assert_eq!(done["customers"], 4);
    assert_eq!(h.customers(), 4);
    let last = h.progress.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last["phase"], "write");
    // The plan is used up.
    let again = h.apply(&preview).unwrap_err();
    assert_eq!(again["kind"], "import");
    // Previewed again, every row is now a conflict.
    let second = h.preview(&fixture_path("valid.csv"), false).unwrap();
    assert_eq!(second["summary"]["created"], 0);
    assert_eq!(second["blocked"], true);
}

#[test]
fn only_the_current_preview_applies() {
    let h = Harness::new();
    let first = h.preview(&fixture_path("valid.csv"), false).unwrap();
    let second = h.preview(&fixture_path("valid.csv"), false).unwrap();
    assert_ne!(first["id"], second["id"]);
    let unknown = h
        .invoke(
            "import_apply",
            json!({ "previewId": 999_999_999u64, "onProgress": "__CHANNEL__:8" }),
        )
        .unwrap_err();
    assert_eq!(unknown["kind"], "import");
    let replaced = h.apply(&first).unwrap_err();
    assert_eq!(replaced["kind"], "import");
    assert!(replaced["message"].as_str().unwrap().contains("preview"));
    assert_eq!(h.customers(), 0);
    // A wrong id leaves the current plan in place; cancelling drops it.
    h.invoke("import_cancel", json!({})).unwrap();
    assert_eq!(h.apply(&second).unwrap_err()["kind"], "import");
    assert_eq!(h.customers(), 0);
}

#[test]
fn a_file_changed_after_the_preview_is_refused() {
    let h = Harness::new();
    let csv = h.copy_of("valid.csv");
    let preview = h.preview(&csv, false).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, text.replace("rds.acme.example", "rds.evil.example")).unwrap();
    let refused = h.apply(&preview).unwrap_err();
    assert_eq!(refused["kind"], "import");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("changed since the preview"),
        "{refused}"
    );
    assert_eq!(h.customers(), 0, "nothing written");
}

#[test]
fn invalid_rows_block_the_import_unless_skipped() {
    let h = Harness::new();
    let bad = fixture_path("bad_rows.csv");
    let preview = h.preview(&bad, false).unwrap();
    assert_eq!(preview["blocked"], true);
    let errors = preview["summary"]["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 14);
    assert_eq!(errors[0]["line"], 5);
    assert!(errors[0]["reason"].as_str().unwrap().contains("70000"));
    let refused = h.apply(&preview).unwrap_err();
    assert_eq!(refused["kind"], "import");
    assert!(refused["message"].as_str().unwrap().contains("invalid row"));
    assert_eq!(h.customers(), 0);

    let skipping = h.preview(&bad, true).unwrap();
    assert_eq!(skipping["blocked"], false);
    let done = h.apply(&skipping).unwrap();
    assert_eq!(done["summary"]["errors"].as_array().unwrap().len(), 14);
    assert_eq!(h.customers(), 2, "GOOD and FINE");
}

#[test]
fn locking_drops_the_preview() {
    let h = Harness::new();
    let preview = h.preview(&fixture_path("valid.csv"), false).unwrap();
    assert!(h.app.state::<AppState>().import.is_pending());
    h.invoke("lock", json!({})).unwrap();
    assert!(!h.app.state::<AppState>().import.is_pending());
    h.invoke("unlock", json!({ "password": PASSWORD })).unwrap();
    let refused = h.apply(&preview).unwrap_err();
    assert_eq!(refused["kind"], "import");
    assert_eq!(h.customers(), 0);
}

#[test]
fn the_preview_needs_an_unlocked_vault_and_a_full_path() {
    let h = Harness::new();
    let relative = h
        .invoke(
            "import_preview",
            json!({
                "path": "valid.csv",
                "format": null,
                "onConflict": "fail",
                "skipInvalid": false,
                "onProgress": "__CHANNEL__:7",
            }),
        )
        .unwrap_err();
    assert_eq!(relative["kind"], "invalid");
    h.invoke("lock", json!({})).unwrap();
    let locked = h.preview(&fixture_path("valid.csv"), false).unwrap_err();
    assert_eq!(locked["kind"], "locked");
}

#[test]
fn the_format_select_offers_core_formats() {
    let h = Harness::new();
    let formats = h.invoke("import_formats", json!({})).unwrap();
    assert_eq!(
        formats[1],
        json!({ "id": "keepassxc", "title": "KeePassXC CSV" })
    );
    assert_eq!(formats.as_array().unwrap().len(), 5);
}
