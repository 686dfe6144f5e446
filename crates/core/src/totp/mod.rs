//! TOTP (RFC 6238): parsing secrets (Base32, `otpauth://` URIs, QR-code images, Google
//! Authenticator export codes) and computing codes. Codes are computed here, in Rust, only.

mod code;
mod migration;
mod parse;
mod qr;

pub use code::{TotpCode, TotpGenerator};
pub use migration::{decode_migration_uri, MigrationAccounts};
pub use parse::{decode_base32, parse, to_uri};
pub use qr::{decode_qr_file, decode_qr_image};

use serde::{Deserialize, Serialize};

/// Shortest accepted secret: 80 bits, the common authenticator default.
pub const MIN_SECRET_BYTES: usize = 10;

/// HMAC algorithm of a TOTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "UPPERCASE")]
pub enum TotpAlgorithm {
    /// HMAC-SHA1 (the default).
    #[default]
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// The non-secret parameters of a TOTP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TotpParams {
    /// HMAC algorithm.
    pub algorithm: TotpAlgorithm,
    /// Code length, 6 to 8.
    pub digits: u8,
    /// Period in seconds.
    pub period: u32,
    /// Issuer, e.g. "Acme VPN".
    #[serde(default)]
    pub issuer: String,
    /// Account name from the URI label.
    #[serde(default)]
    pub account: String,
}

impl Default for TotpParams {
    fn default() -> Self {
        Self {
            algorithm: TotpAlgorithm::Sha1,
            digits: 6,
            period: 30,
            issuer: String::new(),
            account: String::new(),
        }
    }
}
