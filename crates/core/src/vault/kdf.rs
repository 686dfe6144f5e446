//! Argon2id key derivation from the master password, with enforced bounds.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};

use crate::secret::{Key256, SecretString};
use crate::{Error, Result};

/// Lowest accepted memory cost (KiB), the OWASP minimum for Argon2id.
pub const MIN_MEMORY_KIB: u32 = 19_456;
/// Highest accepted memory cost (KiB): 1 GiB.
pub const MAX_MEMORY_KIB: u32 = 1_048_576;
/// Lowest accepted number of passes.
pub const MIN_ITERATIONS: u32 = 2;
/// Highest accepted number of passes.
pub const MAX_ITERATIONS: u32 = 10;
/// Highest accepted parallelism (lanes).
pub const MAX_PARALLELISM: u32 = 4;

/// Argon2id cost parameters, stored in the vault header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism (lanes).
    pub parallelism: u32,
}

impl Default for KdfParams {
    /// 64 MiB, three passes, one lane per core up to four.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
        Self {
            memory_kib: 65_536,
            iterations: 3,
            parallelism: cores.clamp(1, MAX_PARALLELISM),
        }
    }
}

impl KdfParams {
    /// The cheapest parameters the vault accepts (tests and benchmarks).
    pub fn floor() -> Self {
        Self {
            memory_kib: MIN_MEMORY_KIB,
            iterations: MIN_ITERATIONS,
            parallelism: 1,
        }
    }

    /// Refuses parameters outside the floors and ceilings.
    pub fn check_bounds(&self) -> Result<()> {
        let out = |what: String| Err(Error::KdfOutOfRange(what));
        if !(MIN_MEMORY_KIB..=MAX_MEMORY_KIB).contains(&self.memory_kib) {
            return out(format!(
                "Argon2 memory {} KiB is outside {MIN_MEMORY_KIB}..={MAX_MEMORY_KIB} KiB",
                self.memory_kib
            ));
        }
        if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&self.iterations) {
            return out(format!(
                "Argon2 iterations {} is outside {MIN_ITERATIONS}..={MAX_ITERATIONS}",
                self.iterations
            ));
        }
        if !(1..=MAX_PARALLELISM).contains(&self.parallelism) {
            return out(format!(
                "Argon2 parallelism {} is outside 1..={MAX_PARALLELISM}",
                self.parallelism
            ));
        }
        Ok(())
    }

    /// Derives the key-encryption key from the master password and salt.
    pub fn derive(&self, password: &SecretString, salt: &[u8]) -> Result<Key256> {
        self.check_bounds()?;
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|e| Error::KdfOutOfRange(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let mut out = [0u8; 32];
        let derived = argon.hash_password_into(password.expose().as_bytes(), salt, &mut out);
        let key = Key256::from_bytes(out);
        // clear intermediates
        zeroize::Zeroize::zeroize(&mut out);
        derived.map_err(|e| Error::KdfOutOfRange(e.to_string()))?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_enforced() {
        let ok = KdfParams::floor();
        assert!(ok.check_bounds().is_ok());
        let cases = [
            KdfParams {
                memory_kib: MIN_MEMORY_KIB - 1,
                ..ok
            },
            KdfParams {
                memory_kib: MAX_MEMORY_KIB + 1,
                ..ok
            },
            KdfParams {
                iterations: MIN_ITERATIONS - 1,
                ..ok
            },
            KdfParams {
                iterations: MAX_ITERATIONS + 1,
                ..ok
            },
            KdfParams {
                parallelism: 0,
                ..ok
            },
            KdfParams {
                parallelism: MAX_PARALLELISM + 1,
                ..ok
            },
        ];
        for params in cases {
            assert!(
                matches!(params.check_bounds(), Err(Error::KdfOutOfRange(_))),
                "{params:?} was accepted"
            );
        }
    }

    #[test]
    fn derivation_depends_on_password_salt_and_params() {
        let p = KdfParams::floor();
        let pw = SecretString::from("correct horse");
        let base = p.derive(&pw, b"0123456789abcdef").unwrap();
        let same = p.derive(&pw, b"0123456789abcdef").unwrap();
        assert_eq!(base.expose(), same.expose());
        let other_salt = p.derive(&pw, b"0123456789abcdeX").unwrap();
        let other_pw = p
            .derive(&SecretString::from("correct horsE"), b"0123456789abcdef")
            .unwrap();
        let more_iter = KdfParams { iterations: 3, ..p }
            .derive(&pw, b"0123456789abcdef")
            .unwrap();
        for other in [other_salt, other_pw, more_iter] {
            assert_ne!(base.expose(), other.expose());
        }
    }
}
