//! The IPC commands: each extracts its arguments and delegates to the vault handle.
//!
//! They are `async` so that Tauri runs them off the main thread: unlocking derives an
//! Argon2id key, which must not freeze the window.

use sallyport_core::hygiene;
use sallyport_core::rdp::{LaunchEnv, Os, RdpTempDir};
use sallyport_core::totp::TotpCode;
use sallyport_core::vault::{CopyField, Purpose, VaultStatus};
use sallyport_core::SecretString;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::detail::CustomerDetail;
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

/// Locks the vault; keys and decrypted records are wiped, and a copied secret still on the
/// clipboard is cleared.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    state.clipboard.clear();
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

/// `CODE/label`: how the core selects one entry of one customer.
fn selector(code: &str, entry: &str) -> String {
    format!("{code}/{entry}")
}

/// A customer and its entries as cards (no secrets). Audited as a view.
#[tauri::command]
pub async fn customer_detail(
    state: State<'_, AppState>,
    code: String,
) -> ApiResult<CustomerDetail> {
    Ok(state.vault.with_session(|s| {
        let (customer, entries) = s.open_customer(&code)?;
        Ok(CustomerDetail::new(&customer, entries, hygiene::today()))
    })?)
}

/// The entry's current TOTP code and seconds left (the secret never leaves the core).
/// Audited; the UI asks once per period.
#[tauri::command]
pub async fn totp_code(
    state: State<'_, AppState>,
    code: String,
    entry: String,
) -> ApiResult<TotpCode> {
    Ok(state
        .vault
        .with_session(|s| s.current_totp(&selector(&code, &entry)))?)
}

/// What to copy.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CopyWhat {
    /// The password.
    Password,
    /// The user name.
    Username,
    /// The current TOTP code.
    Totp,
}

/// Copies a secret to the clipboard, which clears itself after 20 s (or on lock). Audited.
/// Nothing secret comes back over IPC.
#[tauri::command]
pub async fn copy_secret(
    state: State<'_, AppState>,
    code: String,
    entry: String,
    what: CopyWhat,
) -> ApiResult<()> {
    let field = match what {
        CopyWhat::Password => CopyField::Password,
        CopyWhat::Username => CopyField::Username,
        CopyWhat::Totp => CopyField::Totp,
    };
    sallyport_clipboard::check_display().map_err(ApiError::clipboard)?;
    let value = state.vault.with_session(|s| {
        let purpose = match field {
            CopyField::Password => Purpose::Password,
            CopyField::Username => Purpose::Username,
            CopyField::Totp => Purpose::Totp,
        };
        let target = s.select(&selector(&code, &entry), purpose)?;
        s.copy_value(&target, field)
    })?;
    state
        .clipboard
        .copy(value, sallyport_clipboard::DEFAULT_CLEAR_AFTER)
        .map_err(ApiError::clipboard)
}

/// What Connect started.
#[derive(Debug, Clone, Serialize)]
pub struct Launched {
    /// The client program.
    pub program: String,
    /// Its process id.
    pub pid: u32,
    /// A notice for the user (macOS: the password is on the clipboard).
    pub notice: Option<String>,
    /// A warning about the account (expires soon, or expired and started anyway).
    pub warning: Option<String>,
}

/// Starts the Remote Desktop client for the entry. An expired account is refused with
/// kind `account_expired` unless `expired_ok`. Audited.
#[tauri::command]
pub async fn connect_entry(
    state: State<'_, AppState>,
    code: String,
    entry: String,
    expired_ok: bool,
) -> ApiResult<Launched> {
    let temp = RdpTempDir::open(&RdpTempDir::default_location()?)?;
    let (prepared, warning) = state.vault.with_session(|s| {
        let target = s.select(&selector(&code, &entry), Purpose::Connect)?;
        let warning = s.check_expiry_before_launch(&target, hygiene::today(), expired_ok)?;
        let prepared =
            s.prepare_launch(&target, Os::current(), &LaunchEnv::current(), &temp, false)?;
        Ok((
            prepared,
            warning.map(|w| format!("The account {}.", w.describe())),
        ))
    })?;
    let plan = &prepared.plan;
    if plan.credentials == sallyport_core::rdp::CredentialHandoff::Clipboard {
        if let Some(password) = &prepared.password {
            state
                .clipboard
                .copy(password.clone(), sallyport_clipboard::DEFAULT_CLEAR_AFTER)
                .map_err(ApiError::clipboard)?;
        }
    }
    let started = sallyport_launch::start(plan, prepared.password.as_ref())
        .map_err(|e| ApiError::launch(e.to_string()))?;
    let launched = Launched {
        program: plan.program.clone(),
        pid: started.pid(),
        notice: plan.notice.clone(),
        warning,
    };
    // Removes the .rdp file (and any credentials) once the client has read them.
    std::thread::spawn(move || {
        started.clean_up_after(std::time::Duration::from_secs(5));
    });
    Ok(launched)
}
