//! Settings → "Sign .rdp files" through Tauri's IPC layer (mock runtime, the real
//! capabilities and ACL): a `.pfx` made by OpenSSL is imported with its password, described
//! and removed; a wrong password, an expired certificate and a non-RSA key are refused with
//! the core's one line, which never carries the password.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use tauri::test::{mock_builder, MockRuntime};
use tauri::{App, WebviewWindow};

use super::test_ipc::{self, PASSWORD};

const PFX_PASSWORD: &str = "Pfx-App-Test-7";

struct Harness {
    dir: tempfile::TempDir,
    _app: App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

impl Harness {
    /// An app over a new, unlocked vault.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (app, window) = test_ipc::app_in(mock_builder(), dir.path());
        let h = Self {
            dir,
            _app: app,
            window,
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

    fn set_pfx(&self, path: &Path, password: &str) -> Result<Value, Value> {
        self.invoke(
            "signing_set_pfx",
            json!({ "path": path.to_str().unwrap(), "password": password }),
        )
    }
}

/// Runs openssl in `dir` (the .pfx password through the environment, not argv).
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("SP_TEST_PFX_PASSWORD", PFX_PASSWORD)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `cert` and `key` as `NAME.pfx`, protected with [`PFX_PASSWORD`].
fn pfx(dir: &Path, cert: &Path, key: &Path, name: &str) -> PathBuf {
    let out = dir.join(format!("{name}.pfx"));
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-in",
            cert.to_str().unwrap(),
            "-inkey",
            key.to_str().unwrap(),
            "-out",
            out.to_str().unwrap(),
            "-passout",
            "env:SP_TEST_PFX_PASSWORD",
        ],
    );
    out
}

/// A self-signed certificate valid 20 days (so within the expiry warning), with a key made
/// by `newkey` (`rsa:2048`, `ec`…), as a .pfx.
fn self_signed_pfx(dir: &Path, name: &str, newkey: &[&str]) -> PathBuf {
    let (cert, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    let mut args = vec!["req", "-x509", "-nodes", "-days", "20"];
    args.extend_from_slice(newkey);
    args.extend_from_slice(&[
        "-subj",
        "/CN=Sallyport App Signing/O=Vendor Ltd",
        "-keyout",
        key.to_str().unwrap(),
        "-out",
        cert.to_str().unwrap(),
    ]);
    openssl(dir, &args);
    pfx(dir, &cert, &key, name)
}

/// OpenSSL's SHA-1 fingerprint of `NAME.crt` in `dir`, uppercase hex without colons.
fn openssl_thumbprint(dir: &Path, name: &str) -> String {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-in"])
        .arg(dir.join(format!("{name}.crt")))
        .output()
        .expect("openssl runs");
    let text = String::from_utf8(out.stdout).unwrap();
    let hex = text.trim().rsplit('=').next().unwrap().replace(':', "");
    assert_eq!(hex.len(), 40, "{text}");
    hex.to_uppercase()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/signing")
}

#[test]
fn a_pfx_is_imported_described_and_removed() {
    let h = Harness::new();
    let dir = h.dir.path();
    let vendor = self_signed_pfx(dir, "vendor", &["-newkey", "rsa:2048"]);

    assert_eq!(h.invoke("signing_info", json!({})).unwrap(), Value::Null);

    let wrong = h.set_pfx(&vendor, "not-the-pfx-password").unwrap_err();
    assert_eq!(wrong["kind"], "invalid");
    assert_eq!(
        wrong["message"],
        "vendor.pfx: wrong password for this .pfx file"
    );
    assert!(!wrong.to_string().contains("not-the-pfx-password"));
    assert_eq!(h.invoke("signing_info", json!({})).unwrap(), Value::Null);

    let set = h.set_pfx(&vendor, PFX_PASSWORD).unwrap();
    let thumbprint = openssl_thumbprint(dir, "vendor");
    assert_eq!(set["thumbprint"], thumbprint.as_str());
    // RFC 4514 text: the last RDN of the subject first.
    assert_eq!(set["subject"], "O=Vendor Ltd,CN=Sallyport App Signing");
    let days = set["days_left"].as_i64().unwrap();
    assert!((19..=20).contains(&days), "{set}");
    assert_eq!(set["expires_soon"], true);
    assert_eq!(set["expired"], false);
    let today = time::OffsetDateTime::now_utc().date();
    let last_day = today + time::Duration::days(days);
    assert_eq!(
        set["not_after"],
        format!(
            "{:04}-{:02}-{:02}",
            last_day.year(),
            u8::from(last_day.month()),
            last_day.day()
        )
    );

    // Read back from the vault, after a lock and unlock.
    h.invoke("lock", json!({})).unwrap();
    let locked = h.invoke("signing_info", json!({})).unwrap_err();
    assert_eq!(locked["kind"], "locked");
    h.invoke("unlock", json!({ "password": PASSWORD })).unwrap();
    assert_eq!(h.invoke("signing_info", json!({})).unwrap(), set);

    assert_eq!(h.invoke("signing_clear", json!({})).unwrap(), true);
    assert_eq!(h.invoke("signing_info", json!({})).unwrap(), Value::Null);
    assert_eq!(h.invoke("signing_clear", json!({})).unwrap(), false);
}

#[test]
fn expired_and_non_rsa_certificates_and_bad_paths_are_refused() {
    let h = Harness::new();
    let dir = h.dir.path();
    let fixtures = fixtures();
    let expired = pfx(
        dir,
        &fixtures.join("expired.crt"),
        &fixtures.join("expired.key"),
        "expired",
    );
    let refused = h.set_pfx(&expired, PFX_PASSWORD).unwrap_err();
    let message = refused["message"].as_str().unwrap();
    assert!(
        message.starts_with("expired.pfx: the certificate"),
        "{message}"
    );
    assert!(message.ends_with("expired on 2020-02-01"), "{message}");

    let ec = self_signed_pfx(
        dir,
        "ec",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let refused = h.set_pfx(&ec, PFX_PASSWORD).unwrap_err();
    assert_eq!(refused["kind"], "invalid");
    assert!(
        refused["message"].as_str().unwrap().contains("RSA"),
        "{refused}"
    );

    let relative = h
        .set_pfx(Path::new("vendor.pfx"), PFX_PASSWORD)
        .unwrap_err();
    assert!(
        relative["message"]
            .as_str()
            .unwrap()
            .contains("give the full path"),
        "{relative}"
    );
    let missing = h
        .set_pfx(&dir.join("missing.pfx"), PFX_PASSWORD)
        .unwrap_err();
    assert!(
        missing["message"].as_str().unwrap().contains("missing.pfx"),
        "{missing}"
    );
    for refusal in [&refused, &relative, &missing] {
        assert!(!refusal.to_string().contains(PFX_PASSWORD));
    }
    assert_eq!(h.invoke("signing_info", json!({})).unwrap(), Value::Null);
}
