//! Sallyport's desktop shell: Tauri 2 commands over `sallyport-core`.
//!
//! The shell holds no logic of its own: [`state::AppState`] owns the vault handle (whose lock
//! lives in core), [`commands`] delegates each IPC call to it, and [`error::ApiError`] is what
//! the web front end receives when something fails.

#![deny(missing_docs)]

pub mod audit_view;
pub mod clipboard;
pub mod commands;
pub mod detail;
pub mod edit;
pub mod error;
pub mod file_dialog;
pub mod heap;
pub mod import_wizard;
pub mod keychain;
pub mod live;
pub mod os_lock;
pub mod preferences;
pub mod signing;
pub mod state;
pub mod statement;
pub mod summary;
pub mod team;
pub mod typed_path;
pub mod vault;
#[cfg(target_os = "linux")]
pub mod webview;

use tauri::{Builder, Runtime};

pub use state::AppState;

/// Adds the app's state and commands to a builder. Generic over the runtime so that tests can
/// pass `tauri::test::mock_builder()`.
pub fn app_builder<R: Runtime>(builder: Builder<R>, state: AppState) -> Builder<R> {
    let boot = boot_script(&state.vault.status());
    builder
        .plugin(
            tauri::plugin::Builder::<R, ()>::new("sallyport-boot")
                .js_init_script(boot)
                .build(),
        )
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            audit_view::audit_events,
            audit_view::audit_actions,
            audit_view::audit_verify,
            audit_view::audit_export,
            audit_view::audit_export_default_path,
            commands::vault_status,
            commands::create_vault,
            commands::unlock,
            commands::lock,
            commands::search_customers,
            commands::customer_detail,
            commands::totp_code,
            commands::copy_secret,
            commands::connect_entry,
            commands::reveal_password,
            commands::open_link,
            edit::save_customer,
            edit::delete_customer,
            edit::save_entry,
            edit::delete_entry,
            import_wizard::import_formats,
            import_wizard::import_preview,
            import_wizard::import_apply,
            import_wizard::import_cancel,
            preferences::get_preferences,
            preferences::save_preferences,
            preferences::activity,
            keychain::remember_on_device,
            keychain::forget_on_device,
            keychain::device_remembers,
            keychain::unlock_with_device,
            live::subscribe_notices,
            live::follow_changes,
            live::reload_customers,
            signing::signing_info,
            signing::signing_set_pfx,
            signing::signing_clear,
            team::team_view,
            team::team_invite,
            team::team_confirm,
            team::team_remove,
            team::team_join,
            team::team_revoke,
            statement::access_statement,
            statement::access_statement_default_path,
            file_dialog::choose_file,
            commands::trust_certificate,
        ])
}

/// The vault's status as the app starts, set in the page before its scripts run, so that
/// the first screen paints without waiting for a round trip (`bootStatus()` in the UI; the
/// page asks `vault_status` as well, and that answer wins). The state also goes on the
/// `<html>` element as `data-boot`, which shows that screen's copy in `index.html` before any
/// of the page's own scripts has run. It names the vault's path and state only: no vault is
/// unlocked yet at start.
fn boot_script(status: &sallyport_core::vault::VaultStatus) -> String {
    let json = serde_json::to_string(status).unwrap_or_else(|_| "null".to_owned());
    // WebKitGTK runs this as the parser inserts <html>, before the rest of the page (the e2e
    // smoke test checks the mark). A webview that runs it before <html> exists shows no copy,
    // and the first screen paints when the app mounts, as it did before the copy.
    format!(
        "window.__SALLYPORT_BOOT__ = {json}; \
         document.documentElement?.setAttribute(\"data-boot\", window.__SALLYPORT_BOOT__?.state ?? \"\");"
    )
}

/// The generated context: `tauri.conf.json`, the capabilities and the embedded UI.
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Starts the desktop app; returns when the last window closes.
pub fn run() {
    // Core dumps off and the diagnostic log started, before any secret is in memory.
    for warning in sallyport_service::start_process("app") {
        eprintln!("sallyport: warning: {warning}");
    }
    // Less memory for the webview (measured in webview.rs).
    #[cfg(target_os = "linux")]
    let tuned = webview::before();
    let result = AppState::from_env()
        .map_err(|e| e.to_string())
        .and_then(|state| {
            app_builder(tauri::Builder::default(), state)
                // The Open and Save dialogs, shown by `file_dialog::choose_file` only (the
                // webview is granted no `dialog:` permission).
                .plugin(tauri_plugin_dialog::init())
                .setup(move |app| {
                    // First, before the watchers below start their threads.
                    #[cfg(target_os = "linux")]
                    webview::after(tuned);
                    preferences::watch(app.handle().clone());
                    os_lock::watch(app.handle().clone());
                    Ok(())
                })
                .build(context())
                .map_err(|e| e.to_string())
        })
        .map(|app| {
            app.run(|handle, event| {
                if let tauri::RunEvent::Exit = event {
                    // Neither a secret on the clipboard nor a launch's leftovers outlive
                    // the app.
                    use tauri::Manager;
                    handle.state::<AppState>().on_exit();
                }
            })
        });
    if let Err(message) = result {
        eprintln!("sallyport-app: {message}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod bindings;
#[cfg(test)]
mod command_bindings;
#[cfg(test)]
mod test_ipc;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_audit;
#[cfg(test)]
mod tests_import;
#[cfg(test)]
mod tests_logging;
#[cfg(test)]
mod tests_signing;
#[cfg(test)]
mod tests_team;
