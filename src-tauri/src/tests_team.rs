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
