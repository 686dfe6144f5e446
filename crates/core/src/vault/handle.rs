//! A thread-safe holder of the (possibly locked) vault for long-running shells such as the
//! desktop app. The lock lives here so that shell commands never handle mutexes.

use std::sync::{Mutex, MutexGuard};

use serde::Serialize;

use super::kdf::KdfParams;
use super::Session;
use crate::secret::SecretString;
use crate::store::Backend;
use crate::{Error, Result};

/// What the front end needs to know to pick a screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum VaultStatus {
    /// No vault exists yet: show "create vault".
    NoVault {
        /// Where the vault will be created (a file's path).
        path: String,
    },
    /// A vault exists and is locked: show "unlock".
    Locked {
        /// Where the vault is.
        path: String,
    },
    /// The vault is unlocked.
    Unlocked {
        /// Where the vault is.
        path: String,
        /// Staff name recorded in the vault.
        staff: String,
        /// Number of customers.
        customers: usize,
    },
}

/// The vault of one app instance: where it lives and, while unlocked, its session.
#[derive(Debug)]
pub struct VaultHandle {
    backend: Box<dyn Backend>,
    session: Mutex<Option<Session>>,
}

impl VaultHandle {
    /// A handle for the vault `backend` names (which need not exist yet), locked.
    pub fn new(backend: Box<dyn Backend>) -> Self {
        Self {
            backend,
            session: Mutex::new(None),
        }
    }

    /// Where the vault lives.
    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    /// Whether the vault exists, is locked or unlocked.
    pub fn status(&self) -> VaultStatus {
        let path = self.backend.location();
        match self.guard().as_ref() {
            Some(s) => VaultStatus::Unlocked {
                path,
                staff: s.staff().to_owned(),
                customers: s.customers().len(),
            },
            None if self.backend.exists() => VaultStatus::Locked { path },
            None => VaultStatus::NoVault { path },
        }
    }

    /// Creates the vault and keeps it unlocked.
    pub fn create(
        &self,
        staff: &str,
        password: &SecretString,
        kdf: KdfParams,
    ) -> Result<VaultStatus> {
        let session = Session::create(self.backend(), password, staff, kdf)?;
        *self.guard() = Some(session);
        Ok(self.status())
    }

    /// Unlocks the vault with the master password.
    pub fn unlock(&self, password: &SecretString) -> Result<VaultStatus> {
        let session = Session::unlock(self.backend(), password)?;
        *self.guard() = Some(session);
        Ok(self.status())
    }

    /// Unlocks the vault with the key the master password unwraps (a keychain entry from
    /// before device keys; see [`Session::unlock_with_key`]).
    pub fn unlock_with_key(&self, data_key: crate::secret::Key256) -> Result<VaultStatus> {
        let session = Session::unlock_with_key(self.backend(), data_key)?;
        *self.guard() = Some(session);
        Ok(self.status())
    }

    /// Unlocks the vault with what this device's keychain keeps for it.
    pub fn unlock_with_device(&self, device: &super::DeviceKey) -> Result<VaultStatus> {
        let session = Session::unlock_with_device(self.backend(), device)?;
        *self.guard() = Some(session);
        Ok(self.status())
    }

    /// Removes `device`'s wrapped copy of the key from the vault: through the session
    /// (audited) while unlocked, straight from the file while locked. `Ok(false)` when the
    /// vault held none.
    pub fn forget_device(&self, device: uuid::Uuid) -> Result<bool> {
        match self.guard().as_mut() {
            Some(session) => session.forget_device(device).map(|()| true),
            None if self.backend.exists() => {
                super::session::forget_device_locked(self.backend(), device)
            }
            None => Ok(false),
        }
    }

    /// The vault's id, read from its header without unlocking it (what the OS keychain
    /// files a remembered key under).
    pub fn vault_id(&self) -> Result<uuid::Uuid> {
        super::session::vault_id_of(self.backend())
    }

    /// Locks the vault: the session's keys and decrypted records are dropped and wiped.
    pub fn lock(&self) -> Result<VaultStatus> {
        if let Some(session) = self.guard().take() {
            session.lock()?;
        }
        Ok(self.status())
    }

    /// Runs `f` on the unlocked session; [`Error::Locked`] when the vault is locked.
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
        match self.guard().as_mut() {
            Some(session) => f(session),
            None => Err(Error::Locked),
        }
    }

    fn guard(&self) -> MutexGuard<'_, Option<Session>> {
        // A panic while holding the lock leaves a session that is still consistent on disk.
        self.session
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_lock_unlock_cycle() {
        let handle = VaultHandle::new(Box::new(crate::store::memory::MemoryBackend::new()));
        assert!(matches!(handle.status(), VaultStatus::NoVault { .. }));
        let pw = SecretString::from("correct horse battery");
        handle.create("Alice", &pw, KdfParams::floor()).unwrap();
        assert!(
            matches!(handle.status(), VaultStatus::Unlocked { ref staff, .. } if staff == "Alice")
        );
        handle.lock().unwrap();
        assert!(matches!(handle.status(), VaultStatus::Locked { .. }));
        assert!(matches!(
            handle.with_session(|s| Ok(s.customers().len())),
            Err(Error::Locked)
        ));
        assert!(matches!(
            handle.unlock(&SecretString::from("wrong one!")),
            Err(Error::WrongPassword)
        ));
        handle.unlock(&pw).unwrap();
        assert_eq!(
            handle.with_session(|s| Ok(s.staff().to_owned())).unwrap(),
            "Alice"
        );
    }
}
