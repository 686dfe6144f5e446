//! Native CSV export: importing an export gives back every customer, entry and secret
//! (a property test over generated vaults), and the export is audited and private.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::*;
use proptest::prelude::*;
use sallyport_core::audit::{Action, AuditFilter};
use sallyport_core::import::native::COLUMNS;
use sallyport_core::import::{ConflictPolicy, ImportOptions};
use sallyport_core::Session;

/// Everything a vault holds about its customers, without record ids.
fn contents(session: &Session) -> Vec<String> {
    let mut out = Vec::new();
    for c in session.customers() {
        out.push(format!(
            "customer {:?} {:?} {:?} {:?} {:?} {}",
            c.name, c.code, c.tags, c.notes, c.contact, c.active
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

/// Text that CSV and the validators must carry intact: commas, quotes, semicolons, unicode.
fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9ÄÖÜäöüß€ ,;'\"&()-]{0,16}".prop_map(|s| s.trim().to_owned())
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
                cells.insert(
                    "account_type",
                    if named { "named" } else { "shared" }.into(),
                );
                if named {
                    cells.insert("owner", "Alice Example".into());
                }
                cells.insert("notes", notes);
                COLUMNS
                    .iter()
                    .map(|c| cells.remove(c).unwrap_or_default())
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
        writer.write_record(COLUMNS).unwrap();
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
    }
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
