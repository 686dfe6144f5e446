//! Helpers shared by the CLI tests: a vault in a temp dir, running the binary, checking
//! outputs for one-line errors and leaked secrets.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

pub const PASSWORD: &str = "correct horse battery staple";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

pub struct Vault {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Vault {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault.sallyport");
        let v = Vault { dir, path };
        let out = v.run(
            &[
                "init",
                "--staff",
                "Test Staff",
                "--kdf-memory-kib",
                "19456",
                "--kdf-iterations",
                "2",
            ],
            PASSWORD,
        );
        assert_ok(&out);
        v
    }

    pub fn with_fixture() -> Self {
        let v = Vault::new();
        assert_ok(&v.run(
            &["import", fixture("import/valid.csv").to_str().unwrap()],
            PASSWORD,
        ));
        v
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("sallyport").unwrap();
        cmd.env_remove("SALLYPORT_VAULT")
            .env("SALLYPORT_LOG_DIR", self.log_dir())
            .arg("--vault")
            .arg(&self.path);
        cmd
    }

    /// The same command as a plain `std::process::Command` (for spawning).
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sallyport"));
        cmd.env_remove("SALLYPORT_VAULT")
            .env("SALLYPORT_LOG_DIR", self.log_dir())
            .arg("--vault")
            .arg(&self.path);
        cmd
    }

    /// Where this vault's commands write their diagnostic log (inside its temp dir).
    pub fn log_dir(&self) -> PathBuf {
        self.dir.path().join("logs")
    }

    /// Runs with `stdin` given as the password lines.
    pub fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.cmd()
            .arg("--password-stdin")
            .args(args)
            .write_stdin(format!("{stdin}\n"))
            .output()
            .unwrap()
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "failed: {}{}",
        stdout(out),
        stderr(out)
    );
    assert_no_secret(out);
}

/// Exit non-zero with exactly one line on stderr containing `expected`.
pub fn assert_error(out: &Output, expected: &str) {
    let err = stderr(out);
    assert!(
        !out.status.success(),
        "succeeded unexpectedly: {}",
        stdout(out)
    );
    assert_eq!(err.lines().count(), 1, "not one line: {err:?}");
    assert!(err.contains(expected), "{err:?} lacks {expected:?}");
    assert_no_secret(out);
}

pub fn assert_no_secret(out: &Output) {
    for text in [stdout(out), stderr(out)] {
        for secret in ["Canary-Pass", "JBSWY3DP", "GEZDGNBV", PASSWORD] {
            assert!(!text.contains(secret), "secret {secret:?} printed: {text}");
        }
    }
}

/// A private X server (Xvfb picks a free display number), killed on drop.
pub struct Display {
    server: std::process::Child,
    /// The `DISPLAY` value, e.g. `:3`.
    pub name: String,
}

impl Display {
    pub fn start() -> Display {
        let mut server = std::process::Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "1280x800x24",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("Xvfb is needed (scripts/deps.sh installs it)");
        let mut number = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(server.stdout.take().unwrap()),
            &mut number,
        )
        .unwrap();
        Display {
            server,
            name: format!(":{}", number.trim()),
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Spawns `command` with piped stdin, writes `input` to it and closes it.
pub fn spawn_with_stdin(command: &mut std::process::Command, input: &str) -> std::process::Child {
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", command.get_program()));
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    child
}
