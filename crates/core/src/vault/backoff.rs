//! Unlock throttling: after five failures in a row, attempts are refused for 30 s, doubling
//! with every further failure up to 15 min. The state lives in the vault file so it survives
//! restarts; while it is active even a correct password is not checked.

use serde::{Deserialize, Serialize};

/// Failures allowed before the first wait.
pub const FREE_ATTEMPTS: u32 = 5;
/// The first wait, in seconds.
pub const FIRST_WAIT_SECONDS: u64 = 30;
/// The longest wait, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 15 * 60;

/// Persisted unlock-failure state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    /// Failed attempts in a row.
    pub failures: u32,
    /// Unix time of the last failed attempt.
    pub last_failure_unix: i64,
}

impl Backoff {
    /// Seconds the user must still wait at `now_unix`; 0 when an attempt may be made.
    pub fn wait_seconds(&self, now_unix: i64) -> u64 {
        let wait = wait_after(self.failures);
        let elapsed = now_unix.saturating_sub(self.last_failure_unix).max(0) as u64;
        wait.saturating_sub(elapsed)
    }

    /// The state after one more failure at `now_unix`.
    pub fn after_failure(self, now_unix: i64) -> Backoff {
        Backoff {
            failures: self.failures.saturating_add(1),
            last_failure_unix: now_unix,
        }
    }
}

/// The wait imposed after `failures` failures in a row.
pub fn wait_after(failures: u32) -> u64 {
    if failures < FREE_ATTEMPTS {
        return 0;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(16);
    (FIRST_WAIT_SECONDS << doublings).min(MAX_WAIT_SECONDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_30_seconds_to_15_minutes() {
        let waits: Vec<u64> = (0..12).map(wait_after).collect();
        assert_eq!(waits, [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(wait_after(u32::MAX), 900);
    }

    #[test]
    fn wait_counts_down_from_the_last_failure() {
        let mut b = Backoff::default();
        for t in 0..5 {
            assert_eq!(b.wait_seconds(1000 + t), 0);
            b = b.after_failure(1000 + t);
        }
        assert_eq!(b.wait_seconds(1004), 30);
        assert_eq!(b.wait_seconds(1020), 14);
        assert_eq!(b.wait_seconds(1034), 0);
        // a clock that went backwards does not shorten the wait
        assert_eq!(b.wait_seconds(900), 30);
    }
}
