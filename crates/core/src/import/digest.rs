//! A reader that hashes what passes through it, so the apply pass can prove it read the
//! same file as the preview.

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use sha2::{Digest, Sha256};

/// Wraps a reader and computes the SHA-256 of every byte read.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    /// Bytes read so far, shared with whoever reports progress.
    read: Rc<Cell<u64>>,
}

impl<R: Read> HashingReader<R> {
    /// Starts hashing `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            read: Rc::new(Cell::new(0)),
        }
    }

    /// A counter of the bytes read so far.
    pub fn counter(&self) -> Rc<Cell<u64>> {
        Rc::clone(&self.read)
    }

    /// Reads whatever is left, then returns the digest of everything read.
    pub fn finish(mut self) -> [u8; 32] {
        let mut rest = [0u8; 8192];
        while let Ok(n @ 1..) = self.inner.read(&mut rest) {
            self.hasher.update(&rest[..n]);
        }
        self.hasher.finalize().into()
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}
