//! The team vault against a real PostgreSQL on 127.0.0.1 (started by tests/pg/server.sh:
//! TLS with a test CA, `hostssl … scram-sha-256` only), through the command line as staff
//! use it — and through `psql` with a member's own login, as an attacker would.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;

use sallyport_team::testing::PgServer as Pg;

const KDF: [&str; 4] = ["--kdf-memory-kib", "19456", "--kdf-iterations", "2"];

/// One member's profile and master password.
struct Profile {
    path: PathBuf,
    password: String,
}

impl Profile {
    fn run(&self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = assert_cmd::Command::cargo_bin("sallyport").unwrap();
        cmd.env_remove("SALLYPORT_VAULT")
            .env_remove("PGPASSWORD")
            .envs(env.iter().copied())
            .arg("--vault")
            .arg(&self.path)
            .arg("--password-stdin")
            .args(args)
            .write_stdin(format!("{}\n", self.password))
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert_ok(&out);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)))
    }
}

/// A team: Alice (admin, made it), Bob (editor) and Carol (staff), both confirmed; the
/// import fixture imported by Alice.
struct Team {
    pg: Pg,
    dir: tempfile::TempDir,
    alice: Profile,
    bob: Profile,
    carol: Profile,
}

impl Team {
    fn new() -> Team {
        let pg = Pg::start();
        let dir = tempfile::tempdir().unwrap();
        let profile = |name: &str, password: &str| Profile {
            path: dir.path().join(format!("{name}.team")),
            password: password.to_owned(),
        };
        let alice = profile("alice", "alice master password");
        let mut args = vec!["team", "init", "--db"];
        let url = pg.url("owner");
        let ca = pg.ca();
        args.extend([url.as_str(), "--ca", &ca, "--staff", "Alice"]);
        args.extend(KDF);
        assert_ok(&alice.run_with(&args, &[("PGPASSWORD", "owner-test-pw")]));
        assert_ok(&alice.run(&["import", fixture("import/valid.csv").to_str().unwrap()]));
        let team = Team {
            bob: profile("bob", "bob master password"),
            carol: profile("carol", "carol master password"),
            pg,
            dir,
            alice,
        };
        team.enrol(&team.bob, "Bob", "editor");
        team.enrol(&team.carol, "Carol", "staff");
        team
    }

    /// Invites, joins and confirms `who`.
    fn enrol(&self, who: &Profile, name: &str, role: &str) {
        let fingerprint = self.invite_and_join(who, name, role);
        assert_ok(
            &self
                .alice
                .run(&["team", "confirm", name, "--fingerprint", &fingerprint]),
        );
    }

    /// Invites and joins `who`; their fingerprint.
    fn invite_and_join(&self, who: &Profile, name: &str, role: &str) -> String {
        let invite = self
            .alice
            .json(&["team", "invite", name, "--role", role, "--json"]);
        assert_eq!(invite["name"], name);
        assert_eq!(invite["role"], role);
        let code = invite["code"].as_str().unwrap().to_owned();
        let joined = self.join(who, &code);
        assert_ok(&joined);
        let value: serde_json::Value = serde_json::from_slice(&joined.stdout).unwrap();
        value["fingerprint"].as_str().unwrap().to_owned()
    }

    fn join(&self, who: &Profile, code: &str) -> Output {
        let url = self.pg.url("");
        let ca = self.pg.ca();
        let mut args = vec![
            "team", "join", "--db", &url, "--ca", &ca, "--code", code, "--json",
        ];
        args.extend(KDF);
        who.run(&args)
    }

    /// The audit events Alice's client lists, as JSON.
    fn events(&self, filter: &[&str]) -> Vec<serde_json::Value> {
        let mut args = vec!["audit", "list", "--json"];
        args.extend(filter);
        self.alice.json(&args).as_array().unwrap().clone()
    }

    /// A member's database login, from `team db-env`, as environment variables.
    fn db_env(&self, who: &Profile) -> HashMap<String, String> {
        let out = who.run(&["team", "db-env"]);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
            .lines()
            .map(|line| {
                let (name, quoted) = line.split_once('=').unwrap();
                let value = quoted.trim_matches('\'').replace(r"'\''", "'");
                (name.to_owned(), value)
            })
            .collect()
    }
}

/// `psql` as the member whose `db-env` is `env`: stdout and stderr of one statement.
fn psql(env: &HashMap<String, String>, sql: &str) -> (bool, String) {
    let out = Command::new("psql")
        .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(env)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn members_join_confirm_and_use_credentials_across_three_profiles() {
    let t = Team::new();
    let members = t.alice.json(&["team", "members", "--json"]);
    assert_eq!(
        members,
        serde_json::json!([
            {"name": "Alice", "role": "admin", "confirmed": true, "active": true},
            {"name": "Bob", "role": "editor", "confirmed": true, "active": true},
            {"name": "Carol", "role": "staff", "confirmed": true, "active": true},
        ])
    );
    // Carol (staff) finds customers and uses a credential; the server records it as hers.
    let list = t.carol.json(&["list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 4, "{list}");
    let code = t.carol.json(&["totp", "ACME", "--json"]);
    assert_eq!(code["code"].as_str().unwrap().len(), 6);
    let shown = t.carol.run(&["show", "ACME"]);
    assert_ok(&shown);
    assert!(stdout(&shown).contains("rds.acme.example"));
    let uses = t.events(&["--action", "totp_show"]);
    assert_eq!(uses.len(), 1, "{uses:?}");
    assert_eq!(uses[0]["staff"], "Carol");
    assert_eq!(uses[0]["customer"], "ACME");
    assert_eq!(uses[0]["address"], "127.0.0.1");

    // Staff may not change the list or invite; an editor may import.
    let csv = t.dir.path().join("more.csv");
    std::fs::write(&csv, "customer,code\nZeta Corp,ZETA\n").unwrap();
    assert_error(
        &t.carol.run(&["import", csv.to_str().unwrap()]),
        "may not change the customer list",
    );
    assert_error(
        &t.carol.run(&["team", "invite", "Mallory"]),
        "only an admin invites members",
    );
    assert_ok(&t.bob.run(&["import", csv.to_str().unwrap()]));
    assert_eq!(
        t.carol.json(&["list", "--json"]).as_array().unwrap().len(),
        5
    );

    // A joined member gets nothing before an admin confirms the fingerprint they read out.
    let dave = Profile {
        path: t.dir.path().join("dave.team"),
        password: "dave master password".into(),
    };
    let fingerprint = t.invite_and_join(&dave, "Dave", "staff");
    assert_error(
        &dave.run(&["list"]),
        "Dave has joined but is not confirmed yet",
    );
    let wrong = format!("AAAA{}", &fingerprint[4..]);
    assert_error(
        &t.alice
            .run(&["team", "confirm", "Dave", "--fingerprint", &wrong]),
        "does not match the key Dave joined with",
    );
    assert_error(
        &t.alice
            .run(&["team", "confirm", "Nobody", "--fingerprint", &fingerprint]),
        "Nobody is not a member of this team",
    );
    assert_ok(
        &t.alice
            .run(&["team", "confirm", "Dave", "--fingerprint", &fingerprint]),
    );
    assert_ok(&dave.run(&["list"]));

    // Codes: a used one, a mistyped one; an existing name.
    let invite = t.alice.json(&["team", "invite", "Erin", "--json"]);
    let code = invite["code"].as_str().unwrap();
    let erin = Profile {
        path: t.dir.path().join("erin.team"),
        password: "erin master password".into(),
    };
    // Another name than the invited one is refused before anything is kept: the code
    // still works.
    let url = t.pg.url("");
    let ca = t.pg.ca();
    let mut args = vec![
        "team", "join", "--db", &url, "--ca", &ca, "--code", code, "--staff", "Mallory",
    ];
    args.extend(KDF);
    assert_error(
        &erin.run(&args),
        "--staff: this enrolment code was issued for Erin, not Mallory",
    );
    assert!(!erin.path.exists(), "a refused join writes no profile");
    assert_ok(&t.join(&erin, code));
    let again = Profile {
        path: t.dir.path().join("erin2.team"),
        password: "erin master password".into(),
    };
    assert_error(&t.join(&again, code), "this enrolment code was used at");
    let mut mistyped = code.to_owned();
    mistyped.replace_range(0..1, if code.starts_with('A') { "B" } else { "A" });
    assert_error(&t.join(&again, &mistyped), "enrolment code");
    assert_error(
        &t.alice.run(&["team", "invite", "Bob"]),
        "Bob is already a member",
    );

    // A revoked invitation's code no longer works; only an admin revokes.
    let invite = t.alice.json(&["team", "invite", "Frank", "--json"]);
    let code = invite["code"].as_str().unwrap();
    assert_error(
        &t.bob.run(&["team", "revoke", "Frank"]),
        "only an admin revokes invitations",
    );
    let out = t.alice.run(&["team", "revoke", "Frank"]);
    assert_ok(&out);
    assert_eq!(
        stdout(&out).trim(),
        "Revoked the invitation of Frank: its code no longer works"
    );
    let frank = Profile {
        path: t.dir.path().join("frank.team"),
        password: "frank master password".into(),
    };
    assert_error(&t.join(&frank, code), "does not know this enrolment code");
    assert!(!frank.path.exists());
    assert_error(
        &t.alice.run(&["team", "revoke", "Frank"]),
        "name: Frank has no invitation waiting to be used",
    );
    let revoked = t.events(&["--action", "invite_revoke"]);
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert_eq!(revoked[0]["staff"], "Alice");
    assert_eq!(revoked[0]["detail"], "invitation of Frank revoked");

    // Every profile verifies the server's chain.
    for who in [&t.alice, &t.bob, &t.carol] {
        let out = who.run(&["audit", "verify"]);
        assert_ok(&out);
        assert!(
            stdout(&out).starts_with("audit log intact"),
            "{}",
            stdout(&out)
        );
    }
}

#[test]
fn a_staff_member_with_psql_reads_no_secret_and_changes_no_history() {
    let t = Team::new();
    let env = t.db_env(&t.carol);
    assert_eq!(env["PGSSLMODE"], "verify-full");
    assert_eq!(env["PGHOST"], "127.0.0.1");
    assert!(Path::new(&env["PGSSLROOTCERT"]).is_file());
    assert_eq!(
        t.events(&["--action", "db_env"]).len(),
        1,
        "db-env is recorded"
    );
    let history =
        t.pg.superuser("SELECT count(*), max(seq), (SELECT encode(hash, 'hex') FROM sallyport.audit ORDER BY seq DESC LIMIT 1) FROM sallyport.audit");
    let secrets =
        t.pg.superuser("SELECT encode(blob, 'hex') FROM sallyport.entry_secrets");
    assert!(secrets.lines().count() >= 3);

    // What she may read: sealed records and the log.
    for table in ["customers", "entries", "audit", "meta"] {
        let (ok, text) = psql(&env, &format!("SELECT * FROM sallyport.{table}"));
        assert!(ok, "{table}: {text}");
    }
    // What she may not: secrets, invitations, other members' keys and logins.
    for sql in [
        "SELECT * FROM sallyport.entry_secrets",
        "SELECT * FROM sallyport.tickets",
        "SELECT * FROM sallyport.invites",
        "SELECT wrapped_key FROM sallyport.members",
        "SELECT login FROM sallyport.members",
        "SELECT * FROM sallyport.members",
    ] {
        let (ok, text) = psql(&env, sql);
        assert!(!ok && text.contains("permission denied"), "{sql}: {text}");
    }
    // Changing anything, directly or through the functions that are not hers.
    let tables = [
        "audit",
        "customers",
        "entries",
        "entry_secrets",
        "tickets",
        "members",
        "invites",
        "meta",
    ];
    for table in tables {
        for sql in [
            format!("DELETE FROM sallyport.{table}"),
            format!("TRUNCATE sallyport.{table}"),
            format!("DROP TABLE sallyport.{table}"),
            format!("ALTER TABLE sallyport.{table} DISABLE TRIGGER ALL"),
            format!("INSERT INTO sallyport.{table} DEFAULT VALUES"),
        ] {
            let (ok, text) = psql(&env, &sql);
            assert!(!ok, "{sql} succeeded: {text}");
        }
    }
    for sql in [
        "UPDATE sallyport.audit SET member = 'Alice'",
        "UPDATE sallyport.customers SET record = ''",
        "UPDATE sallyport.members SET role = 'admin'",
        "SELECT sallyport.sp_append('Alice', NULL, 'unlock', 'ok', NULL, NULL, NULL, NULL, NULL)",
        "SELECT * FROM sallyport.sp_write('{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
        "SELECT * FROM sallyport.sp_confirm('Carol', 'x', 'x')",
        "SELECT * FROM sallyport.sp_take_ticket(gen_random_uuid(), NULL)",
        "SELECT * FROM sallyport.sp_ticket('Carol', NULL)",
        // Helpers that run as the calling function's owner (schema version 4).
        "SELECT * FROM sallyport.sp_caller()",
        "SELECT sallyport.sp_row_fields('Alice', NULL, NULL, 'unlock', 'ok', NULL, NULL, NULL, NULL, NULL)",
        "DROP SCHEMA sallyport CASCADE",
        "SET ROLE owner",
        "CREATE TABLE sallyport.mine (x int)",
    ] {
        let (ok, text) = psql(&env, sql);
        assert!(!ok, "{sql} succeeded: {text}");
        for blob in secrets.lines() {
            assert!(!text.contains(blob), "{sql} showed a sealed secret");
        }
    }
    // The one way to a sealed secret records the use first, and hands the secret out only
    // once that record has committed: taking it and rolling the record back is refused.
    let entry =
        t.pg.superuser("SELECT entry_id FROM sallyport.entry_secrets LIMIT 1");
    let use_sql = format!(
        "SELECT ticket FROM sallyport.sp_use_secret('{}', gen_random_uuid(), 'copy_password', 'ok', NULL, NULL)",
        entry.trim()
    );
    for sql in [
        format!("BEGIN; SELECT length(blob) FROM sallyport.sp_redeem(({use_sql})); ROLLBACK"),
        format!(
            "BEGIN; CREATE TEMP TABLE t AS {use_sql}; SAVEPOINT s; SELECT length(blob) FROM sallyport.sp_redeem((SELECT ticket FROM t)); ROLLBACK"
        ),
    ] {
        let (ok, text) = psql(&env, &sql);
        assert!(!ok && text.contains("not recorded yet"), "{sql}: {text}");
    }
    // The one-call use (schema version 5) commits its record itself: inside the member's
    // own transaction it may not, and hands nothing out. The rehearsal keeps nothing.
    let call = format!(
        "BEGIN; CALL sallyport.sp_use_credential('{}', gen_random_uuid(), 'copy_password', 'ok', NULL, NULL, NULL, NULL, NULL); ROLLBACK",
        entry.trim()
    );
    let (ok, text) = psql(&env, &call);
    assert!(
        !ok && text.contains("invalid transaction termination"),
        "{call}: {text}"
    );
    let (ok, text) = psql(&env, "SELECT sallyport.sp_rehearse_use()");
    assert!(ok, "the rehearsal failed: {text}");
    for blob in secrets.lines() {
        assert!(!text.contains(blob), "the rehearsal showed a sealed secret");
    }
    assert_eq!(
        t.pg.superuser("SELECT count(*), max(seq), (SELECT encode(hash, 'hex') FROM sallyport.audit ORDER BY seq DESC LIMIT 1) FROM sallyport.audit"),
        history,
        "the history changed"
    );
    let (ok, ticket) = psql(&env, &use_sql);
    assert!(ok, "{ticket}");
    let redeem = format!(
        "SELECT length(blob) FROM sallyport.sp_redeem('{}')",
        ticket.trim()
    );
    let (ok, text) = psql(&env, &redeem);
    assert!(ok && text.trim().parse::<usize>().unwrap() > 0, "{text}");
    let (ok, text) = psql(&env, &redeem);
    assert!(!ok && text.contains("used, expired or unknown"), "{text}");
    let last =
        t.pg.superuser("SELECT member, action FROM sallyport.audit ORDER BY seq DESC LIMIT 1");
    assert_eq!(last.trim(), "Carol|copy_password");
    let copies = t.events(&["--action", "copy_password"]);
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0]["staff"], "Carol");
    assert_ok(&t.alice.run(&["audit", "verify"]));
}

#[test]
fn an_expired_ticket_is_refused_and_goes_when_its_member_next_unlocks() {
    let t = Team::new();
    let env = t.db_env(&t.carol);
    let entry =
        t.pg.superuser("SELECT entry_id FROM sallyport.entry_secrets LIMIT 1");
    let (ok, ticket) = psql(
        &env,
        &format!(
            "SELECT ticket FROM sallyport.sp_use_secret('{}', gen_random_uuid(), 'copy_password', 'ok', NULL, NULL)",
            entry.trim()
        ),
    );
    assert!(ok, "{ticket}");
    let carols = "SELECT count(*) FROM sallyport.tickets WHERE member = 'Carol'";
    assert_eq!(t.pg.superuser(carols).trim(), "1");
    t.pg.superuser("UPDATE sallyport.tickets SET expires_at = now() - interval '1 second'");
    let (ok, text) = psql(
        &env,
        &format!(
            "SELECT length(blob) FROM sallyport.sp_redeem('{}')",
            ticket.trim()
        ),
    );
    assert!(!ok && text.contains("used, expired or unknown"), "{text}");
    assert_eq!(
        t.pg.superuser(carols).trim(),
        "1",
        "the refusal deleted nothing"
    );
    assert_ok(&t.carol.run(&["list", "--json"]));
    assert_eq!(t.pg.superuser(carols).trim(), "0", "unlocking cleared it");
}

#[test]
fn canaries_are_absent_from_pg_dump_and_the_data_directory() {
    let t = Team::new();
    t.pg.superuser("CHECKPOINT");
    let dump = t.pg.dump();
    let canaries = [
        "Acme Manufacturing",
        "rds.acme.example",
        "gw.acme.example",
        "Canary-Pass-Acme",
        "JBSWY3DPEHPK3PXP",
        "Maintenance window",
        "ACME\\vendor",
    ];
    assert!(
        dump.contains("sallyport.customers"),
        "the dump holds the tables"
    );
    for canary in canaries {
        assert!(!dump.contains(canary), "{canary} readable in pg_dump");
    }
    let mut files = vec![PathBuf::from(&t.pg.dir).join("data")];
    let mut scanned = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        scanned += bytes.len();
        for canary in canaries {
            assert!(
                !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
                "{canary} readable in {}",
                path.display()
            );
        }
    }
    assert!(scanned > 1_000_000, "the data directory was read");
    // The profiles hold nothing readable about customers either.
    for who in [&t.alice, &t.bob, &t.carol] {
        let bytes = std::fs::read(&who.path).unwrap();
        for canary in canaries {
            assert!(!bytes.windows(canary.len()).any(|w| w == canary.as_bytes()));
        }
    }
}

#[test]
fn weak_or_foreign_tls_is_refused() {
    let pg = Pg::start();
    let dir = tempfile::tempdir().unwrap();
    let admin = Profile {
        path: dir.path().join("admin.team"),
        password: "admin master password".into(),
    };
    let init = |url: &str, ca: &str| {
        let mut args = vec!["team", "init", "--db", url, "--ca", ca, "--staff", "Alice"];
        args.extend(KDF);
        admin.run_with(&args, &[("PGPASSWORD", "owner-test-pw")])
    };
    let other = pg.other_ca();
    assert_error(
        &init(&pg.url("owner"), &other),
        "the server's certificate is not signed by the team's CA; refused",
    );
    assert_error(
        &init(&format!("{}?sslmode=disable", pg.url("owner")), &pg.ca()),
        "sslmode=disable is refused",
    );
    assert_error(
        &init(
            &pg.url("owner"),
            fixture("import/valid.csv").to_str().unwrap(),
        ),
        "holds no certificate",
    );
    // A server that offers no TLS at all (it answers PostgreSQL's TLS request with 'N').
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = plain.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        if let Ok((mut stream, _)) = plain.accept() {
            let mut request = [0u8; 8];
            let _ = std::io::Read::read_exact(&mut stream, &mut request);
            let _ = std::io::Write::write_all(&mut stream, b"N");
        }
    });
    assert_error(
        &init(&format!("postgres://owner@127.0.0.1:{port}/team"), &pg.ca()),
        "offers no TLS",
    );
    server.join().unwrap();
    assert!(
        !admin.path.exists(),
        "no profile is left from a refused init"
    );
    // The right CA works, and a second init of the same database is refused.
    assert_ok(&init(&pg.url("owner"), &pg.ca()));
    let second = Profile {
        path: dir.path().join("again.team"),
        password: "admin master password".into(),
    };
    let mut args = vec!["team", "init", "--db"];
    let url = pg.url("owner");
    let ca = pg.ca();
    args.extend([url.as_str(), "--ca", &ca]);
    args.extend(KDF);
    assert_error(
        &second.run_with(&args, &[("PGPASSWORD", "owner-test-pw")]),
        "already holds a Sallyport team",
    );
}

#[test]
fn twenty_concurrent_credential_uses_give_twenty_chained_events() {
    let t = Team::new();
    let children: Vec<_> = (0..20)
        .map(|_| {
            let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("sallyport"));
            cmd.env_remove("SALLYPORT_VAULT")
                .arg("--vault")
                .arg(&t.carol.path)
                .args(["--password-stdin", "totp", "ACME", "--json"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            spawn_with_stdin(&mut cmd, &format!("{}\n", t.carol.password))
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let uses = t.events(&["--action", "totp_show", "--staff", "Carol"]);
    assert_eq!(uses.len(), 20);
    let out = t.alice.run(&["audit", "verify", "--json"]);
    assert_ok(&out);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    let rows =
        t.pg.superuser("SELECT count(*), max(seq), min(seq) FROM sallyport.audit");
    let counts: Vec<i64> = rows.trim().split('|').map(|n| n.parse().unwrap()).collect();
    assert_eq!(
        counts[0], counts[1],
        "one row per sequence number, none missing"
    );
    assert_eq!(counts[2], 1);
}

#[test]
fn a_rolled_back_audit_table_is_reported() {
    let t = Team::new();
    assert_ok(&t.carol.run(&["totp", "ACME"]));
    assert_ok(&t.carol.run(&["audit", "verify"])); // remembers the head it saw
    let seen = t.pg.superuser("SELECT max(seq) FROM sallyport.audit");
    let seen: i64 = seen.trim().parse().unwrap();
    // Someone with the database owner's rights removes the last events.
    t.pg.superuser(&format!(
        "DELETE FROM sallyport.audit WHERE seq > {}",
        seen - 3
    ));
    let out = t.carol.run(&["audit", "verify"]);
    assert_error(&out, "rolled back or cut");
    // Editing a row in the middle is found too, by every client.
    t.pg.superuser("UPDATE sallyport.audit SET member = 'Nobody' WHERE seq = 3");
    assert_error(
        &t.alice.run(&["audit", "verify"]),
        "was changed after it was written",
    );
}

#[test]
fn a_removed_member_is_out_at_once_and_what_they_used_is_to_rotate() {
    let t = Team::new();
    assert_ok(&t.carol.run(&["totp", "ACME"]));
    let env = t.db_env(&t.carol);
    // A connection Carol already has open when she is removed.
    let entry =
        t.pg.superuser("SELECT entry_id FROM sallyport.entry_secrets LIMIT 1");
    let mut open = std::process::Command::new("psql")
        .args(["-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-f", "-"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(&env)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut script = open.stdin.take().unwrap();
        write!(
            script,
            "SELECT pg_sleep(4);\n\
             SELECT ticket FROM sallyport.sp_use_secret('{}', gen_random_uuid(), 'copy_password', 'ok', NULL, NULL) \\gset\n\
             SELECT length(blob) FROM sallyport.sp_redeem(:'ticket');\n",
            entry.trim()
        )
        .unwrap();
    }
    std::thread::sleep(std::time::Duration::from_millis(1000));
    assert_error(
        &t.bob.run(&["team", "remove", "Carol"]),
        "only an admin removes members",
    );
    let removed = t.alice.json(&["team", "remove", "Carol", "--json"]);
    assert_eq!(removed["removed"], "Carol");
    let rotate = removed["rotate"].as_array().unwrap();
    assert_eq!(rotate.len(), 1, "{removed}");
    assert_eq!(rotate[0]["customer"], "ACME");
    assert_eq!(rotate[0]["entry"], "Web server");
    assert!(rotate[0]["last_used"].as_str().unwrap().starts_with("20"));
    let open = open.wait_with_output().unwrap();
    assert!(
        !open.status.success(),
        "the open session still got a secret"
    );
    let refusal = String::from_utf8_lossy(&open.stderr);
    assert!(
        refusal.contains("permission denied") || refusal.contains("Carol was removed"),
        "{refusal}"
    );
    assert!(!String::from_utf8_lossy(&open.stdout)
        .chars()
        .any(|c| c.is_ascii_digit()));
    // Her client and her own login are refused; what she used is due for rotation.
    assert_error(&t.carol.run(&["list"]), "is disabled");
    let (ok, text) = psql(&env, "SELECT count(*) FROM sallyport.customers");
    assert!(!ok && text.contains("not permitted to log in"), "{text}");
    let show = t.alice.json(&["show", "ACME", "--json"]);
    let web = show["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "Web server")
        .unwrap();
    assert!(web["rotation_due"].is_string(), "{web}");
    let members = t.alice.json(&["team", "members", "--json"]);
    assert_eq!(members[2]["name"], "Carol");
    assert_eq!(members[2]["active"], false);
    assert_error(
        &t.alice.run(&["team", "remove", "Carol"]),
        "Carol was already removed",
    );
    assert_error(
        &t.alice.run(&["team", "remove", "Alice"]),
        "you cannot remove yourself",
    );
    assert_ok(&t.alice.run(&["audit", "verify"]));
}

#[test]
fn a_local_vault_is_pushed_into_the_team() {
    let t = Team::new();
    let local = Vault::new();
    let csv = t.dir.path().join("local.csv");
    std::fs::write(
        &csv,
        "customer,code,entry,kind,host,username,password\n\
         Zeta Corp,ZETA,Server,rdp,zeta.example,admin,Canary-Pass-Zeta\n\
         Eta GmbH,ETA,Server,rdp,eta.example,admin,Canary-Pass-Eta\n",
    )
    .unwrap();
    assert_ok(&local.run(&["import", csv.to_str().unwrap()], PASSWORD));
    let local_path = local.path.to_str().unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("sallyport").unwrap();
    let out = cmd
        .env_remove("SALLYPORT_VAULT")
        .arg("--vault")
        .arg(&t.carol.path)
        .args([
            "--password-stdin",
            "team",
            "push",
            "--from",
            local_path,
            "--json",
        ])
        .write_stdin(format!("{}\n{PASSWORD}\n", t.carol.password))
        .output()
        .unwrap();
    assert_error(&out, "may not change the customer list");
    let out = assert_cmd::Command::cargo_bin("sallyport")
        .unwrap()
        .env_remove("SALLYPORT_VAULT")
        .arg("--vault")
        .arg(&t.bob.path)
        .args([
            "--password-stdin",
            "team",
            "push",
            "--from",
            local_path,
            "--json",
        ])
        .write_stdin(format!("{}\n{PASSWORD}\n", t.bob.password))
        .output()
        .unwrap();
    assert_ok(&out);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["created"], 2, "{summary}");
    let codes: Vec<String> = t
        .carol
        .json(&["list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(codes.contains(&"ZETA".to_owned()) && codes.contains(&"ETA".to_owned()));
    let imports = t.events(&["--action", "import", "--staff", "Bob"]);
    assert_eq!(imports.len(), 1);
    let exports = local.run(&["audit", "list", "--action", "export", "--json"], PASSWORD);
    assert_ok(&exports);
    assert!(stdout(&exports).contains("to a team vault (push)"));
    assert!(!t.pg.dump().contains("Canary-Pass-Zeta"));
}

#[test]
fn remove_with_rekey_seals_everything_under_a_new_key_for_the_others() {
    let t = Team::new();
    assert_ok(&t.carol.run(&["totp", "ACME"]));
    let before = t.pg.superuser(
        "SELECT (SELECT string_agg(encode(record, 'hex'), ',' ORDER BY id) FROM sallyport.customers),
                (SELECT encode(wrapped_key, 'hex') FROM sallyport.members WHERE name = 'Bob')",
    );
    let removed = t
        .alice
        .json(&["team", "remove", "Carol", "--rekey", "--json"]);
    assert_eq!(removed["removed"], "Carol");
    let after = t.pg.superuser(
        "SELECT (SELECT string_agg(encode(record, 'hex'), ',' ORDER BY id) FROM sallyport.customers),
                (SELECT encode(wrapped_key, 'hex') FROM sallyport.members WHERE name = 'Bob')",
    );
    let (records_before, bob_before) = before.trim().split_once('|').unwrap();
    let (records_after, bob_after) = after.trim().split_once('|').unwrap();
    assert_ne!(records_before, records_after, "every record is sealed anew");
    assert_ne!(bob_before, bob_after, "Bob has the new key");
    // The remaining members work as before; old events still read (the old key is kept,
    // sealed under the new one); the log verifies.
    assert_eq!(t.bob.json(&["list", "--json"]).as_array().unwrap().len(), 4);
    assert_eq!(t.bob.json(&["totp", "ACME", "--json"])["digits"], 6);
    let uses = t.events(&["--action", "totp_show", "--staff", "Carol"]);
    assert_eq!(uses.len(), 1);
    assert_eq!(uses[0]["customer"], "ACME");
    assert_eq!(t.events(&["--action", "rekey"]).len(), 1);
    for who in [&t.alice, &t.bob] {
        assert_ok(&who.run(&["audit", "verify"]));
    }
    // A second re-key keeps both earlier keys.
    let dave = Profile {
        path: t.dir.path().join("dave.team"),
        password: "dave master password".into(),
    };
    t.enrol(&dave, "Dave", "staff");
    assert_ok(&dave.run(&["totp", "ACME"]));
    assert_ok(&t.alice.run(&["team", "remove", "Dave", "--rekey"]));
    assert_eq!(
        t.events(&["--action", "totp_show"]).len(),
        3,
        "Carol's, Bob's and Dave's"
    );
    assert_ok(&t.bob.run(&["audit", "verify"]));
}

#[test]
fn a_reason_is_recorded_by_the_server_and_the_statement_reads_the_servers_log() {
    let t = Team::new();
    // The customer's rule is Alice's to set (an edit); Carol (staff) uses a credential.
    assert_ok(&t.alice.run(&["reason", "ACME", "required"]));
    let refused = t.carol.run(&["totp", "ACME/Web server"]);
    assert_error(&refused, "ACME requires a reason");
    assert!(stdout(&refused).is_empty());
    assert_ok(
        &t.carol
            .run(&["totp", "ACME/Web server", "--reason", "TASS-900 team check"]),
    );

    // The server holds the reason in its own column, written by its own function.
    let recorded = t.pg.superuser(
        "SELECT member || '|' || action || '|' || outcome || '|' || coalesce(reason, '') \
         FROM sallyport.audit WHERE action = 'totp_show' ORDER BY seq",
    );
    let rows: Vec<&str> = recorded.lines().collect();
    assert!(rows.contains(&"Carol|totp_show|failed|"), "{recorded}");
    assert!(
        rows.contains(&"Carol|totp_show|ok|TASS-900 team check"),
        "{recorded}"
    );

    // Alice's statement of ACME lists Carol's uses with the reason, and the head her
    // `audit verify` reports next.
    let file = t.dir.path().join("acme.json");
    assert_ok(&t.alice.run(&[
        "statement",
        "ACME",
        "--out",
        file.to_str().unwrap(),
        "--format",
        "json",
    ]));
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let uses: Vec<(String, String, String)> = s["uses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["staff"].as_str().unwrap().to_owned(),
                u["outcome"].as_str().unwrap().to_owned(),
                u["reason"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert!(
        uses.contains(&("Carol".into(), "ok".into(), "TASS-900 team check".into())),
        "{uses:?}"
    );
    assert_eq!(s["verified"], true);
    let verify = t.alice.json(&["audit", "verify", "--json"]);
    assert_eq!(s["chain_head"], verify["head"]);
}
