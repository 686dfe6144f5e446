//! A team profile in the app, through Tauri's IPC layer (mock runtime, the real
//! capabilities): unlock, search and a credential's TOTP code go to the team database from
//! the commands' async tasks, and another member's change reaches the notices channel and
//! the reloaded list. Needs PostgreSQL (started on 127.0.0.1 by `tests/pg/server.sh`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sallyport_core::model::form::CustomerForm;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::Session;
use sallyport_service::Profile;
use sallyport_team::testing::{alice_and_bob, master_password, PgServer};
use sallyport_team::TeamBackend;
use serde_json::{json, Value};
use tauri::ipc::InvokeResponseBody;
use tauri::test::mock_builder;
use tauri::WebviewWindowBuilder;

use super::test_ipc::invoke;
use super::{app_builder, context, AppState};

#[test]
fn a_team_profile_opens_in_the_app_and_follows_other_members_changes() {
    let pg = PgServer::start();
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import/valid.csv");
    alice_and_bob(&pg, dir.path(), &fixture, "editor");
    let alice_profile = dir.path().join("alice.team");
    let bob_profile = dir.path().join("bob.team");
    let (alice_password, bob_password) = (master_password("alice"), master_password("bob"));

    // Alice's app on her profile; who the notices channel says changed the list is recorded.
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = heard.clone();
    let builder = mock_builder().channel_interceptor(move |_, _, _, body| {
        if let InvokeResponseBody::Json(json) = body {
            if let Ok(Value::String(by)) =
                serde_json::from_str::<Value>(json).map(|n| n["changed"].clone())
            {
                seen.lock().unwrap().push(by);
            }
        }
        true
    });
    let state = AppState::new(Profile::at(&alice_profile), KdfParams::floor());
    let app = app_builder(builder, state).build(context()).unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();

    let status = invoke(
        &window,
        "unlock",
        json!({ "password": alice_password.expose() }),
    )
    .unwrap();
    assert_eq!(status["state"], "unlocked", "{status}");
    assert_eq!(status["staff"], "Alice");
    let customers = status["customers"].as_u64().unwrap();
    let found = invoke(&window, "search_customers", json!({ "query": "ACME" })).unwrap();
    assert_eq!(found["rows"][0]["code"], "ACME", "{found}");
    invoke(
        &window,
        "subscribe_notices",
        json!({ "onNotice": "__CHANNEL__:5" }),
    )
    .unwrap();
    let following = invoke(&window, "follow_changes", json!({})).unwrap();
    assert_eq!(following, Value::Bool(true));

    // Bob adds a customer from his own client.
    let mut bob = Session::unlock(&TeamBackend::new(&bob_profile), &bob_password).unwrap();
    let mut form = CustomerForm::of(bob.customer_by_code("ACME").unwrap());
    form.name = "Zeta Logistics".into();
    form.code = "ZETA".into();
    bob.save_customer(None, &form).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while heard.lock().unwrap().is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(*heard.lock().unwrap(), ["Bob"]);
    let status = invoke(&window, "reload_customers", json!({})).unwrap();
    assert_eq!(status["customers"].as_u64().unwrap(), customers + 1);
    let found = invoke(&window, "search_customers", json!({ "query": "ZETA" })).unwrap();
    assert_eq!(found["rows"][0]["name"], "Zeta Logistics", "{found}");

    let status = invoke(&window, "lock", json!({})).unwrap();
    assert_eq!(status["state"], "locked");
}

#[test]
fn the_team_screen_invites_confirms_and_removes_a_member_through_ipc() {
    use sallyport_core::vault::CopyField;
    use sallyport_team::admin;
    use sallyport_team::conn::DbAddress;

    let pg = PgServer::start();
    let dir = tempfile::tempdir().unwrap();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/import/valid.csv");
    alice_and_bob(&pg, dir.path(), &fixture, "staff");
    let state = AppState::new(
        Profile::at(dir.path().join("alice.team")),
        KdfParams::floor(),
    );
    let app = app_builder(mock_builder(), state).build(context()).unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let alice = master_password("alice");
    invoke(&window, "unlock", json!({ "password": alice.expose() })).unwrap();

    let team = invoke(&window, "team_view", json!({})).unwrap();
    assert_eq!(team["me"], "Alice");
    assert_eq!(team["role"], "admin");
    assert_eq!(
        team["members"],
        json!([
            { "name": "Alice", "role": "admin", "confirmed": true, "active": true },
            { "name": "Bob", "role": "staff", "confirmed": true, "active": true },
        ])
    );

    // Dave is invited in the app and joins from his own machine.
    let invitation = invoke(
        &window,
        "team_invite",
        json!({ "name": "Dave", "role": "editor" }),
    )
    .unwrap();
    assert_eq!(invitation["days"], 7);
    let team = invoke(&window, "team_view", json!({})).unwrap();
    assert_eq!(team["invited"][0]["name"], "Dave", "{team}");
    assert_eq!(team["invited"][0]["role"], "editor");
    assert_eq!(team["invited"][0]["invited_by"], "Alice");
    assert!(team["invited"][0]["expires_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));
    // Dave joins from his own app's first screen (no vault there yet).
    let dave_profile = dir.path().join("dave.team");
    let dave_password = master_password("dave");
    let dave_app = app_builder(
        mock_builder(),
        AppState::new(Profile::at(&dave_profile), KdfParams::floor()),
    )
    .build(context())
    .unwrap();
    let dave_window = WebviewWindowBuilder::new(&dave_app, "main", Default::default())
        .build()
        .unwrap();
    let code = invitation["code"].as_str().unwrap();
    let join = |db: &str, ca: &str, code: &str, staff: Option<&str>| {
        invoke(
            &dave_window,
            "team_join",
            json!({ "db": db, "ca": ca, "code": code, "staff": staff,
                    "password": dave_password.expose() }),
        )
    };
    let field_of = |refused: &Value| refused["fields"][0]["field"].as_str().unwrap().to_owned();
    let refused = join("", &pg.ca(), " ", None).unwrap_err();
    assert_eq!(refused["fields"].as_array().unwrap().len(), 2, "{refused}");
    let refused = join(&pg.url(""), "team-ca.pem", code, None).unwrap_err();
    assert_eq!(field_of(&refused), "ca", "a relative CA path: {refused}");
    let refused = join(&pg.url(""), &pg.other_ca(), code, None).unwrap_err();
    let message = refused["message"].as_str().unwrap();
    assert!(message.contains("certificate"), "another CA: {refused}");
    let refused = join(&pg.url(""), &pg.ca(), "sp1-0000-nothing", None).unwrap_err();
    assert_eq!(field_of(&refused), "code", "not a code: {refused}");
    let mut unknown: Vec<char> = code.chars().collect();
    let at = unknown.len() - 3; // in the code's secret, clear of the last character's padding bits
    unknown[at] = if unknown[at] == 'A' { 'B' } else { 'A' };
    let unknown: String = unknown.into_iter().collect();
    let refused = join(&pg.url(""), &pg.ca(), &unknown, None).unwrap_err();
    assert_eq!(field_of(&refused), "code", "an unknown code: {refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("does not know this enrolment code"),
        "{refused}"
    );
    let refused = join(&pg.url(""), &pg.ca(), code, Some("Carol")).unwrap_err();
    assert_eq!(field_of(&refused), "staff", "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("issued for Dave"),
        "{refused}"
    );
    assert!(!dave_profile.exists(), "a refused join writes nothing");
    assert_eq!(
        invoke(&dave_window, "vault_status", json!({})).unwrap()["state"],
        "no_vault"
    );
    let joined = join(&pg.url(""), &pg.ca(), code, Some("dave")).unwrap();
    assert_eq!(joined["name"], "Dave");
    assert_eq!(joined["role"], "editor");
    assert_eq!(joined["status"]["state"], "locked", "{joined}");
    let fingerprint = joined["fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(
        invoke(&dave_window, "vault_status", json!({})).unwrap()["state"],
        "locked"
    );
    let again = join(&pg.url(""), &pg.ca(), code, None).unwrap_err();
    assert_eq!(again["kind"], "vault_exists", "{again}");
    let waiting = invoke(
        &dave_window,
        "unlock",
        json!({ "password": dave_password.expose() }),
    )
    .unwrap_err();
    let waiting = waiting["message"].as_str().unwrap();
    assert!(
        waiting.contains("not confirmed yet") && waiting.contains(&fingerprint),
        "{waiting}"
    );
    let wrong = invoke(
        &window,
        "team_confirm",
        json!({ "name": "Dave", "fingerprint": "AAAA-BBBB-CCCC-DDDD" }),
    )
    .unwrap_err();
    let wrong = wrong["message"].as_str().unwrap();
    assert!(
        wrong.starts_with("AAAA-BBBB-CCCC-DDDD does not match the key Dave joined with"),
        "{wrong}"
    );
    let team = invoke(
        &window,
        "team_confirm",
        json!({ "name": "Dave", "fingerprint": fingerprint }),
    )
    .unwrap();
    assert_eq!(
        team["members"][2],
        json!({ "name": "Dave", "role": "editor", "confirmed": true, "active": true })
    );
    assert_eq!(
        team["invited"],
        json!([]),
        "a used code is no longer listed"
    );

    // An invitation revoked in the app is no longer listed, and its code joins nobody.
    let erin = invoke(
        &window,
        "team_invite",
        json!({ "name": "Erin", "role": "staff" }),
    )
    .unwrap();
    let team = invoke(&window, "team_revoke", json!({ "name": "Erin" })).unwrap();
    assert_eq!(team["invited"], json!([]), "{team}");
    let again = invoke(&window, "team_revoke", json!({ "name": "Erin" })).unwrap_err();
    assert_eq!(
        again["message"], "Erin has no invitation waiting to be used",
        "{again}"
    );
    let refused = admin::join(
        &DbAddress::parse(&pg.url("")).unwrap(),
        &std::fs::read(pg.ca()).unwrap(),
        erin["code"].as_str().unwrap(),
        &dir.path().join("erin.team"),
        &master_password("erin"),
        None,
        KdfParams::floor(),
    )
    .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("does not know this enrolment code"),
        "{refused}"
    );

    let status = invoke(
        &dave_window,
        "unlock",
        json!({ "password": dave_password.expose() }),
    )
    .unwrap();
    assert_eq!(
        status["state"], "unlocked",
        "confirmed, Dave's app opens the team"
    );
    assert_eq!(status["staff"], "Dave");
    invoke(&dave_window, "lock", json!({})).unwrap();

    // Dave uses a password; removed in the app, it is listed for rotation.
    let mut dave = Session::unlock(&TeamBackend::new(&dave_profile), &dave_password).unwrap();
    let entry = dave
        .customer_by_code("ACME")
        .unwrap()
        .entries
        .first()
        .unwrap()
        .id;
    dave.copy_value(entry, CopyField::Password, None).unwrap();
    drop(dave);
    let removed = invoke(
        &window,
        "team_remove",
        json!({ "name": "Dave", "rekey": false }),
    )
    .unwrap();
    assert_eq!(removed["removed"], "Dave");
    assert_eq!(removed["rekeyed"], false);
    assert_eq!(removed["rotate"].as_array().unwrap().len(), 1, "{removed}");
    assert_eq!(removed["rotate"][0]["customer"], "ACME");
    let team = invoke(&window, "team_view", json!({})).unwrap();
    assert_eq!(team["members"][2]["active"], false);
    assert!(Session::unlock(&TeamBackend::new(&dave_profile), &dave_password).is_err());

    // Removing with a re-key locks the app (its key is the old one); unlocked again, it
    // opens the re-keyed team.
    let removed = invoke(
        &window,
        "team_remove",
        json!({ "name": "Bob", "rekey": true }),
    )
    .unwrap();
    assert_eq!(removed["rekeyed"], true);
    let status = invoke(&window, "vault_status", json!({})).unwrap();
    assert_eq!(status["state"], "locked");
    let status = invoke(&window, "unlock", json!({ "password": alice.expose() })).unwrap();
    assert_eq!(status["state"], "unlocked");
    assert!(
        invoke(&window, "search_customers", json!({ "query": "ACME" })).unwrap()["total"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[test]
fn a_local_vault_has_no_team_screen() {
    let dir = tempfile::tempdir().unwrap();
    let (_app, window) = super::test_ipc::app_in(mock_builder(), dir.path());
    invoke(
        &window,
        "create_vault",
        json!({ "staff": "Ann", "password": super::test_ipc::PASSWORD }),
    )
    .unwrap();
    assert_eq!(
        invoke(&window, "team_view", json!({})).unwrap(),
        Value::Null
    );
    let refused = invoke(
        &window,
        "team_invite",
        json!({ "name": "Dave", "role": "staff" }),
    )
    .unwrap_err();
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("not a team profile"),
        "{refused}"
    );
}
