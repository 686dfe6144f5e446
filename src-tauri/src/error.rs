//! The error the front end receives: `{ kind, message }`. The UI switches on `kind`.

use sallyport_core::model::validate::FieldError;
use sallyport_core::ErrorKind;
use serde::Serialize;

/// A core error as sent over IPC. The message is one line and never contains a secret
/// (a guarantee of `sallyport_core::Error`'s `Display`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct ApiError {
    /// Stable machine-readable class, e.g. `wrong_password`, `locked_out`, `invalid`.
    pub kind: ErrorKind,
    /// Human-readable, one line.
    pub message: String,
    /// For a refused form: every wrong field with its message, shown beside the field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(as = "Option<_>", optional))] // absent when empty
    pub fields: Vec<FieldError>,
}

impl From<sallyport_core::Error> for ApiError {
    fn from(error: sallyport_core::Error) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
            fields: Vec::new(),
        }
    }
}

impl From<sallyport_service::ConnectError> for ApiError {
    fn from(error: sallyport_service::ConnectError) -> Self {
        Self {
            kind: error.kind(),
            message: error.to_string(),
            fields: Vec::new(),
        }
    }
}

impl From<Vec<FieldError>> for ApiError {
    fn from(fields: Vec<FieldError>) -> Self {
        let message = match fields.first() {
            Some(first) => format!("{}: {}", first.field.replace('_', " "), first.message),
            None => "the form is not valid".to_owned(),
        };
        Self {
            kind: ErrorKind::Invalid,
            message,
            fields,
        }
    }
}

impl ApiError {
    /// The clipboard could not be used (no display, no clipboard owner).
    pub fn clipboard(message: impl std::fmt::Display) -> Self {
        Self {
            kind: ErrorKind::Clipboard,
            message: message.to_string(),
            fields: Vec::new(),
        }
    }

    /// The OS keychain could not be used, or holds no key for this vault.
    pub fn keychain(message: impl std::fmt::Display) -> Self {
        Self {
            kind: ErrorKind::Keychain,
            message: message.to_string(),
            fields: Vec::new(),
        }
    }

    /// A copy held back until the user agrees: a session that shares the clipboard with
    /// another customer's server is open.
    pub fn clipboard_shared(message: impl std::fmt::Display) -> Self {
        Self {
            kind: ErrorKind::ClipboardShared,
            message: message.to_string(),
            fields: Vec::new(),
        }
    }

    /// The client could not be started.
    pub fn launch(message: impl std::fmt::Display) -> Self {
        Self {
            kind: ErrorKind::Launch,
            message: message.to_string(),
            fields: Vec::new(),
        }
    }
}

/// What every command returns.
pub type ApiResult<T> = Result<T, ApiError>;
