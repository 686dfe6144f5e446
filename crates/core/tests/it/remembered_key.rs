//! "Remember on this device": the data key itself opens the vault (audited as such), any
//! other key is refused without changing anything, and the backoff still applies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use sallyport_core::audit::{Action, AuditFilter};
use sallyport_core::{Error, Key256, Session};
use sallyport_sqlite::LocalFile;

#[test]
fn the_remembered_key_unlocks_and_a_wrong_one_changes_nothing() {
    let (_dir, path, session) = new_vault();
    let key = session.data_key_for_keychain();
    session.lock().unwrap();
    let before = dump(&path, &[]);

    let wrong = Session::unlock_with_key(&LocalFile::new(&path), Key256::from_bytes([9; 32]));
    assert!(
        matches!(wrong, Err(Error::RememberedKeyInvalid)),
        "{wrong:?}"
    );
    assert_eq!(dump(&path, &[]), before, "a wrong key writes nothing");

    let session = Session::unlock_with_key(&LocalFile::new(&path), key).unwrap();
    assert_eq!(session.staff(), "Test Staff");
    let unlocks: Vec<String> = session
        .audit_events(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == Action::Unlock)
        .map(|e| e.detail)
        .collect();
    assert_eq!(unlocks, ["with the key remembered on this device"]);
    assert!(session.verify_audit().unwrap().is_ok());
}

#[test]
fn the_backoff_applies_to_the_remembered_key_too() {
    let (_dir, path, session) = new_vault();
    let key = session.data_key_for_keychain();
    session.lock().unwrap();
    for _ in 0..5 {
        let _ = Session::unlock(
            &LocalFile::new(&path),
            &sallyport_core::SecretString::from("wrong password!"),
        );
    }
    let refused = Session::unlock_with_key(&LocalFile::new(&path), key);
    assert!(
        matches!(refused, Err(Error::LockedOut { .. })),
        "{refused:?}"
    );
}
