//! Locking the vault when the OS locks the screen or suspends, listened for on a thread of
//! its own. On Linux, logind announces both on the system bus (`PrepareForSleep(true)` on
//! the manager, `Lock` on a session). On Windows a hidden window of that thread gets session
//! notifications and power broadcasts (`windows.rs`). macOS is not covered yet (it needs an
//! NSWorkspace observer).

use tauri::{AppHandle, Manager, Runtime};

use crate::preferences::lock_now;
use crate::state::AppState;

/// What the OS did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsEvent {
    /// The machine is about to suspend.
    Suspend,
    /// A session's screen was locked.
    ScreenLock,
}

/// Starts listening; each event locks the vault and tells the webview. Without a system
/// bus (containers, CI) it says so once on stderr and the app runs on.
pub fn watch<R: Runtime>(app: AppHandle<R>) {
    std::thread::spawn(move || {
        let locked = move |event: OsEvent| {
            let reason = match event {
                OsEvent::Suspend => "suspend",
                OsEvent::ScreenLock => "screen lock",
            };
            lock_now(&app.state::<AppState>(), reason);
        };
        if let Err(error) = listen(locked) {
            eprintln!("sallyport-app: the vault will not lock on OS lock or suspend: {error}");
        }
    });
}

/// Calls `on_event` for every suspend and screen lock logind announces; returns only if
/// the bus fails.
#[cfg(target_os = "linux")]
pub fn listen(on_event: impl Fn(OsEvent) + Send + Sync + 'static) -> Result<(), String> {
    use std::sync::Arc;
    use std::time::Duration;

    use dbus::blocking::Connection;
    use dbus::message::MatchRule;

    let bus = Connection::new_system().map_err(|e| format!("no system bus ({e})"))?;
    let on_event = Arc::new(on_event);
    let on_sleep = Arc::clone(&on_event);
    bus.add_match(
        MatchRule::new_signal("org.freedesktop.login1.Manager", "PrepareForSleep"),
        move |(going_to_sleep,): (bool,), _, _| {
            if going_to_sleep {
                on_sleep(OsEvent::Suspend);
            }
            true
        },
    )
    .map_err(|e| format!("cannot watch for suspend ({e})"))?;
    bus.add_match(
        MatchRule::new_signal("org.freedesktop.login1.Session", "Lock"),
        move |(): (), _, _| {
            on_event(OsEvent::ScreenLock);
            true
        },
    )
    .map_err(|e| format!("cannot watch for screen locks ({e})"))?;
    loop {
        bus.process(Duration::from_secs(60))
            .map_err(|e| format!("the system bus failed ({e})"))?;
    }
}

#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::listen;

/// Not available on this OS yet.
#[cfg(not(any(target_os = "linux", windows)))]
pub fn listen(_on_event: impl Fn(OsEvent) + Send + Sync + 'static) -> Result<(), String> {
    Err("not supported on this OS yet".to_owned())
}

#[cfg(all(test, target_os = "linux"))]
#[allow(clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;
    use std::process::Command;
    use std::sync::mpsc;
    use std::time::Duration;

    fn send(args: &[&str]) {
        let status = Command::new("dbus-send")
            .args(["--system", "--type=signal"])
            .args(args)
            .status()
            .expect("dbus-send runs");
        assert!(status.success(), "dbus-send {args:?}");
    }

    /// Needs a bus standing in for the system bus: run by tests/dbus/run.sh, which points
    /// DBUS_SYSTEM_BUS_ADDRESS at a private bus, hence ignored in plain runs.
    #[test]
    #[ignore = "needs a private bus as the system bus; run through tests/dbus/run.sh"]
    fn suspend_and_screen_lock_signals_are_heard_and_wake_up_is_not() {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        std::thread::spawn(move || {
            let result = listen(move |event| {
                let _ = tx.lock().map(|tx| tx.send(event));
            });
            panic!("listen ended: {result:?}");
        });
        std::thread::sleep(Duration::from_millis(500)); // let the match rules register
        let path = "/org/freedesktop/login1";
        send(&[
            path,
            "org.freedesktop.login1.Manager.PrepareForSleep",
            "boolean:false",
        ]);
        send(&[
            "/org/freedesktop/login1/session/_31",
            "org.freedesktop.login1.Session.Lock",
        ]);
        send(&[
            path,
            "org.freedesktop.login1.Manager.PrepareForSleep",
            "boolean:true",
        ]);
        let wait = Duration::from_secs(5);
        let first = rx.recv_timeout(wait);
        assert_eq!(first, Ok(OsEvent::ScreenLock), "waking up is no event");
        assert_eq!(rx.recv_timeout(wait), Ok(OsEvent::Suspend));
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
    }
}
