//! The app's managed state: the vault handle (which owns its lock) and the KDF cost used
//! when a vault is created.

use std::path::PathBuf;

use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::{self, VaultHandle};

/// Environment variable naming the vault file (also honoured by the CLI).
pub const VAULT_ENV: &str = "SALLYPORT_VAULT";

/// Everything the commands share.
#[derive(Debug)]
pub struct AppState {
    /// The vault of this app instance.
    pub vault: VaultHandle,
    /// Argon2id cost for vaults created by this instance.
    pub kdf: KdfParams,
    /// The secret this app last copied, cleared on time, on lock and on exit.
    pub clipboard: crate::clipboard::ClipboardKeeper,
}

impl AppState {
    /// State for the vault at `path` with the given creation cost.
    pub fn new(path: impl Into<PathBuf>, kdf: KdfParams) -> Self {
        Self {
            vault: VaultHandle::new(path),
            kdf,
            clipboard: Default::default(),
        }
    }

    /// State from the environment: `SALLYPORT_VAULT` or the default vault location, and the
    /// default KDF cost (see [`kdf_from_env`]).
    pub fn from_env() -> sallyport_core::Result<Self> {
        let path = match std::env::var_os(VAULT_ENV) {
            Some(path) if !path.is_empty() => PathBuf::from(path),
            _ => vault::default_path()?,
        };
        Ok(Self::new(path, kdf_from_env()))
    }
}

/// The default KDF cost. Debug builds only (the end-to-end test) accept
/// `SALLYPORT_KDF=floor` to create vaults at the accepted minimum; release builds ignore it.
pub fn kdf_from_env() -> KdfParams {
    #[cfg(debug_assertions)]
    if std::env::var("SALLYPORT_KDF").as_deref() == Ok("floor") {
        return KdfParams::floor();
    }
    KdfParams::default()
}
