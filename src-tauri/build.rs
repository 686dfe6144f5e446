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
    order_functions();
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(error) = tauri_build::try_build(attributes) {
        // `ui/dist` missing is the usual cause: the UI is embedded even in debug builds.
        panic!("tauri-build failed: {error:#}\n(build the UI first: npm --prefix ui run build)");
    }
}

/// Lays the release app's code out in the order a support engineer's session first runs it
/// (`startup-order.txt`, written by `scripts/startup-order.sh`): the kernel maps code in
/// 64 KiB windows around each page run, so with the functions an unlocked, idle app has run
/// packed together, about 2.5 MB of code stays resident instead of 6.8 MB. The flag is
/// lld's: rustup's x86_64 Linux toolchains link with their own lld by default (Rust 1.90
/// on); with another toolchain the app links in the usual order.
fn order_functions() {
    println!("cargo:rerun-if-changed=startup-order.txt");
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("PROFILE") != "release" || var("TARGET") != "x86_64-unknown-linux-gnu" {
        return;
    }
    let sysroot = std::process::Command::new(var("RUSTC"))
        .args(["--print", "sysroot"])
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_default();
    let lld = std::path::Path::new(&sysroot)
        .join("lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld");
    if !lld.exists() {
        println!(
            "cargo:warning=no rust-lld in this toolchain: the app's code keeps the linker's order"
        );
        return;
    }
    let order = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("startup-order.txt");
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    // Names the build no longer has (a dependency updated since the file was written).
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}
