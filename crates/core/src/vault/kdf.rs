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

/// The unlock time [`KdfParams::calibrate`] aims for, and the window it accepts.
pub const CALIBRATION_TARGET: std::time::Duration = std::time::Duration::from_millis(750);
const CALIBRATION_WINDOW: std::ops::RangeInclusive<std::time::Duration> =
    std::time::Duration::from_millis(500)..=std::time::Duration::from_millis(1000);

impl KdfParams {
    /// Parameters that take about [`CALIBRATION_TARGET`] (0.5–1 s) to derive a key on this
    /// machine: the default cost, with passes (then memory) scaled to the measured speed,
    /// never outside the accepted bounds.
    pub fn calibrate() -> Self {
        let password = SecretString::from("calibration only");
        Self::calibrated(|params| {
            let start = std::time::Instant::now();
            let _ = params.derive(&password, b"calibration salt");
            start.elapsed()
        })
    }

    /// [`KdfParams::calibrate`] with the timing injected: `measure` says how long one
    /// derivation with the given parameters takes.
    pub fn calibrated(mut measure: impl FnMut(&KdfParams) -> std::time::Duration) -> Self {
        let mut params = Self::default();
        for _ in 0..6 {
            let took = measure(&params).max(std::time::Duration::from_millis(1));
            if CALIBRATION_WINDOW.contains(&took) {
                break;
            }
            let scale = CALIBRATION_TARGET.as_secs_f64() / took.as_secs_f64();
            let scaled = |value: u32, min: u32, max: u32| {
                let v = (f64::from(value) * scale).round();
                (v.max(f64::from(min)).min(f64::from(max))) as u32
            };
            let iterations = scaled(params.iterations, MIN_ITERATIONS, MAX_ITERATIONS);
            if iterations != params.iterations {
                params.iterations = iterations;
                continue;
            }
            let memory_kib = scaled(params.memory_kib, MIN_MEMORY_KIB, MAX_MEMORY_KIB);
            if memory_kib == params.memory_kib {
                break; // at a bound: as close as the limits allow
            }
            params.memory_kib = memory_kib;
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A machine where a derivation costs `nanos_per_kib_pass` per KiB and pass.
    fn machine(nanos_per_kib_pass: u64) -> impl FnMut(&KdfParams) -> Duration {
        move |p| {
            Duration::from_nanos(
                u64::from(p.memory_kib) * u64::from(p.iterations) * nanos_per_kib_pass,
            )
        }
    }

    #[test]
    fn calibration_lands_in_the_window_on_ordinary_machines() {
        // 64 MiB × 3 passes takes 0.2 s, 0.75 s and 1.6 s on these machines.
        for nanos in [1_000, 3_815, 8_138] {
            let params = KdfParams::calibrated(machine(nanos));
            let took = machine(nanos)(&params);
            assert!(
                CALIBRATION_WINDOW.contains(&took),
                "{nanos} ns: {params:?} takes {took:?}"
            );
            assert!(params.check_bounds().is_ok());
        }
    }

    #[test]
    fn calibration_stays_within_bounds_on_extreme_machines() {
        let fast = KdfParams::calibrated(machine(1));
        assert!(fast.check_bounds().is_ok());
        assert_eq!(fast.iterations, MAX_ITERATIONS);
        assert_eq!(fast.memory_kib, MAX_MEMORY_KIB);
        let slow = KdfParams::calibrated(machine(1_000_000));
        assert!(slow.check_bounds().is_ok());
        assert_eq!(slow.iterations, MIN_ITERATIONS);
        assert_eq!(slow.memory_kib, MIN_MEMORY_KIB);
    }

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
