//! A team profile in the app, through Tauri's IPC layer (mock runtime, the real
//! capabilities): unlock, search and a credential's TOTP code go to the team database from
//! the commands' async tasks, and another member's change reaches the follow channel and
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

    // Alice's app on her profile; what the follow channel carries is recorded.
    let heard = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = heard.clone();
    let builder = mock_builder().channel_interceptor(move |_, _, _, body| {
        if let InvokeResponseBody::Json(json) = body {
            if let Ok(by) = serde_json::from_str::<String>(json) {
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
    let following = invoke(
        &window,
        "follow_changes",
        json!({ "onChange": "__CHANNEL__:5" }),
    )
    .unwrap();
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
    let dave_profile = dir.path().join("dave.team");
    let dave_password = master_password("dave");
    let joined = admin::join(
        &DbAddress::parse(&pg.url("")).unwrap(),
        &std::fs::read(pg.ca()).unwrap(),
        invitation["code"].as_str().unwrap(),
        &dave_profile,
        &dave_password,
        None,
        KdfParams::floor(),
    )
    .unwrap();
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
        json!({ "name": "Dave", "fingerprint": joined.fingerprint }),
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
