//! A team's customer list, live: while the vault is unlocked the customer screen follows
//! other members' changes. `follow_changes` hands the core a channel to the webview; each
//! message names who changed the list, and the screen calls `reload_customers` and shows
//! the list again. Local vaults have nobody else writing: `follow_changes` says so.

use sallyport_core::vault::VaultStatus;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::ApiResult;
use crate::state::AppState;

/// Follows changes other members commit for as long as the vault stays unlocked; each
/// goes to `on_change` with the name of who made it. False for a local vault.
#[tauri::command]
pub async fn follow_changes(
    state: State<'_, AppState>,
    on_change: Channel<String>,
) -> ApiResult<bool> {
    Ok(state.vault.with_session(|session| {
        session.follow_changes(move |by| {
            // The webview may have gone (reloaded): the next change tries again.
            let _ = on_change.send(by.to_owned());
        })
    })?)
}

/// Reads the customer list from the database again, after another member changed it.
#[tauri::command]
pub async fn reload_customers(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    state
        .vault
        .with_session(|session| session.reload_customers())?;
    Ok(state.vault.status())
}
