//! "Remember on this device": a device key opens the vault through the vault's own wrapped
//! copy (audited as such), any other key is refused without changing anything, and the
//! backoff still applies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use sallyport_core::audit::{Action, AuditFilter};
use sallyport_core::vault::DeviceKey;
use sallyport_core::{Error, Key256, Session};
use sallyport_sqlite::LocalFile;

fn remembered() -> (tempfile::TempDir, std::path::PathBuf, DeviceKey) {
    let (dir, path, mut session) = new_vault();
    let device = session.remember_on_device(None).unwrap();
    session.lock().unwrap();
    (dir, path, device)
}

#[test]
fn the_remembered_key_unlocks_and_a_wrong_one_changes_nothing() {
    let (_dir, path, device) = remembered();
    let before = dump(&path, &[]);

    let wrong = Session::unlock_with_key(&LocalFile::new(&path), Key256::from_bytes([9; 32]));
    assert!(
        matches!(wrong, Err(Error::RememberedKeyInvalid)),
        "{wrong:?}"
    );
    let mut forged = device.to_bytes().to_vec();
    forged[20] ^= 1;
    let forged = DeviceKey::from_bytes(&forged).unwrap();
    let wrong = Session::unlock_with_device(&LocalFile::new(&path), &forged);
    assert!(
        matches!(wrong, Err(Error::RememberedKeyInvalid)),
        "{wrong:?}"
    );
    assert_eq!(dump(&path, &[]), before, "a wrong key writes nothing");

    let session = Session::unlock_with_device(&LocalFile::new(&path), &device).unwrap();
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
fn the_keychain_entry_holds_nothing_the_vault_file_holds() {
    let (_dir, path, device) = remembered();
    let bytes = device.to_bytes();
    let file = std::fs::read(&path).unwrap();
    for window in bytes[16..].windows(8) {
        assert!(
            !file.windows(8).any(|w| w == window),
            "the device key must not be stored in the vault"
        );
    }
    // The device key is not the vault's key.
    let key = Key256::from_bytes(bytes[16..].try_into().unwrap());
    assert!(matches!(
        Session::unlock_with_key(&LocalFile::new(&path), key),
        Err(Error::RememberedKeyInvalid)
    ));
}

#[test]
fn the_backoff_applies_to_the_remembered_key_too() {
    let (_dir, path, device) = remembered();
    for _ in 0..5 {
        let _ = Session::unlock(
            &LocalFile::new(&path),
            &sallyport_core::SecretString::from("wrong password!"),
        );
    }
    let refused = Session::unlock_with_device(&LocalFile::new(&path), &device);
    assert!(
        matches!(refused, Err(Error::LockedOut { .. })),
        "{refused:?}"
    );
}
