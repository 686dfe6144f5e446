//! Connect from plan to clean-up, on Linux with stand-in clients: the password reaches the
//! client on its standard input, the .rdp file exists while the client reads it and is gone
//! afterwards, and a launch that fails leaves no file behind and is recorded as failed.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::panic)] // test helpers

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sallyport_core::audit::{Action, AuditFilter, Outcome};
use sallyport_core::import::ImportOptions;
use sallyport_core::rdp::{LaunchEnv, Os};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::Purpose;
use sallyport_core::{ErrorKind, SecretString, Session};
use sallyport_service::{
    connect, ConnectError, ConnectOptions, Connection, PendingCleanups, Platform, CLEAN_UP_GRACE,
};
use sallyport_sqlite::LocalFile;

const CSV: &str = "customer,code,entry,kind,host,port,username,password,expires\n\
    Acme,ACME,Server,rdp,rds.acme.example,3390,vendor,Canary-Pass-1,\n\
    Old,OLD,Server,rdp,old.example,,vendor,Canary-Pass-2,2020-01-01\n";

/// The fingerprint the stand-in servers' certificate has.
const SERVER_CERT: &str = "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89";

struct Fixture {
    dir: tempfile::TempDir,
    session: Session,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let vault = LocalFile::new(dir.path().join("v.sallyport"));
        let password = SecretString::from("correct horse battery");
        let mut session = Session::create(&vault, &password, "Test", KdfParams::floor()).unwrap();
        let csv = dir.path().join("customers.csv");
        std::fs::write(&csv, CSV).unwrap();
        let import = session
            .import_in_one_pass(&csv, ImportOptions::default(), &mut |_| {})
            .unwrap();
        assert!(import.written);
        Self { dir, session }
    }

    fn entry(&self, code: &str) -> uuid::Uuid {
        self.session
            .select(code, Purpose::Connect)
            .unwrap()
            .entry
            .id
    }

    /// Connects to `code`'s RDP entry, with a plan that needs no clipboard.
    fn connect(
        &mut self,
        code: &str,
        options: ConnectOptions,
        platform: &Platform,
    ) -> Result<Connection, ConnectError> {
        let entry = self.entry(code);
        connect(
            &mut self.session,
            entry,
            options,
            platform,
            &mut no_clipboard,
        )
    }

    fn rdp_dir(&self) -> PathBuf {
        self.dir.path().join("rdp")
    }

    /// Linux with FreeRDP at `xfreerdp` (None: not installed).
    fn platform(&self, xfreerdp: Option<PathBuf>) -> Platform {
        Platform {
            os: Os::Linux,
            env: LaunchEnv {
                system_root: r"C:\Windows".into(),
                xfreerdp,
            },
            rdp_dir: self.rdp_dir(),
            read_certificate: |_, _, _| Ok(SERVER_CERT.to_owned()),
        }
    }

    /// The .rdp files left in the private directory.
    fn rdp_files(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.rdp_dir())
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }

    /// The launch events, oldest first: outcome and detail.
    fn launches(&self) -> Vec<(Outcome, String)> {
        let filter = AuditFilter {
            actions: vec![Action::Launch],
            ..AuditFilter::default()
        };
        self.session
            .audit_events(&filter)
            .unwrap()
            .into_iter()
            .map(|e| (e.outcome, e.detail))
            .collect()
    }
}

/// A stand-in FreeRDP: records its first argument, whether that file exists and what came
/// on its standard input, in `seen` beside itself.
fn stand_in_client(dir: &Path) -> PathBuf {
    let path = dir.join("xfreerdp");
    std::fs::write(
        &path,
        "#!/bin/sh\nread -r line\n{ echo \"arg=$1\"; [ -f \"$1\" ] && echo present; echo \"stdin=$line\"; } > \"$(dirname \"$0\")/seen\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn no_clipboard(_: &SecretString, _: Duration) -> Result<(), String> {
    panic!("this plan hands the password over without the clipboard")
}

#[test]
fn the_client_gets_the_file_and_the_password_then_both_are_gone() {
    let mut f = Fixture::new();
    let client = stand_in_client(f.dir.path());
    let platform = f.platform(Some(client));
    let connection = f
        .connect("ACME", ConnectOptions::default(), &platform)
        .unwrap();
    assert_eq!(connection.target, "ACME/Server");
    assert!(!connection.plan.args.iter().any(|a| a.contains("Canary")));
    let rdp_file = connection.plan.rdp_file.clone();
    let status = connection
        .started
        .unwrap()
        .clean_up_after(Duration::from_secs(10));
    assert!(status.is_some_and(|s| s.success()), "the stand-in ran");
    let seen = std::fs::read_to_string(f.dir.path().join("seen")).unwrap();
    assert_eq!(
        seen,
        format!("arg={}\npresent\nstdin=Canary-Pass-1\n", rdp_file.display())
    );
    assert!(f.rdp_files().is_empty(), "the .rdp file was removed");
    assert_eq!(
        f.launches(),
        [(
            Outcome::Ok,
            "xfreerdp, password via the client's standard input".to_owned()
        )]
    );
}

#[test]
fn a_client_that_cannot_start_is_recorded_and_leaves_no_file() {
    let mut f = Fixture::new();
    let platform = f.platform(Some(f.dir.path().join("no-such-xfreerdp")));
    let failed = f
        .connect("ACME", ConnectOptions::default(), &platform)
        .unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::Launch);
    assert!(failed.to_string().starts_with("cannot start "), "{failed}");
    assert!(f.rdp_files().is_empty(), "{:?}", f.rdp_files());
    let launches = f.launches();
    assert_eq!(launches.len(), 2, "{launches:?}");
    assert_eq!(launches[0].0, Outcome::Ok);
    assert_eq!(launches[1].0, Outcome::Failed);
    assert!(launches[1]
        .1
        .starts_with("no-such-xfreerdp did not start: cannot start "));
    assert!(!launches[1].1.contains("Canary"));
}

#[test]
fn a_password_that_cannot_reach_the_clipboard_stops_the_launch() {
    let mut f = Fixture::new();
    let platform = f.platform(None); // no FreeRDP: the desktop's handler and the clipboard
    let entry = f.entry("ACME");
    let mut offered = Vec::new();
    let failed = connect(
        &mut f.session,
        entry,
        ConnectOptions::default(),
        &platform,
        &mut |password, clear_after| {
            offered.push((password.expose().to_owned(), clear_after));
            Err("no display".into())
        },
    )
    .unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::Clipboard);
    assert_eq!(
        offered,
        [("Canary-Pass-1".to_owned(), Duration::from_secs(20))]
    );
    assert!(f.rdp_files().is_empty());
    assert_eq!(f.launches().last().unwrap().0, Outcome::Failed);
}

#[test]
fn a_dry_run_plans_and_records_but_writes_and_starts_nothing() {
    let mut f = Fixture::new();
    let client = stand_in_client(f.dir.path());
    let platform = f.platform(Some(client));
    let options = ConnectOptions {
        dry_run: true,
        ..ConnectOptions::default()
    };
    let connection = f.connect("ACME", options, &platform).unwrap();
    assert!(connection.started.is_none());
    assert!(f.rdp_files().is_empty());
    assert!(!f.dir.path().join("seen").exists());
    assert_eq!(
        f.launches(),
        [(
            Outcome::Ok,
            "dry run, nothing started (xfreerdp)".to_owned()
        )]
    );
}

#[test]
fn an_expired_account_is_refused_unless_the_user_insists() {
    let mut f = Fixture::new();
    let client = stand_in_client(f.dir.path());
    let platform = f.platform(Some(client));
    let refused = f
        .connect("OLD", ConnectOptions::default(), &platform)
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::AccountExpired);
    assert!(f.rdp_files().is_empty());
    let insisted = ConnectOptions {
        expired_ok: true,
        ..ConnectOptions::default()
    };
    let connection = f.connect("OLD", insisted, &platform).unwrap();
    assert!(connection.expiry.is_some_and(|e| e.is_expired()));
    connection
        .started
        .unwrap()
        .clean_up_after(Duration::from_secs(10));
    assert!(f.rdp_files().is_empty());
}

/// A stand-in client that stays running (like the real ones) until killed.
fn lingering_client(dir: &Path) -> PathBuf {
    let path = dir.join("xfreerdp-lingering");
    std::fs::write(&path, "#!/bin/sh\nread -r line\nexec sleep 60\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[test]
fn quitting_before_the_client_has_read_its_file_still_removes_it() {
    let mut f = Fixture::new();
    let platform = f.platform(Some(lingering_client(f.dir.path())));
    let connection = f
        .connect("ACME", ConnectOptions::default(), &platform)
        .unwrap();
    let started = connection.started.unwrap();
    let pid = started.pid();
    // What the app does: keep the clean-up pending, and run it on exit.
    let pending = PendingCleanups::default();
    pending.adopt(started, CLEAN_UP_GRACE);
    assert_eq!(f.rdp_files().len(), 1, "the client still has its file");
    pending.clean_up_now();
    assert!(pending.is_empty());
    assert!(f.rdp_files().is_empty(), "{:?}", f.rdp_files());
    let _ = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status();
}

#[test]
fn a_watched_client_is_named_while_it_runs_and_its_file_goes_after_the_grace() {
    let mut f = Fixture::new();
    let platform = f.platform(Some(lingering_client(f.dir.path())));
    let connection = f
        .connect("ACME", ConnectOptions::default(), &platform)
        .unwrap();
    let started = connection.started.unwrap();
    let pid = started.pid();
    let pending = PendingCleanups::default();
    pending.watch(started, Duration::from_millis(200), "acme-session".into());
    assert_eq!(pending.running(), ["acme-session"]);
    // After the grace the file is gone, and the client is still named while it runs.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !f.rdp_files().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(f.rdp_files().is_empty(), "{:?}", f.rdp_files());
    assert_eq!(pending.running(), ["acme-session"]);
    let _ = std::process::Command::new("kill")
        .arg(pid.to_string())
        .status();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !pending.running().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        pending.running().is_empty(),
        "an exited client is no longer named"
    );
}

#[test]
fn a_credential_manager_plan_off_windows_starts_nothing_and_leaves_nothing() {
    let mut f = Fixture::new();
    let mut platform = f.platform(Some(stand_in_client(f.dir.path())));
    platform.os = Os::Windows;
    let failed = f
        .connect("ACME", ConnectOptions::default(), &platform)
        .unwrap_err();
    assert_eq!(failed.kind(), ErrorKind::Launch);
    assert!(
        failed.to_string().contains("no Credential Manager"),
        "{failed}"
    );
    assert!(f.rdp_files().is_empty());
    assert!(!f.dir.path().join("seen").exists());
    assert_eq!(f.launches().last().unwrap().0, Outcome::Failed);
}

#[test]
fn the_first_certificate_is_pinned_and_another_is_refused_before_anything_starts() {
    let mut f = Fixture::new();
    let client = stand_in_client(f.dir.path());
    let platform = f.platform(Some(client));
    let first = f
        .connect("ACME", ConnectOptions::default(), &platform)
        .unwrap();
    let pinned = SERVER_CERT.to_ascii_uppercase();
    assert_eq!(first.pinned_certificate.as_deref(), Some(pinned.as_str()));
    first
        .started
        .unwrap()
        .clean_up_after(Duration::from_secs(10));
    let cert_arg = format!("/cert:deny,fingerprint:sha256:{SERVER_CERT}");
    let again = f
        .connect("ACME", ConnectOptions::default(), &platform)
        .unwrap();
    assert_eq!(again.pinned_certificate, None, "already pinned");
    assert!(again.plan.args.contains(&cert_arg), "{:?}", again.plan.args);
    again
        .started
        .unwrap()
        .clean_up_after(Duration::from_secs(10));
    std::fs::remove_file(f.dir.path().join("seen")).unwrap();

    // A man in the middle (or a replaced certificate): refused, both named, nothing run.
    let other = Platform {
        read_certificate: |_, _, _| Ok("11".repeat(32)),
        ..platform.clone()
    };
    let refused = f
        .connect("ACME", ConnectOptions::default(), &other)
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::CertificateChanged);
    let message = refused.to_string();
    assert!(
        message.contains(&format!("pinned SHA-256 {pinned}")),
        "{message}"
    );
    // The app reads the new fingerprint from ", now …;" to offer trusting it.
    let seen = format!("{}11", "11:".repeat(31));
    assert!(message.contains(&format!(", now {seen};")), "{message}");
    assert!(
        !f.dir.path().join("seen").exists(),
        "the client was not started"
    );
    assert!(f.rdp_files().is_empty());
    let launches = f.launches();
    let last = launches.last().unwrap();
    assert_eq!(last.0, Outcome::Failed);
    assert!(last.1.contains("certificate changed"), "{}", last.1);

    // A server whose certificate cannot be read is not connected to either.
    let unreadable = Platform {
        read_certificate: |_, _, _| Err("the TLS handshake failed: reset".into()),
        ..platform.clone()
    };
    let refused = f
        .connect("ACME", ConnectOptions::default(), &unreadable)
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "ACME/Server: cannot read the server's certificate: the TLS handshake failed: reset; nothing was started"
    );
}
