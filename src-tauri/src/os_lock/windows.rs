//! Windows: the screen lock and suspend are told to a window. A hidden top-level window of
//! this thread (never shown; a message-only window would get no power broadcasts) is
//! registered for session notifications (`WTSRegisterSessionNotification`:
//! `WM_WTSSESSION_CHANGE` with `WTS_SESSION_LOCK`) and receives `WM_POWERBROADCAST` with
//! `PBT_APMSUSPEND`; the thread then runs the window's message loop. The app's only
//! `unsafe` code, each call documented below.
//!
//! Built and checked with clippy for `x86_64-pc-windows-gnu` (`scripts/windows.sh clippy`);
//! not run: the app does not start under Wine here (no WebView2 runtime).

#![allow(unsafe_code)]

use std::cell::RefCell;

use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, WPARAM};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::RemoteDesktop::{
    WTSRegisterSessionNotification, NOTIFY_FOR_THIS_SESSION,
};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, RegisterClassW, MSG,
    PBT_APMSUSPEND, WM_POWERBROADCAST, WM_WTSSESSION_CHANGE, WNDCLASSW, WTS_SESSION_LOCK,
};

use super::OsEvent;

/// What the window procedure calls with each event.
type Handler = Box<dyn Fn(OsEvent)>;

thread_local! {
    /// Set by [`listen`] on the window's thread.
    static ON_EVENT: RefCell<Option<Handler>> = const { RefCell::new(None) };
}

/// What a window message means for the vault, if anything.
fn event_of(message: u32, wparam: WPARAM) -> Option<OsEvent> {
    match (message, u32::try_from(wparam).ok()?) {
        (WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK) => Some(OsEvent::ScreenLock),
        (WM_POWERBROADCAST, PBT_APMSUSPEND) => Some(OsEvent::Suspend),
        _ => None,
    }
}

unsafe extern "system" fn window_proc(
    window: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    if let Some(event) = event_of(message, wparam) {
        ON_EVENT.with(|on_event| {
            if let Some(on_event) = on_event.borrow().as_ref() {
                on_event(event);
            }
        });
    }
    // SAFETY: the arguments are exactly those Windows passed to this window procedure.
    unsafe { DefWindowProcW(window, message, wparam, lparam) }
}

/// Calls `on_event` for every screen lock and suspend of this session; returns only if the
/// window cannot be made or its message loop ends.
pub fn listen(on_event: impl Fn(OsEvent) + Send + Sync + 'static) -> Result<(), String> {
    ON_EVENT.with(|slot| *slot.borrow_mut() = Some(Box::new(on_event)));
    let class: Vec<u16> = "SallyportOsLock\0".encode_utf16().collect();
    // SAFETY: a null name asks for the handle of the running executable; nothing is freed.
    let instance = unsafe { GetModuleHandleW(std::ptr::null()) };
    let window_class = WNDCLASSW {
        style: 0,
        lpfnWndProc: Some(window_proc),
        cbClsExtra: 0,
        cbWndExtra: 0,
        hInstance: instance,
        hIcon: std::ptr::null_mut(),
        hCursor: std::ptr::null_mut(),
        hbrBackground: std::ptr::null_mut(),
        lpszMenuName: std::ptr::null(),
        lpszClassName: class.as_ptr(),
    };
    // SAFETY: `window_class` is fully initialised; its name is NUL-terminated and, like
    // the class, lives as long as this function, which the window never outlives.
    if unsafe { RegisterClassW(&window_class) } == 0 {
        return Err(format!(
            "cannot register a window class ({})",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: the class was registered above with this instance; the name pointers are
    // NUL-terminated and outlive the call; no parent, menu or creation data.
    let window = unsafe {
        CreateWindowExW(
            0,
            class.as_ptr(),
            class.as_ptr(),
            0, // not visible
            0,
            0,
            0,
            0,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            instance,
            std::ptr::null(),
        )
    };
    if window.is_null() {
        return Err(format!(
            "cannot create the notification window ({})",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: `window` is a window of this thread, created above.
    if unsafe { WTSRegisterSessionNotification(window, NOTIFY_FOR_THIS_SESSION) } == 0 {
        return Err(format!(
            "cannot register for session notifications ({})",
            std::io::Error::last_os_error()
        ));
    }
    // SAFETY: MSG is plain data, for which all zeroes is a valid value.
    let mut message: MSG = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `message` is a valid place for GetMessageW to write to; a null window
        // takes every message of this thread.
        match unsafe { GetMessageW(&mut message, std::ptr::null_mut(), 0, 0) } {
            0 => return Err("the notification window's message loop ended".into()),
            -1 => {
                return Err(format!(
                    "the notification window failed ({})",
                    std::io::Error::last_os_error()
                ))
            }
            // SAFETY: `message` was filled in by GetMessageW just now.
            _ => unsafe {
                DispatchMessageW(&message);
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_sys::Win32::UI::WindowsAndMessaging::{PBT_APMRESUMEAUTOMATIC, WTS_SESSION_UNLOCK};

    #[test]
    fn only_a_lock_and_a_suspend_lock_the_vault() {
        let lock = WTS_SESSION_LOCK as WPARAM;
        let suspend = PBT_APMSUSPEND as WPARAM;
        assert_eq!(
            event_of(WM_WTSSESSION_CHANGE, lock),
            Some(OsEvent::ScreenLock)
        );
        assert_eq!(event_of(WM_POWERBROADCAST, suspend), Some(OsEvent::Suspend));
        let unlock = WTS_SESSION_UNLOCK as WPARAM;
        let resume = PBT_APMRESUMEAUTOMATIC as WPARAM;
        assert_eq!(event_of(WM_WTSSESSION_CHANGE, unlock), None);
        assert_eq!(event_of(WM_POWERBROADCAST, resume), None);
        assert_eq!(event_of(WM_POWERBROADCAST, lock), None);
    }
}
