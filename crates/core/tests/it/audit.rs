//! The audit log: every tampering of the SQLite file is named by verification; failed
//! unlocks are folded in; no secret ever reaches an event or an export.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sallyport_sqlite::LocalFile;
use std::path::Path;

use crate::common::*;
use sallyport_core::audit::{
    Action, AuditFilter, CustomerMatch, ExportFormat, NewEvent, Outcome, ProblemKind, VerifyReport,
};
use sallyport_core::{SecretString, Session};

/// A vault with the fixture imported and a few credential uses: events 1..=N.
fn vault_with_events() -> (tempfile::TempDir, std::path::PathBuf, u64) {
    let (dir, path) = populated_vault();
    let mut session = unlock(&path).unwrap();
    let acme = session.find_customer("ACME").unwrap().clone();
    let entries = session.entries(&acme).unwrap();
    for action in [Action::CopyPassword, Action::CopyTotp, Action::Launch] {
        session
            .audit(NewEvent::new(action).customer(&acme).entry(&entries[0]))
            .unwrap();
    }
    let last = session
        .audit(NewEvent::new(Action::CustomerView).customer(&acme))
        .unwrap();
    session.lock().unwrap();
    (dir, path, last)
}

/// Verifies the log as found (before the verifying unlock is itself appended).
fn verify(path: &Path) -> VerifyReport {
    let (session, report) =
        Session::unlock_and_verify_audit(&LocalFile::new(path), &password()).unwrap();
    session.lock().unwrap();
    report
}

fn expect_problem(path: &Path, seq: u64, kind: ProblemKind) -> String {
    let report = verify(path);
    let problem = report
        .problem
        .unwrap_or_else(|| panic!("verification passed; expected {kind:?} at {seq}"));
    assert_eq!(
        (problem.seq, problem.kind),
        (seq, kind),
        "{}",
        problem.message
    );
    problem.message
}

fn audit_rows(path: &Path) -> Vec<(i64, Vec<u8>, Vec<u8>)> {
    let conn = sql(path);
    let mut stmt = conn
        .prepare("SELECT seq, record, mac FROM audit ORDER BY seq")
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    rows.map(Result::unwrap).collect()
}

#[test]
fn an_untouched_log_verifies_and_counts_every_event() {
    let (_dir, path, last) = vault_with_events();
    // vault_create, import, unlock, 3 uses + view = last; then one unlock per verify.
    let report = verify(&path);
    assert!(report.is_ok(), "{:?}", report.problem);
    assert_eq!(report.events, last);
    let again = verify(&path);
    assert_eq!(again.events, last + 1, "the verifying unlock was appended");
    assert!(again.is_ok());
}

#[test]
fn a_byte_edited_in_one_row_is_named() {
    let (_dir, path, _) = vault_with_events();
    let (seq, mut record, _) = audit_rows(&path)[3].clone();
    let i = record.len() / 2;
    record[i] ^= 0x01;
    set_blob(&path, "audit", "seq", "record", &seq.to_string(), &record);
    let message = expect_problem(&path, seq as u64, ProblemKind::Edited);
    assert!(message.contains("edited"), "{message}");
}

#[test]
fn an_edited_mac_is_named() {
    let (_dir, path, _) = vault_with_events();
    let (seq, _, mut mac) = audit_rows(&path)[2].clone();
    mac[0] ^= 0x80;
    set_blob(&path, "audit", "seq", "mac", &seq.to_string(), &mac);
    expect_problem(&path, seq as u64, ProblemKind::Edited);
}

#[test]
fn a_deleted_middle_row_is_named_missing() {
    let (_dir, path, _) = vault_with_events();
    sql(&path)
        .execute("DELETE FROM audit WHERE seq = 4", [])
        .unwrap();
    let message = expect_problem(&path, 4, ProblemKind::Missing);
    assert_eq!(message, "event 4 is missing (deleted from the log)");
}

/// A row renumbered to 0 or below (read as 0) comes first: it is named, the walk does
/// not underflow (a panic in a debug build, "events 1 to 18446744073709551615" otherwise).
#[test]
fn a_row_numbered_zero_or_below_is_named_out_of_order() {
    for number in [0, -7] {
        let (_dir, path, _) = vault_with_events();
        sql(&path)
            .execute("UPDATE audit SET seq = ?1 WHERE seq = 3", [number])
            .unwrap();
        let message = expect_problem(&path, 1, ProblemKind::Reordered);
        assert_eq!(
            message,
            "event 1 is out of order (a row numbered 0 stands in its place)"
        );
    }
}

#[test]
fn two_swapped_rows_are_named_reordered() {
    let (_dir, path, _) = vault_with_events();
    let conn = sql(&path);
    conn.execute_batch(
        "UPDATE audit SET seq = -1 WHERE seq = 4;
         UPDATE audit SET seq = 4 WHERE seq = 5;
         UPDATE audit SET seq = 5 WHERE seq = -1;",
    )
    .unwrap();
    drop(conn);
    let message = expect_problem(&path, 4, ProblemKind::Reordered);
    assert!(message.contains("position 4 holds event 5"), "{message}");
}

#[test]
fn a_deleted_last_row_is_named_truncated() {
    let (_dir, path, last) = vault_with_events();
    sql(&path)
        .execute("DELETE FROM audit WHERE seq = ?1", [last as i64])
        .unwrap();
    let message = expect_problem(&path, last, ProblemKind::Truncated);
    assert_eq!(
        message,
        format!("event {last} was cut off the end of the log")
    );
    // Later appends chain on from the authentic head: the gap stays on record.
    expect_problem(&path, last, ProblemKind::Missing);
}

#[test]
fn an_edited_head_is_named_and_stays_on_record() {
    let (_dir, path, last) = vault_with_events();
    let head = blob(&path, "meta", "key", "value", "audit_head");
    let mut head: serde_json::Value = serde_json::from_slice(&head).unwrap();
    head["seq"] = serde_json::json!(last - 1);
    let edited = serde_json::to_vec(&head).unwrap();
    set_blob(&path, "meta", "key", "value", "audit_head", &edited);
    let message = expect_problem(&path, last + 1, ProblemKind::HeadEdited);
    assert!(message.contains("head record was edited"), "{message}");
    // The verifying unlock chained on and recorded the damage: never silently healed.
    let message = expect_problem(&path, last + 1, ProblemKind::DamageRecorded);
    assert!(message.contains("found damaged"), "{message}");
    let session = unlock(&path).unwrap();
    let damaged = session
        .audit_events(&AuditFilter {
            actions: vec![Action::AuditDamaged],
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(damaged.len(), 1);
    assert!(damaged[0].detail.contains("damaged"), "{:?}", damaged[0]);
}

#[test]
fn a_deleted_head_or_an_emptied_log_is_named() {
    let (_dir, path, last) = vault_with_events();
    sql(&path)
        .execute("DELETE FROM meta WHERE key = 'audit_head'", [])
        .unwrap();
    expect_problem(&path, last + 1, ProblemKind::HeadMissing);

    let (_dir2, path, _) = vault_with_events();
    sql(&path)
        .execute_batch("DELETE FROM audit; DELETE FROM meta WHERE key = 'audit_head';")
        .unwrap();
    expect_problem(&path, 1, ProblemKind::HeadMissing);
}

#[test]
fn failed_unlocks_are_folded_into_the_chain_at_the_next_unlock() {
    let (_dir, path, last) = vault_with_events();
    for _ in 0..2 {
        assert!(
            Session::unlock(&LocalFile::new(&path), &SecretString::from("wrong guess 1")).is_err()
        );
    }
    let session = unlock(&path).unwrap();
    let events = session.audit_events(&AuditFilter::default()).unwrap();
    let tail: Vec<(Action, Outcome, &str)> = events[last as usize..]
        .iter()
        .map(|e| (e.action, e.outcome, e.detail.as_str()))
        .collect();
    assert_eq!(
        tail,
        [
            (Action::Unlock, Outcome::Failed, "wrong master password"),
            (Action::Unlock, Outcome::Failed, "wrong master password"),
            (Action::Unlock, Outcome::Ok, ""),
        ]
    );
    let failed = &events[last as usize];
    // The notes were written without any key: marked as the claims they are.
    let marked: Vec<bool> = events[last as usize..]
        .iter()
        .map(|e| e.unauthenticated)
        .collect();
    assert_eq!(marked, [true, true, false]);
    assert!(events[..last as usize].iter().all(|e| !e.unauthenticated));
    assert!(
        failed.caveat().starts_with("unauthenticated note"),
        "{}",
        failed.caveat()
    );
    assert_eq!(failed.staff, "Test Staff");
    assert!(!failed.os_user.is_empty() && !failed.host.is_empty());
    assert!(failed.time <= events.last().unwrap().time);
    let pending: i64 = sql(&path)
        .query_row("SELECT count(*) FROM audit_pending", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pending, 0, "folded notes are removed");
    session.lock().unwrap();
    assert!(verify(&path).is_ok());
}

#[test]
fn imports_views_and_password_changes_are_recorded() {
    let (_dir, path, _) = vault_with_events();
    let mut session = unlock(&path).unwrap();
    session
        .change_password(&SecretString::from("short"))
        .unwrap_err();
    session
        .change_password(&SecretString::from("a brand new master password"))
        .unwrap();
    let events = session.audit_events(&AuditFilter::default()).unwrap();
    let kinds: Vec<(Action, Outcome)> = events.iter().map(|e| (e.action, e.outcome)).collect();
    assert_eq!(kinds[0], (Action::VaultCreate, Outcome::Ok));
    let import = events.iter().find(|e| e.action == Action::Import).unwrap();
    assert_eq!(
        import.detail,
        "valid.csv (Sallyport CSV): 6 created, 0 updated, 0 skipped, 0 invalid"
    );
    assert_eq!(
        kinds[kinds.len() - 2..],
        [
            (Action::PasswordChange, Outcome::Failed),
            (Action::PasswordChange, Outcome::Ok)
        ]
    );
}

#[test]
fn filters_select_by_customer_action_family_staff_and_time() {
    let (_dir, path, _) = vault_with_events();
    let session = unlock(&path).unwrap();
    let acme = session.audit_customer_match("acme").unwrap();
    assert!(matches!(acme, CustomerMatch::Id(_)));
    let filter = AuditFilter {
        customer: Some(acme),
        ..AuditFilter::default()
    };
    let actions: Vec<Action> = session
        .audit_events(&filter)
        .unwrap()
        .iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            Action::CopyPassword,
            Action::CopyTotp,
            Action::Launch,
            Action::CustomerView
        ]
    );
    let mut copies = AuditFilter::default();
    copies.add_actions("copy").unwrap();
    assert_eq!(session.audit_events(&copies).unwrap().len(), 2);
    let nobody = AuditFilter {
        staff: Some("someone else".into()),
        ..AuditFilter::default()
    };
    assert!(session.audit_events(&nobody).unwrap().is_empty());
    let staff = AuditFilter {
        staff: Some("test staff".into()),
        ..AuditFilter::default()
    };
    assert!(!session.audit_events(&staff).unwrap().is_empty());
    let future = AuditFilter {
        since: Some(sallyport_core::audit::parse_time("since", "2999-01-01").unwrap()),
        ..AuditFilter::default()
    };
    assert!(session.audit_events(&future).unwrap().is_empty());
    // A customer no longer in the vault is matched by the code recorded in its events.
    assert_eq!(
        session.audit_customer_match("GONE").unwrap(),
        CustomerMatch::Code("GONE".into())
    );
}

#[test]
fn two_sessions_on_one_file_keep_one_chain() {
    let (_dir, path, _) = vault_with_events();
    let mut a = unlock(&path).unwrap();
    let mut b = unlock(&path).unwrap();
    for i in 0..5 {
        let detail = format!("round {i}");
        a.audit(NewEvent::new(Action::Search).detail(&detail))
            .unwrap();
        b.audit(NewEvent::new(Action::Search).detail(&detail))
            .unwrap();
    }
    drop((a, b));
    let report = verify(&path);
    assert!(report.is_ok(), "{:?}", report.problem);
}

#[test]
fn no_secret_reaches_the_audit_table_events_or_exports() {
    let (dir, path, _) = vault_with_events();
    let canaries = [
        "Canary-Pass-Acme-1",
        "Canary-Pass-Acme-2",
        "JBSWY3DPEHPK3PXP",
        PASSWORD,
    ];
    let mut session = unlock(&path).unwrap();
    // Use every secret of every customer, auditing each use.
    for customer in session.customers().to_vec() {
        for entry in session.entries(&customer).unwrap() {
            let secrets = session.entry_secrets(&entry).unwrap();
            if secrets.password.is_some() {
                session
                    .audit(
                        NewEvent::new(Action::Reveal)
                            .customer(&customer)
                            .entry(&entry),
                    )
                    .unwrap();
            }
        }
    }
    let csv = dir.path().join("audit.csv");
    let jsonl = dir.path().join("audit.jsonl");
    let all = AuditFilter::default();
    let n = session.export_audit(&csv, ExportFormat::Csv, &all).unwrap();
    session
        .export_audit(&jsonl, ExportFormat::JsonLines, &all)
        .unwrap();
    let listed = serde_json::to_string(&session.audit_events(&all).unwrap()).unwrap();
    session.lock().unwrap();

    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        csv_text.lines().count() as u64,
        n + 1,
        "header + one line per event"
    );
    assert!(csv_text.starts_with("seq,time,staff,os_user,host,action,outcome,customer_id"));
    assert!(csv_text.contains(",reveal,ok,"), "{csv_text}");
    let jsonl_text = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(
        jsonl_text.lines().count() as u64,
        n + 2,
        "one more event (the CSV export), and the head line"
    );
    for line in jsonl_text.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    let raw: Vec<u8> = audit_rows(&path)
        .into_iter()
        .flat_map(|(_, record, mac)| [record, mac].concat())
        .collect();
    for canary in canaries {
        for (what, text) in [
            ("csv", &csv_text),
            ("jsonl", &jsonl_text),
            ("list", &listed),
        ] {
            assert!(!text.contains(canary), "{canary} in the {what} output");
        }
        assert!(
            !raw.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{canary} in the audit table"
        );
    }
    // Customer codes are sensitive too: the stored rows are sealed.
    assert!(!raw.windows(4).any(|w| w == b"ACME"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&csv).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn an_export_to_a_new_file_never_replaces_one() {
    let (dir, path, _) = vault_with_events();
    let mut session = unlock(&path).unwrap();
    let all = AuditFilter::default();
    let file = dir.path().join("new.csv");
    let n = session
        .export_audit_new_file(&file, ExportFormat::Csv, &all)
        .unwrap();
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count() as u64, n + 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }

    let again = session
        .export_audit_new_file(&file, ExportFormat::JsonLines, &all)
        .unwrap_err();
    assert_eq!(again.kind(), "invalid");
    assert!(again.to_string().contains("already exists"), "{again}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);

    let nowhere = dir.path().join("missing").join("new.csv");
    let refused = session
        .export_audit_new_file(&nowhere, ExportFormat::Csv, &all)
        .unwrap_err();
    assert!(
        refused.to_string().ends_with("missing does not exist"),
        "{refused}"
    );
    // Only the export that wrote a file is in the log.
    let exports = AuditFilter {
        actions: vec![Action::AuditExport],
        ..AuditFilter::default()
    };
    assert_eq!(session.audit_events(&exports).unwrap().len(), 1);
    session.lock().unwrap();
}
