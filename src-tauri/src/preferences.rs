//! Preferences and auto-lock: the settings commands, and the watcher that locks the vault
//! after the configured minutes without user input (the webview reports input through
//! [`activity`]; polling for TOTP codes is not input).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sallyport_core::vault::preferences::Preferences;
use sallyport_core::vault::VaultStatus;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::error::{ApiError, ApiResult};
use crate::live::Notice;
use crate::state::AppState;

/// When the user last did something in the window.
#[derive(Debug)]
pub struct IdleClock {
    last_input: Mutex<Instant>,
}

impl Default for IdleClock {
    fn default() -> Self {
        Self {
            last_input: Mutex::new(Instant::now()),
        }
    }
}

impl IdleClock {
    /// Notes user input now.
    pub fn touch(&self) {
        self.touch_at(Instant::now());
    }

    fn touch_at(&self, at: Instant) {
        if let Ok(mut last) = self.last_input.lock() {
            *last = (*last).max(at);
        }
    }

    /// How long there has been no input, at `now`.
    pub fn idle(&self, now: Instant) -> Duration {
        self.last_input
            .lock()
            .map(|last| now.saturating_duration_since(*last))
            .unwrap_or(Duration::MAX) // a poisoned clock locks rather than never locking
    }
}

/// This vault's preferences.
#[tauri::command]
pub async fn get_preferences(state: State<'_, AppState>) -> ApiResult<Preferences> {
    Ok(state.vault.with_session(|s| Ok(s.preferences().clone()))?)
}

/// Saves the preferences (every wrong field named); returns them as stored (normalised).
#[tauri::command]
pub async fn save_preferences(
    state: State<'_, AppState>,
    preferences: Preferences,
) -> ApiResult<Preferences> {
    state
        .vault
        .with_session(|s| {
            Ok(s.set_preferences(preferences)
                .map(|()| s.preferences().clone()))
        })?
        .map_err(ApiError::from)
}

/// The user did something (a key, a click): the auto-lock countdown starts again.
#[tauri::command]
pub async fn activity(state: State<'_, AppState>) -> ApiResult<()> {
    state.idle.touch();
    Ok(())
}

/// Locks the vault (and clears a copied secret) if it is unlocked and has been idle for its
/// auto-lock minutes at `now`, and tells the page. Returns whether it locked.
pub fn lock_if_idle(state: &AppState, now: Instant) -> bool {
    if !matches!(state.vault.status(), VaultStatus::Unlocked { .. }) {
        return false;
    }
    let Ok(minutes) = state
        .vault
        .with_session(|s| Ok(s.preferences().auto_lock_minutes))
    else {
        return false;
    };
    if state.idle.idle(now) < Duration::from_secs(u64::from(minutes) * 60) {
        return false;
    }
    lock_now(state, "inactivity")
}

/// Locks an unlocked vault now: clears a copied secret and forgets a previewed import, and
/// tells the page why ([`Notice::Locked`]). Returns whether it locked (false if it was not
/// unlocked).
pub fn lock_now(state: &AppState, reason: &str) -> bool {
    if !matches!(state.vault.status(), VaultStatus::Unlocked { .. }) {
        return false;
    }
    let locked = state.lock().is_ok();
    if locked {
        state.notices.send(Notice::Locked(reason.to_owned()));
    }
    locked
}

/// Checks every few seconds for the life of the app; tells the webview when it locked.
pub fn watch<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(5));
        lock_if_idle(&app.state::<AppState>(), Instant::now());
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_measures_from_the_latest_input() {
        let clock = IdleClock::default();
        let start = Instant::now();
        clock.touch_at(start + Duration::from_secs(10));
        clock.touch_at(start + Duration::from_secs(5)); // late report of older input
        assert_eq!(
            clock.idle(start + Duration::from_secs(70)),
            Duration::from_secs(60)
        );
        assert_eq!(clock.idle(start), Duration::ZERO);
    }
}
