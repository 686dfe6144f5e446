//! The error the front end receives: `{ kind, message }`. The UI switches on `kind`.

use serde::Serialize;

/// A core error as sent over IPC. The message is one line and never contains a secret
/// (a guarantee of `sallyport_core::Error`'s `Display`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    /// Stable machine-readable class, e.g. `wrong_password`, `locked_out`, `invalid`.
    pub kind: &'static str,
    /// Human-readable, one line.
    pub message: String,
}

impl From<sallyport_core::Error> for ApiError {
    fn from(error: sallyport_core::Error) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
        }
    }
}

impl ApiError {
    /// The clipboard could not be used (no display, no clipboard owner).
    pub fn clipboard(message: impl std::fmt::Display) -> Self {
        Self {
            kind: "clipboard",
            message: message.to_string(),
        }
    }

    /// The client could not be started.
    pub fn launch(message: impl std::fmt::Display) -> Self {
        Self {
            kind: "launch",
            message: message.to_string(),
        }
    }
}
