//! The user's .rdp defaults: display and redirections.

use serde::{Deserialize, Serialize};

/// Window or full screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum ScreenMode {
    /// A window of `width` × `height`.
    Windowed,
    /// Full screen (the default, as mstsc does).
    #[default]
    Fullscreen,
}

/// Display and redirection settings written into every .rdp file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct RdpPreferences {
    /// Window or full screen.
    pub screen_mode: ScreenMode,
    /// Window width in pixels (windowed mode).
    pub width: u16,
    /// Window height in pixels (windowed mode).
    pub height: u16,
    /// Use all monitors.
    pub multi_monitor: bool,
    /// Share the clipboard with the remote session. Off by default: while connected to one
    /// customer's server, every secret copied from Sallyport (another customer's password
    /// or TOTP code) would be offered to that server.
    pub redirect_clipboard: bool,
    /// Share local drives with the remote session (off by default: customers' servers
    /// should not see staff laptops' disks).
    pub redirect_drives: bool,
    /// Share local printers (off by default).
    pub redirect_printers: bool,
}

impl Default for RdpPreferences {
    fn default() -> Self {
        Self {
            screen_mode: ScreenMode::Fullscreen,
            width: 1600,
            height: 900,
            multi_monitor: false,
            redirect_clipboard: false,
            redirect_drives: false,
            redirect_printers: false,
        }
    }
}

impl RdpPreferences {
    /// Checks the window size (200–8192 pixels each way).
    pub fn validate(&self) -> crate::Result<()> {
        for (field, value) in [("width", self.width), ("height", self.height)] {
            if !(200..=8192).contains(&value) {
                return Err(crate::Error::invalid(
                    field,
                    format!("{value} is not a window size from 200 to 8192 pixels"),
                ));
            }
        }
        Ok(())
    }
}
