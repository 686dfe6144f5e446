//! The editing commands: customers and entries created, changed and deleted from the app's
//! forms. Each delegates to the core, which validates every field (a refusal names each
//! wrong field, see [`ApiError::fields`]) and records the change in the audit log.

use sallyport_core::hygiene;
use sallyport_core::model::form::{CustomerForm, EntryForm, SecretChange, SecretChanges};
use sallyport_core::SecretString;
use serde::Deserialize;
use tauri::State;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::summary::CustomerSummary;

/// What the form asks for one secret: keep it, clear it, or store the typed value. The
/// value arrives from the webview (it was typed there) and goes straight into a
/// [`SecretString`]; nothing secret is ever sent back.
#[derive(Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "change", rename_all = "lowercase")]
pub enum SecretInput {
    /// Leave the stored value.
    Keep,
    /// Remove the stored value.
    Clear,
    /// Store this value.
    Set {
        /// The new value.
        value: String,
    },
    /// Store a newly generated password (20 characters, see
    /// [`sallyport_core::hygiene::PasswordPolicy`]); the user copies it from the card.
    Generate,
}

impl std::fmt::Debug for SecretInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SecretInput::Keep => "Keep",
            SecretInput::Clear => "Clear",
            SecretInput::Set { .. } => "Set(<redacted>)",
            SecretInput::Generate => "Generate",
        })
    }
}

impl SecretInput {
    fn into_change(self) -> sallyport_core::Result<SecretChange> {
        Ok(match self {
            SecretInput::Keep => SecretChange::Keep,
            SecretInput::Clear => SecretChange::Clear,
            SecretInput::Set { value } => SecretChange::Set(SecretString::from(value)),
            SecretInput::Generate => {
                SecretChange::Set(hygiene::generate(&hygiene::PasswordPolicy::default())?)
            }
        })
    }
}

/// Creates a customer (`id` absent) or saves the form over an existing one; returns its
/// list row (the code may have changed).
#[tauri::command]
pub async fn save_customer(
    state: State<'_, AppState>,
    id: Option<Uuid>,
    form: CustomerForm,
) -> ApiResult<CustomerSummary> {
    state
        .vault
        .with_session(|s| {
            Ok(s.save_customer(id, &form)
                .map(|c| CustomerSummary::from(&c)))
        })?
        .map_err(ApiError::from)
}

/// Deletes a customer with its entries. Audited.
#[tauri::command]
pub async fn delete_customer(state: State<'_, AppState>, id: Uuid) -> ApiResult<()> {
    Ok(state.vault.with_session(|s| s.delete_customer(id))?)
}

/// Creates an entry (`entry_id` absent) or saves the form over one, changing its password
/// and TOTP secret as asked.
#[tauri::command]
pub async fn save_entry(
    state: State<'_, AppState>,
    customer_id: Uuid,
    entry_id: Option<Uuid>,
    form: EntryForm,
    password: SecretInput,
    totp: SecretInput,
) -> ApiResult<()> {
    if matches!(totp, SecretInput::Generate) {
        return Err(sallyport_core::Error::invalid("totp", "cannot be generated here").into());
    }
    let secrets = SecretChanges {
        password: password.into_change()?,
        totp: totp.into_change()?,
    };
    state
        .vault
        .with_session(|s| Ok(s.save_entry_form(customer_id, entry_id, &form, &secrets)))?
        .map(|_| ())
        .map_err(ApiError::from)
}

/// Deletes one entry. Audited.
#[tauri::command]
pub async fn delete_entry(
    state: State<'_, AppState>,
    customer_id: Uuid,
    entry_id: Uuid,
) -> ApiResult<()> {
    Ok(state
        .vault
        .with_session(|s| s.delete_entry(customer_id, entry_id))?)
}
