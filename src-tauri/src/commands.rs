//! The IPC commands: each extracts its arguments and delegates to the vault handle.
//!
//! They are `async` so that Tauri runs them off the main thread: unlocking derives an
//! Argon2id key, which must not freeze the window.

use sallyport_core::audit::Reason;
use sallyport_core::hygiene;
use sallyport_core::totp::TotpCode;
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::vault::{CopyField, Link, VaultStatus};
use sallyport_core::SecretString;
use sallyport_service::{ConnectOptions, Platform, CLEAN_UP_GRACE};
use serde::Serialize;
use tauri::State;
use uuid::Uuid;

use crate::detail::CustomerDetail;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::summary::{self, CustomerPage};

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
    entry: Uuid,
    reason: Option<String>,
) -> ApiResult<TotpCode> {
    let reason = parse_reason(reason.as_deref())?;
    Ok(state
        .vault
        .with_session(|s| s.current_totp(entry, reason.as_ref()))?)
}

/// The reason typed in the customer's reason field, checked (blank: none given).
fn parse_reason(reason: Option<&str>) -> ApiResult<Option<Reason>> {
    match reason.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Ok(Some(Reason::parse(text)?)),
    }
}

/// How long a copied secret stays on the clipboard (the vault's preference).
fn clear_after(session: &sallyport_core::Session) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(session.preferences().clipboard_clear_seconds))
}

/// Copies a secret to the clipboard, which clears itself after the preferred delay (or on
/// lock); returns that delay in seconds. Audited.
/// Nothing secret comes back over IPC. A password or code is held back (kind
/// `clipboard_shared`) while a Remote Desktop session that shares the clipboard with another
/// customer's server is open, unless `shared_ok` (the user agreed).
#[tauri::command]
pub async fn copy_secret(
    state: State<'_, AppState>,
    entry: Uuid,
    what: CopyField,
    reason: Option<String>,
    shared_ok: Option<bool>,
) -> ApiResult<u64> {
    let reason = parse_reason(reason.as_deref())?;
    if what != CopyField::Username && shared_ok != Some(true) {
        let target = state
            .vault
            .with_session(|s| s.target(entry, what.purpose()))?;
        let others: Vec<String> = state
            .launches
            .running()
            .iter()
            .filter_map(|tag| SharedSession::parse(tag))
            .filter(|s| s.customer != target.customer.id)
            .map(|s| s.code)
            .collect();
        if !others.is_empty() {
            return Err(ApiError::clipboard_shared(format!(
                "A Remote Desktop session to {} is open and shares the clipboard: its server                  would receive this {} of {}.",
                others.join(" and "),
                match what {
                    CopyField::Totp => "code",
                    _ => "password",
                },
                target.customer.code
            )));
        }
    }
    sallyport_clipboard::check_display().map_err(ApiError::clipboard)?;
    let (value, clear_after) = state
        .vault
        .with_session(|s| Ok((s.copy_value(entry, what, reason.as_ref())?, clear_after(s))))?;
    state
        .clipboard
        .copy(value, clear_after)
        .map_err(ApiError::clipboard)?;
    Ok(clear_after.as_secs())
}

/// An open session whose .rdp file shares the clipboard with its customer's server, as the
/// launch watcher tags it.
struct SharedSession {
    customer: Uuid,
    code: String,
}

impl SharedSession {
    fn tag(&self) -> String {
        format!("{} {}", self.customer, self.code)
    }

    fn parse(tag: &str) -> Option<SharedSession> {
        let (id, code) = tag.split_once(' ')?;
        Some(SharedSession {
            customer: id.parse().ok()?,
            code: code.to_owned(),
        })
    }
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
    entry: Uuid,
    reason: Option<String>,
) -> ApiResult<Revealed> {
    let reason = parse_reason(reason.as_deref())?;
    Ok(state.vault.with_session(|s| {
        Ok(Revealed {
            password: s.reveal_password(entry, reason.as_ref())?,
        })
    })?)
}

/// Opens one of the entry's links in the default browser. The address comes from the vault
/// (validated as http or https when it was stored), never from the webview.
#[tauri::command]
pub async fn open_link(state: State<'_, AppState>, entry: Uuid, link: Link) -> ApiResult<()> {
    let url = state.vault.with_session(|s| s.entry_link(entry, link))?;
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
    /// A notice for the user (macOS: the password is on the clipboard; Windows: a
    /// credential the user saved is used instead of the vault's).
    pub notice: Option<String>,
    /// A warning about the account (expires soon, or expired and started anyway).
    pub warning: Option<String>,
    /// Whether the .rdp file was signed (a certificate is set in Settings → Sign .rdp files).
    pub signed: bool,
}

/// Starts the Remote Desktop client for the entry. An expired account is refused with
/// kind `account_expired` unless `expired_ok`. Audited.
#[tauri::command]
pub async fn connect_entry(
    state: State<'_, AppState>,
    entry: Uuid,
    expired_ok: bool,
    reason: Option<String>,
) -> ApiResult<Launched> {
    let options = ConnectOptions {
        expired_ok,
        dry_run: false,
        reason: parse_reason(reason.as_deref())?,
    };
    let platform = Platform::current()?;
    let mut shared = None;
    let connection = state.vault.with_session(|s| {
        let target = s.target(entry, sallyport_core::vault::Purpose::Connect)?;
        if s.shares_clipboard(&target) {
            shared = Some(SharedSession {
                customer: target.customer.id,
                code: target.customer.code.to_string(),
            });
        }
        Ok(sallyport_service::connect(
            s,
            entry,
            options,
            &platform,
            &mut |password, clear_after| {
                state
                    .clipboard
                    .copy(password.clone(), clear_after)
                    .map_err(|e| e.to_string())
            },
        ))
    })??;
    let started = connection
        .started
        .ok_or_else(|| ApiError::launch("nothing was started"))?;
    let pinned = connection.pinned_certificate.map(|fingerprint| {
        format!(
            "First connection: the server's certificate (SHA-256 {fingerprint}) is now pinned; a different one will be refused."
        )
    });
    let notices: Vec<String> = pinned
        .into_iter()
        .chain(connection.plan.notice)
        .chain(started.notice())
        .collect();
    let launched = Launched {
        program: connection.plan.program,
        pid: started.pid(),
        notice: (!notices.is_empty()).then(|| notices.join(" ")),
        warning: connection
            .expiry
            .map(|e| format!("The account {}.", e.describe())),
        signed: connection.signed_by.is_some(),
    };
    // Removes the .rdp file and any credentials once the client has read them, or at once
    // when the app quits before that. A session sharing the clipboard is watched while it
    // runs, so that copying another customer's secret asks first.
    match shared {
        Some(session) => state.launches.watch(started, CLEAN_UP_GRACE, session.tag()),
        None => state.launches.adopt(started, CLEAN_UP_GRACE),
    }
    Ok(launched)
}

/// Pins `fingerprint` as the entry's server certificate: what the user accepts after a
/// Connect was refused because the server showed another than the pinned one (they should
/// confirm it with the customer first). Audited as an entry edit naming both.
#[tauri::command]
pub async fn trust_certificate(
    state: State<'_, AppState>,
    entry: Uuid,
    fingerprint: String,
) -> ApiResult<()> {
    Ok(state.vault.with_session(|s| {
        let target = s.target(entry, sallyport_core::vault::Purpose::Connect)?;
        s.set_certificate_pin(&target, Some(&fingerprint))
            .map(|_| ())
    })?)
}
