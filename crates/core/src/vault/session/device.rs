//! "Remember on this device": a random device key, kept in the OS keychain by the app,
//! wraps the key the master password unwraps; the wrapped copy is kept in the vault, one
//! per device. So a keychain entry copied elsewhere opens nothing without this vault's
//! file, forgetting on one device removes that device's copy only, and rotating the data
//! key (`passwd --rotate-key`) drops every copy, since each wraps the old key.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{Session, META_DEVICE_KEYS};
use crate::audit::{Action, NewEvent};
use crate::crypto;
use crate::secret::Key256;
use crate::store::{Backend, StoreRead};
use crate::{Error, Result};

const WRAP_LABEL: &[u8] = b"sallyport-device-wrap-v1";

/// What this device's keychain keeps for a vault: which device it is and the key that
/// opens that device's wrapped copy in the vault. `Debug` redacted, no `Serialize`, the
/// key wiped on drop.
pub struct DeviceKey {
    device: Uuid,
    key: Key256,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceKey({}, <redacted>)", self.device)
    }
}

impl DeviceKey {
    /// The length of [`DeviceKey::to_bytes`].
    pub const LEN: usize = 16 + 32;

    /// The device this key belongs to (its copy in the vault is filed under it).
    pub fn device(&self) -> Uuid {
        self.device
    }

    /// The bytes kept in the keychain: the device id, then the key.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(Self::LEN));
        bytes.extend_from_slice(self.device.as_bytes());
        bytes.extend_from_slice(self.key.expose());
        bytes
    }

    /// Reads [`DeviceKey::to_bytes`]; `None` for bytes of another length.
    pub fn from_bytes(bytes: &[u8]) -> Option<DeviceKey> {
        if bytes.len() != Self::LEN {
            return None;
        }
        let (device, key) = bytes.split_at(16);
        let mut raw = Zeroizing::new([0u8; 32]);
        raw.copy_from_slice(key);
        Some(DeviceKey {
            device: Uuid::from_slice(device).ok()?,
            key: Key256::from_bytes(*raw),
        })
    }
}

/// The vault's wrapped copies, by device id (hex of the sealed key; the ids say nothing
/// about anyone).
#[derive(Default, Serialize, Deserialize)]
struct DeviceWraps {
    devices: BTreeMap<Uuid, String>,
}

fn associated_data(vault: Uuid, device: Uuid) -> Vec<u8> {
    [WRAP_LABEL, vault.as_bytes(), device.as_bytes()].concat()
}

fn read_wraps(store: &dyn StoreRead) -> Result<DeviceWraps> {
    match store.meta(META_DEVICE_KEYS)? {
        None => Ok(DeviceWraps::default()),
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|_| {
            Error::Integrity("the vault's list of remembering devices is damaged".into())
        }),
    }
}

fn encode(wraps: &DeviceWraps) -> Result<Vec<u8>> {
    serde_json::to_vec(wraps).map_err(|e| Error::Storage(e.to_string()))
}

/// The key `device` unwraps from the vault `store` holds, if the vault still remembers it.
fn unwrap_header_key(store: &dyn StoreRead, vault: Uuid, device: &DeviceKey) -> Result<Key256> {
    let wraps = read_wraps(store)?;
    let wrapped = wraps
        .devices
        .get(&device.device)
        .ok_or(Error::RememberedKeyInvalid)?;
    let wrapped = hex::decode(wrapped).map_err(|_| Error::RememberedKeyInvalid)?;
    let plain = crypto::open(
        &device.key,
        &associated_data(vault, device.device),
        &wrapped,
    )
    .ok_or(Error::RememberedKeyInvalid)?;
    let key: [u8; 32] = plain
        .as_slice()
        .try_into()
        .map_err(|_| Error::RememberedKeyInvalid)?;
    Ok(Key256::from_bytes(key))
}

/// Removes `device`'s copy from the vault `backend` names without unlocking it (forgetting
/// while locked); `false` when there was none.
pub(crate) fn forget_locked(backend: &dyn Backend, device: Uuid) -> Result<bool> {
    let mut store = backend.open()?;
    let mut wraps = read_wraps(store.as_ref())?;
    if wraps.devices.remove(&device).is_none() {
        return Ok(false);
    }
    store.set_meta(&[(META_DEVICE_KEYS, &encode(&wraps)?)])?;
    Ok(true)
}

impl Session {
    /// Makes this device remember the vault: a new device key wraps the key the master
    /// password unwraps, the wrapped copy is written to the vault with its audit event, and
    /// the device key is returned for the keychain. Called again, the device gets a new key
    /// and its old copy is replaced.
    pub fn remember_on_device(&mut self, replacing: Option<Uuid>) -> Result<DeviceKey> {
        let device = DeviceKey {
            device: Uuid::new_v4(),
            key: crypto::random_key()?,
        };
        let wrapped = crypto::seal(
            &device.key,
            &associated_data(self.vault_id(), device.device),
            self.header_key.expose(),
        )?;
        let event = NewEvent::new(Action::SettingsChange).detail(format!(
            "vault key remembered on this device (device {})",
            short(device.device)
        ));
        self.write_batch(&[event], |_, tx| {
            let mut wraps = read_wraps(tx)?;
            if let Some(old) = replacing {
                wraps.devices.remove(&old);
            }
            wraps.devices.insert(device.device, hex::encode(&wrapped));
            tx.put_meta(META_DEVICE_KEYS, &encode(&wraps)?)?;
            Ok(Vec::new())
        })?;
        Ok(device)
    }

    /// Removes `device`'s wrapped copy from the vault, audited; other devices keep theirs.
    pub fn forget_device(&mut self, device: Uuid) -> Result<()> {
        let event = NewEvent::new(Action::SettingsChange).detail(format!(
            "vault key forgotten on this device (device {})",
            short(device)
        ));
        self.write_batch(&[event], |_, tx| {
            let mut wraps = read_wraps(tx)?;
            wraps.devices.remove(&device);
            tx.put_meta(META_DEVICE_KEYS, &encode(&wraps)?)?;
            Ok(Vec::new())
        })
    }

    /// How many devices remember this vault.
    pub fn remembering_devices(&self) -> Result<usize> {
        Ok(read_wraps(self.store())?.devices.len())
    }

    /// Opens the vault `backend` names with what this device's keychain keeps for it. A key
    /// whose copy the vault no longer holds (forgotten, or the data key was rotated) or
    /// that does not open it is refused as [`Error::RememberedKeyInvalid`].
    pub fn unlock_with_device(backend: &dyn Backend, device: &DeviceKey) -> Result<Session> {
        let store = backend.open()?;
        let vault = super::open::read_header(store.as_ref())?.vault_id;
        let header_key = unwrap_header_key(store.as_ref(), vault, device)?;
        Session::unlock_store_with_key(store, header_key)
    }
}

/// The first group of a device id, enough to tell devices apart in the log.
fn short(device: Uuid) -> String {
    device.simple().to_string()[..8].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretString;
    use crate::store::memory::MemoryBackend;
    use crate::vault::kdf::KdfParams;

    fn vault() -> (MemoryBackend, SecretString) {
        let backend = MemoryBackend::new();
        let password = SecretString::from("correct horse battery");
        Session::create(&backend, &password, "Alice", KdfParams::floor()).unwrap();
        (backend, password)
    }

    #[test]
    fn a_device_key_opens_its_vault_and_no_other() {
        let (backend, password) = vault();
        let device = Session::unlock(&backend, &password)
            .unwrap()
            .remember_on_device(None)
            .unwrap();
        let back = DeviceKey::from_bytes(&device.to_bytes()).unwrap();
        assert_eq!(back.device(), device.device());
        Session::unlock_with_device(&backend, &back).unwrap();

        // The same keychain entry against another vault file: nothing to unwrap.
        let (other, _) = vault();
        assert!(matches!(
            Session::unlock_with_device(&other, &device),
            Err(Error::RememberedKeyInvalid)
        ));
        // The keychain bytes alone are not the vault's key.
        assert!(matches!(
            Session::unlock_with_key(&backend, Key256::from_bytes([0; 32])),
            Err(Error::RememberedKeyInvalid)
        ));
    }

    #[test]
    fn forgetting_one_device_leaves_the_others() {
        let (backend, password) = vault();
        let mut session = Session::unlock(&backend, &password).unwrap();
        let laptop = session.remember_on_device(None).unwrap();
        let desktop = session.remember_on_device(None).unwrap();
        assert_eq!(session.remembering_devices().unwrap(), 2);
        session.forget_device(laptop.device()).unwrap();
        drop(session);
        assert!(matches!(
            Session::unlock_with_device(&backend, &laptop),
            Err(Error::RememberedKeyInvalid)
        ));
        Session::unlock_with_device(&backend, &desktop).unwrap();
        assert!(forget_locked(&backend, desktop.device()).unwrap());
        assert!(!forget_locked(&backend, desktop.device()).unwrap());
        assert!(Session::unlock_with_device(&backend, &desktop).is_err());
    }

    #[test]
    fn a_device_key_survives_a_password_change() {
        let (backend, password) = vault();
        let mut session = Session::unlock(&backend, &password).unwrap();
        let device = session.remember_on_device(None).unwrap();
        session
            .change_password(&SecretString::from("another long password"))
            .unwrap();
        drop(session);
        Session::unlock_with_device(&backend, &device).unwrap();
    }

    #[test]
    fn the_device_key_is_redacted() {
        let device = DeviceKey {
            device: Uuid::nil(),
            key: Key256::from_bytes([0xAB; 32]),
        };
        assert!(!format!("{device:?}").contains("ab"));
        assert!(
            DeviceKey::from_bytes(&[0; 32]).is_none(),
            "a raw key is not a device key"
        );
    }
}
