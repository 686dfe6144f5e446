//! The backup file's encryption: a header naming the Argon2id cost and salt, then the
//! contents as a stream of AES-256-GCM chunks.
//!
//! Layout: `MAGIC ‖ version ‖ memory KiB ‖ passes ‖ lanes ‖ salt ‖ nonce prefix ‖ check`,
//! then chunks of [`CHUNK`] plaintext bytes (the last one shorter, possibly empty), each
//! sealed under nonce `prefix ‖ chunk number ‖ last flag` with the whole header as
//! associated data. A reordered, dropped, edited or cut chunk fails authentication; so
//! does a file cut at a chunk boundary (its final chunk is not marked last).
//!
//! The Argon2id output is split by HKDF-SHA256 into the stream key and a check key; the
//! header's `check` (HMAC of the header under the check key) tells a wrong password apart
//! before any chunk is read.

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Arc;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::secret::{Key256, SecretString};
use crate::vault::kdf::KdfParams;
use crate::{Error, Result};

/// The first bytes of every backup file.
pub const MAGIC: &[u8; 16] = b"SALLYPORT BACKUP";
const VERSION: u8 = 1;
const SALT_LEN: usize = 32;
const PREFIX_LEN: usize = 7;
const CHECK_LEN: usize = 16;
/// Header length in bytes.
pub const HEADER_LEN: usize = MAGIC.len() + 1 + 12 + SALT_LEN + PREFIX_LEN + CHECK_LEN;
/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;
const TAG_LEN: usize = 16;

const STREAM_INFO: &[u8] = b"sallyport backup stream key v1";
const CHECK_INFO: &[u8] = b"sallyport backup check key v1";

/// A backup's keys and header, derived once from its password.
pub struct BackupKey {
    cipher: Aes256Gcm,
    header: [u8; HEADER_LEN],
    prefix: [u8; PREFIX_LEN],
}

impl std::fmt::Debug for BackupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BackupKey(<redacted>)")
    }
}

/// The stream key and the check key, from the Argon2id output.
fn split(master: &Key256) -> Result<(Key256, Key256)> {
    let hkdf = Hkdf::<Sha256>::from_prk(master.expose())
        .map_err(|_| Error::Storage("backup key derivation failed".into()))?;
    let mut stream = Zeroizing::new([0u8; 32]);
    let mut check = Zeroizing::new([0u8; 32]);
    hkdf.expand(STREAM_INFO, stream.as_mut())
        .and_then(|()| hkdf.expand(CHECK_INFO, check.as_mut()))
        .map_err(|_| Error::Storage("backup key derivation failed".into()))?;
    Ok((Key256::from_bytes(*stream), Key256::from_bytes(*check)))
}

fn check_tag(check_key: &Key256, header_without_check: &[u8]) -> [u8; CHECK_LEN] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(check_key.expose())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(header_without_check);
    let full = mac.finalize().into_bytes();
    let mut tag = [0u8; CHECK_LEN];
    tag.copy_from_slice(&full[..CHECK_LEN]);
    tag
}

impl BackupKey {
    /// A new key for a new backup: fresh salt and nonce prefix, `kdf` cost.
    pub fn create(password: &SecretString, kdf: KdfParams) -> Result<Self> {
        let mut salt = [0u8; SALT_LEN];
        let mut prefix = [0u8; PREFIX_LEN];
        crate::crypto::fill_random(&mut salt)?;
        crate::crypto::fill_random(&mut prefix)?;
        let (stream, check) = split(&kdf.derive(password, &salt)?)?;
        let mut header = [0u8; HEADER_LEN];
        let mut at = 0;
        for part in [
            &MAGIC[..],
            &[VERSION],
            &kdf.memory_kib.to_be_bytes(),
            &kdf.iterations.to_be_bytes(),
            &kdf.parallelism.to_be_bytes(),
            &salt,
            &prefix,
        ] {
            header[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        let tag = check_tag(&check, &header[..at]);
        header[at..].copy_from_slice(&tag);
        Ok(Self {
            cipher: Aes256Gcm::new(stream.expose().into()),
            header,
            prefix,
        })
    }

    /// Reads a backup's header and derives its key from `password`.
    /// `path` is how the file is named in errors.
    pub fn open(header: &[u8], password: &SecretString, path: &Path) -> Result<Self> {
        let bad = |what: &str| Error::Import(format!("{}: {what}", path.display()));
        if header.len() < MAGIC.len() || &header[..MAGIC.len()] != MAGIC {
            return Err(bad("not a Sallyport backup"));
        }
        if header.len() < HEADER_LEN {
            return Err(bad("the backup's header is cut short"));
        }
        let header: [u8; HEADER_LEN] = header[..HEADER_LEN]
            .try_into()
            .map_err(|_| bad("the backup's header is cut short"))?;
        if header[MAGIC.len()] != VERSION {
            return Err(bad(&format!(
                "backup format version {} is not supported (this Sallyport reads version {VERSION})",
                header[MAGIC.len()]
            )));
        }
        let word = |i: usize| {
            let at = MAGIC.len() + 1 + 4 * i;
            u32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
        };
        let kdf = KdfParams {
            memory_kib: word(0),
            iterations: word(1),
            parallelism: word(2),
        };
        kdf.check_bounds()
            .map_err(|e| bad(&format!("the backup's key-derivation cost is refused: {e}")))?;
        let salt_at = MAGIC.len() + 1 + 12;
        let prefix_at = salt_at + SALT_LEN;
        let check_at = prefix_at + PREFIX_LEN;
        let (stream, check) = split(&kdf.derive(password, &header[salt_at..prefix_at])?)?;
        let expected = check_tag(&check, &header[..check_at]);
        if !subtle_eq(&expected, &header[check_at..]) {
            return Err(Error::WrongBackupPassword(path.to_path_buf()));
        }
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[prefix_at..check_at]);
        Ok(Self {
            cipher: Aes256Gcm::new(stream.expose().into()),
            header,
            prefix,
        })
    }

    /// The header bytes this key belongs to.
    pub fn header(&self) -> &[u8; HEADER_LEN] {
        &self.header
    }

    fn nonce(&self, counter: u32, last: bool) -> [u8; 12] {
        let mut nonce = [0u8; 12];
        nonce[..PREFIX_LEN].copy_from_slice(&self.prefix);
        nonce[PREFIX_LEN..PREFIX_LEN + 4].copy_from_slice(&counter.to_be_bytes());
        nonce[11] = u8::from(last);
        nonce
    }

    fn seal(&self, counter: u32, last: bool, plain: &[u8]) -> io::Result<Vec<u8>> {
        let nonce = self.nonce(counter, last);
        self.cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: &self.header,
                },
            )
            .map_err(|_| io::Error::other("encryption failed"))
    }

    fn open_chunk(&self, counter: u32, last: bool, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        let nonce = self.nonce(counter, last);
        self.cipher
            .decrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: sealed,
                    aad: &self.header,
                },
            )
            .ok()
            .map(Zeroizing::new)
    }
}

/// Constant-time equality of two byte strings of the same length.
fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Encrypts what is written to it, chunk by chunk; [`Encryptor::finish`] seals the last.
pub struct Encryptor<'k, W: Write> {
    key: &'k BackupKey,
    out: W,
    buffer: Zeroizing<Vec<u8>>,
    counter: u32,
}

impl<'k, W: Write> Encryptor<'k, W> {
    /// Writes the header to `out` and starts the stream.
    pub fn new(key: &'k BackupKey, mut out: W) -> io::Result<Self> {
        out.write_all(&key.header)?;
        Ok(Self {
            key,
            out,
            buffer: Zeroizing::new(Vec::with_capacity(CHUNK)),
            counter: 0,
        })
    }

    fn seal_full_chunk(&mut self) -> io::Result<()> {
        let sealed = self.key.seal(self.counter, false, &self.buffer)?;
        self.out.write_all(&sealed)?;
        self.buffer.clear();
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| io::Error::other("the backup is too large"))?;
        Ok(())
    }

    /// Seals the final chunk and returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        let sealed = self.key.seal(self.counter, true, &self.buffer)?;
        self.out.write_all(&sealed)?;
        self.buffer.clear();
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for Encryptor<'_, W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buffer.len() == CHUNK {
            // Only now is it known that this chunk is not the last.
            self.seal_full_chunk()?;
        }
        let n = data.len().min(CHUNK - self.buffer.len());
        self.buffer.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(()) // a chunk is written when it is full or at `finish`
    }
}

/// Decrypts a backup stream (positioned after the header) as it is read.
pub struct Decryptor<R: Read> {
    key: Arc<BackupKey>,
    input: R,
    plain: Zeroizing<Vec<u8>>,
    at: usize,
    counter: u32,
    /// A byte read ahead to tell whether the chunk just read was the last.
    ahead: Option<u8>,
    done: bool,
}

impl<R: Read> Decryptor<R> {
    /// Reads the stream from `input`, whose header has already been read.
    pub fn new(key: Arc<BackupKey>, input: R) -> Self {
        Self {
            key,
            input,
            plain: Zeroizing::new(Vec::new()),
            at: 0,
            counter: 0,
            ahead: None,
            done: false,
        }
    }

    fn damaged(&self, what: &str) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "the backup is damaged or cut short ({what} at chunk {})",
                self.counter + 1
            ),
        )
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let mut sealed = Vec::with_capacity(CHUNK + TAG_LEN);
        if let Some(b) = self.ahead.take() {
            sealed.push(b);
        }
        (&mut self.input)
            .take((CHUNK + TAG_LEN - sealed.len()) as u64)
            .read_to_end(&mut sealed)?;
        let mut probe = [0u8; 1];
        let last = loop {
            match self.input.read(&mut probe) {
                Ok(0) => break true,
                Ok(_) => {
                    self.ahead = Some(probe[0]);
                    break false;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        if sealed.len() < TAG_LEN {
            return Err(self.damaged("a chunk is missing"));
        }
        if !last && sealed.len() != CHUNK + TAG_LEN {
            return Err(self.damaged("a short chunk"));
        }
        self.plain = self
            .key
            .open_chunk(self.counter, last, &sealed)
            .ok_or_else(|| self.damaged("authentication failed"))?;
        self.at = 0;
        self.done = last;
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| self.damaged("too many chunks"))?;
        Ok(())
    }
}

impl<R: Read> Read for Decryptor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = buf.len().min(self.plain.len() - self.at);
        buf[..n].copy_from_slice(&self.plain[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One key for every test here (each derivation costs an Argon2id run).
    fn key() -> Arc<BackupKey> {
        static KEY: std::sync::OnceLock<Arc<BackupKey>> = std::sync::OnceLock::new();
        Arc::clone(KEY.get_or_init(|| {
            Arc::new(
                BackupKey::create(&SecretString::from("backup password"), KdfParams::floor())
                    .unwrap(),
            )
        }))
    }

    fn encrypt(key: &BackupKey, plain: &[u8]) -> Vec<u8> {
        let mut enc = Encryptor::new(key, Vec::new()).unwrap();
        enc.write_all(plain).unwrap();
        enc.finish().unwrap()
    }

    fn decrypt(key: &Arc<BackupKey>, file: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        Decryptor::new(Arc::clone(key), &file[HEADER_LEN..]).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn round_trips_at_chunk_boundaries() {
        let key = key();
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 7] {
            let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let file = encrypt(&key, &plain);
            assert_eq!(decrypt(&key, &file).unwrap(), plain, "length {len}");
        }
    }

    #[test]
    fn the_password_is_checked_from_the_header() {
        let key = key();
        let file = encrypt(&key, b"hello");
        let reopened = Arc::new(
            BackupKey::open(
                &file,
                &SecretString::from("backup password"),
                Path::new("b"),
            )
            .unwrap(),
        );
        assert_eq!(decrypt(&reopened, &file).unwrap(), b"hello");
        let wrong =
            BackupKey::open(&file, &SecretString::from("not it"), Path::new("b")).unwrap_err();
        assert!(matches!(wrong, Error::WrongBackupPassword(_)), "{wrong}");
        let mut not_ours = file.clone();
        not_ours[0] = b'X';
        let err =
            BackupKey::open(&not_ours, &SecretString::from("x"), Path::new("b.spb")).unwrap_err();
        assert_eq!(err.to_string(), "b.spb: not a Sallyport backup");
    }

    #[test]
    fn cut_reordered_or_edited_streams_fail() {
        let key = key();
        let plain = vec![7u8; 3 * CHUNK];
        let file = encrypt(&key, &plain);
        let sealed = CHUNK + TAG_LEN;
        // Cut at a chunk boundary: the remaining final chunk is not marked last.
        let cut = &file[..HEADER_LEN + 2 * sealed];
        assert!(decrypt(&key, cut).is_err());
        // Cut inside a chunk.
        assert!(decrypt(&key, &file[..file.len() - 3]).is_err());
        // Two chunks swapped.
        let mut swapped = file.clone();
        let (a, b) = (HEADER_LEN, HEADER_LEN + sealed);
        let first = swapped[a..b].to_vec();
        swapped.copy_within(b..b + sealed, a);
        swapped[b..b + sealed].copy_from_slice(&first);
        assert!(decrypt(&key, &swapped).is_err());
        // Anything appended.
        let mut longer = file.clone();
        longer.push(0);
        assert!(decrypt(&key, &longer).is_err());
        let err = decrypt(&key, cut).unwrap_err().to_string();
        assert!(err.contains("damaged or cut short"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn any_flipped_bit_is_detected(byte in 0usize..(2 * CHUNK + 100), bit in 0u8..8) {
            let key = key();
            let plain = vec![1u8; 2 * CHUNK + 40];
            let mut file = encrypt(&key, &plain);
            let at = HEADER_LEN + byte % (file.len() - HEADER_LEN);
            file[at] ^= 1 << bit;
            prop_assert!(decrypt(&key, &file).is_err());
        }
    }
}
