//! The IPC commands: each extracts its arguments and delegates to the vault handle.
//!
//! They are `async` so that Tauri runs them off the main thread: unlocking derives an
//! Argon2id key, which must not freeze the window.

use sallyport_core::vault::VaultStatus;
use sallyport_core::SecretString;
use tauri::State;

use crate::error::ApiError;
use crate::state::AppState;
use crate::summary::{self, CustomerSummary};

type ApiResult<T> = Result<T, ApiError>;

/// Which screen to show: no vault, locked or unlocked.
#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    Ok(state.vault.status())
}

/// Creates the vault for `staff` and leaves it unlocked.
#[tauri::command]
pub async fn create_vault(
    state: State<'_, AppState>,
    staff: String,
    password: String,
) -> ApiResult<VaultStatus> {
    let password = SecretString::from(password);
    Ok(state.vault.create(&staff, &password, state.kdf)?)
}

/// Unlocks the vault with the master password.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, password: String) -> ApiResult<VaultStatus> {
    let password = SecretString::from(password);
    Ok(state.vault.unlock(&password)?)
}

/// Locks the vault; keys and decrypted records are wiped.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    Ok(state.vault.lock()?)
}

/// Customers matching `query` as list rows (at most [`summary::MAX_RESULTS`]).
#[tauri::command]
pub async fn search_customers(
    state: State<'_, AppState>,
    query: String,
) -> ApiResult<Vec<CustomerSummary>> {
    Ok(state
        .vault
        .with_session(|s| Ok(summary::search(s, &query)))?)
}
