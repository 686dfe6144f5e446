//! Computing codes: RFC 6238 through `totp-rs`, for any time.

use serde::Serialize;
use totp_rs::{Algorithm, TOTP};

use super::{TotpAlgorithm, TotpParams, MIN_SECRET_BYTES};
use crate::secret::SecretBytes;
use crate::{Error, Result};

/// A code and how long it stays valid. The code is what the user types; the secret that
/// made it never leaves [`TotpGenerator`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TotpCode {
    /// The code, zero-padded to `digits`.
    pub code: String,
    /// Seconds until the next code.
    pub seconds_left: u32,
    /// Period in seconds.
    pub period: u32,
    /// Number of digits.
    pub digits: u8,
}

/// Computes the codes of one secret. Holds the secret (zeroized on drop); made by the
/// session, which records the TOTP read in the audit log when it hands one out.
pub struct TotpGenerator {
    totp: TOTP,
    params: TotpParams,
}

impl std::fmt::Debug for TotpGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpGenerator")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl TotpGenerator {
    /// A generator for `secret` with `params`. Secrets of 80 bits (the common
    /// authenticator default) are accepted: `totp-rs`'s 128-bit minimum is bypassed on
    /// purpose, as customers' MFA enrolments hand out 80-bit secrets.
    pub fn new(params: &TotpParams, secret: &SecretBytes) -> Result<Self> {
        if !(6..=8).contains(&params.digits) {
            return Err(Error::invalid("totp", "digits must be 6, 7 or 8"));
        }
        if params.period == 0 || params.period > 86_400 {
            return Err(Error::invalid("totp", "period must be 1 to 86400 seconds"));
        }
        if secret.len() < MIN_SECRET_BYTES {
            return Err(Error::invalid(
                "totp",
                format!(
                    "the secret is only {} bits; at least {} bits are required",
                    secret.len() * 8,
                    MIN_SECRET_BYTES * 8
                ),
            ));
        }
        let algorithm = match params.algorithm {
            TotpAlgorithm::Sha1 => Algorithm::SHA1,
            TotpAlgorithm::Sha256 => Algorithm::SHA256,
            TotpAlgorithm::Sha512 => Algorithm::SHA512,
        };
        let totp = TOTP::new_unchecked(
            algorithm,
            usize::from(params.digits),
            0,
            u64::from(params.period),
            secret.expose().to_vec(), // wiped by totp-rs's `zeroize` feature on drop
        );
        Ok(Self {
            totp,
            params: params.clone(),
        })
    }

    /// The parameters (algorithm, digits, period, issuer, account).
    pub fn params(&self) -> &TotpParams {
        &self.params
    }

    /// The code valid at `unix_seconds`.
    pub fn at(&self, unix_seconds: u64) -> TotpCode {
        let period = self.params.period;
        TotpCode {
            code: self.totp.generate(unix_seconds),
            seconds_left: period - (unix_seconds % u64::from(period)) as u32,
            period,
            digits: self.params.digits,
        }
    }

    /// The code valid now.
    pub fn now(&self) -> TotpCode {
        let now = time::OffsetDateTime::now_utc().unix_timestamp().max(0) as u64;
        self.at(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_80_bit_secret_works_and_seconds_count_down() {
        let (params, secret) = super::super::parse("JBSWY3DPEHPK3PXP").unwrap();
        assert_eq!(secret.len(), 10);
        let generator = TotpGenerator::new(&params, &secret).unwrap();
        // Same code for the whole period, a new one after it.
        let a = generator.at(1_700_000_010);
        let b = generator.at(1_700_000_039);
        let c = generator.at(1_700_000_040);
        assert_eq!(a.code, b.code);
        assert_ne!(b.code, c.code);
        assert_eq!(
            (a.seconds_left, b.seconds_left, c.seconds_left),
            (30, 1, 30)
        );
        assert_eq!(a.code.len(), 6);
        assert!(!format!("{generator:?}").contains("JBSW"));
    }

    #[test]
    fn short_secrets_and_bad_parameters_are_refused() {
        let short = SecretBytes::new(vec![1; 9]);
        assert!(TotpGenerator::new(&TotpParams::default(), &short).is_err());
        let secret = SecretBytes::new(vec![1; 20]);
        for params in [
            TotpParams {
                digits: 9,
                ..TotpParams::default()
            },
            TotpParams {
                period: 0,
                ..TotpParams::default()
            },
        ] {
            assert!(TotpGenerator::new(&params, &secret).is_err());
        }
    }
}
