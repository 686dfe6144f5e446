//! Declares every app command to Tauri's ACL so that `capabilities/` must grant each one
//! explicitly, then generates the Tauri context (config, embedded UI, capabilities).

/// The app's IPC commands; keep in step with `generate_handler!` in `src/lib.rs`.
const COMMANDS: &[&str] = &[
    "audit_events",
    "audit_actions",
    "audit_verify",
    "audit_export",
    "audit_export_default_path",
    "vault_status",
    "create_vault",
    "unlock",
    "lock",
    "search_customers",
    "customer_detail",
    "totp_code",
    "copy_secret",
    "connect_entry",
    "reveal_password",
    "open_link",
    "save_customer",
    "delete_customer",
    "save_entry",
    "delete_entry",
    "import_formats",
    "import_preview",
    "import_apply",
    "import_cancel",
    "get_preferences",
    "save_preferences",
    "activity",
    "remember_on_device",
    "forget_on_device",
    "device_remembers",
    "unlock_with_device",
    "subscribe_notices",
    "follow_changes",
    "reload_customers",
    "signing_info",
    "signing_set_pfx",
    "signing_clear",
    "team_view",
    "team_invite",
    "team_confirm",
    "team_remove",
    "team_join",
    "team_revoke",
    "access_statement",
    "access_statement_default_path",
    "choose_file",
    "trust_certificate",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // `ui/dist` missing is the usual cause: the UI is embedded even in debug builds.
        panic!("tauri-build failed: {error:#}\n(build the UI first: npm --prefix ui run build)");
    }
}
