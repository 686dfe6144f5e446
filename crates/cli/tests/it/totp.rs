//! `sallyport totp`, `set-totp` and `copy`: codes, secrets from stdin and QR images, and a
//! clipboard that clears itself (checked on a private Xvfb display with xclip).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// RFC 6238's SHA1 seed "12345678901234567890" in Base32, as a user would paste it.
const RFC_SEED_BASE32: &str = "gezd gnbv gy3t qojq gezd gnbv gy3t qojq";

fn json(out: &std::process::Output) -> serde_json::Value {
    assert_ok(out);
    serde_json::from_str(&stdout(out)).unwrap()
}

#[test]
fn totp_json_contract_and_rfc_vector() {
    let v = Vault::with_fixture();
    let out = v.run(
        &["set-totp", "ACME/Portal", "--secret"],
        &format!("{PASSWORD}\n{RFC_SEED_BASE32}"),
    );
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "TOTP set for ACME/Portal (Sha1, 6 digits, 30 s)\n"
    );
    // RFC 6238 Appendix B, T = 59: 94287082, of which a 6-digit code keeps 287082.
    let code = json(&v.run(&["totp", "ACME/portal", "--at", "59", "--json"], PASSWORD));
    assert_eq!(
        code,
        serde_json::json!({"code": "287082", "seconds_left": 1, "period": 30, "digits": 6})
    );
    let out = v.run(&["totp", "ACME/Portal", "--at", "1111111109"], PASSWORD);
    assert_ok(&out);
    assert_eq!(stdout(&out), "081804  1 s left\n");
    // Without an entry: the first RDP entry with a TOTP secret.
    let code = json(&v.run(&["totp", "ACME", "--json"], PASSWORD));
    assert_eq!(code["digits"], 6);
    assert!((1..=30).contains(&code["seconds_left"].as_u64().unwrap()));
    let shows = json(&v.run(
        &["audit", "list", "--json", "--action", "totp_show"],
        PASSWORD,
    ));
    assert_eq!(shows.as_array().unwrap().len(), 3);
    assert_eq!(shows[0]["entry"], "Portal");
}

#[test]
fn totp_errors_name_what_is_missing() {
    let v = Vault::with_fixture();
    assert_error(
        &v.run(&["totp", "ACME/Portal"], PASSWORD),
        "ACME/Portal has no TOTP secret",
    );
    assert_error(
        &v.run(&["totp", "ACME/Nope"], PASSWORD),
        "ACME has no entry 'Nope' (entries: ",
    );
    assert_error(
        &v.run(&["totp", "Gamma Health"], PASSWORD),
        "has no entry with a TOTP secret; name the entry as ",
    );
}

#[test]
fn watch_prints_a_line_every_second_when_not_on_a_terminal() {
    let v = Vault::with_fixture();
    let mut child = spawn_with_stdin(
        v.std_cmd()
            .arg("--password-stdin")
            .args(["totp", "ACME", "--watch"])
            .stdout(Stdio::piped()),
        &format!("{PASSWORD}\n"),
    );
    std::thread::sleep(Duration::from_millis(2600));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 2, "{text:?}");
    for line in lines {
        assert!(line.len() >= 6 && line.ends_with(" s left"), "{line:?}");
    }
}

#[test]
fn set_totp_never_takes_a_secret_from_argv() {
    let v = Vault::with_fixture();
    let out = v.run(
        &["set-totp", "ACME", "--secret", "JBSWY3DPEHPK3PXP"],
        PASSWORD,
    );
    assert_error(
        &out,
        "--secret takes no value: a secret on the command line is visible",
    );
    assert!(!stderr(&out).contains("JBSWY3DP"));
    assert_error(
        &v.run(
            &["set-totp", "ACME", "--uri"],
            &format!("{PASSWORD}\n{RFC_SEED_BASE32}"),
        ),
        "--uri expects an otpauth://totp/ URI",
    );
    assert_error(
        &v.run(
            &["set-totp", "ACME", "--uri"],
            &format!("{PASSWORD}\notpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=3"),
        ),
        "totp: otpauth://hotp (counter-based) codes are not supported, only TOTP",
    );
    assert_error(
        &v.run(
            &["set-totp", "ACME", "--secret"],
            &format!("{PASSWORD}\nJBSWY3DP"),
        ),
        "totp: the secret is only 40 bits; at least 80 bits are required",
    );
}

#[test]
fn set_totp_from_qr_images() {
    let v = Vault::with_fixture();
    let qr = fixture("totp/qr/enrolment-screenshot.jpg");
    let out = v.run(
        &["set-totp", "ACME", "--qr", qr.to_str().unwrap()],
        PASSWORD,
    );
    assert_ok(&out);
    assert!(
        stdout(&out).contains("(Sha256, 8 digits, 60 s)"),
        "{}",
        stdout(&out)
    );

    // An export code with two TOTP accounts and one HOTP account adds two entries.
    let export = fixture("totp/qr/google-export.png");
    let out = v.run(
        &["set-totp", "BETA", "--qr", export.to_str().unwrap()],
        PASSWORD,
    );
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "Added 2 entries to BETA: Acme VPN (vendor@acme.example), Beta Logistics (beta-admin)\n\
         Left out 1 counter-based (HOTP) account(s): not supported\n"
    );
    // RFC 6238 Appendix B at T = 59: SHA1 94287082 (6 digits: 287082), SHA256 46119246.
    let a = json(&v.run(
        &[
            "totp",
            "BETA/Acme VPN (vendor@acme.example)",
            "--at",
            "59",
            "--json",
        ],
        PASSWORD,
    ));
    assert_eq!(a["code"], "287082");
    let b = json(&v.run(
        &[
            "totp",
            "BETA/beta logistics (beta-admin)",
            "--at",
            "59",
            "--json",
        ],
        PASSWORD,
    ));
    assert_eq!(b["code"], "46119246");

    assert_error(
        &v.run(
            &[
                "set-totp",
                "BETA/DB server",
                "--qr",
                export.to_str().unwrap(),
            ],
            PASSWORD,
        ),
        "the QR code holds 2 accounts; give only the customer",
    );
    let no_qr = fixture("totp/qr/no-qr.png");
    assert_error(
        &v.run(
            &["set-totp", "BETA", "--qr", no_qr.to_str().unwrap()],
            PASSWORD,
        ),
        "no-qr.png: no QR code found in the image",
    );
    let link = fixture("totp/qr/web-link.png");
    assert_error(
        &v.run(
            &["set-totp", "BETA", "--qr", link.to_str().unwrap()],
            PASSWORD,
        ),
        "web-link.png: the QR code is not a TOTP secret (it holds a web link)",
    );
}

#[test]
fn copy_without_a_display_fails_clearly_and_records_nothing() {
    let v = Vault::with_fixture();
    let out = v
        .cmd()
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .args(["--password-stdin", "copy", "ACME", "password"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert_error(&out, "no display to copy to");
    let copies = json(&v.run(&["audit", "list", "--json", "--action", "copy"], PASSWORD));
    assert_eq!(copies, serde_json::json!([]));
}

/// The clipboard of a test display, read and written with xclip.
trait Clipboard {
    fn clipboard(&self) -> Option<String>;
    fn targets(&self) -> String;
    fn user_copies(&self, text: &str);
}

impl Clipboard for Display {
    /// The clipboard's text, or `None` when it is empty.
    fn clipboard(&self) -> Option<String> {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.name)
            .output()
            .expect("xclip is needed for the clipboard tests (scripts/deps.sh installs it)");
        out.status
            .success()
            .then(|| String::from_utf8(out.stdout).unwrap())
    }

    fn targets(&self) -> String {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
            .env("DISPLAY", &self.name)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    }

    fn user_copies(&self, text: &str) {
        let mut xclip = Command::new("xclip")
            .args(["-selection", "clipboard"])
            .env("DISPLAY", &self.name)
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut xclip.stdin.take().unwrap(), text.as_bytes()).unwrap();
        xclip.wait().unwrap();
    }
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn copied_secrets_clear_themselves_unless_the_user_copied_something_else() {
    let display = Display::start();
    let v = Vault::with_fixture();
    let copy = |field: &str| {
        let out = v
            .cmd()
            .env("DISPLAY", &display.name)
            .args([
                "--password-stdin",
                "copy",
                "ACME",
                field,
                "--clear-after",
                "2",
            ])
            .write_stdin(format!("{PASSWORD}\n"))
            .output()
            .unwrap();
        assert_ok(&out);
        stdout(&out)
    };

    let said = copy("password");
    assert_eq!(
        said,
        "Copied the password of ACME/Web server; the clipboard clears in 2 s\n"
    );
    let started = Instant::now();
    assert_eq!(display.clipboard().as_deref(), Some("Canary-Pass-Acme-1"));
    assert!(
        display.targets().contains("x-kde-passwordManagerHint"),
        "not marked as a secret: {}",
        display.targets()
    );
    wait_for("the clipboard to clear", Duration::from_secs(10), || {
        display.clipboard().is_none_or(|t| t.is_empty())
    });
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "cleared too early"
    );

    copy("username");
    assert_eq!(display.clipboard().as_deref(), Some("ACME\\vendor"));
    display.user_copies("the user's own text");
    std::thread::sleep(Duration::from_millis(3000));
    assert_eq!(display.clipboard().as_deref(), Some("the user's own text"));

    let copies = json(&v.run(&["audit", "list", "--json", "--action", "copy"], PASSWORD));
    let actions: Vec<&str> = copies
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["copy_password", "copy_username"]);
}
