//! The app's managed state: the vault handle (which owns its lock), the KDF cost used
//! when a vault is created, the clipboard keeper and the idle clock.

use std::path::PathBuf;

use sallyport_core::vault::kdf::KdfParams;
use sallyport_service::{PendingCleanups, Profile};

/// Environment variable naming the vault file (also honoured by the CLI).
pub const VAULT_ENV: &str = "SALLYPORT_VAULT";

/// Everything the commands share.
#[derive(Debug)]
pub struct AppState {
    /// Where the vault (a vault file or a team profile) lives.
    pub path: PathBuf,
    /// The vault of this app instance.
    pub vault: crate::vault::AppVault,
    /// Argon2id cost for vaults created by this instance; `None`: calibrated on this
    /// machine when the vault is created (0.5–1 s per unlock).
    pub kdf: Option<KdfParams>,
    /// The secret this app last copied, cleared on time, on lock and on exit.
    pub clipboard: crate::clipboard::ClipboardKeeper,
    /// When the user last did something (for auto-lock).
    pub idle: crate::preferences::IdleClock,
    /// The import previewed in the wizard, until applied, cancelled or the vault locks.
    pub import: crate::import_wizard::PendingImport,
    /// What started clients have not read yet (the .rdp file, Credential Manager entries),
    /// removed after the grace period, or on exit if that comes first.
    pub launches: PendingCleanups,
    /// The page's channel for what the backend tells it by itself (a lock, a team change).
    pub notices: crate::live::Notices,
}

impl AppState {
    /// State for the vault `profile` names, with the given creation cost.
    pub fn new(profile: Profile, kdf: KdfParams) -> Self {
        Self::with_kdf(profile, Some(kdf))
    }

    fn with_kdf(profile: Profile, kdf: Option<KdfParams>) -> Self {
        Self {
            path: profile.path().to_owned(),
            vault: crate::vault::AppVault::new(profile.backend()),
            kdf,
            clipboard: Default::default(),
            idle: Default::default(),
            import: Default::default(),
            launches: Default::default(),
            notices: Default::default(),
        }
    }

    /// Locks the vault and forgets what belongs to the session: the copied secret is
    /// cleared and a previewed import dropped. Every way of locking (the command, auto-lock,
    /// OS lock) goes through here.
    pub fn lock(&self) -> sallyport_core::Result<sallyport_core::vault::VaultStatus> {
        self.clipboard.clear();
        let status = self.vault.lock();
        self.import.clear(); // a previewed import does not outlive the session
        status
    }

    /// What the app does on its way out: the copied secret is cleared, and what started
    /// clients have not read yet is removed now (the .rdp files, Sallyport's Credential
    /// Manager entries). Quick: a few file and credential calls, no waiting.
    pub fn on_exit(&self) {
        self.clipboard.clear();
        self.launches.clean_up_now();
    }

    /// State from the environment: `SALLYPORT_VAULT` or the default vault location, and the
    /// default KDF cost (see [`kdf_from_env`]).
    pub fn from_env() -> sallyport_core::Result<Self> {
        let path = std::env::var_os(VAULT_ENV).map(PathBuf::from);
        Ok(Self::with_kdf(
            Profile::at_or_default(path)?,
            kdf_from_env(),
        ))
    }
}

/// The KDF cost for new vaults: `None`, calibrated on this machine at creation. Debug
/// builds only (the end-to-end test) accept `SALLYPORT_KDF=floor` to create vaults at the
/// accepted minimum; release builds ignore it.
pub fn kdf_from_env() -> Option<KdfParams> {
    #[cfg(debug_assertions)]
    if std::env::var("SALLYPORT_KDF").as_deref() == Ok("floor") {
        return Some(KdfParams::floor());
    }
    None
}
