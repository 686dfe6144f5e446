//! What the command tests share: an app on the mock runtime over a vault in a temp dir,
//! with the real capabilities and ACL, and calls through Tauri's IPC layer.

use std::path::Path;

use sallyport_core::vault::kdf::KdfParams;
use sallyport_service::Profile;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Builder, WebviewWindow, WebviewWindowBuilder};

use super::{app_builder, context, AppState};

/// The master password of the test vaults.
pub const PASSWORD: &str = "test password only";

/// The app over a (not yet created) vault in `dir`, and its "main" window: the mock runtime
/// does not open the configured window, so it is opened here as the app would.
pub fn app_in(
    builder: Builder<MockRuntime>,
    dir: &Path,
) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let state = AppState::new(Profile::at(dir.join("vault.sallyport")), KdfParams::floor());
    let app = app_builder(builder, state).build(context()).unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

/// Calls `cmd` as the page at `url` would; the error value as the webview receives it.
pub fn invoke_from(
    window: &WebviewWindow<MockRuntime>,
    url: &str,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize().unwrap())
}

/// Calls `cmd` as the app's own page does.
pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_from(window, "tauri://localhost", cmd, args)
}
