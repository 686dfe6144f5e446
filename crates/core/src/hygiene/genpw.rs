//! Passwords that meet a customer's policy ("12+ characters, mixed case and digits", "8+
//! with at least 2 digits and 2 uppercase"), drawn from the operating system's CSPRNG.
//!
//! The required characters of each class are drawn first, the rest from the whole
//! alphabet, then the positions are shuffled (Fisher–Yates). Every draw is an unbiased
//! index (rejection sampling), so no character is favoured within its class.

use zeroize::Zeroizing;

use crate::secret::SecretString;
use crate::{Error, Result};

/// Lowercase letters.
pub const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
/// Uppercase letters.
pub const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// Digits.
pub const DIGITS: &str = "0123456789";
/// Symbols: printable ASCII without space, quotes, backslash and backtick (characters that
/// shells, .rdp tooling and keyboard layouts mangle).
pub const SYMBOLS: &str = "!#$%&()*+,-./:;<=>?@[]^_{|}~";

/// Shortest and longest password generated.
pub const LENGTHS: std::ops::RangeInclusive<usize> = 8..=256;

/// What a generated password must satisfy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Number of characters.
    pub length: usize,
    /// At least this many lowercase letters.
    pub min_lower: usize,
    /// At least this many uppercase letters.
    pub min_upper: usize,
    /// At least this many digits.
    pub min_digits: usize,
    /// Whether symbols may appear.
    pub symbols: bool,
    /// At least this many symbols (needs `symbols`).
    pub min_symbols: usize,
}

impl Default for PasswordPolicy {
    /// 20 characters with at least one lowercase, one uppercase letter and one digit.
    fn default() -> Self {
        Self {
            length: 20,
            min_lower: 1,
            min_upper: 1,
            min_digits: 1,
            symbols: false,
            min_symbols: 0,
        }
    }
}

impl PasswordPolicy {
    /// Refuses a policy no password can meet.
    pub fn check(&self) -> Result<()> {
        if !LENGTHS.contains(&self.length) {
            return Err(Error::invalid(
                "length",
                format!(
                    "{} is outside {}..={}",
                    self.length,
                    LENGTHS.start(),
                    LENGTHS.end()
                ),
            ));
        }
        if self.min_symbols > 0 && !self.symbols {
            return Err(Error::invalid(
                "min-symbols",
                "needs symbols to be allowed (--symbols)",
            ));
        }
        let required = self.min_lower + self.min_upper + self.min_digits + self.min_symbols;
        if required > self.length {
            return Err(Error::invalid(
                "length",
                format!(
                    "{} is less than the {required} characters the minimums require",
                    self.length
                ),
            ));
        }
        Ok(())
    }

    /// The characters a password may contain.
    pub fn alphabet(&self) -> String {
        let mut all = format!("{LOWER}{UPPER}{DIGITS}");
        if self.symbols {
            all.push_str(SYMBOLS);
        }
        all
    }

    /// Whether `password` meets the policy.
    pub fn is_met_by(&self, password: &str) -> bool {
        let count = |class: &str| password.chars().filter(|c| class.contains(*c)).count();
        let alphabet = self.alphabet();
        password.chars().count() == self.length
            && password.chars().all(|c| alphabet.contains(c))
            && count(LOWER) >= self.min_lower
            && count(UPPER) >= self.min_upper
            && count(DIGITS) >= self.min_digits
            && count(SYMBOLS) >= self.min_symbols
    }
}

/// Unbiased random indices from the OS CSPRNG, fetched in blocks.
struct Draw {
    pool: Zeroizing<[u8; 256]>,
    used: usize,
}

impl Draw {
    fn new() -> Self {
        Self {
            pool: Zeroizing::new([0; 256]),
            used: 256,
        }
    }

    fn next_u32(&mut self) -> Result<u32> {
        if self.used + 4 > self.pool.len() {
            crate::crypto::fill_random(self.pool.as_mut())?;
            self.used = 0;
        }
        let bytes = &self.pool[self.used..self.used + 4];
        self.used += 4;
        Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    }

    /// A uniform index below `n` (rejecting the top values that would favour small ones).
    fn below(&mut self, n: usize) -> Result<usize> {
        let n = n as u32;
        let zone = u32::MAX - (u32::MAX % n);
        loop {
            let x = self.next_u32()?;
            if x < zone {
                return Ok((x % n) as usize);
            }
        }
    }

    fn pick(&mut self, class: &[char]) -> Result<char> {
        Ok(class[self.below(class.len())?])
    }
}

/// A password meeting `policy`.
pub fn generate(policy: &PasswordPolicy) -> Result<SecretString> {
    policy.check()?;
    let chars = |s: &str| s.chars().collect::<Vec<char>>();
    let alphabet = chars(&policy.alphabet());
    let mut draw = Draw::new();
    let mut out: Zeroizing<Vec<char>> = Zeroizing::new(Vec::with_capacity(policy.length));
    for (class, min) in [
        (LOWER, policy.min_lower),
        (UPPER, policy.min_upper),
        (DIGITS, policy.min_digits),
        (SYMBOLS, policy.min_symbols),
    ] {
        let class = chars(class);
        for _ in 0..min {
            out.push(draw.pick(&class)?);
        }
    }
    while out.len() < policy.length {
        out.push(draw.pick(&alphabet)?);
    }
    for i in (1..out.len()).rev() {
        let j = draw.below(i + 1)?;
        out.swap(i, j);
    }
    let text: Zeroizing<String> = Zeroizing::new(out.iter().collect());
    Ok(SecretString::from(text.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_policies_are_refused() {
        let too_many = PasswordPolicy {
            length: 8,
            min_digits: 5,
            min_upper: 4,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            generate(&too_many).unwrap_err().to_string(),
            "length: 8 is less than the 10 characters the minimums require"
        );
        let short = PasswordPolicy {
            length: 4,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            short.check().unwrap_err().to_string(),
            "length: 4 is outside 8..=256"
        );
        let symbols = PasswordPolicy {
            min_symbols: 1,
            ..PasswordPolicy::default()
        };
        assert!(symbols.check().is_err());
    }

    #[test]
    fn indices_are_in_range() {
        let mut draw = Draw::new();
        for n in [1, 2, 3, 26, 89, 1000] {
            for _ in 0..200 {
                assert!(draw.below(n).unwrap() < n);
            }
        }
    }
}
