//! What the fuzz targets (and `examples/make_seeds.rs`) share: the vaults and the backup
//! key they run on (made once per process), the properties every error of an untrusted
//! input must have, and a writer of Google Authenticator export payloads.

use std::sync::{Arc, OnceLock};

use sallyport_core::backup::BackupKey;
use sallyport_core::fuzzing::Vault;
use sallyport_core::text::is_forbidden_inline;
use sallyport_core::totp::{TotpAlgorithm, TotpParams};
use sallyport_core::vault::kdf::KdfParams;
use sallyport_core::{SecretBytes, SecretString};

/// The import fixture with four customers and six entries, to conflict with.
pub const VALID_CSV: &[u8] = include_bytes!("../../tests/fixtures/import/valid.csv");

/// A vault in memory holding [`VALID_CSV`].
pub fn populated_vault() -> &'static Vault {
    static VAULT: OnceLock<Vault> = OnceLock::new();
    VAULT.get_or_init(|| Vault::new(VALID_CSV).expect("a vault holding valid.csv"))
}

/// An empty vault in memory.
pub fn empty_vault() -> &'static Vault {
    static VAULT: OnceLock<Vault> = OnceLock::new();
    VAULT.get_or_init(|| Vault::new(b"").expect("an empty vault"))
}

/// A backup key (Argon2id at its floor, derived once per process).
pub fn backup_key() -> &'static Arc<BackupKey> {
    static KEY: OnceLock<Arc<BackupKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        let password = SecretString::from("fuzzing backup password");
        Arc::new(BackupKey::create(&password, KdfParams::floor()).expect("a backup key"))
    })
}

/// Panics unless `message` is one line of plain text, as the command line prints errors:
/// no line break, control character, line separator or bidi override.
pub fn assert_one_line(message: &str) {
    assert!(
        !message.is_empty() && !message.chars().any(is_forbidden_inline),
        "an error message is not one line of text: {message:?}"
    );
}

/// Panics if `message` holds `secret` (compared case-insensitively), or 8 characters of
/// it in a row (a part of a secret is a secret too), unless `template` (the message the
/// same input gets with another secret) holds them too: then they are the message's own
/// words, not an echo.
pub fn assert_not_echoed(message: &str, template: &str, secret: &str, what: &str) {
    let (message, template) = (message.to_lowercase(), template.to_lowercase());
    let secret: Vec<char> = secret.to_lowercase().chars().collect();
    for piece in secret.windows(secret.len().clamp(1, 8)) {
        let piece: String = piece.iter().collect();
        assert!(
            !message.contains(&piece) || template.contains(&piece),
            "the error message echoes {piece:?} of the {what}: {message:?}"
        );
    }
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn bytes_field(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    varint(out, field << 3 | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn varint_field(out: &mut Vec<u8>, field: u64, value: u64) {
    varint(out, field << 3);
    varint(out, value);
}

/// A Google Authenticator `MigrationPayload` holding `accounts` as `OtpParameters` (the
/// name written as Google writes it: `issuer:account`, or the account alone), followed by
/// `hotp` counter-based accounts.
pub fn migration_payload(accounts: &[(TotpParams, SecretBytes)], hotp: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (params, secret) in accounts {
        let name = match (params.issuer.as_str(), params.account.as_str()) {
            ("", account) if account.contains(':') => format!(":{account}"),
            ("", account) => account.to_owned(),
            (issuer, account) => format!("{issuer}:{account}"),
        };
        let mut message = Vec::new();
        bytes_field(&mut message, 1, secret.expose());
        bytes_field(&mut message, 2, name.as_bytes());
        bytes_field(&mut message, 3, params.issuer.as_bytes());
        let algorithm = match params.algorithm {
            TotpAlgorithm::Sha1 => 1,
            TotpAlgorithm::Sha256 => 2,
            TotpAlgorithm::Sha512 => 3,
        };
        varint_field(&mut message, 4, algorithm);
        varint_field(&mut message, 5, if params.digits == 8 { 2 } else { 1 });
        varint_field(&mut message, 6, 2); // TOTP
        bytes_field(&mut out, 1, &message);
    }
    for n in 0..hotp {
        let mut message = Vec::new();
        bytes_field(&mut message, 1, b"12345678901234567890");
        bytes_field(&mut message, 2, format!("counter {n}").as_bytes());
        varint_field(&mut message, 6, 1); // HOTP
        varint_field(&mut message, 7, 1); // counter
        bytes_field(&mut out, 1, &message);
    }
    varint_field(&mut out, 2, 1); // version
    out
}

/// The `otpauth-migration://` URI of a payload.
pub fn migration_uri(payload: &[u8]) -> String {
    format!(
        "otpauth-migration://offline?data={}",
        data_encoding::BASE64.encode(payload)
    )
}
