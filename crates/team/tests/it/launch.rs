//! A launch on a team profile: the customer's "rotate after each support session" policy
//! marks the password due when a member who may edit starts a session; a staff member's
//! launch is recorded by the server but leaves the entry as it is (staff cannot write it).

use sallyport_core::rdp::{LaunchEnv, Os, RdpTempDir};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::LaunchRequest;
use sallyport_core::Session;
use sallyport_team::admin;
use sallyport_team::conn::DbAddress;
use sallyport_team::testing::{alice_and_bob, master_password, PgServer};
use sallyport_team::TeamBackend;

fn unlock(dir: &tempfile::TempDir, name: &str) -> Session {
    let backend = TeamBackend::new(dir.path().join(format!("{name}.team")));
    Session::unlock(&backend, &master_password(name)).unwrap()
}

/// Starts (prepares: the file written, the password handed over) a Windows launch of
/// ACME's "Web server" as `session`.
fn launch(session: &mut Session, temp: &RdpTempDir) -> bool {
    let acme = session.customer_by_code("ACME").unwrap();
    let entry = acme
        .entries
        .iter()
        .find(|e| e.label == "Web server")
        .unwrap()
        .clone();
    let env = LaunchEnv {
        system_root: r"C:\Windows".into(),
        xfreerdp: None,
    };
    let request = LaunchRequest {
        os: Os::Windows,
        env: &env,
        today: sallyport_core::hygiene::today(),
        expired_ok: true,
        dry_run: false,
        reason: None,
        read_certificate: None,
    };
    let prepared = session.prepare_launch(entry.id, request, temp).unwrap();
    prepared.password.is_some()
}

fn rotation_due(dir: &tempfile::TempDir, name: &str) -> bool {
    let session = unlock(dir, name);
    let acme = session.customer_by_code("ACME").unwrap();
    acme.entries
        .iter()
        .find(|e| e.label == "Web server")
        .unwrap()
        .rotation_due
}

#[test]
fn a_launch_marks_the_password_due_for_rotation_when_the_member_may_edit() {
    let pg = PgServer::start();
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import/valid.csv");
    alice_and_bob(&pg, dir.path(), &fixture, "staff");
    let mut alice = unlock(&dir, "alice");
    alice.set_rotation_policy("ACME", true).unwrap();
    let invitation = admin::invite(&mut alice, "Carol", "editor").unwrap();
    let joined = admin::join(
        &DbAddress::parse(&pg.url("")).unwrap(),
        &std::fs::read(pg.ca()).unwrap(),
        &invitation.code,
        &dir.path().join("carol.team"),
        &master_password("carol"),
        None,
        KdfParams::floor(),
    )
    .unwrap();
    admin::confirm(&mut alice, "Carol", &joined.fingerprint).unwrap();
    alice.lock().unwrap();
    let temp = RdpTempDir::open(&dir.path().join("rdp")).unwrap();

    // Bob (staff) connects: the server records it; the entry stays unmarked.
    let mut bob = unlock(&dir, "bob");
    assert!(launch(&mut bob, &temp), "the password is handed over");
    bob.lock().unwrap();
    assert!(!rotation_due(&dir, "alice"));

    // Carol (editor) connects: the password is now due, recorded as her edit.
    let mut carol = unlock(&dir, "carol");
    assert!(launch(&mut carol, &temp));
    carol.lock().unwrap();
    assert!(rotation_due(&dir, "bob"), "every member sees the mark");
    let alice = unlock(&dir, "alice");
    let marks: Vec<_> = alice
        .audit_events(&Default::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.detail.contains("password due for rotation"))
        .map(|e| e.staff)
        .collect();
    assert_eq!(marks, ["Carol"]);
}
