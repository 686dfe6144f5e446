//! Native CSV export and the encrypted backup: importing an export, or restoring a backup,
//! gives back every customer, entry and secret (a property test over generated vaults);
//! both are audited and private; a backup also carries the audit log, and a wrong
//! password, a damaged file or a non-empty vault change nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use crate::common::*;
use proptest::prelude::*;
use sallyport_core::audit::{Action, AuditFilter, NewEvent};
use sallyport_core::import::{ConflictPolicy, ImportOptions, ImportSummary};
use sallyport_core::model::Column;
use sallyport_core::{Error, SecretString, Session};

/// Everything a vault holds about its customers, without record ids.
fn contents(session: &Session) -> Vec<String> {
    let mut out = Vec::new();
    for c in session.customers() {
        out.push(format!(
            "customer {:?} {:?} {:?} {:?} {:?} {} {}",
            c.name, c.code, c.tags, c.notes, c.contact, c.active, c.rotate_after_session
        ));
        for e in session.entries(c).unwrap() {
            let s = session.entry_secrets(&e).unwrap();
            let mut e = e.clone();
            e.id = uuid::Uuid::nil();
            out.push(format!(
                "  {e:?} password={:?} totp={:?} vpn={:?}",
                s.password.as_ref().map(|p| p.expose().to_owned()),
                s.totp_secret.as_ref().map(|t| t.expose().to_vec()),
                s.vpn_secret.as_ref().map(|p| p.expose().to_owned()),
            ));
        }
    }
    out
}

fn import_all(session: &mut Session, file: &Path) {
    let options = ImportOptions {
        on_conflict: ConflictPolicy::Fail,
        skip_invalid: true,
        format: None,
    };
    let plan = session.plan_import(file, options).unwrap();
    session.apply_import(plan).unwrap();
}

/// Text that CSV and the validators must carry intact: commas, quotes, semicolons, unicode,
/// and what starts a spreadsheet formula (`=`, `+`, `-`, `@`, neutralised by a `'`).
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9ÄÖÜäöüß€ ,;'\"&()=+@-]{0,16}".prop_map(|s| s.trim().to_owned())
}

fn notes() -> impl Strategy<Value = String> {
    (text(), text()).prop_map(|(a, b)| match (a.is_empty(), b.is_empty()) {
        (false, false) => format!("{a}\n{b}"),
        _ => a,
    })
}

fn password() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[ -~äöü€]{1,24}"]
}

/// One native CSV row for customer `i`, entry `j`.
fn row(i: usize, j: usize) -> impl Strategy<Value = Vec<String>> {
    (
        (
            text(),
            notes(),
            any::<bool>(),
            prop::sample::subsequence(vec!["eu", "gold", "Tier 1"], 0..3),
        ),
        (
            0usize..5,
            "[a-z]{1,8}",
            proptest::option::of(1u16..),
            prop::bool::ANY,
            "[a-z]{1,6}",
        ),
        (
            password(),
            password(),
            proptest::option::of((
                0usize..3,
                6u8..=8,
                prop_oneof![Just(30u32), Just(60)],
                prop::collection::vec(any::<u8>(), 10..32),
                "[a-z]{0,6}",
            )),
        ),
        (
            notes(),
            proptest::option::of((2020i32..2031, 1u8..=12, 1u8..=28)),
            proptest::option::of((2020i32..2031, 1u8..=12, 1u8..=28)),
            any::<bool>(),
        ),
    )
        .prop_map(
            move |(
                (name, cnotes, active, tags),
                (kind, host, port, gateway, user),
                (pw, vpn_secret, totp),
                (notes, expires, changed, named),
            )| {
                let kind = ["rdp", "web", "vpn", "ssh", "other"][kind];
                let mut cells = std::collections::HashMap::<&str, String>::new();
                let name = if name.is_empty() {
                    format!("Customer {i}")
                } else {
                    format!("{name} {i}")
                };
                cells.insert("customer", name);
                cells.insert("code", format!("C{i}"));
                cells.insert("customer_notes", cnotes);
                cells.insert("active", if active { "yes" } else { "no" }.into());
                cells.insert("tags", tags.join(";"));
                cells.insert("entry", format!("Entry {j}"));
                cells.insert("kind", kind.into());
                let host = format!("{host}.example");
                match kind {
                    "web" => {
                        cells.insert("url", format!("https://{host}/admin"));
                    }
                    "vpn" => {
                        cells.insert("vpn_server", host.clone());
                        cells.insert("vpn_type", "ikev2".into());
                        cells.insert("vpn_instructions", "1. Install\n2. Connect".into());
                        cells.insert("vpn_client_url", "https://downloads.example/vpn".into());
                        cells.insert("vpn_secret", vpn_secret);
                    }
                    _ => {
                        cells.insert("host", host);
                        cells.insert("port", port.map(|p| p.to_string()).unwrap_or_default());
                    }
                }
                // An RDP entry without a gateway rides on that draw for the NLA exception.
                if !gateway && kind == "rdp" {
                    cells.insert("nla", "no".into());
                }
                if gateway && kind == "rdp" {
                    cells.insert("gateway", "gw.example".into());
                    cells.insert("gateway_port", "8443".into());
                    cells.insert("gateway_usage", "detect".into());
                }
                cells.insert("username", format!("DOM\\{user}"));
                cells.insert("password", pw);
                if let Some((alg, digits, period, secret, issuer)) = totp {
                    let params = sallyport_core::totp::TotpParams {
                        algorithm: [
                            sallyport_core::totp::TotpAlgorithm::Sha1,
                            sallyport_core::totp::TotpAlgorithm::Sha256,
                            sallyport_core::totp::TotpAlgorithm::Sha512,
                        ][alg],
                        digits,
                        period,
                        issuer,
                        account: "acct".into(),
                    };
                    let uri = sallyport_core::totp::to_uri(
                        &params,
                        &sallyport_core::SecretBytes::new(secret),
                    );
                    cells.insert("totp", uri.expose().to_owned());
                }
                let date = |d: Option<(i32, u8, u8)>| {
                    d.map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"))
                        .unwrap_or_default()
                };
                cells.insert("expires", date(expires));
                cells.insert("password_changed", date(changed));
                // Rotation state rides on the dates already drawn (no new strategy inputs).
                if active {
                    cells.insert("rotate_after_session", "yes".into());
                }
                if named {
                    cells.insert("rotation_due", date(expires));
                }
                cells.insert(
                    "account_type",
                    if named { "named" } else { "shared" }.into(),
                );
                if named {
                    cells.insert("owner", "Alice Example".into());
                }
                cells.insert("notes", notes);
                Column::ALL
                    .iter()
                    .map(|c| cells.remove(c.name()).unwrap_or_default())
                    .collect()
            },
        )
}

fn vault_rows() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(0usize..3, 1..4).prop_flat_map(|entries_per_customer| {
        let rows: Vec<_> = entries_per_customer
            .iter()
            .enumerate()
            .flat_map(|(i, &n)| (0..n.max(1)).map(move |j| row(i, j)))
            .collect();
        rows
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn an_export_imports_back_to_the_same_vault(rows in vault_rows()) {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source.csv");
        let mut writer = csv::Writer::from_path(&source).unwrap();
        writer.write_record(Column::ALL.map(Column::name)).unwrap();
        for r in &rows {
            writer.write_record(r).unwrap();
        }
        writer.flush().unwrap();
        drop(writer);

        let (_a, _pa, mut a) = new_vault();
        import_all(&mut a, &source);
        prop_assert!(!a.customers().is_empty(), "the generated rows were all refused");
        let exported = dir.path().join("export.csv");
        a.export_native(&exported).unwrap();
        let (_b, _pb, mut b) = new_vault();
        import_all(&mut b, &exported);
        prop_assert_eq!(contents(&a), contents(&b));

        let backup = dir.path().join("vault.backup");
        a.export_backup(&backup, &backup_password()).unwrap();
        let (_c, _pc, mut c) = new_vault();
        restore(&mut c, &backup).unwrap();
        prop_assert_eq!(contents(&a), contents(&c));
    }
}

fn backup_password() -> SecretString {
    SecretString::from("a different backup passphrase")
}

fn restore(session: &mut Session, file: &Path) -> sallyport_core::Result<ImportSummary> {
    let plan = session.plan_restore(
        file,
        &backup_password(),
        ImportOptions::default(),
        &mut |_| {},
    )?;
    session.apply_restore(plan, &mut |_| {})
}

#[test]
fn the_export_is_private_audited_and_complete() {
    let (dir, path) = populated_vault();
    let mut session = unlock(&path).unwrap();
    let out = dir.path().join("export.csv");
    let counts = session.export_native(&out).unwrap();
    assert_eq!((counts.customers, counts.entries), (4, 5));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("Canary-Pass-Acme-1"), "secrets are exported");
    let events = session
        .audit_events(&AuditFilter {
            actions: vec![Action::Export],
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(
        events[0].detail,
        "4 customers, 5 entries to export.csv (Sallyport CSV, plaintext secrets)"
    );
    let (_d, _p, mut fresh) = new_vault();
    import_all(&mut fresh, &out);
    assert_eq!(contents(&fresh), contents(&session));
}

#[test]
fn a_backup_restores_customers_secrets_settings_and_the_audit_log() {
    let (dir, path) = populated_vault();
    let mut session = unlock(&path).unwrap();
    let acme = session.find_customer("ACME").unwrap().clone();
    let entry = session.entries(&acme).unwrap()[0].clone();
    session
        .audit(NewEvent::new(Action::Reveal).customer(&acme).entry(&entry))
        .unwrap();
    let mut rdp = session.rdp_preferences().clone();
    rdp.redirect_clipboard = !rdp.redirect_clipboard;
    session.set_rdp_preferences(rdp.clone()).unwrap();
    let file = dir.path().join("vault.backup");
    let counts = session.export_backup(&file, &backup_password()).unwrap();
    assert_eq!((counts.customers, counts.entries), (4, 5));
    let original = session.audit_events(&AuditFilter::default()).unwrap();
    assert_eq!(counts.audit_events, original.len() as u64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Nothing readable: no secret, no customer name or code, no staff name.
    let bytes = std::fs::read(&file).unwrap();
    for canary in [
        "Canary-Pass-Acme-1",
        "ACME",
        "Acme",
        "Test Staff",
        "customer,code",
    ] {
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{canary} is readable in the backup"
        );
    }

    let (_d, _p, mut fresh) = new_vault();
    let own_events = fresh.audit_events(&AuditFilter::default()).unwrap().len();
    let plan = fresh
        .plan_restore(
            &file,
            &backup_password(),
            ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(plan.audit_events(), original.len() as u64);
    assert!(plan.manifest().audit_verified);
    assert_eq!(plan.manifest().staff, "Test Staff");
    assert!(fresh.customers().is_empty(), "planning writes nothing");
    fresh.apply_restore(plan, &mut |_| {}).unwrap();
    assert_eq!(contents(&fresh), contents(&session));
    assert_eq!(fresh.rdp_preferences(), &rdp);

    let restored = fresh.audit_events(&AuditFilter::default()).unwrap();
    let copies: Vec<_> = restored
        .iter()
        .filter(|e| e.restored_from.is_some())
        .collect();
    assert_eq!(copies.len(), original.len());
    for (copy, was) in copies.iter().zip(&original) {
        assert_eq!(copy.restored_from, Some(was.seq));
        assert_eq!(
            (copy.time, &copy.staff, copy.action),
            (was.time, &was.staff, was.action)
        );
        assert_eq!(
            (&copy.customer, &copy.entry, &copy.detail),
            (&was.customer, &was.entry, &was.detail)
        );
    }
    assert_eq!(
        copies[0].seq as usize,
        own_events + 1,
        "restored after the vault's own events"
    );
    let last = restored.last().unwrap();
    assert_eq!((last.action, last.restored_from), (Action::Import, None));
    // The restored reveal points at the restored customer and entry.
    let new_acme = fresh.find_customer("ACME").unwrap().clone();
    let by_customer = fresh
        .audit_events(&AuditFilter {
            customer: Some(sallyport_core::audit::CustomerMatch::Id(new_acme.id)),
            actions: vec![Action::Reveal],
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(by_customer.len(), 1);
    assert_eq!(by_customer[0].entry_id, Some(new_acme.entries[0].id));
    assert!(fresh.verify_audit().unwrap().is_ok());
}

#[test]
fn a_wrong_password_a_damaged_backup_or_a_full_vault_change_nothing() {
    let (dir, path) = populated_vault();
    let mut session = unlock(&path).unwrap();
    let file = dir.path().join("vault.backup");
    session.export_backup(&file, &backup_password()).unwrap();
    let short = session.export_backup(&dir.path().join("x"), &SecretString::from("short"));
    assert_eq!(
        short.unwrap_err().to_string(),
        "backup password: must be at least 8 characters long"
    );

    let (_d, fresh_path, fresh) = new_vault();
    fresh.lock().unwrap();
    let before = dump(&fresh_path, &[]);
    let mut fresh = unlock(&fresh_path).unwrap();
    let wrong = fresh
        .plan_restore(
            &file,
            &SecretString::from("not the password"),
            ImportOptions::default(),
            &mut |_| {},
        )
        .unwrap_err();
    assert!(matches!(wrong, Error::WrongBackupPassword(_)), "{wrong}");

    let mut damaged = std::fs::read(&file).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x10;
    let damaged_file = dir.path().join("damaged.backup");
    std::fs::write(&damaged_file, &damaged).unwrap();
    let err = restore(&mut fresh, &damaged_file).unwrap_err().to_string();
    assert!(err.contains("damaged or cut short"), "{err}");

    let cut_file = dir.path().join("cut.backup");
    std::fs::write(&cut_file, &std::fs::read(&file).unwrap()[..200]).unwrap();
    let err = restore(&mut fresh, &cut_file).unwrap_err().to_string();
    assert!(err.contains("damaged or cut short"), "{err}");
    assert!(fresh.customers().is_empty());
    fresh.lock().unwrap();
    // Nothing but the audit log (which records the unlock) changed.
    assert_eq!(dump(&fresh_path, &[]), before);

    let full = restore(&mut session, &file).unwrap_err().to_string();
    assert!(full.contains("already holds 4 customers"), "{full}");
}

/// What a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at the start of a
/// cell) is written with a `'` in front, in the native export and in the audit log's CSV;
/// the native import takes it off again, so the export still imports to the same vault.
#[test]
fn exports_neutralise_formulas_and_import_them_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("formulas.csv");
    std::fs::write(
        &file,
        "customer,code,customer_notes,entry,kind,host,username,password,notes\n\
         \"=HYPERLINK(\"\"http://x.example\"\")\",F1,+1 cmd,@SUM(A1),rdp,h.example,-u,=1+1,'=kept\n\
         Plain,P1,'quote first,main,rdp,p.example,\"\t tab\",'',ok\n",
    )
    .unwrap();
    let (_d, _p, mut session) = new_vault();
    import_all(&mut session, &file);
    let formula = session.find_customer("F1").unwrap();
    assert_eq!(formula.name, "=HYPERLINK(\"http://x.example\")");
    let entry = &session.entries(formula).unwrap()[0];
    assert_eq!(entry.notes, "=kept", "a typed neutraliser is taken off too");
    let out = dir.path().join("export.csv");
    session.export_native(&out).unwrap();
    let mut reader = csv::Reader::from_path(&out).unwrap();
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula cell in the export: {cell:?}"
            );
        }
    }
    let text = std::fs::read_to_string(&out).unwrap();
    for neutralised in [
        "'=HYPERLINK",
        "'+1 cmd",
        "'@SUM(A1)",
        "'-u",
        "'=1+1",
        "'=kept",
        "''quote first",
    ] {
        assert!(text.contains(neutralised), "{neutralised} in {text}");
    }
    let (_d2, _p2, mut fresh) = new_vault();
    import_all(&mut fresh, &out);
    assert_eq!(contents(&fresh), contents(&session));

    let entry_id = entry.id;
    session.reveal_password(entry_id, None).unwrap();
    let audit = dir.path().join("audit.csv");
    session
        .export_audit(
            &audit,
            sallyport_core::audit::ExportFormat::Csv,
            &AuditFilter::default(),
        )
        .unwrap();
    let mut reader = csv::Reader::from_path(&audit).unwrap();
    let mut names = 0;
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
            names += usize::from(cell == "'@SUM(A1)");
        }
    }
    assert_eq!(names, 1, "the audit export names the entry, neutralised");
}
