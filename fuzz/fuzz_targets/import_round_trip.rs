//! Export → import: whatever a file imports (valid rows; invalid ones skipped), the native
//! export of the vault imports into an empty vault without an error and exports to the same
//! bytes; previewed against the vault it came from, it changes nothing; an encrypted backup
//! of the vault restores (preview) to the same rows.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sallyport_core::fuzzing::{
    export_native, import, preview_import, preview_restore, write_backup,
};
use sallyport_core::import::{ConflictPolicy, ImportOptions};
use sallyport_fuzz::{backup_key, empty_vault};

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions {
        on_conflict: ConflictPolicy::ALL[data.len() % 3],
        skip_invalid: true,
        format: None,
    };
    let mut first = empty_vault().open().expect("open a copy of the vault");
    let Ok(imported) = import(&mut first, data, options) else {
        return;
    };
    if imported.summary.created == 0 {
        return;
    }
    let exported = export_native(&first).expect("export");

    let mut second = empty_vault().open().expect("open another copy");
    let strict = ImportOptions {
        on_conflict: ConflictPolicy::Fail,
        skip_invalid: false,
        format: None,
    };
    let again = import(&mut second, &exported, strict).unwrap_or_else(|e| {
        panic!(
            "the export does not import: {e}\n{}",
            String::from_utf8_lossy(&exported)
        )
    });
    assert!(
        again.written && again.summary.errors.is_empty(),
        "the export has invalid rows: {:?}\n{}",
        again.summary.errors,
        String::from_utf8_lossy(&exported)
    );
    let reexported = export_native(&second).expect("export again");
    assert!(
        reexported == exported,
        "export → import → export changed the file:\n{}\n---\n{}",
        String::from_utf8_lossy(&exported),
        String::from_utf8_lossy(&reexported)
    );

    // The export, previewed against the vault it came from, changes nothing.
    let update = ImportOptions {
        on_conflict: ConflictPolicy::Update,
        ..strict
    };
    let (_, same) = preview_import(&first, &exported, update).expect("preview the export");
    assert!(
        same.created == 0 && same.updated == 0 && same.errors.is_empty(),
        "re-importing the export into its vault would change it: {same:?}\n{}",
        String::from_utf8_lossy(&exported)
    );

    // An encrypted backup of the vault restores to the same rows.
    let backup = write_backup(&first, backup_key()).expect("write a backup");
    let fresh = empty_vault().open().expect("open a third copy");
    let restore =
        preview_restore(&fresh, backup_key(), &backup, strict).expect("preview the restore");
    assert_eq!(
        restore.summary(),
        &again.summary,
        "the backup restores other rows"
    );
    assert_eq!(restore.manifest().customers, first.customers().len() as u64);
});
