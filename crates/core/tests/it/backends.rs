//! The domain does not know which backend keeps the vault: the same life of a vault — create,
//! import, use credentials, lock, unlock, a wrong password, verify the audit log, back up
//! and restore — runs on the in-memory store and on a SQLite file, with the same results.

use sallyport_core::audit::{Action, AuditFilter, Outcome};
use sallyport_core::import::ConflictPolicy;
use sallyport_core::store::memory::MemoryBackend;
use sallyport_core::store::Backend;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::{CopyField, Purpose};
use sallyport_core::{Error, SecretString, Session};
use sallyport_sqlite::LocalFile;

use crate::common::{fixture, import, password};

/// What a vault's life looked like, to compare across backends.
#[derive(Debug, PartialEq, Eq)]
struct Life {
    customers: Vec<(String, usize)>,
    copied: String,
    wrong_password: bool,
    actions: Vec<(Action, Outcome)>,
    audit_ok: bool,
}

fn live(backend: &dyn Backend) -> Life {
    assert!(!backend.exists());
    let mut session =
        Session::create(backend, &password(), "Test Staff", KdfParams::floor()).expect("create");
    assert!(backend.exists());
    assert!(matches!(
        Session::create(backend, &password(), "Again", KdfParams::floor()),
        Err(Error::VaultExists(_))
    ));
    import(
        &mut session,
        &fixture("import/valid.csv"),
        ConflictPolicy::Fail,
    );
    let entry = session.select("ACME", Purpose::Password).unwrap().entry.id;
    let copied = session
        .copy_value(entry, CopyField::Password, None)
        .unwrap()
        .expose()
        .to_owned();
    session.lock().unwrap();

    let wrong = Session::unlock(backend, &SecretString::from("not the password"));
    let (session, report) = Session::unlock_and_verify_audit(backend, &password()).unwrap();
    let customers = session
        .customers()
        .iter()
        .map(|c| (c.code.to_string(), c.entries.len()))
        .collect();
    let actions = session
        .audit_events(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.outcome))
        .collect();
    Life {
        customers,
        copied,
        wrong_password: matches!(wrong, Err(Error::WrongPassword)),
        actions,
        audit_ok: report.is_ok(),
    }
}

#[test]
fn a_vault_lives_the_same_in_memory_and_in_a_file() {
    let memory = live(&MemoryBackend::new());
    let dir = tempfile::tempdir().unwrap();
    let file = live(&LocalFile::new(dir.path().join("v.sallyport")));
    assert_eq!(memory, file);
    assert!(memory.audit_ok && memory.wrong_password);
    assert_eq!(memory.copied, "Canary-Pass-Acme-1");
    assert!(memory.customers.len() >= 2, "{:?}", memory.customers);
    assert!(memory.actions.contains(&(Action::Unlock, Outcome::Failed)));
}

#[test]
fn nothing_readable_about_a_customer_reaches_the_store() {
    let backend = MemoryBackend::new();
    let mut session =
        Session::create(&backend, &password(), "Test Staff", KdfParams::floor()).unwrap();
    import(
        &mut session,
        &fixture("import/valid.csv"),
        ConflictPolicy::Fail,
    );
    let store = backend.raw().unwrap();
    let mut stored = Vec::new();
    use sallyport_core::store::Store;
    store
        .for_each_customer(&mut |row| {
            stored.extend(row.record);
            for entry in sallyport_core::store::StoreRead::entries_of(&store, &row.id)? {
                stored.extend(entry.record);
            }
            Ok(())
        })
        .unwrap();
    assert!(stored.len() > 1000);
    for plain in ["ACME", "Acme", "rds.acme.example", "Canary-Pass"] {
        assert!(
            !stored.windows(plain.len()).any(|w| w == plain.as_bytes()),
            "{plain} is readable in the store"
        );
    }
}
