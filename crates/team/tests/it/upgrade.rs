//! Schema versions: a client refuses a database at an older version, naming the owner's
//! `team upgrade`; the upgrade runs the missing migrations once, recorded in the chain, and
//! the team works afterwards with its history intact.

use sallyport_core::import::ImportOptions;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::CopyField;
use sallyport_core::{SecretString, Session};
use sallyport_team::admin;
use sallyport_team::conn::DbAddress;
use sallyport_team::testing::{master_password, PgServer, OWNER_PASSWORD};
use sallyport_team::{TeamBackend, SCHEMA_VERSION};

#[test]
fn an_older_schema_is_refused_until_its_owner_upgrades_it_once() {
    let pg = PgServer::start();
    let dir = tempfile::tempdir().unwrap();
    let owner = DbAddress::parse(&pg.url("owner")).unwrap();
    let owner_password = SecretString::from(OWNER_PASSWORD);
    let ca = std::fs::read(pg.ca()).unwrap();
    let profile = dir.path().join("alice.team");
    admin::init_at_schema_version(
        &owner,
        &owner_password,
        &ca,
        &profile,
        &master_password("alice"),
        "Alice",
        KdfParams::floor(),
        1,
    )
    .unwrap();
    let backend = TeamBackend::new(&profile);
    let refused = Session::unlock(&backend, &master_password("alice")).unwrap_err();
    let message = refused.to_string();
    assert!(
        message.contains("schema version 1")
            && message.contains(&format!("needs {SCHEMA_VERSION}"))
            && message.contains("sallyport team upgrade"),
        "{message}"
    );

    let upgraded = admin::upgrade(&owner, &owner_password, &ca).unwrap();
    assert_eq!((upgraded.from, upgraded.to), (1, SCHEMA_VERSION));
    let again = admin::upgrade(&owner, &owner_password, &ca).unwrap();
    assert_eq!((again.from, again.to), (SCHEMA_VERSION, SCHEMA_VERSION));
    assert_eq!(
        pg.superuser(
            "SELECT convert_from(value, 'UTF8') FROM sallyport.meta WHERE key = 'schema_version'"
        )
        .trim(),
        SCHEMA_VERSION.to_string()
    );

    let mut alice = Session::unlock(&backend, &master_password("alice")).unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import/valid.csv");
    let import = alice
        .import_in_one_pass(&fixture, ImportOptions::default(), &mut |_| {})
        .unwrap();
    assert!(import.written);
    let entry = alice
        .customers()
        .iter()
        .find_map(|c| c.entries.first().map(|e| e.id))
        .unwrap();
    let password = alice.copy_value(entry, CopyField::Password, None).unwrap();
    assert!(!password.expose().is_empty());
    let check = alice.verify_audit().unwrap();
    assert!(check.is_ok(), "{check:?}");
    let actions = pg.superuser("SELECT member || ' ' || action FROM sallyport.audit ORDER BY seq");
    let actions: Vec<&str> = actions.lines().collect();
    assert_eq!(actions[0], "Alice vault_create");
    assert_eq!(actions[1], "owner schema_upgrade", "{actions:?}");
    assert!(actions.contains(&"Alice copy_password"), "{actions:?}");
}
