//! The system clipboard for secrets: copied values are marked for exclusion from clipboard
//! history and cloud sync where the platform allows, and cleared after a delay — but only
//! if the clipboard still holds what was copied (a user's own later copy is left alone).
//!
//! On X11 and Wayland the copying process must stay alive to serve the clipboard, so
//! [`Holder::hold`] blocks until the value is cleared or replaced; a command-line tool runs
//! it in a small background process.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sallyport_core::SecretString;
use zeroize::Zeroizing;

/// The default time a copied secret stays on the clipboard.
pub const DEFAULT_CLEAR_AFTER: Duration = Duration::from_secs(20);

/// How often the holder checks whether someone else has copied meanwhile.
const POLL: Duration = Duration::from_millis(200);

/// What can go wrong. Messages are one line and never contain the copied value.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// There is no display (no X11 or Wayland session) to copy to.
    #[error("no display to copy to ({0}); run this in a desktop session")]
    NoDisplay(&'static str),
    /// The clipboard refused.
    #[error("the clipboard is not available: {0}")]
    Unavailable(String),
}

/// How a held value ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The delay passed and the clipboard still held the value: it was cleared.
    Cleared,
    /// Someone copied something else meanwhile; the clipboard was left alone.
    Replaced,
}

/// Fails early, with a clear message, when there is no display to copy to.
pub fn check_display() -> Result<(), Error> {
    if cfg!(all(unix, not(target_os = "macos")))
        && std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && std::env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty())
    {
        return Err(Error::NoDisplay(
            "neither DISPLAY nor WAYLAND_DISPLAY is set",
        ));
    }
    Ok(())
}

/// A connection to the system clipboard.
pub struct Clipboard(arboard::Clipboard);

impl std::fmt::Debug for Clipboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clipboard")
    }
}

impl Clipboard {
    /// Connects to the clipboard; fails with a clear message when there is no display.
    pub fn open() -> Result<Clipboard, Error> {
        check_display()?;
        arboard::Clipboard::new()
            .map(Clipboard)
            .map_err(|e| Error::Unavailable(e.to_string()))
    }

    /// Puts `value` on the clipboard, marked as a secret for clipboard managers.
    pub fn copy(mut self, value: SecretString) -> Result<Holder, Error> {
        set_secret(&mut self.0, &value)?;
        Ok(Holder {
            clipboard: self.0,
            value,
        })
    }
}

/// A secret on the clipboard, until cleared or replaced.
pub struct Holder {
    clipboard: arboard::Clipboard,
    value: SecretString,
}

impl std::fmt::Debug for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Holder(<redacted>)")
    }
}

impl Holder {
    /// Whether the clipboard still holds the copied value.
    pub fn still_ours(&mut self) -> bool {
        match self.clipboard.get_text() {
            Ok(text) => Zeroizing::new(text).as_str() == self.value.expose(),
            Err(_) => false,
        }
    }

    /// Clears the clipboard if it still holds the copied value.
    pub fn clear_if_ours(&mut self) -> Ending {
        if self.still_ours() && self.clipboard.clear().is_ok() {
            Ending::Cleared
        } else {
            Ending::Replaced
        }
    }

    /// Serves the clipboard until `clear_after` has passed, then clears it if it still
    /// holds the value. Returns early (without clearing) once someone else copies, and
    /// early with clearing once `stop` is set (the app locks, the process is asked to end).
    pub fn hold(mut self, clear_after: Duration, stop: &AtomicBool) -> Ending {
        let deadline = Instant::now() + clear_after;
        while Instant::now() < deadline && !stop.load(Ordering::Relaxed) {
            if !self.still_ours() {
                return Ending::Replaced;
            }
            std::thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
        }
        self.clear_if_ours()
    }
}

fn set_secret(clipboard: &mut arboard::Clipboard, value: &SecretString) -> Result<(), Error> {
    let set = clipboard.set();
    // x-kde-passwordManagerHint=secret on Linux, ConcealedType on macOS, and the three
    // history/monitoring/cloud formats on Windows.
    #[cfg(all(unix, not(target_os = "macos")))]
    let set = {
        use arboard::SetExtLinux;
        set.exclude_from_history()
    };
    #[cfg(target_os = "macos")]
    let set = {
        use arboard::SetExtApple;
        set.exclude_from_history()
    };
    #[cfg(windows)]
    let set = {
        use arboard::SetExtWindows;
        set.exclude_from_monitoring()
            .exclude_from_cloud()
            .exclude_from_history()
    };
    set.text(value.expose())
        .map_err(|e| Error::Unavailable(e.to_string()))
}
