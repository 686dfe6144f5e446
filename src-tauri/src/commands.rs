//! The IPC commands: each extracts its arguments and delegates to the vault handle.
//!
//! They are `async` so that Tauri runs them off the main thread: unlocking derives an
//! Argon2id key, which must not freeze the window.

use sallyport_core::hygiene;
use sallyport_core::rdp::{LaunchEnv, Os, RdpTempDir};
use sallyport_core::totp::TotpCode;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::{CopyField, Purpose, VaultStatus};
use sallyport_core::SecretString;
use serde::{Deserialize, Serialize};
use tauri::State;

use crate::detail::CustomerDetail;
use crate::error::ApiError;
use crate::state::AppState;
use crate::summary::{self, CustomerPage};

type ApiResult<T> = Result<T, ApiError>;

/// Which screen to show: no vault, locked or unlocked.
#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    Ok(state.vault.status())
}

/// Creates the vault for `staff` and leaves it unlocked. The key derivation is calibrated
/// to take 0.5–1 s on this machine (a few seconds of measuring, off the main thread).
#[tauri::command]
pub async fn create_vault(
    state: State<'_, AppState>,
    staff: String,
    password: String,
) -> ApiResult<VaultStatus> {
    let password = SecretString::from(password);
    state.idle.touch();
    let kdf = state.kdf.unwrap_or_else(KdfParams::calibrate);
    Ok(state.vault.create(&staff, &password, kdf)?)
}

/// Unlocks the vault with the master password.
#[tauri::command]
pub async fn unlock(state: State<'_, AppState>, password: String) -> ApiResult<VaultStatus> {
    let password = SecretString::from(password);
    state.idle.touch();
    Ok(state.vault.unlock(&password)?)
}

/// Locks the vault; keys and decrypted records are wiped, a copied secret still on the
/// clipboard is cleared, and a previewed import is dropped.
#[tauri::command]
pub async fn lock(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    Ok(state.lock()?)
}

/// One window of the customers matching `query`, best first: rows `offset` (default 0)
/// to `offset + limit` (default 100, at most [`summary::MAX_PAGE`]), and the total.
#[tauri::command]
pub async fn search_customers(
    state: State<'_, AppState>,
    query: String,
    offset: Option<usize>,
    limit: Option<usize>,
) -> ApiResult<CustomerPage> {
    let (offset, limit) = (offset.unwrap_or(0), limit.unwrap_or(100));
    Ok(state
        .vault
        .with_session(|s| Ok(summary::page(s, &query, offset, limit)))?)
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

/// How long a copied secret stays on the clipboard (the vault's preference).
fn clear_after(session: &sallyport_core::Session) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(session.preferences().clipboard_clear_seconds))
}

/// Copies a secret to the clipboard, which clears itself after the preferred delay (or on
/// lock); returns that delay in seconds. Audited.
/// Nothing secret comes back over IPC.
#[tauri::command]
pub async fn copy_secret(
    state: State<'_, AppState>,
    code: String,
    entry: String,
    what: CopyField,
) -> ApiResult<u64> {
    sallyport_clipboard::check_display().map_err(ApiError::clipboard)?;
    let (value, clear_after) = state.vault.with_session(|s| {
        let target = s.select(&selector(&code, &entry), what.purpose())?;
        Ok((s.copy_value(&target, what)?, clear_after(s)))
    })?;
    state
        .clipboard
        .copy(value, clear_after)
        .map_err(ApiError::clipboard)?;
    Ok(clear_after.as_secs())
}

/// How long a revealed password stays on screen.
pub const REVEAL_SECONDS: u32 = 30;

/// A password shown on screen: the one secret that crosses IPC, on an explicit click, and
/// audited. Serialised straight from the [`SecretString`] (no plain copy kept here).
pub struct Revealed {
    password: SecretString,
}

impl std::fmt::Debug for Revealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Revealed(<redacted>)")
    }
}

/// A revealed password as sent, borrowed from the [`Revealed`]'s [`SecretString`] (the
/// front end's `Revealed` type is generated from this).
#[derive(Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename = "Revealed")]
pub(crate) struct RevealedWire<'a> {
    /// The password.
    password: &'a str,
    /// Seconds until the app hides it again.
    hide_after_seconds: u32,
}

impl Serialize for Revealed {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RevealedWire {
            password: self.password.expose(),
            hide_after_seconds: REVEAL_SECONDS,
        }
        .serialize(serializer)
    }
}

/// Shows the entry's password in the app (hidden again after [`REVEAL_SECONDS`]). Audited
/// as a reveal before the password is read.
#[tauri::command]
pub async fn reveal_password(
    state: State<'_, AppState>,
    code: String,
    entry: String,
) -> ApiResult<Revealed> {
    Ok(state.vault.with_session(|s| {
        let target = s.select(&selector(&code, &entry), Purpose::Password)?;
        Ok(Revealed {
            password: s.reveal_password(&target)?,
        })
    })?)
}

/// Which link of an entry to open.
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// The web application.
    Url,
    /// The VPN client's download page.
    VpnClientUrl,
}

/// Opens one of the entry's links in the default browser. The address comes from the vault
/// (validated as http or https when it was stored), never from the webview.
#[tauri::command]
pub async fn open_link(
    state: State<'_, AppState>,
    code: String,
    entry: String,
    link: Link,
) -> ApiResult<()> {
    let url = state.vault.with_session(|s| {
        let target = s.select(&selector(&code, &entry), Purpose::Edit)?;
        Ok(match link {
            Link::Url => target.entry.url,
            Link::VpnClientUrl => target.entry.vpn_client_url,
        })
    })?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(
            sallyport_core::Error::invalid("link", "is not an http or https address").into(),
        );
    }
    open::that_detached(&url)
        .map_err(|e| ApiError::launch(format!("could not open the browser: {e}")))
}

/// What Connect started.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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
    let (prepared, warning, clear_after) = state.vault.with_session(|s| {
        let target = s.select(&selector(&code, &entry), Purpose::Connect)?;
        let warning = s.check_expiry_before_launch(&target, hygiene::today(), expired_ok)?;
        let prepared =
            s.prepare_launch(&target, Os::current(), &LaunchEnv::current(), &temp, false)?;
        Ok((
            prepared,
            warning.map(|w| format!("The account {}.", w.describe())),
            clear_after(s),
        ))
    })?;
    let plan = &prepared.plan;
    if plan.credentials == sallyport_core::rdp::CredentialHandoff::Clipboard {
        if let Some(password) = &prepared.password {
            state
                .clipboard
                .copy(password.clone(), clear_after)
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
