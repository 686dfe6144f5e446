//! "Remember on this device": the OS keychain (Windows Credential Manager, macOS
//! Keychain, the Secret Service on Linux, through the `keyring` crate) keeps a device key,
//! filed under the vault's id, that opens this device's wrapped copy of the vault key kept
//! in the vault itself (core `DeviceKey`). A keychain entry copied elsewhere opens nothing
//! without the vault file, and forgetting here leaves other devices remembered. There is no
//! fallback: where no keychain answers, the option fails with the keychain's own message
//! and nothing is stored elsewhere.
//!
//! Earlier versions kept the raw vault key (32 bytes); such an entry still unlocks once and
//! is then replaced by a device key.

use sallyport_core::vault::{DeviceKey, VaultStatus};
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

/// What the keychain keeps for a vault.
pub enum Kept {
    /// A device key (what this version stores).
    Device(DeviceKey),
    /// The raw vault key an earlier version stored.
    Legacy(Key256),
}

/// Keeps `device` for the vault `vault`.
pub fn store(vault: Uuid, device: &DeviceKey) -> Result<(), ApiError> {
    entry(vault)?
        .set_secret(&device.to_bytes())
        .map_err(unavailable)
}

/// What is kept for `vault`, if anything.
pub fn load(vault: Uuid) -> Result<Option<Kept>, ApiError> {
    match entry(vault)?.get_secret() {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            if let Some(device) = DeviceKey::from_bytes(&bytes) {
                return Ok(Some(Kept::Device(device)));
            }
            let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                ApiError::keychain("the key remembered on this device is damaged; forget it and unlock with the master password")
            })?;
            Ok(Some(Kept::Legacy(Key256::from_bytes(key))))
        }
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(unavailable(e)),
    }
}

/// Removes what is kept for `vault` (nothing to remove is fine).
pub fn delete(vault: Uuid) -> Result<(), ApiError> {
    match entry(vault)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

/// Makes this device remember the unlocked vault: a new device key, its wrapped copy in
/// the vault (audited, replacing this device's earlier one), the key in the keychain. If
/// the keychain refuses, the copy is taken out of the vault again.
fn remember(state: &AppState) -> ApiResult<()> {
    let vault = state.vault.vault_id()?;
    let previous = match load(vault) {
        Ok(Some(Kept::Device(old))) => Some(old.device()),
        _ => None,
    };
    let device = state
        .vault
        .with_session(|s| s.remember_on_device(previous))?;
    if let Err(e) = store(vault, &device) {
        state.vault.forget_device(device.device())?;
        return Err(e);
    }
    Ok(())
}

/// Keeps a device key for the unlocked vault in this device's keychain. Audited.
#[tauri::command]
pub async fn remember_on_device(state: State<'_, AppState>) -> ApiResult<()> {
    remember(&state)
}

/// Forgets the vault on this device: this device's copy in the vault (audited when
/// unlocked) and the keychain entry. Other devices stay remembered.
#[tauri::command]
pub async fn forget_on_device(state: State<'_, AppState>) -> ApiResult<()> {
    let vault = state.vault.vault_id()?;
    if let Ok(Some(Kept::Device(device))) = load(vault) {
        state.vault.forget_device(device.device())?;
    }
    delete(vault)
}

/// Whether this device's keychain holds a key for the vault.
#[tauri::command]
pub async fn device_remembers(state: State<'_, AppState>) -> ApiResult<bool> {
    Ok(load(state.vault.vault_id()?)?.is_some())
}

/// Unlocks with what this device's keychain keeps (no master password). Audited as an
/// unlock with the remembered key. An entry the vault no longer honours (forgotten on
/// another device's screen, or the vault key was rotated) is removed from the keychain;
/// an entry from an earlier version is replaced by a device key.
#[tauri::command]
pub async fn unlock_with_device(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    let vault = state.vault.vault_id()?;
    let kept = load(vault)?.ok_or_else(|| {
        ApiError::keychain(
            "this device does not remember the vault key; unlock with the master password",
        )
    })?;
    state.idle.touch();
    let unlocked = match &kept {
        Kept::Device(device) => state.vault.unlock_with_device(device),
        Kept::Legacy(key) => state
            .vault
            .unlock_with_key(Key256::from_bytes(*key.expose())),
    };
    match unlocked {
        Err(sallyport_core::Error::RememberedKeyInvalid) => {
            delete(vault)?;
            Err(sallyport_core::Error::RememberedKeyInvalid.into())
        }
        Err(e) => Err(e.into()),
        Ok(status) => {
            if matches!(kept, Kept::Legacy(_)) {
                remember(&state)?;
            }
            Ok(status)
        }
    }
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
        let key = DeviceKey::from_bytes(&[7; DeviceKey::LEN]).unwrap();
        store(vault, &key).unwrap();
        let Some(Kept::Device(back)) = load(vault).unwrap() else {
            panic!("a device key is read back as one")
        };
        assert_eq!(*back.to_bytes(), *key.to_bytes());
        let other = Uuid::new_v4();
        assert!(load(other).unwrap().is_none(), "filed per vault");
        delete(vault).unwrap();
        assert!(load(vault).unwrap().is_none(), "forgotten");
        delete(vault).unwrap(); // forgetting twice is fine
    }
}
