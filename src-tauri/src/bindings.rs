//! The front end's TypeScript types for every value that crosses IPC, generated from the
//! Rust types by ts-rs into `ui/src/backend/bindings/` (one file per type, checked in).
//!
//! `scripts/bindings.sh` rewrites that folder (`SALLYPORT_WRITE_BINDINGS=1`); without the
//! variable this test fails when the checked-in files differ from what the Rust types
//! generate. 64-bit integers are `number`: serde sends them as JSON numbers. `commands.ts`,
//! the argument and result types of every command, comes from `command_bindings.rs`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use sallyport_core::import::{ConflictPolicy, Format, Progress};
use sallyport_core::model::form::{CustomerForm, EntryForm};
use sallyport_core::totp::TotpCode;
use sallyport_core::vault::preferences::Preferences;
use sallyport_core::vault::{CopyField, Link, VaultStatus};
use ts_rs::{Config, ExportError, TS};

use crate::command_bindings;

use crate::audit_view::{
    AuditActions, AuditExported, AuditPage, AuditQuery, AuditVerdict, ExportChoice,
};
use crate::commands::{Launched, RevealedWire};
use crate::detail::CustomerDetail;
use crate::edit::SecretInput;
use crate::error::ApiError;
use crate::file_dialog::FileChoice;
use crate::import_wizard::{FormatOption, ImportDone, ImportPreview};
use crate::live::Notice;
use crate::signing::SigningInfo;
use crate::statement::{StatementChoice, StatementWritten};
use crate::summary::{CustomerPage, CustomerSummary};
use crate::team::{TeamInvitation, TeamJoined, TeamRemoval, TeamView};

/// Where the generated files live.
fn checked_in() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/bindings")
}

/// Writes every type the commands take or return, with the types they use, into `dir`;
/// returns the TypeScript name of each listed type by its Rust name (for `commands.ts`).
fn export(dir: &Path) -> Result<BTreeMap<String, String>, ExportError> {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    let mut names = BTreeMap::new();
    macro_rules! export {
        ($($t:ty),* $(,)?) => {$(
            <$t>::export_all(&cfg)?;
            names.insert(stringify!($t).to_owned(), <$t>::ident(&cfg));
        )*};
    }
    // What the commands return (and `Progress` and `Notice`, what the channels carry).
    export!(
        VaultStatus,
        CustomerPage,
        CustomerSummary,
        CustomerDetail,
        TotpCode,
        RevealedWire,
        Launched,
        Preferences,
        ApiError,
        AuditPage,
        AuditActions,
        AuditVerdict,
        AuditExported,
        FormatOption,
        ImportPreview,
        ImportDone,
        Progress,
        SigningInfo,
        StatementWritten,
        TeamView,
        TeamInvitation,
        TeamRemoval,
        TeamJoined,
        Notice,
    );
    // What they take.
    export!(
        CopyField,
        Link,
        CustomerForm,
        EntryForm,
        SecretInput,
        AuditQuery,
        ExportChoice,
        StatementChoice,
        FileChoice,
        Format,
        ConflictPolicy,
    );
    // `reveal_password` returns a `Revealed`, which serializes as a `RevealedWire`.
    let revealed = names["RevealedWire"].clone();
    names.insert("Revealed".to_owned(), revealed);
    Ok(names)
}

/// `constants.ts`: the core's limits that the front end checks before asking.
fn constants() -> String {
    format!(
        "// Generated from sallyport-core by src-tauri/src/bindings.rs: do not edit.\n\n\
         /** Shortest accepted master password, in characters (the core refuses shorter). */\n\
         export const MIN_PASSWORD_CHARS = {};\n",
        sallyport_core::vault::MIN_PASSWORD_CHARS
    )
}

/// The `.ts` files of `dir` by name, with their contents.
fn ts_files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .map(|p| {
            let name = p
                .file_name()
                .expect("a file")
                .to_string_lossy()
                .into_owned();
            (name, fs::read_to_string(&p).expect("readable file"))
        })
        .collect()
}

/// `text` without the spaces ts-rs leaves at the end of many lines (nothing else changes).
fn trim_line_ends(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_end().to_owned() + "\n")
        .collect()
}

/// Makes `dir` hold exactly `files`: stale ones removed, changed ones rewritten, the others
/// left untouched.
fn write(dir: &Path, files: &BTreeMap<String, String>) {
    fs::create_dir_all(dir).expect("bindings folder");
    for stale in ts_files(dir).keys().filter(|n| !files.contains_key(*n)) {
        fs::remove_file(dir.join(stale)).expect("remove a stale binding");
    }
    for (name, text) in files {
        if fs::read_to_string(dir.join(name)).ok().as_ref() != Some(text) {
            fs::write(dir.join(name), text).expect("write a binding");
        }
    }
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let fresh = tempfile::tempdir().expect("temporary folder");
    let names = export(fresh.path()).expect("export the bindings");
    let mut generated: BTreeMap<String, String> = ts_files(fresh.path())
        .into_iter()
        .map(|(name, text)| (name, trim_line_ends(&text)))
        .collect();
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let declared = command_bindings::declared_commands(&crate_dir.join("build.rs"));
    let commands = command_bindings::generate(&crate_dir.join("src"), &declared, &names);
    generated.insert("commands.ts".to_owned(), commands);
    generated.insert("constants.ts".to_owned(), constants());
    let dir = checked_in();
    if std::env::var_os("SALLYPORT_WRITE_BINDINGS").is_some() {
        write(&dir, &generated);
        return;
    }
    let current = ts_files(&dir);
    let names: BTreeSet<&String> = generated.keys().chain(current.keys()).collect();
    let differing: Vec<&str> = names
        .into_iter()
        .filter(|n| generated.get(*n) != current.get(*n))
        .map(String::as_str)
        .collect();
    assert!(
        differing.is_empty(),
        "ui/src/backend/bindings is out of date ({}): run scripts/bindings.sh and commit the result",
        differing.join(", ")
    );
}
