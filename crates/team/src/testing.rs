//! Test support (feature `test-support`): a throwaway PostgreSQL from
//! `tests/pg/server.sh` — TLS from a test CA, `hostssl … scram-sha-256` only, 127.0.0.1 on a
//! free port, the database `team` owned by `owner` (password [`OWNER_PASSWORD`]) — stopped
//! and removed when dropped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The database owner's password on a test server.
pub const OWNER_PASSWORD: &str = "owner-test-pw";

/// A running test server.
#[derive(Debug)]
pub struct PgServer {
    /// Its directory (data, socket, certificates).
    pub dir: String,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/pg/server.sh")
}

impl PgServer {
    /// Starts one (installing nothing: `scripts/deps.sh` installs PostgreSQL).
    pub fn start() -> PgServer {
        let out = Command::new(script()).arg("start").output().unwrap();
        assert!(
            out.status.success(),
            "cannot start PostgreSQL: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let (dir, port) = text.lines().last().unwrap().split_once(' ').unwrap();
        PgServer {
            dir: dir.to_owned(),
            port: port.parse().unwrap(),
        }
    }

    /// `postgres://USER@127.0.0.1:PORT/team` (no user when `user` is empty).
    pub fn url(&self, user: &str) -> String {
        match user {
            "" => format!("postgres://127.0.0.1:{}/team", self.port),
            user => format!("postgres://{user}@127.0.0.1:{}/team", self.port),
        }
    }

    /// The CA that signed the server's certificate.
    pub fn ca(&self) -> String {
        format!("{}/ca.pem", self.dir)
    }

    /// A CA that signed nothing here.
    pub fn other_ca(&self) -> String {
        format!("{}/other-ca.pem", self.dir)
    }

    /// Runs SQL as the cluster's superuser over the local socket; tuples only.
    pub fn superuser(&self, sql: &str) -> String {
        let out = Command::new("runuser")
            .args([
                "-u",
                "postgres",
                "--",
                "psql",
                "-X",
                "-q",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
            ])
            .args([
                "-h",
                &self.dir,
                "-p",
                &self.port.to_string(),
                "-d",
                "team",
                "-c",
                sql,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `pg_dump` of the team database, as the superuser.
    pub fn dump(&self) -> String {
        let out = Command::new("runuser")
            .args(["-u", "postgres", "--", "pg_dump", "-h", &self.dir, "-p"])
            .arg(self.port.to_string())
            .args(["-d", "team"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = Command::new(script()).args(["stop", &self.dir]).output();
    }
}

/// A team of two on `pg`, its profiles in `dir`: Alice (admin) made it and imported
/// `fixture`; Bob (`bob_role`) joined and was confirmed. Master passwords are
/// [`master_password`]`("alice")` and `("bob")`; every session is locked again.
pub fn alice_and_bob(pg: &PgServer, dir: &Path, fixture: &Path, bob_role: &str) {
    use sallyport_core::import::ImportOptions;
    use sallyport_core::vault::kdf::KdfParams;
    use sallyport_core::{SecretString, Session};

    use crate::admin;
    use crate::conn::DbAddress;

    let ca = std::fs::read(pg.ca()).unwrap();
    let kdf = KdfParams::floor();
    let alice_profile = dir.join("alice.team");
    admin::init(
        &DbAddress::parse(&pg.url("owner")).unwrap(),
        &SecretString::from(OWNER_PASSWORD),
        &ca,
        &alice_profile,
        &master_password("alice"),
        "Alice",
        kdf,
    )
    .unwrap();
    let mut alice = Session::unlock(
        &crate::TeamBackend::new(&alice_profile),
        &master_password("alice"),
    )
    .unwrap();
    let import = alice
        .import_in_one_pass(fixture, ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert!(import.written);
    let invitation = admin::invite(&mut alice, "Bob", bob_role).unwrap();
    let joined = admin::join(
        &DbAddress::parse(&pg.url("")).unwrap(),
        &ca,
        &invitation.code,
        &dir.join("bob.team"),
        &master_password("bob"),
        None,
        kdf,
    )
    .unwrap();
    admin::confirm(&mut alice, "Bob", &joined.fingerprint).unwrap();
    alice.lock().unwrap();
}

/// The master password of `name`'s profile in [`alice_and_bob`].
pub fn master_password(name: &str) -> sallyport_core::SecretString {
    sallyport_core::SecretString::new(format!("{name} master password"))
}
