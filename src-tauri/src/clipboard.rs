//! The app's clipboard for secrets: one copied value at a time, held by a background thread
//! that clears it after the configured delay, when the vault locks, or when the app exits
//! (each only if the clipboard still holds our value).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use sallyport_core::SecretString;

/// The current holder thread and its stop flag.
#[derive(Debug, Default)]
pub struct ClipboardKeeper {
    current: Mutex<Option<(JoinHandle<()>, Arc<AtomicBool>)>>,
}

impl ClipboardKeeper {
    /// Puts `value` on the clipboard (marked secret) and clears it after `clear_after`.
    /// A value copied earlier is cleared first if it is still there.
    pub fn copy(&self, value: SecretString, clear_after: Duration) -> Result<(), String> {
        let mut current = self
            .current
            .lock()
            .map_err(|_| "clipboard state poisoned")?;
        stop(current.take());
        let holder = sallyport_clipboard::Clipboard::open()
            .and_then(|c| c.copy(value))
            .map_err(|e| e.to_string())?;
        let flag = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&flag);
        let thread = std::thread::spawn(move || {
            holder.hold(clear_after, &stop_flag);
        });
        *current = Some((thread, flag));
        Ok(())
    }

    /// Clears our value now (lock, exit).
    pub fn clear(&self) {
        if let Ok(mut current) = self.current.lock() {
            stop(current.take());
        }
    }
}

fn stop(holder: Option<(JoinHandle<()>, Arc<AtomicBool>)>) {
    if let Some((thread, flag)) = holder {
        flag.store(true, Ordering::Relaxed);
        let _ = thread.join(); // the holder clears before it returns
    }
}
