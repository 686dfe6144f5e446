//! AES-256-GCM sealing of records, bound to where they are stored.
//!
//! A sealed blob is `nonce (12 bytes) || ciphertext || tag (16 bytes)`. The associated data
//! names the format version, the table, the row id and the kind of blob, so a ciphertext
//! copied to another row, table or field no longer authenticates.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use std::sync::Mutex;

use aes_gcm::{Aes256Gcm, Nonce};
use zeroize::Zeroizing;

use crate::secret::Key256;
use crate::{Error, Result};

/// Version of the on-disk record format; part of every record's associated data.
pub const FORMAT_VERSION: u32 = 1;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|_| Error::Random)
}

/// A fresh 256-bit key from the operating system's CSPRNG.
pub fn random_key() -> Result<Key256> {
    let mut bytes = Zeroizing::new([0u8; 32]);
    fill_random(bytes.as_mut())?;
    Ok(Key256::from_bytes(*bytes))
}

/// What a blob holds; part of the associated data so fields cannot be swapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    /// The non-secret fields of a customer.
    Customer,
    /// The non-secret fields of an entry.
    Entry,
    /// An entry's secrets (password, TOTP secret, VPN secret).
    EntrySecrets,
    /// Vault settings (staff name, preferences).
    Settings,
    /// One audit event.
    AuditEvent,
    /// The .rdp signing certificate (DER).
    SigningCertificate,
    /// The .rdp signing certificate's private key (PKCS#8 DER).
    SigningKey,
}

impl BlobKind {
    fn as_str(self) -> &'static str {
        match self {
            BlobKind::Customer => "customer",
            BlobKind::Entry => "entry",
            BlobKind::EntrySecrets => "entry-secrets",
            BlobKind::Settings => "settings",
            BlobKind::AuditEvent => "audit-event",
            BlobKind::SigningCertificate => "signing-certificate",
            BlobKind::SigningKey => "signing-key",
        }
    }
}

/// Where a blob lives: the associated data of its encryption.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    /// Table name.
    pub table: &'a str,
    /// Row id (a UUID for records).
    pub row_id: &'a str,
    /// What the blob holds.
    pub kind: BlobKind,
}

impl Binding<'_> {
    fn associated_data(&self) -> Vec<u8> {
        let mut aad = Vec::with_capacity(64);
        aad.extend_from_slice(b"sallyport-record\0");
        aad.extend_from_slice(&FORMAT_VERSION.to_be_bytes());
        for part in [self.table, self.row_id, self.kind.as_str()] {
            aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
            aad.extend_from_slice(part.as_bytes());
        }
        aad
    }
}

/// Seals and opens records with one data key. The expanded AES key schedule is kept for
/// speed and wiped on drop (the `aes` crate's `zeroize` feature). The GHASH key kept beside
/// it (H = AES(key, 0), which would let someone forge a tag but reveals neither the key nor
/// any plaintext) is not: polyval 0.6's run-time-detected backend has no `Drop`.
pub struct RecordCipher {
    cipher: Aes256Gcm,
    nonces: Mutex<NoncePool>,
}

/// Random nonces fetched from the OS in batches (one system call per 64 records sealed).
/// Each nonce is used once and erased from the pool as it is taken.
struct NoncePool {
    bytes: [u8; NONCE_LEN * 64],
    used: usize,
}

impl NoncePool {
    fn take(&mut self) -> Result<[u8; NONCE_LEN]> {
        if self.used == self.bytes.len() {
            fill_random(&mut self.bytes)?;
            self.used = 0;
        }
        let mut nonce = [0u8; NONCE_LEN];
        let slot = &mut self.bytes[self.used..self.used + NONCE_LEN];
        nonce.copy_from_slice(slot);
        slot.fill(0);
        self.used += NONCE_LEN;
        Ok(nonce)
    }
}

impl RecordCipher {
    /// A cipher for the given data key.
    pub fn new(key: &Key256) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.expose().into()),
            nonces: Mutex::new(NoncePool {
                bytes: [0; NONCE_LEN * 64],
                used: NONCE_LEN * 64,
            }),
        }
    }

    /// Encrypts `plaintext` with a fresh random nonce, bound to `binding`.
    pub fn seal(&self, binding: Binding<'_>, plaintext: &[u8]) -> Result<Vec<u8>> {
        let nonce = self
            .nonces
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()?;
        seal_with_nonce(&self.cipher, nonce, &binding.associated_data(), plaintext)
    }

    /// Decrypts a blob made by [`RecordCipher::seal`] for the same binding.
    pub fn open(&self, binding: Binding<'_>, blob: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        open_with(&self.cipher, &binding.associated_data(), blob).ok_or_else(|| {
            Error::Integrity(format!(
                "{} record {} in table {} failed authentication (damaged or moved)",
                binding.kind.as_str(),
                crate::text::shown(binding.row_id), // a row id is plain text in the file
                binding.table
            ))
        })
    }
}

impl std::fmt::Debug for RecordCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecordCipher(<redacted>)")
    }
}

/// Seals with an arbitrary key and associated data (used for the wrapped data key).
pub fn seal(key: &Key256, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    seal_with(&Aes256Gcm::new(key.expose().into()), aad, plaintext)
}

/// Opens a blob sealed by [`seal`]; `None` when authentication fails.
pub fn open(key: &Key256, aad: &[u8], blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    open_with(&Aes256Gcm::new(key.expose().into()), aad, blob)
}

fn seal_with(cipher: &Aes256Gcm, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    fill_random(&mut nonce)?;
    seal_with_nonce(cipher, nonce, aad, plaintext)
}

fn seal_with_nonce(
    cipher: &Aes256Gcm,
    nonce: [u8; NONCE_LEN],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .map_err(|_| Error::Storage("encryption failed".into()))?;
    let mut blob = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    blob.extend_from_slice(&nonce);
    blob.extend_from_slice(&ciphertext);
    Ok(blob)
}

fn open_with(cipher: &Aes256Gcm, aad: &[u8], blob: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if blob.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
    cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .ok()
        .map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(byte: u8) -> Key256 {
        Key256::from_bytes([byte; 32])
    }

    /// The AES key schedule a `RecordCipher` keeps wipes itself when dropped: without the
    /// `aes` crate's `zeroize` feature `Aes256` is not `ZeroizeOnDrop` (nor dropped at all).
    #[test]
    fn the_kept_key_schedule_is_wiped_on_drop() {
        fn wiped_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        wiped_on_drop::<aes::Aes256>();
        assert!(std::mem::needs_drop::<aes::Aes256>());
    }

    fn binding<'a>(table: &'a str, row: &'a str, kind: BlobKind) -> Binding<'a> {
        Binding {
            table,
            row_id: row,
            kind,
        }
    }

    proptest! {
        #[test]
        fn seal_then_open_round_trips(plaintext in proptest::collection::vec(any::<u8>(), 0..2048),
                                      row in "[a-f0-9-]{1,36}") {
            let cipher = RecordCipher::new(&key(3));
            let b = binding("customers", &row, BlobKind::Customer);
            let blob = cipher.seal(b, &plaintext)?;
            prop_assert_eq!(&*cipher.open(b, &blob)?, &plaintext);
        }

        #[test]
        fn any_flipped_bit_fails(plaintext in proptest::collection::vec(any::<u8>(), 1..256),
                                 index in any::<prop::sample::Index>(), bit in 0u8..8) {
            let cipher = RecordCipher::new(&key(9));
            let b = binding("entries", "row-1", BlobKind::Entry);
            let mut blob = cipher.seal(b, &plaintext)?;
            let i = index.index(blob.len());
            blob[i] ^= 1 << bit;
            prop_assert!(matches!(cipher.open(b, &blob), Err(Error::Integrity(_))));
        }
    }

    #[test]
    fn pooled_nonces_never_repeat() {
        let cipher = RecordCipher::new(&key(1));
        let b = binding("customers", "a", BlobKind::Customer);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let blob = cipher.seal(b, b"x").unwrap();
            assert!(seen.insert(blob[..NONCE_LEN].to_vec()), "nonce reused");
        }
    }

    #[test]
    fn nonces_are_fresh() {
        let cipher = RecordCipher::new(&key(1));
        let b = binding("customers", "a", BlobKind::Customer);
        let x = cipher.seal(b, b"same").unwrap();
        let y = cipher.seal(b, b"same").unwrap();
        assert_ne!(x[..NONCE_LEN], y[..NONCE_LEN]);
        assert_ne!(x, y);
    }

    #[test]
    fn blob_moved_to_other_row_table_or_kind_fails() {
        let cipher = RecordCipher::new(&key(5));
        let original = binding("entries", "row-a", BlobKind::Entry);
        let blob = cipher.seal(original, b"{\"host\":\"x\"}").unwrap();
        for other in [
            binding("entries", "row-b", BlobKind::Entry),
            binding("customers", "row-a", BlobKind::Entry),
            binding("entries", "row-a", BlobKind::EntrySecrets),
        ] {
            assert!(matches!(
                cipher.open(other, &blob),
                Err(Error::Integrity(_))
            ));
        }
        assert!(cipher.open(original, &blob).is_ok());
    }

    #[test]
    fn wrong_key_and_truncated_blob_fail() {
        let b = binding("customers", "x", BlobKind::Customer);
        let blob = RecordCipher::new(&key(1)).seal(b, b"hello").unwrap();
        assert!(RecordCipher::new(&key(2)).open(b, &blob).is_err());
        assert!(RecordCipher::new(&key(1)).open(b, &blob[..10]).is_err());
    }
}
