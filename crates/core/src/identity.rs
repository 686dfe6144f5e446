//! Who is using the vault: the staff name chosen at vault creation, plus the operating
//! system's user and host name (recorded in the audit log).

use serde::{Deserialize, Serialize};

/// The device a session runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Operating-system login name.
    pub os_user: String,
    /// Host name of the machine.
    pub host: String,
}

impl Device {
    /// The current user and machine, as far as the OS tells.
    pub fn current() -> Self {
        Self {
            os_user: whoami::username(),
            host: whoami::fallible::hostname().unwrap_or_else(|_| "unknown-host".into()),
        }
    }
}

/// Validates a staff name: 1–100 characters on one line.
pub fn staff_name(value: &str) -> crate::Result<String> {
    crate::model::validate::required_line("staff", value, 100)
}
