//! Editing by hand: customers and entries created, changed and deleted through the app's
//! forms. Every wrong field is named at once and nothing is written; secrets change only
//! when asked; deletes remove the rows (and the secrets) from the file; every change is
//! audited with field names, never values.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common::*;
use sallyport_core::audit::{Action, AuditFilter};
use sallyport_core::model::form::{CustomerForm, EntryForm, SecretChange, SecretChanges};
use sallyport_core::model::validate::FieldError;
use sallyport_core::vault::{CopyField, Purpose};
use sallyport_core::{SecretString, Session};

fn acme() -> CustomerForm {
    CustomerForm {
        name: "Acme Manufacturing".into(),
        code: "ACME".into(),
        tags: "emea, gold".into(),
        notes: "Call before 10:00.\nAsk for Jo.".into(),
        contact: "it@acme.example".into(),
        active: true,
        rotate_after_session: false,
        reason_policy: Default::default(),
        share_clipboard: false,
    }
}

fn rdp_form() -> EntryForm {
    EntryForm {
        label: "Terminal server".into(),
        kind: "rdp".into(),
        host: "ts.acme.example".into(),
        port: "3390".into(),
        gateway_host: "gw.acme.example".into(),
        gateway_usage: "always".into(),
        username: "vendor".into(),
        domain: "ACME".into(),
        expires_at: "2030-01-31".into(),
        ..EntryForm::default()
    }
}

fn set(value: &str) -> SecretChange {
    SecretChange::Set(SecretString::from(value))
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

fn events(session: &Session, action: Action) -> Vec<sallyport_core::audit::Event> {
    session
        .audit_events(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

fn count(path: &std::path::Path, table: &str) -> i64 {
    sql(path)
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_customer_and_entry_made_by_hand_survive_lock_and_unlock() {
    let (_dir, path, mut session) = new_vault();
    let customer = session.save_customer(None, &acme()).unwrap();
    let secrets = SecretChanges {
        password: set(" p@ss word "),
        totp: set("otpauth://totp/Acme:vendor?secret=JBSWY3DPEHPK3PXP&digits=8&period=60"),
    };
    let entry = session
        .save_entry_form(customer.id, None, &rdp_form(), &secrets)
        .unwrap();
    session.lock().unwrap();

    let mut session = unlock(&path).unwrap();
    let stored = session.customer_by_code("acme").unwrap().clone();
    assert_eq!(stored.name, "Acme Manufacturing");
    assert_eq!(stored.tags, ["emea", "gold"]);
    assert_eq!(stored.notes, "Call before 10:00.\nAsk for Jo.");
    assert_eq!(CustomerForm::of(&stored), acme());
    let entries = session.entries(&stored).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].id, entry.id);
    assert_eq!(EntryForm::of(&entries[0]), {
        let mut form = rdp_form();
        form.gateway_port = String::new();
        form.account_type = "shared".into();
        form
    });
    assert_eq!(entries[0].totp.as_ref().unwrap().digits, 8);
    let target = session
        .select("ACME/terminal server", Purpose::Password)
        .unwrap();
    let password = session
        .copy_value(target.entry.id, CopyField::Password, None)
        .unwrap();
    assert_eq!(
        password.expose(),
        " p@ss word ",
        "a password is kept as typed"
    );
    assert_eq!(session.search("ts.acme").len(), 1, "the host is searchable");

    assert_eq!(events(&session, Action::CustomerCreate).len(), 1);
    let created = events(&session, Action::EntryCreate);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].entry, "Terminal server");
}

#[test]
fn every_wrong_field_is_named_at_once_and_nothing_is_written() {
    let (_dir, path, mut session) = new_vault();
    let customer = session.save_customer(None, &acme()).unwrap();
    session.lock().unwrap();
    let before = dump(&path, &[]);
    let mut session = unlock(&path).unwrap();
    let before_events = session.audit_events(&AuditFilter::default()).unwrap().len();

    let form = EntryForm {
        host: "bad host!".into(),
        port: "99999".into(),
        username: "vendor\r\nfull address:s:evil.example".into(),
        url: "ftp://files.example".into(),
        expires_at: "2030-13-01".into(),
        kind: "telnet".into(),
        ..rdp_form()
    };
    let errors = session
        .save_entry_form(customer.id, None, &form, &SecretChanges::default())
        .unwrap_err();
    assert_eq!(
        fields(&errors),
        ["kind", "host", "port", "username", "url", "expires_at"]
    );
    for error in &errors {
        assert!(!error.message.contains("evil.example"), "{error:?}");
        assert!(!error.message.contains('\n'), "{error:?}");
    }

    let bad_customer = CustomerForm {
        name: " ".into(),
        code: "has space".into(),
        contact: "a\u{7}b".into(),
        ..acme()
    };
    let errors = session.save_customer(None, &bad_customer).unwrap_err();
    assert_eq!(fields(&errors), ["name", "code", "contact"]);

    let refused = |session: &mut Session, changes: SecretChanges| {
        session
            .save_entry_form(customer.id, None, &rdp_form(), &changes)
            .unwrap_err()
    };
    let errors = refused(
        &mut session,
        SecretChanges {
            password: set("line\nbreak"),
            ..SecretChanges::default()
        },
    );
    assert_eq!(fields(&errors), ["password"]);
    assert!(!errors[0].message.contains("break"));

    let errors = refused(
        &mut session,
        SecretChanges {
            totp: set("not base32 !"),
            ..SecretChanges::default()
        },
    );
    assert_eq!(fields(&errors), ["totp"]);

    assert_eq!(
        session.audit_events(&AuditFilter::default()).unwrap().len(),
        before_events,
        "refused forms record nothing"
    );
    session.lock().unwrap();
    assert_eq!(dump(&path, &[]), before, "refused forms write nothing");
}

#[test]
fn rules_across_fields_name_the_field_to_fix() {
    let (_dir, _path, mut session) = new_vault();
    let customer = session.save_customer(None, &acme()).unwrap();
    let save = |session: &mut Session, form: EntryForm| {
        session
            .save_entry_form(customer.id, None, &form, &SecretChanges::default())
            .unwrap_err()
    };
    let no_host = EntryForm {
        host: String::new(),
        ..rdp_form()
    };
    assert_eq!(fields(&save(&mut session, no_host)), ["host"]);
    let port_without_gateway = EntryForm {
        gateway_host: String::new(),
        gateway_usage: String::new(),
        gateway_port: "8443".into(),
        ..rdp_form()
    };
    assert_eq!(
        fields(&save(&mut session, port_without_gateway)),
        ["gateway_port"]
    );
    let no_label = EntryForm {
        label: "  ".into(),
        ..rdp_form()
    };
    assert_eq!(fields(&save(&mut session, no_label)), ["label"]);
}

#[test]
fn codes_and_labels_stay_unique() {
    let (_dir, _path, mut session) = new_vault();
    let acme = session.save_customer(None, &acme()).unwrap();
    let errors = session
        .save_customer(
            None,
            &CustomerForm {
                name: "Another".into(),
                code: "acme".into(),
                ..CustomerForm::of(&acme)
            },
        )
        .unwrap_err();
    assert_eq!(fields(&errors), ["code"]);
    assert!(errors[0].message.contains("Acme Manufacturing"));

    let first = session
        .save_entry_form(acme.id, None, &rdp_form(), &SecretChanges::default())
        .unwrap();
    let same_label = EntryForm {
        label: "TERMINAL SERVER".into(),
        ..rdp_form()
    };
    let errors = session
        .save_entry_form(acme.id, None, &same_label, &SecretChanges::default())
        .unwrap_err();
    assert_eq!(fields(&errors), ["label"]);
    // Renaming the entry itself to a different case is fine.
    session
        .save_entry_form(
            acme.id,
            Some(first.id),
            &same_label,
            &SecretChanges::default(),
        )
        .unwrap();
    // Saving a customer under its own code is fine too.
    session
        .save_customer(Some(acme.id), &CustomerForm::of(&acme))
        .unwrap();
}

#[test]
fn edits_keep_replace_or_clear_secrets_and_audit_field_names_only() {
    let (_dir, path, mut session) = new_vault();
    let customer = session.save_customer(None, &acme()).unwrap();
    let entry = session
        .save_entry_form(
            customer.id,
            None,
            &rdp_form(),
            &SecretChanges {
                password: set("first-secret"),
                totp: set("JBSWY3DPEHPK3PXP"),
            },
        )
        .unwrap();
    let password = |session: &mut Session| {
        let target = session
            .select("ACME/Terminal server", Purpose::Edit)
            .unwrap();
        session
            .entry_secrets(&target.entry)
            .unwrap()
            .password
            .map(|p| p.expose().to_owned())
    };

    // Keep: only the host changes.
    let moved = EntryForm {
        host: "ts2.acme.example".into(),
        ..rdp_form()
    };
    let save = |session: &mut Session, changes: SecretChanges| {
        session
            .save_entry_form(customer.id, Some(entry.id), &moved, &changes)
            .unwrap();
    };
    save(&mut session, SecretChanges::default());
    assert_eq!(password(&mut session).as_deref(), Some("first-secret"));
    let edit = events(&session, Action::EntryEdit);
    assert_eq!(edit.last().unwrap().detail, "changed host");
    assert!(!edit.last().unwrap().detail.contains("ts2"));

    // Replace: the change date is set and the value never reaches the log.
    save(
        &mut session,
        SecretChanges {
            password: set("second-secret"),
            ..SecretChanges::default()
        },
    );
    assert_eq!(password(&mut session).as_deref(), Some("second-secret"));
    let stored = session.select("ACME", Purpose::Edit).unwrap().entry;
    assert_eq!(
        stored.password_changed_at,
        Some(sallyport_core::hygiene::today())
    );
    assert_eq!(
        events(&session, Action::EntryEdit).last().unwrap().detail,
        "changed password (replaced)"
    );

    // Clear both secrets.
    save(
        &mut session,
        SecretChanges {
            password: SecretChange::Clear,
            totp: SecretChange::Clear,
        },
    );
    assert_eq!(password(&mut session), None);
    let stored = session.select("ACME", Purpose::Edit).unwrap().entry;
    assert!(!stored.has_password);
    assert!(stored.totp.is_none());

    // Saving an unchanged form records nothing.
    let before = events(&session, Action::EntryEdit).len();
    save(&mut session, SecretChanges::default());
    assert_eq!(events(&session, Action::EntryEdit).len(), before);

    session.lock().unwrap();
    let raw = std::fs::read(&path).unwrap();
    for canary in ["first-secret", "second-secret", "ts2.acme.example"] {
        assert!(
            !raw.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{canary} readable in the vault file"
        );
    }
}

#[test]
fn deletes_remove_rows_and_secrets_from_the_file() {
    let (_dir, path, mut session) = new_vault();
    let acme = session.save_customer(None, &acme()).unwrap();
    let other = session
        .save_customer(
            None,
            &CustomerForm {
                name: "Beta Logistics".into(),
                code: "BETA".into(),
                ..CustomerForm::of(&acme)
            },
        )
        .unwrap();
    let secrets = || SecretChanges {
        password: set("pw"),
        ..SecretChanges::default()
    };
    let first = session
        .save_entry_form(acme.id, None, &rdp_form(), &secrets())
        .unwrap();
    let web = EntryForm {
        label: "Portal".into(),
        kind: "web".into(),
        url: "https://portal.acme.example/login".into(),
        ..EntryForm::default()
    };
    session
        .save_entry_form(acme.id, None, &web, &secrets())
        .unwrap();
    session
        .save_entry_form(other.id, None, &rdp_form(), &secrets())
        .unwrap();
    assert_eq!(count(&path, "entries"), 3);

    session.delete_entry(acme.id, first.id).unwrap();
    assert_eq!(count(&path, "entries"), 2);
    assert_eq!(count(&path, "entry_secrets"), 2);
    let labels: Vec<String> = session
        .customer_by_code("ACME")
        .unwrap()
        .entries
        .iter()
        .map(|e| e.label.to_string())
        .collect();
    assert_eq!(labels, ["Portal"]);

    session.delete_customer(acme.id).unwrap();
    assert!(session.customer_by_code("ACME").is_none());
    assert!(session.search("portal.acme").is_empty());
    assert_eq!(count(&path, "customers"), 1);
    assert_eq!(
        count(&path, "entries"),
        1,
        "the customer's entries went with it"
    );
    assert_eq!(count(&path, "entry_secrets"), 1);
    assert!(session.delete_customer(acme.id).is_err(), "gone is gone");

    let deleted = events(&session, Action::CustomerDelete);
    assert_eq!(deleted.len(), 1);
    assert_eq!(deleted[0].customer, "ACME");
    assert_eq!(deleted[0].detail, "deleted with 1 entries");
    assert_eq!(events(&session, Action::EntryDelete).len(), 1);

    // The same after a fresh unlock: the list matches the file.
    session.lock().unwrap();
    let session = unlock(&path).unwrap();
    assert_eq!(session.customers().len(), 1);
    assert_eq!(session.customers()[0].code, "BETA");
    assert!(session.verify_audit().unwrap().is_ok());
}

/// A link is opened when validation accepted it, whatever the case of its scheme.
#[test]
fn links_open_as_validation_reads_them() {
    use sallyport_core::vault::Link;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("links.csv");
    std::fs::write(
        &file,
        "customer,code,entry,kind,url\nAcme,ACME,portal,web,HTTPS://Portal.Acme.example/Login\n",
    )
    .unwrap();
    let (_d, _p, mut session) = new_vault();
    import(
        &mut session,
        &file,
        sallyport_core::import::ConflictPolicy::Fail,
    );
    let acme = session.find_customer("ACME").unwrap();
    let entry = session.entries(acme).unwrap()[0].id;
    assert_eq!(
        session.entry_link(entry, Link::Url).unwrap(),
        "https://portal.acme.example/Login"
    );
    assert!(
        session.entry_link(entry, Link::VpnClientUrl).is_err(),
        "no VPN client link"
    );
}
