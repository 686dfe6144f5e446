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
