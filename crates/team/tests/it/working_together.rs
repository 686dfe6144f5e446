//! Two members working on the same customers at once: the later save of a record someone
//! else changed since it was read is refused, naming who changed it and when; nothing is
//! lost, and a fresh read saves.

use sallyport_core::model::form::CustomerForm;
use sallyport_core::Session;
use sallyport_team::testing::{alice_and_bob, master_password, PgServer};
use sallyport_team::TeamBackend;

struct Team {
    _pg: PgServer,
    dir: tempfile::TempDir,
}

/// Alice (admin) made the team and imported the fixture; Bob (editor) joined and was
/// confirmed.
fn team() -> Team {
    let pg = PgServer::start();
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import/valid.csv");
    alice_and_bob(&pg, dir.path(), &fixture, "editor");
    Team { _pg: pg, dir }
}

fn unlock(dir: &tempfile::TempDir, name: &str) -> Session {
    let backend = TeamBackend::new(dir.path().join(format!("{name}.team")));
    Session::unlock(&backend, &master_password(name)).unwrap()
}

fn with_notes(session: &Session, code: &str, notes: &str) -> (uuid::Uuid, CustomerForm) {
    let customer = session.customer_by_code(code).unwrap();
    let mut form = CustomerForm::of(customer);
    form.notes = notes.to_owned();
    (customer.id, form)
}

#[test]
fn the_later_save_of_a_changed_record_is_refused_naming_who_and_when() {
    let t = team();
    let mut alice = unlock(&t.dir, "alice");
    let mut bob = unlock(&t.dir, "bob");
    let (id, form) = with_notes(&alice, "ACME", "Alice was here");
    alice.save_customer(Some(id), &form).unwrap();
    let (id, form) = with_notes(&bob, "ACME", "Bob was here");
    let refused = bob.save_customer(Some(id), &form).unwrap_err();
    let message = &refused[0].message;
    assert!(
        message.contains("changed by Alice at ") && message.contains("nothing was saved"),
        "{message}"
    );
    bob.lock().unwrap();
    // Nothing was lost: Alice's change is there; read afresh, Bob's save goes through.
    let mut bob = unlock(&t.dir, "bob");
    let acme = bob.customer_by_code("ACME").unwrap().clone();
    assert_eq!(acme.notes, "Alice was here");
    let (id, form) = with_notes(&bob, "ACME", "Bob was here");
    bob.save_customer(Some(id), &form).unwrap();
    alice.lock().unwrap();
    let alice = unlock(&t.dir, "alice");
    assert_eq!(
        alice.customer_by_code("ACME").unwrap().notes,
        "Bob was here"
    );
    assert!(alice.verify_audit().unwrap().is_ok());
}

#[test]
fn a_member_following_changes_is_told_who_changed_the_list_and_reads_it_again() {
    let t = team();
    let mut alice = unlock(&t.dir, "alice");
    let (told, heard) = std::sync::mpsc::channel::<String>();
    assert!(alice
        .follow_changes(move |by| {
            let _ = told.send(by.to_owned());
        })
        .unwrap());
    let mut bob = unlock(&t.dir, "bob");
    let (id, form) = with_notes(&bob, "ACME", "Bob was here");
    bob.save_customer(Some(id), &form).unwrap();
    let by = heard
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("no change notice within 10 s");
    assert_eq!(by, "Bob");
    // Until Alice reads the list again she has the old record; then Bob's.
    assert_ne!(
        alice.customer_by_code("ACME").unwrap().notes,
        "Bob was here"
    );
    alice.reload_customers().unwrap();
    assert_eq!(
        alice.customer_by_code("ACME").unwrap().notes,
        "Bob was here"
    );
    // Locking ends the watch (within its 250 ms poll): later changes reach nobody.
    alice.lock().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(600));
    let (id, form) = with_notes(&bob, "ACME", "Bob again");
    bob.save_customer(Some(id), &form).unwrap();
    assert!(heard
        .recv_timeout(std::time::Duration::from_secs(2))
        .is_err());
}
