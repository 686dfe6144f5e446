//! Types that hold secrets.
//!
//! Every secret in Sallyport lives in one of these types. They share three properties:
//! `Debug` prints `<redacted>`, they do not implement `Serialize` (so a secret cannot be
//! sent to the webview or written into JSON by accident), and their memory is zeroized
//! when they are dropped.

use std::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A secret text: a master password, an account password, a VPN secret.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a string; the caller gives up its copy.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself. Call only where the secret is really used.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of characters (not bytes).
    pub fn char_count(&self) -> usize {
        self.0.chars().count()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Secret bytes of arbitrary length: a decoded TOTP secret, a decrypted plaintext.
#[derive(Clone, Default, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Wraps bytes; the caller gives up its copy.
    pub fn new(value: Vec<u8>) -> Self {
        Self(value)
    }

    /// The secret bytes. Call only where they are really used.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Zeroizing<Vec<u8>>> for SecretBytes {
    fn from(mut value: Zeroizing<Vec<u8>>) -> Self {
        Self(std::mem::take(&mut *value))
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A 256-bit symmetric key: the vault's data key or the key-encryption key.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key256([u8; 32]);

impl Key256 {
    /// Takes ownership of raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The raw key bytes, for the cipher only.
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for Key256 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_is_redacted() {
        let canary = "hunter2-canary";
        let outputs = [
            format!("{:?}", SecretString::from(canary)),
            format!("{:?}", SecretBytes::new(canary.as_bytes().to_vec())),
            format!("{:?}", Key256::from_bytes([0x41; 32])),
            format!("{:#?}", Some(SecretString::from(canary))),
        ];
        for out in outputs {
            assert!(!out.contains(canary), "secret leaked through Debug: {out}");
            assert!(
                !out.contains("AAAA"),
                "key bytes leaked through Debug: {out}"
            );
            assert!(out.contains("<redacted>"), "unexpected Debug output: {out}");
        }
    }

    #[test]
    fn zeroize_clears_the_buffer() {
        let mut s = SecretString::from("top secret");
        s.zeroize();
        assert!(s.is_empty());
        let mut k = Key256::from_bytes([7; 32]);
        k.zeroize();
        assert_eq!(k.expose(), &[0u8; 32]);
    }
}
