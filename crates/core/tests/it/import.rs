//! Native CSV import: previews, per-row errors with physical line numbers, atomicity and
//! conflict policies. Malformed inputs live in tests/fixtures/import.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers may panic

use std::path::Path;

use crate::common::*;
use sallyport_core::import::{ConflictPolicy, ImportOptions};
use sallyport_core::model::{EntryKind, GatewayUsage};
use sallyport_core::totp::TotpAlgorithm;
use sallyport_core::Error;

fn options(on_conflict: ConflictPolicy, skip_invalid: bool) -> ImportOptions {
    ImportOptions {
        on_conflict,
        skip_invalid,
        format: None,
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const HEADER: &str = "customer,code,entry,kind,host,port,gateway,gateway_port,gateway_usage,username,domain,password,totp,url,vpn_type,vpn_server,vpn_instructions,vpn_client_url,account_type,owner,expires,notes,tags";

#[test]
fn valid_file_imports_every_field() {
    let (_dir, path, mut session) = new_vault();
    let summary = import(
        &mut session,
        &fixture("import/valid.csv"),
        ConflictPolicy::Fail,
    );
    assert_eq!(
        (summary.created, summary.updated, summary.skipped),
        (6, 0, 0)
    );
    assert!(summary.errors.is_empty());
    session.lock().unwrap();

    let session = unlock(&path).unwrap();
    assert_eq!(session.customers().len(), 4);
    let acme = session.find_customer("acme").unwrap();
    assert_eq!(acme.name, "Acme Manufacturing");
    assert_eq!(acme.tags, ["eu", "gold"]);
    let acme_entries = session.entries(acme).unwrap();
    let labels: Vec<&str> = acme_entries.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["Portal", "VPN", "Web server"]);
    let web = acme_entries
        .iter()
        .find(|e| e.label == "Web server")
        .unwrap();
    assert_eq!(web.kind, EntryKind::Rdp);
    assert_eq!(
        (web.host.as_str(), web.port),
        ("rds.acme.example", Some(3390))
    );
    assert_eq!(
        (web.gateway_host.as_str(), web.gateway_port),
        ("gw.acme.example", Some(8443))
    );
    assert_eq!(web.gateway_usage, GatewayUsage::Always);
    assert_eq!(web.username, "ACME\\vendor");
    assert_eq!(web.notes, "Maintenance window\nSundays 02:00-04:00");
    assert_eq!(web.expires_at.unwrap().to_string(), "2027-01-31");
    assert!(web.has_password);
    let secrets = session.entry_secrets(web).unwrap();
    assert_eq!(secrets.password.unwrap().expose(), "Canary-Pass-Acme-1");
    assert_eq!(
        secrets.totp_secret.unwrap().expose(),
        b"Hello!\xde\xad\xbe\xef"
    );

    let beta = session.find_customer("BETA").unwrap();
    let beta_entries = session.entries(beta).unwrap();
    let totp = beta_entries[0].totp.as_ref().unwrap();
    assert_eq!(
        (totp.algorithm, totp.digits, totp.period),
        (TotpAlgorithm::Sha256, 8, 60)
    );
    assert_eq!(totp.issuer, "Beta");

    let gamma = session.find_customer("Gamma Health").unwrap();
    assert_eq!(gamma.code, "GAMMA-HEALTH", "code derived from the name");
    assert_eq!(gamma.notes, "Customer without entries yet");
    assert!(gamma.entries.is_empty());

    let delta = session.find_customer("DELTA").unwrap();
    let delta_entries = session.entries(delta).unwrap();
    assert_eq!(delta_entries[0].host, "[2001:db8::10]");
    assert_eq!(delta_entries[0].kind, EntryKind::Ssh);
    assert_eq!(
        delta.entries[0].hosts,
        ["[2001:db8::10]"],
        "the customer record lists the host for search"
    );
}

#[test]
fn every_bad_row_is_reported_with_its_physical_line() {
    let (_dir, _path, session) = new_vault();
    let plan = session
        .plan_import(
            &fixture("import/bad_rows.csv"),
            options(ConflictPolicy::Fail, false),
        )
        .unwrap();
    let expected: Vec<(u64, String)> = std::fs::read_to_string(fixture("import/bad_rows.expect"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (line, text) = l.split_once('\t').unwrap();
            (line.parse().unwrap(), text.to_owned())
        })
        .collect();
    let got = &plan.summary().errors;
    let got_lines: Vec<u64> = got.iter().map(|e| e.line).collect();
    let expected_lines: Vec<u64> = expected.iter().map(|(l, _)| *l).collect();
    assert_eq!(got_lines, expected_lines, "errors: {got:#?}");
    for (error, (_, text)) in got.iter().zip(&expected) {
        assert!(
            error.reason.contains(text.as_str()),
            "line {}: {:?} lacks {text:?}",
            error.line,
            error.reason
        );
        assert!(
            !error.reason.contains('\n') && !error.reason.contains('\r'),
            "multi-line reason: {:?}",
            error.reason
        );
    }
    assert_eq!(plan.summary().created, 2, "GOOD and FINE are valid");
    assert!(plan.is_blocked());
}

#[test]
fn invalid_rows_block_the_whole_import() {
    let (_dir, path, mut session) = new_vault();
    import(
        &mut session,
        &fixture("import/valid.csv"),
        ConflictPolicy::Fail,
    );
    session.lock().unwrap();
    let before = dump(&path, &[]);

    let mut session = unlock(&path).unwrap();
    let plan = session
        .plan_import(
            &fixture("import/bad_rows.csv"),
            options(ConflictPolicy::Fail, false),
        )
        .unwrap();
    let err = session.apply_import(plan).unwrap_err();
    assert!(matches!(err, Error::Import(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "14 invalid row(s); nothing was imported (fix them or skip invalid rows)"
    );
    session.lock().unwrap();
    assert_eq!(
        dump(&path, &[]),
        before,
        "a refused import must not change the file"
    );
    let refusal = last_audit_event(&path);
    assert_eq!(
        (refusal.action, refusal.outcome),
        (
            sallyport_core::audit::Action::Import,
            sallyport_core::audit::Outcome::Failed
        )
    );
    assert!(refusal.detail.contains("14 invalid"), "{}", refusal.detail);
}

#[test]
fn one_pass_imports_report_what_a_preview_reports_and_write_only_when_valid() {
    let (_dir, path, mut session) = new_vault();
    import(
        &mut session,
        &fixture("import/valid.csv"),
        ConflictPolicy::Fail,
    );
    let bad = fixture("import/bad_rows.csv");
    let preview = session
        .plan_import(&bad, options(ConflictPolicy::Fail, false))
        .unwrap();
    session.lock().unwrap();
    let before = dump(&path, &[]);

    let mut session = unlock(&path).unwrap();
    let done = session
        .import_in_one_pass(&bad, options(ConflictPolicy::Fail, false), &mut |_| {})
        .unwrap();
    assert!(!done.written);
    assert_eq!(&done.summary, preview.summary());
    session.lock().unwrap();
    assert_eq!(dump(&path, &[]), before, "invalid rows roll the pass back");
    let refusal = last_audit_event(&path);
    assert_eq!(refusal.outcome, sallyport_core::audit::Outcome::Failed);
    assert!(
        refusal
            .detail
            .contains("14 invalid row(s); nothing was imported"),
        "{}",
        refusal.detail
    );

    let mut session = unlock(&path).unwrap();
    let done = session
        .import_in_one_pass(&bad, options(ConflictPolicy::Fail, true), &mut |_| {})
        .unwrap();
    assert!(done.written);
    assert_eq!((done.summary.created, done.summary.errors.len()), (2, 14));
    assert!(session.find_customer("GOOD").is_ok());
    assert_eq!(session.customers().len(), 6, "4 before, 2 new");
}

#[test]
fn skip_invalid_imports_only_the_valid_rows() {
    let (_dir, _path, mut session) = new_vault();
    let plan = session
        .plan_import(
            &fixture("import/bad_rows.csv"),
            options(ConflictPolicy::Fail, true),
        )
        .unwrap();
    let summary = session.apply_import(plan).unwrap();
    assert_eq!(summary.created, 2);
    assert_eq!(summary.errors.len(), 14);
    let codes: Vec<&str> = session
        .customers()
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    assert_eq!(codes, ["FINE", "GOOD"]);
    let good = session.find_customer("GOOD").unwrap();
    assert_eq!(session.entries(good).unwrap()[0].host, "good.example");
}

#[test]
fn conflict_policies() {
    let dir = tempfile::tempdir().unwrap();
    let first = write(dir.path(), "first.csv", &format!("{HEADER}\nAcme,ACME,RDP,rdp,old.example,,,,,olduser,,pw-one,,,,,,,,,,keep this note,\n"));
    let again = write(
        dir.path(),
        "again.csv",
        &format!("{HEADER}\nAcme,ACME,RDP,rdp,new.example,3391,,,,,,pw-two,,,,,,,,,,,\n"),
    );
    let (_d, _path, mut session) = new_vault();
    import(&mut session, &first, ConflictPolicy::Fail);

    let fail = session
        .plan_import(&again, options(ConflictPolicy::Fail, false))
        .unwrap();
    assert_eq!(fail.summary().errors.len(), 1);
    assert_eq!(fail.summary().errors[0].line, 2);
    assert!(fail.summary().errors[0].reason.contains("already exists"));

    let skip = import(&mut session, &again, ConflictPolicy::Skip);
    assert_eq!((skip.created, skip.updated, skip.skipped), (0, 0, 1));
    let first_entry = |session: &sallyport_core::Session| {
        let acme = session.find_customer("ACME").unwrap();
        session.entries(acme).unwrap().remove(0)
    };
    assert_eq!(first_entry(&session).host, "old.example");

    let update = import(&mut session, &again, ConflictPolicy::Update);
    assert_eq!((update.created, update.updated, update.skipped), (0, 1, 0));
    let entry = first_entry(&session);
    assert_eq!(
        (entry.host.as_str(), entry.port),
        ("new.example", Some(3391))
    );
    assert_eq!(entry.username, "olduser", "empty cells keep stored values");
    assert_eq!(entry.notes, "keep this note");
    assert_eq!(
        session
            .entry_secrets(&entry)
            .unwrap()
            .password
            .unwrap()
            .expose(),
        "pw-two"
    );

    let unchanged = import(&mut session, &again, ConflictPolicy::Update);
    assert_eq!(
        (unchanged.created, unchanged.updated, unchanged.skipped),
        (0, 0, 1)
    );
}

#[test]
fn rows_of_one_customer_must_agree_on_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "x.csv", &format!("{HEADER}\nAcme,ACME,A,rdp,a.example,,,,,,,,,,,,,,,,,,\nAcme Corp,ACME,B,rdp,b.example,,,,,,,,,,,,,,,,,,\n"));
    let (_d, _p, session) = new_vault();
    let plan = session
        .plan_import(&file, options(ConflictPolicy::Fail, false))
        .unwrap();
    assert_eq!(plan.summary().errors.len(), 1);
    assert_eq!(plan.summary().errors[0].line, 3);
    assert!(plan.summary().errors[0]
        .reason
        .contains("is named 'Acme' on line 2"));
}

#[test]
fn file_level_problems_are_one_clear_error_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("empty.csv", "", "the file is empty"),
        (
            "header-only.csv",
            "customer,code,host\n",
            "header but no records",
        ),
        (
            "unknown.csv",
            "customer,hots\nAcme,x\n",
            "line 1: unknown column 'hots'",
        ),
        (
            "twice.csv",
            "customer,host,Host\nA,b,c\n",
            "column 'host' appears twice",
        ),
        (
            "no-customer.csv",
            "code,host\nA,b\n",
            "required column 'customer' is missing",
        ),
    ];
    let (_d, path, session) = new_vault();
    for (name, text, expected) in cases {
        let file = write(dir.path(), name, text);
        let err = session
            .plan_import(&file, options(ConflictPolicy::Fail, false))
            .unwrap_err();
        assert!(err.to_string().contains(expected), "{name}: {err}");
        assert!(!err.to_string().contains('\n'));
    }
    let missing = session
        .plan_import(&dir.path().join("nope.csv"), ImportOptions::default())
        .unwrap_err();
    assert!(missing.to_string().contains("nope.csv"), "{missing}");
    drop(session);
    assert!(unlock(&path).unwrap().customers().is_empty());
}

#[test]
fn a_file_forced_as_native_that_is_not_one_is_refused_without_quoting_it() {
    let dir = tempfile::tempdir().unwrap();
    let first = "root:$6$Canary-Hash$abc:19000:0:99999:7:::";
    let file = write(dir.path(), "shadow", &format!("{first}\ndaemon:*:19000\n"));
    let (_d, _p, session) = new_vault();
    let forced = ImportOptions {
        format: Some(sallyport_core::import::Format::Sallyport),
        ..options(ConflictPolicy::Fail, false)
    };
    let err = session.plan_import(&file, forced).unwrap_err().to_string();
    assert!(err.contains("not a Sallyport CSV file"), "{err}");
    assert!(
        !err.contains("Canary-Hash") && !err.contains("root:"),
        "{err}"
    );
}

#[test]
fn headers_are_matched_case_insensitively_with_aliases_and_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bom.csv", "\u{feff}Customer Name,Customer-Code,Label,Hostname,USER\r\nAcme,ACME,Main,rds.acme.example,vendor\r\n");
    let (_d, _p, mut session) = new_vault();
    let summary = import(&mut session, &file, ConflictPolicy::Fail);
    assert_eq!(summary.created, 1);
    let entry = &session
        .entries(session.find_customer("ACME").unwrap())
        .unwrap()[0];
    assert_eq!(
        (
            entry.label.as_str(),
            entry.host.as_str(),
            entry.username.as_str()
        ),
        ("Main", "rds.acme.example", "vendor")
    );
}

#[test]
fn a_plan_made_before_another_write_is_refused() {
    let (_d, _p, mut session) = new_vault();
    let stale = session
        .plan_import(&fixture("import/valid.csv"), ImportOptions::default())
        .unwrap();
    import(
        &mut session,
        &fixture("import/valid.csv"),
        ConflictPolicy::Fail,
    );
    assert!(session
        .apply_import(stale)
        .unwrap_err()
        .to_string()
        .contains("preview again"));
}

#[test]
fn dry_run_plans_write_nothing() {
    let (_d, path, session) = new_vault();
    let before = dump(&path, &[]);
    let plan = session
        .plan_import(&fixture("import/valid.csv"), ImportOptions::default())
        .unwrap();
    assert_eq!(plan.summary().created, 6);
    drop(plan);
    drop(session);
    assert_eq!(dump(&path, &[]), before);
}

#[test]
fn a_file_changed_after_the_preview_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "x.csv",
        &format!("{HEADER}\nAcme,ACME,RDP,rdp,a.example,,,,,,,,,,,,,,,,,,\n"),
    );
    let (_d, path, mut session) = new_vault();
    let plan = session
        .plan_import(&file, ImportOptions::default())
        .unwrap();
    std::fs::write(
        &file,
        format!("{HEADER}\nAcme,ACME,RDP,rdp,evil.example,,,,,,,,,,,,,,,,,,\n"),
    )
    .unwrap();
    let err = session.apply_import(plan).unwrap_err();
    assert!(
        err.to_string()
            .contains("changed since the preview; nothing was imported"),
        "{err}"
    );
    assert!(session.customers().is_empty());
    drop(session);
    assert!(unlock(&path).unwrap().customers().is_empty());
}

/// The fixture's customers and entries, for comparing imports of differently encoded files.
fn imported_view(file: &Path) -> Vec<(String, String, Vec<String>)> {
    let (_d, _p, mut session) = new_vault();
    import(&mut session, file, ConflictPolicy::Fail);
    session
        .customers()
        .to_vec()
        .into_iter()
        .map(|c| {
            let entries = session
                .entries(&c)
                .unwrap()
                .into_iter()
                .map(|e| {
                    format!(
                        "{}|{}|{:?}|{}|{}",
                        e.label, e.host, e.port, e.username, e.notes
                    )
                })
                .collect();
            (c.code.into_string(), c.name.into_string(), entries)
        })
        .collect()
}

#[test]
fn utf16_files_and_other_delimiters_import_like_the_utf8_original() {
    let dir = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(fixture("import/valid.csv")).unwrap();
    let expected = imported_view(&fixture("import/valid.csv"));
    assert_eq!(expected.len(), 4);
    let utf16 = |big_endian: bool| -> Vec<u8> {
        let bom: [u8; 2] = if big_endian {
            [0xFE, 0xFF]
        } else {
            [0xFF, 0xFE]
        };
        bom.into_iter()
            .chain(original.encode_utf16().flat_map(move |u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            }))
            .collect()
    };
    for (name, bytes) in [
        ("le.csv", utf16(false)),
        ("be.csv", utf16(true)),
        (
            "bom8.csv",
            [&[0xEF, 0xBB, 0xBF][..], original.as_bytes()].concat(),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(imported_view(&path), expected, "{name}");
    }
    // The same rows with ';' and with tabs between the fields.
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(original.as_bytes());
    for (name, delimiter) in [("semicolon.csv", b';'), ("tabs.tsv", b'\t')] {
        let path = dir.path().join(name);
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_path(&path)
            .unwrap();
        for record in reader.records() {
            writer.write_record(&record.unwrap()).unwrap();
        }
        writer.flush().unwrap();
        drop(writer);
        reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(original.as_bytes());
        assert_eq!(imported_view(&path), expected, "{name}");
    }
}

#[test]
fn broken_utf16_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(
        "customer,code\r\nAcme,ACME\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes),
    );
    bytes.extend([0x00, 0xDC]); // a low surrogate with no high one
    let path = dir.path().join("broken.csv");
    std::fs::write(&path, bytes).unwrap();
    let (_d, vault, session) = new_vault();
    let err = session
        .plan_import(&path, ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not valid UTF-16"), "{err}");
    drop(session);
    assert!(unlock(&vault).unwrap().customers().is_empty());
}

#[test]
fn malformed_files_give_clear_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut junk = vec![0u8; 4096];
    for (i, b) in junk.iter_mut().enumerate() {
        *b = (i * 7919 % 251) as u8 | 0x80;
    }
    let long_line = format!("customer,{}", "x".repeat(10 << 20));
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("junk.bin", junk, "the header is not valid UTF-8 text"),
        (
            "long.csv",
            long_line.into_bytes(),
            "line 1: cannot read the header: a record is longer than 1 MiB",
        ),
        (
            "quotes.csv",
            b"customer,code\n\"Acme,ACME\nBeta,BETA\n".to_vec(),
            "line 2: has 1 fields but the header has 2",
        ),
        (
            "unknown.csv",
            b"a;b;c\n1;2;3\n".to_vec(),
            "matches no known layout",
        ),
    ];
    let (_d, vault, session) = new_vault();
    for (name, bytes, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let message = match session.plan_import(&path, ImportOptions::default()) {
            Err(e) => e.to_string(),
            Ok(plan) => {
                assert!(plan.is_blocked(), "{name} was accepted");
                let e = &plan.summary().errors[0];
                format!("line {}: {}", e.line, e.reason)
            }
        };
        assert!(message.contains(expected), "{name}: {message}");
        assert!(
            message.len() < 600,
            "{name}: the message is {} bytes",
            message.len()
        );
        assert!(!message.contains('\n'), "{name}: {message}");
    }
    drop(session);
    assert!(unlock(&vault).unwrap().customers().is_empty());
}

#[test]
fn progress_is_reported_for_both_passes() {
    use sallyport_core::import::{Phase, Progress};
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("customer,code,entry,host\n");
    for i in 0..5000 {
        text.push_str(&format!("Customer {i},C{i},RDP,host{i}.example\n"));
    }
    let file = write(dir.path(), "many.csv", &text);
    let (_d, _p, mut session) = new_vault();
    let mut seen: Vec<Progress> = Vec::new();
    let plan = session
        .plan_import_with_progress(&file, ImportOptions::default(), &mut |p| seen.push(p))
        .unwrap();
    session
        .apply_import_with_progress(plan, &mut |p| seen.push(p))
        .unwrap();
    let rows: Vec<(Phase, u64)> = seen.iter().map(|p| (p.phase, p.rows)).collect();
    assert_eq!(
        rows,
        [
            (Phase::Preview, 2000),
            (Phase::Preview, 4000),
            (Phase::Preview, 5000),
            (Phase::Write, 2000),
            (Phase::Write, 4000),
            (Phase::Write, 5000),
        ]
    );
    let size = text.len() as u64;
    assert!(seen
        .iter()
        .all(|p| p.total_bytes == size && p.bytes_read <= size));
    assert_eq!(
        seen[2].bytes_read, size,
        "the last report covers the whole file"
    );
}

/// mRemoteNG writes no quotes. A ';' in a Description is put back together (also with a
/// panel of the file's own); a ';' anywhere else (here in a password and a user name)
/// refuses the row rather than moving half a password into the user name.
#[test]
fn mremoteng_rows_split_by_a_semicolon_are_mended_only_in_the_description() {
    let header = std::fs::read_to_string(fixture("import/formats/mremoteng.csv")).unwrap();
    let header = header.lines().next().unwrap();
    let tail = ";ACME;rds.acme.example;3389;;RDP;;;;;False;True;IE;NoAuth;FitToWindow;\
                False;False;True;False;Never;;Yes;;;;";
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "mremoteng.csv",
        &[
            header.to_owned(),
            "Lab;c-1;root;Container;;mRemoteNG;Support;;;;;;;RDP;;;;;False;True;IE;NoAuth;\
             FitToWindow;False;False;True;False;Never;;Yes;;;;"
                .to_owned(),
            format!("Acme;n-1;c-1;Connection;DC; ask Bob;mRemoteNG;Support;vendor;pw{tail}"),
            format!("Beta;n-2;c-1;Connection;DC;mRemoteNG;General;vendor;ab;cd{tail}"),
            format!("Gamma;n-3;c-1;Connection;DC;mRemoteNG;General;ven;dor;pw{tail}"),
        ]
        .join("\n"),
    );
    let (_d, _vault, mut session) = new_vault();
    let plan = session
        .plan_import(&file, options(ConflictPolicy::Fail, true))
        .unwrap();
    let errors: Vec<(u64, &str)> = plan
        .summary()
        .errors
        .iter()
        .map(|e| (e.line, e.reason.as_str()))
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for ((line, reason), expected) in errors.iter().zip([4, 5]) {
        assert_eq!(*line, expected);
        assert!(
            reason.starts_with("has 35 fields but the header has 34"),
            "{reason}"
        );
        assert!(
            !reason.contains("ab") && !reason.contains("dor"),
            "{reason}"
        );
    }
    session.apply_import(plan).unwrap();
    assert_eq!(session.customers().len(), 1, "only Acme is imported");
    let acme = session.find_customer("Acme").unwrap();
    let entry = &session.entries(acme).unwrap()[0];
    assert_eq!(entry.notes, "DC; ask Bob");
    assert_eq!(entry.username, "vendor");
}

/// A FIFO or a device is refused before it is opened (opening a FIFO waits for a writer,
/// `/dev/zero` never ends), and one endless record stops at the record limit.
#[cfg(unix)]
#[test]
fn fifos_devices_and_endless_records_are_refused_without_reading_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let (_d, _vault, session) = new_vault();
    let session = std::sync::Arc::new(std::sync::Mutex::new(session));
    for path in [fifo.clone(), std::path::PathBuf::from("/dev/zero")] {
        let (done, result) = std::sync::mpsc::channel();
        let shared = session.clone();
        let asked = path.clone();
        std::thread::spawn(move || {
            let session = shared.lock().unwrap();
            let outcome = session
                .plan_import(&asked, ImportOptions::default())
                .map(|_| ())
                .map_err(|e| e.to_string());
            done.send(outcome).unwrap();
        });
        let outcome = match result.recv_timeout(std::time::Duration::from_secs(20)) {
            Ok(outcome) => outcome,
            Err(_) => {
                // Let a reader stuck on the FIFO go before failing.
                let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
                panic!("{}: still reading after 20 s", path.display());
            }
        };
        let message = outcome.unwrap_err();
        assert!(
            message.contains("is not a regular file"),
            "{}: {message}",
            path.display()
        );
    }

    let endless = dir.path().join("endless.csv");
    let mut text = String::from("customer,code,notes\nAcme,ACME,\"");
    text.push_str(&"x".repeat(3 << 20));
    std::fs::write(&endless, text).unwrap();
    let session = session.lock().unwrap();
    let message = session
        .plan_import(&endless, ImportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("a record is longer than 1 MiB"),
        "{message}"
    );
    assert!(!message.contains('\n'), "{message}");
}
