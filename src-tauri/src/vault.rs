//! The app's vault: the core's [`VaultHandle`], with every call stepped out of the async
//! runtime's context. Commands are async tasks on Tauri's (tokio) runtime; a team profile's
//! database client (the blocking `postgres` crate) drives a runtime of its own for each
//! call, which tokio refuses inside a task ("Cannot start a runtime from within a
//! runtime"). `block_in_place` leaves that context for the call and tells the scheduler
//! the worker is busy (as an Argon2id unlock already keeps it); outside a runtime (tests,
//! the app's own threads) the call simply runs.
//!
//! The handle is replaced once at most: when the user joins a team from the create-vault
//! screen, the profile written at the vault's path is a team profile, and the app goes on
//! with that backend (see [`AppVault::replace`]).

use std::sync::{RwLock, RwLockReadGuard};

use sallyport_core::store::Backend;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::{DeviceKey, VaultHandle, VaultStatus};
use sallyport_core::{Key256, Result, SecretString, Session};

/// The vault of this app instance (see the module's documentation).
#[derive(Debug)]
pub struct AppVault(RwLock<VaultHandle>);

fn blocking<T>(call: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(call)
}

/// [`blocking`], then what the call freed goes back to the OS (for the calls that derive a
/// key or drop the decrypted list; see `heap.rs`).
fn blocking_then_trim<T>(call: impl FnOnce() -> T) -> T {
    let result = blocking(call);
    crate::heap::release_free_memory();
    result
}

impl AppVault {
    /// The vault `backend` names, locked.
    pub fn new(backend: Box<dyn Backend>) -> Self {
        Self(RwLock::new(VaultHandle::new(backend)))
    }

    /// The handle; a panic elsewhere while it was being replaced leaves the old one usable.
    fn handle(&self) -> RwLockReadGuard<'_, VaultHandle> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `make` while no other call uses the vault and, when it succeeds, goes on with
    /// the backend it returns (locked). `make` itself refuses when a vault exists (joining a
    /// team writes a new profile only).
    pub fn replace<T>(
        &self,
        make: impl FnOnce() -> Result<(T, Box<dyn Backend>)>,
    ) -> Result<(T, VaultStatus)> {
        blocking(|| {
            let mut handle = self.0.write().unwrap_or_else(|p| p.into_inner());
            let (made, backend) = make()?;
            *handle = VaultHandle::new(backend);
            Ok((made, handle.status()))
        })
    }

    /// [`VaultHandle::status`].
    pub fn status(&self) -> VaultStatus {
        blocking(|| self.handle().status())
    }

    /// [`VaultHandle::create`].
    pub fn create(
        &self,
        staff: &str,
        password: &SecretString,
        kdf: KdfParams,
    ) -> Result<VaultStatus> {
        blocking_then_trim(|| self.handle().create(staff, password, kdf))
    }

    /// [`VaultHandle::unlock`].
    pub fn unlock(&self, password: &SecretString) -> Result<VaultStatus> {
        blocking_then_trim(|| self.handle().unlock(password))
    }

    /// [`VaultHandle::unlock_with_key`].
    pub fn unlock_with_key(&self, data_key: Key256) -> Result<VaultStatus> {
        blocking_then_trim(|| self.handle().unlock_with_key(data_key))
    }

    /// [`VaultHandle::unlock_with_device`].
    pub fn unlock_with_device(&self, device: &DeviceKey) -> Result<VaultStatus> {
        blocking_then_trim(|| self.handle().unlock_with_device(device))
    }

    /// [`VaultHandle::forget_device`].
    pub fn forget_device(&self, device: uuid::Uuid) -> Result<bool> {
        blocking(|| self.handle().forget_device(device))
    }

    /// [`VaultHandle::vault_id`].
    pub fn vault_id(&self) -> Result<uuid::Uuid> {
        blocking(|| self.handle().vault_id())
    }

    /// [`VaultHandle::lock`].
    pub fn lock(&self) -> Result<VaultStatus> {
        blocking_then_trim(|| self.handle().lock())
    }

    /// [`VaultHandle::with_session`].
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> Result<T>) -> Result<T> {
        blocking(|| self.handle().with_session(f))
    }
}
