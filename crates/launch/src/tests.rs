//! Every way a launch ends leaves nothing behind, on any OS: the Credential Manager logic
//! runs against the in-memory store of `credentials::tests` (the real one is exercised under
//! Wine by `tests/windows/run.sh`), with real child processes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sallyport_core::model::Entry;
use sallyport_core::rdp::{
    CredentialHandoff, LaunchPlan, RdpFile, RdpPreferences, RdpTempDir, TempRdpFile,
};
use sallyport_core::SecretString;

use crate::credentials::tests::{lender, ours, users, FakeStore};
use crate::{start_with, Error, PendingCleanups};

struct Fixture {
    _dir: tempfile::TempDir,
    temp: RdpTempDir,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let temp = RdpTempDir::open(&dir.path().join("rdp")).unwrap();
        Self { _dir: dir, temp }
    }

    fn file(&self) -> TempRdpFile {
        let entry = Entry {
            host: "rds.acme.example".into(),
            ..Entry::default()
        };
        let file = RdpFile::for_entry(&entry, &RdpPreferences::default()).unwrap();
        self.temp
            .write_at(&self.temp.reserve().unwrap(), &file)
            .unwrap()
    }
}

/// mstsc's plan with its credentials, for `program` (`args` before the file).
fn plan(program: &str, args: &[&str], file: &TempRdpFile, targets: &[&str]) -> LaunchPlan {
    let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    all.push(file.path().display().to_string());
    LaunchPlan {
        program: program.into(),
        args: all,
        rdp_file: file.path().to_path_buf(),
        credentials: CredentialHandoff::CredentialManager {
            targets: targets.iter().map(|t| t.to_string()).collect(),
            username: "ACME\\vendor".into(),
        },
        notice: None,
    }
}

fn password() -> SecretString {
    SecretString::from("Canary-Pass-1")
}

const TARGETS: [&str; 2] = ["TERMSRV/rds.acme.example", "gw.acme.example"];

#[cfg(unix)]
#[test]
fn credentials_are_there_while_the_client_starts_and_gone_after() {
    let fixture = Fixture::new();
    let (lender, store) = lender();
    let file = fixture.file();
    let path = file.path().to_path_buf();
    let plan = plan("sh", &["-c", "exec sleep 0.3"], &file, &TARGETS);
    let started = start_with(&plan, Some(file), Some(&password()), Some(lender)).unwrap();
    assert_eq!(store.get(TARGETS[0]), Some(ours("ACME\\vendor")));
    assert_eq!(store.get(TARGETS[1]), Some(ours("ACME\\vendor")));
    assert_eq!(started.notice(), None);
    assert!(path.exists());
    let status = started.clean_up_after(Duration::from_secs(10));
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
    assert!(!path.exists());
    assert!(store.is_empty());
}

#[cfg(unix)]
#[test]
fn the_users_own_credential_is_left_alone_and_the_user_told() {
    let fixture = Fixture::new();
    let (lender, store) = lender();
    store.plant_users(TARGETS[0]);
    let file = fixture.file();
    let plan = plan("sh", &["-c", "exec sleep 0.3"], &file, &TARGETS);
    let started = start_with(&plan, Some(file), Some(&password()), Some(lender)).unwrap();
    assert_eq!(store.get(TARGETS[0]), Some(users()));
    assert_eq!(store.get(TARGETS[1]), Some(ours("ACME\\vendor")));
    let notice = started.notice().unwrap();
    assert!(
        notice.contains("TERMSRV/rds.acme.example (user ME\\myself)"),
        "{notice}"
    );
    started.clean_up_after(Duration::from_secs(10));
    assert_eq!(store.get(TARGETS[0]), Some(users()));
    assert_eq!(store.get(TARGETS[1]), None);
}

#[test]
fn a_failed_second_write_leaves_nothing() {
    let fixture = Fixture::new();
    let (lender, store) = lender();
    store.fail_write.lock().unwrap().push(TARGETS[1].into());
    let file = fixture.file();
    let path = file.path().to_path_buf();
    let plan = plan("sh", &["-c", "exec sleep 5"], &file, &TARGETS);
    let error = start_with(&plan, Some(file), Some(&password()), Some(lender)).unwrap_err();
    assert!(matches!(error, Error::Handoff { .. }), "{error}");
    assert!(!error.to_string().contains("Canary"));
    assert!(!path.exists());
    assert!(store.is_empty());
}

#[test]
fn a_failed_spawn_leaves_nothing() {
    let fixture = Fixture::new();
    let (lender, store) = lender();
    store.plant_users(TARGETS[1]);
    let file = fixture.file();
    let path = file.path().to_path_buf();
    let missing = fixture.temp.path().join("no-such-client");
    let plan = plan(&missing.display().to_string(), &[], &file, &TARGETS);
    let error = start_with(&plan, Some(file), Some(&password()), Some(lender)).unwrap_err();
    assert!(matches!(error, Error::Spawn { .. }), "{error}");
    assert!(!path.exists());
    assert_eq!(store.get(TARGETS[0]), None);
    assert_eq!(store.get(TARGETS[1]), Some(users()));
}

#[test]
fn without_a_credential_manager_nothing_is_started() {
    let fixture = Fixture::new();
    let file = fixture.file();
    let path = file.path().to_path_buf();
    let plan = plan("true", &[], &file, &TARGETS);
    let error = start_with(&plan, Some(file), Some(&password()), None).unwrap_err();
    assert!(matches!(error, Error::Handoff { .. }), "{error}");
    assert!(!path.exists());
}

#[test]
fn without_a_password_nothing_is_written() {
    let fixture = Fixture::new();
    let (lender, store) = lender();
    let file = fixture.file();
    let plan = plan("true", &[], &file, &TARGETS);
    let error = start_with(&plan, Some(file), None, Some(lender)).unwrap_err();
    assert!(matches!(error, Error::NoPassword), "{error}");
    assert!(store.is_empty());
}

/// Starts a client that runs for a minute, kept by `pending` with `grace`.
#[cfg(unix)]
fn adopt_long_client(
    fixture: &Fixture,
    grace: Duration,
) -> (PendingCleanups, PathBuf, u32, Arc<FakeStore>) {
    let (lender, store) = lender();
    let file = fixture.file();
    let path = file.path().to_path_buf();
    let plan = plan("sh", &["-c", "exec sleep 60"], &file, &TARGETS);
    let started = start_with(&plan, Some(file), Some(&password()), Some(lender)).unwrap();
    let pid = started.pid();
    let pending = PendingCleanups::default();
    pending.adopt(started, grace);
    assert_eq!(pending.len(), 1);
    assert!(path.exists());
    assert_eq!(store.get(TARGETS[0]), Some(ours("ACME\\vendor")));
    (pending, path, pid, store)
}

#[cfg(unix)]
fn kill(pid: u32) {
    let _ = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status();
}

#[cfg(unix)]
#[test]
fn quitting_early_cleans_up_at_once() {
    let fixture = Fixture::new();
    let (pending, path, pid, store) = adopt_long_client(&fixture, Duration::from_secs(60));
    let begun = Instant::now();
    pending.clean_up_now();
    assert!(begun.elapsed() < Duration::from_secs(1));
    assert!(pending.is_empty());
    assert!(!path.exists());
    assert!(store.is_empty());
    kill(pid);
}

#[cfg(unix)]
#[test]
fn a_pending_clean_up_runs_after_the_grace_period() {
    let fixture = Fixture::new();
    let (pending, path, pid, store) = adopt_long_client(&fixture, Duration::from_millis(200));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !pending.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(pending.is_empty());
    assert!(!path.exists());
    assert!(store.is_empty());
    kill(pid);
}
