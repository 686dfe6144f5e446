//! What the backend tells the webview by itself: that it locked the vault (auto-lock, OS
//! lock), and, while a team's vault is unlocked, that another member changed the customer
//! list (the screen then calls `reload_customers` and shows the list again).
//!
//! Both go over one channel the page hands over once (`subscribe_notices`), kept for the
//! life of the app. Not Tauri's events, and not a channel per unlock: on WebKitGTK the
//! backend reaches the page only by running a script in it, and the first script the UI
//! process runs loads JavaScriptCore there, and a VM, for good (2.8 MB of the UI process
//! on a bare WebKitGTK window; about 1 MB of the app's process tree, the code pages being
//! shared with the web process). Registering an event listener runs such a script, and so
//! does dropping a channel. With one channel kept, a script runs only when there is news.

use std::sync::{Arc, Mutex, PoisonError};

use sallyport_core::vault::VaultStatus;
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::State;

use crate::error::ApiResult;
use crate::state::AppState;

/// One piece of news for the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The backend locked the vault by itself; why ("inactivity", "suspend", "screen lock").
    Locked(String),
    /// Another member changed a team's customer list; who.
    Changed(String),
}

/// The page's channel, once it has handed one over.
#[derive(Clone, Default)]
pub struct Notices(Arc<Mutex<Option<Channel<Notice>>>>);

impl std::fmt::Debug for Notices {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let subscribed = self.0.lock().is_ok_and(|channel| channel.is_some());
        f.debug_struct("Notices")
            .field("subscribed", &subscribed)
            .finish()
    }
}

impl Notices {
    /// Keeps `channel` (a reloaded page hands over a new one).
    pub fn subscribe(&self, channel: Channel<Notice>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(channel);
    }

    /// Tells the page, if one listens. A page that has gone (reloaded) misses it: the
    /// screen it shows next asks for the vault's state anyway.
    pub fn send(&self, notice: Notice) {
        if let Some(channel) = &*self.0.lock().unwrap_or_else(PoisonError::into_inner) {
            let _ = channel.send(notice);
        }
    }
}

/// Hands over the page's channel for [`Notice`]s; the page calls this once.
#[tauri::command]
pub async fn subscribe_notices(
    state: State<'_, AppState>,
    on_notice: Channel<Notice>,
) -> ApiResult<()> {
    state.notices.subscribe(on_notice);
    Ok(())
}

/// Follows changes other members commit for as long as the vault stays unlocked; each is
/// told to the page as a [`Notice::Changed`] with the name of who made it. False for a
/// local vault.
#[tauri::command]
pub async fn follow_changes(state: State<'_, AppState>) -> ApiResult<bool> {
    let notices = state.notices.clone();
    Ok(state.vault.with_session(|session| {
        session.follow_changes(move |by| notices.send(Notice::Changed(by.to_owned())))
    })?)
}

/// Reads the customer list from the database again, after another member changed it.
#[tauri::command]
pub async fn reload_customers(state: State<'_, AppState>) -> ApiResult<VaultStatus> {
    state
        .vault
        .with_session(|session| session.reload_customers())?;
    crate::heap::release_free_memory(); // the list it replaced
    Ok(state.vault.status())
}
