//! "Remember on this device": the vault's data key kept in the OS keychain (Windows
//! Credential Manager, macOS Keychain, the Secret Service on Linux) through the `keyring`
//! crate, filed under the vault's id. There is no fallback: where no keychain answers, the
//! option fails with the keychain's own message and nothing is stored elsewhere.

use sallyport_core::vault::VaultStatus;
use sallyport_core::Key256;
use tauri::State;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The keychain service name the keys are filed under (one account per vault id).
pub const SERVICE: &str = "Sallyport vault key";

fn entry(vault: Uuid) -> Result<keyring::Entry, ApiError> {
    keyring::Entry::new(SERVICE, &vault.to_string()).map_err(unavailable)
}

fn unavailable(error: keyring::Error) -> ApiError {
    ApiError::keychain(format!(
        "the keychain of this device cannot be used: {error}"
    ))
}

/// Keeps `key` for the vault `vault`.
pub fn store(vault: Uuid, key: &Key256) -> Result<(), ApiError> {
    entry(vault)?.set_secret(key.expose()).map_err(unavailable)
}

/// The key kept for `vault`, if any.
pub fn load(vault: Uuid) -> Result<Option<Key256>, ApiError> {
    match entry(vault)?.get_secret() {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                ApiError::keychain("the key remembered on this device is damaged; forget it and unlock with the master password")
            })?;
            Ok(Some(Key256::from_bytes(key)))
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

/// Removes the key kept for `vault` (nothing to remove is fine).
pub fn delete(vault: Uuid) -> Result<(), ApiError> {
    match entry(vault)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

/// Keeps the unlocked vault's key in this device's keychain. Audited.
#[tauri::command]
pub async fn remember_on_device(state: State<'_, AppState>) -> ApiResult<()> {
    state.vault.with_session(|s| {
        let stored = store(s.vault_id(), &s.data_key_for_keychain());
        if stored.is_ok() {
            s.note_device_key(true)?;
        }
        Ok(stored)
    })?
}

/// Removes the vault's key from this device's keychain (audited when unlocked).
#[tauri::command]
pub async fn forget_on_device(state: State<'_, AppState>) -> ApiResult<()> {
    delete(state.vault.vault_id()?)?;
    match state.vault.with_session(|s| s.note_device_key(false)) {
        Err(sallyport_core::Error::Locked) => Ok(()),
        other => Ok(other?),
    }
}

/// Whether this device's keychain holds a key for the vault.
#[tauri::command]
pub async fn device_remembers(state: State<'_, AppState>) -> ApiResult<bool> {
    Ok(load(state.vault.vault_id()?)?.is_some())
}

/// Unlocks with the key kept in this device's keychain (no master password). Audited as
/// an unlock with the remembered key.
#[tauri::command]
pub async fn unlock_with_device(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    let key = load(state.vault.vault_id()?)?.ok_or_else(|| {
        ApiError::keychain(
            "this device does not remember the vault key; unlock with the master password",
        )
    })?;
    state.idle.touch();
    Ok(state.vault.unlock_with_key(key)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Needs a Secret Service: run by `scripts/test.sh` inside `dbus-run-session` with an
    /// unlocked gnome-keyring (see tests/dbus/run.sh), hence ignored in plain runs.
    #[test]
    #[ignore = "needs a Secret Service; run through tests/dbus/run.sh"]
    fn a_key_round_trips_through_the_secret_service_and_is_forgotten() {
        let vault = Uuid::new_v4();
        assert!(load(vault).unwrap().is_none(), "nothing kept yet");
        let key = Key256::from_bytes([7; 32]);
        store(vault, &key).unwrap();
        let back = load(vault).unwrap().expect("kept");
        assert_eq!(back.expose(), key.expose());
        let other = Uuid::new_v4();
        assert!(load(other).unwrap().is_none(), "filed per vault");
        delete(vault).unwrap();
        assert!(load(vault).unwrap().is_none(), "forgotten");
        delete(vault).unwrap(); // forgetting twice is fine
    }
}
