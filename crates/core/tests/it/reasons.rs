//! Reasons on credential use (the customer's policy, the vault's ticket pattern) and the
//! customer's access statement built from the audit log.

use sallyport_core::audit::{Action, AuditFilter, Outcome, Reason};
use sallyport_core::import::ConflictPolicy;
use sallyport_core::model::ReasonPolicy;
use sallyport_core::statement::{render, Period, StatementFormat};
use sallyport_core::vault::{CopyField, Purpose};
use sallyport_core::{ErrorKind, Session};

use crate::common::*;

const ROWS: &str = "customer,code,entry,kind,host,username,password,totp,reason\n\
    Acme GmbH,ACME,Terminal server,rdp,ts.acme.example,svc-vendor,Canary-Pass-1,JBSWY3DPEHPK3PXP,required\n\
    Beta Corp,BETA,RDP,rdp,rdp.beta.example,vendor,Canary-Pass-2,JBSWY3DPEHPK3PXP,\n";

fn vault() -> (tempfile::TempDir, std::path::PathBuf, Session) {
    let (dir, path, mut session) = new_vault();
    let csv = dir.path().join("in.csv");
    std::fs::write(&csv, ROWS).unwrap();
    import(&mut session, &csv, ConflictPolicy::Fail);
    (dir, path, session)
}

fn entry(session: &Session, selector: &str) -> uuid::Uuid {
    session
        .select(selector, Purpose::Password)
        .unwrap()
        .entry
        .id
}

fn events(session: &Session) -> Vec<sallyport_core::audit::Event> {
    let mut all = Vec::new();
    session
        .for_each_audit_event(&AuditFilter::default(), &mut |e| {
            all.push(e);
            Ok(())
        })
        .unwrap();
    all
}

#[test]
fn a_required_reason_refuses_the_use_records_the_refusal_and_keeps_given_reasons() {
    let (_dir, _path, mut session) = vault();
    let acme = entry(&session, "ACME");
    let before = events(&session).len();

    let refused = session
        .copy_value(acme, CopyField::Password, None)
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ReasonRequired);
    assert!(
        refused.to_string().contains("ACME requires a reason"),
        "{refused}"
    );
    assert!(session.current_totp(acme, None).is_err());
    assert!(session.reveal_password(acme, None).is_err());
    let all = events(&session);
    assert_eq!(all.len(), before + 3, "each refusal is recorded");
    assert!(all[before..]
        .iter()
        .all(|e| e.outcome == Outcome::Failed && e.reason.is_empty()));

    let reason = Reason::parse("TASS-4711 restart the print spooler").unwrap();
    let password = session
        .copy_value(acme, CopyField::Password, Some(&reason))
        .unwrap();
    assert_eq!(password.expose(), "Canary-Pass-1");
    let last = events(&session).pop().unwrap();
    assert_eq!(last.action, Action::CopyPassword);
    assert_eq!(last.reason, "TASS-4711 restart the print spooler");

    // Without a policy, no reason is needed; one given is recorded all the same.
    let beta = entry(&session, "BETA");
    session.current_totp(beta, None).unwrap();
    session.current_totp(beta, Some(&reason)).unwrap();
    assert_eq!(events(&session).pop().unwrap().reason, reason.as_str());
}

#[test]
fn the_policy_is_set_audited_and_kept_through_a_native_export() {
    let (dir, _path, mut session) = vault();
    assert_eq!(
        session.find_customer("ACME").unwrap().reason_policy,
        ReasonPolicy::Required
    );
    session
        .set_reason_policy("BETA", ReasonPolicy::Optional)
        .unwrap();
    let last = events(&session).pop().unwrap();
    assert_eq!(last.action, Action::CustomerEdit);
    assert!(last.detail.contains("off -> optional"), "{}", last.detail);

    session.set_clipboard_sharing("ACME", true).unwrap();
    let out = dir.path().join("out.csv");
    session.export_native(&out).unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let header = text.lines().next().unwrap();
    assert!(header.split(',').any(|c| c == "reason"), "{header}");
    let (_dir2, _path2, mut other) = new_vault();
    import(&mut other, &out, ConflictPolicy::Fail);
    assert_eq!(
        other.find_customer("ACME").unwrap().reason_policy,
        ReasonPolicy::Required
    );
    assert_eq!(
        other.find_customer("BETA").unwrap().reason_policy,
        ReasonPolicy::Optional
    );
}

#[test]
fn a_ticket_pattern_makes_every_reason_name_a_ticket() {
    let (_dir, _path, mut session) = vault();
    let mut prefs = session.preferences().clone();
    prefs.ticket_pattern = "TASS-(".into();
    let errors = session.set_preferences(prefs.clone()).unwrap_err();
    assert_eq!(errors[0].field, "ticket_pattern");
    prefs.ticket_pattern = r"TASS-\d+".into();
    session.set_preferences(prefs).unwrap();

    let acme = entry(&session, "ACME");
    let vague = Reason::parse("printer").unwrap();
    let err = session.current_totp(acme, Some(&vague)).unwrap_err();
    assert!(err.to_string().contains(r"TASS-\d+"), "{err}");
    session
        .current_totp(acme, Some(&Reason::parse("TASS-12").unwrap()))
        .unwrap();
}

#[test]
fn a_statement_lists_exactly_the_customers_uses_in_the_period() {
    let (_dir, _path, mut session) = vault();
    let acme = entry(&session, "ACME");
    let beta = entry(&session, "BETA");
    let reason = Reason::parse("TASS-1").unwrap();
    session.current_totp(acme, Some(&reason)).unwrap();
    session.current_totp(beta, None).unwrap();
    session.copy_value(beta, CopyField::Username, None).unwrap();
    assert!(session.copy_value(acme, CopyField::Password, None).is_err());

    let today = sallyport_core::hygiene::today();
    let all = session.access_statement("ACME", Period::default()).unwrap();
    assert_eq!(all.customer.code, "ACME");
    let actions: Vec<(&str, Option<&str>, &str)> = all
        .uses
        .iter()
        .map(|u| (u.action.as_str(), u.reason.as_deref(), u.outcome.as_str()))
        .collect();
    assert_eq!(
        actions,
        [
            ("totp_show", Some("TASS-1"), "ok"),
            ("copy_password", None, "failed")
        ]
    );
    assert_eq!(all.uses[0].staff, "Test Staff");
    assert_eq!(all.accounts.len(), 1);
    assert_eq!(all.accounts[0].username, "svc-vendor");
    assert!(all.verified);
    assert_eq!(all.chain_head, session.verify_audit().unwrap().head);

    let day = |d: time::Date| d.to_string();
    let tomorrow = today.next_day().unwrap();
    let yesterday = today.previous_day().unwrap();
    let future = Period::parse(Some(&day(tomorrow)), None).unwrap();
    assert!(session
        .access_statement("ACME", future)
        .unwrap()
        .uses
        .is_empty());
    let past = Period::parse(None, Some(&day(yesterday))).unwrap();
    assert!(session
        .access_statement("ACME", past)
        .unwrap()
        .uses
        .is_empty());
    let exact = Period::parse(Some(&day(today)), Some(&day(today))).unwrap();
    assert_eq!(
        session.access_statement("ACME", exact).unwrap().uses.len(),
        2
    );
    assert!(Period::parse(Some(&day(tomorrow)), Some(&day(today))).is_err());
    assert!(Period::parse(Some("2026-13-01"), None).is_err());

    // The monthly run writes one statement per customer with a use, each its own.
    let every = session.access_statements_all(Period::default()).unwrap();
    let codes: Vec<&str> = every.iter().map(|s| s.customer.code.as_str()).collect();
    assert_eq!(codes, ["ACME", "BETA"]);
    assert!(every[1].uses.iter().all(|u| u.entry == "RDP"));

    // Every format renders; nothing secret is in any of them.
    for format in [
        StatementFormat::Json,
        StatementFormat::Csv,
        StatementFormat::Html,
        StatementFormat::Pdf,
    ] {
        let bytes = render(&all, format).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Canary-Pass"), "{format:?}");
        assert!(!text.contains("JBSWY3DP"), "{format:?}");
        assert!(text.contains("TASS-1"), "{format:?}");
    }
}
