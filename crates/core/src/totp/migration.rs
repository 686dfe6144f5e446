//! Google Authenticator export codes: `otpauth-migration://offline?data=<base64 protobuf>`.
//!
//! The payload is a `MigrationPayload` message whose field 1 repeats `OtpParameters`
//! (secret = 1, name = 2, issuer = 3, algorithm = 4, digits = 5, type = 6). The few fields
//! needed are read by hand; everything else is skipped by wire type.

use zeroize::Zeroizing;

use super::parse::{invalid, percent_decode, split_label};
use super::{TotpAlgorithm, TotpParams, MIN_SECRET_BYTES};
use crate::secret::SecretBytes;
use crate::Result;

/// The TOTP accounts of an export code, and how many counter-based (HOTP) accounts it also
/// held (those are not supported and are left out).
#[derive(Debug, Default)]
pub struct MigrationAccounts {
    /// One entry per TOTP account: its parameters and secret.
    pub accounts: Vec<(TotpParams, SecretBytes)>,
    /// HOTP accounts left out.
    pub skipped_hotp: usize,
}

/// Decodes an `otpauth-migration://offline?data=...` URI. Errors never echo the input.
pub fn decode_migration_uri(uri: &str) -> Result<MigrationAccounts> {
    let query = uri
        .trim()
        .split_once('?')
        .map(|(_, q)| q)
        .ok_or_else(|| invalid("the export code has no data"))?;
    let data = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("data="))
        .ok_or_else(|| invalid("the export code has no data"))?;
    // A raw '+' is Base64, not an encoded space.
    let data = percent_decode(&data.replace('+', "%2B"))?;
    let clean: Zeroizing<String> =
        Zeroizing::new(data.chars().filter(|c| !c.is_whitespace()).collect());
    let bytes = Zeroizing::new(
        data_encoding::BASE64
            .decode(clean.as_bytes())
            .or_else(|_| data_encoding::BASE64_NOPAD.decode(clean.as_bytes()))
            .map_err(|_| invalid("the export code's data is not Base64"))?,
    );
    let mut result = MigrationAccounts::default();
    let mut reader = Reader(&bytes);
    while let Some((field, value)) = reader.field()? {
        if let (1, Value::Bytes(message)) = (field, value) {
            match account(message)? {
                Some(account) => result.accounts.push(account),
                None => result.skipped_hotp += 1,
            }
        }
    }
    if result.accounts.is_empty() {
        return Err(invalid(match result.skipped_hotp {
            0 => "the export code holds no accounts",
            _ => {
                "the export code holds only counter-based (HOTP) accounts, which are not supported"
            }
        }));
    }
    Ok(result)
}

/// One `OtpParameters` message; `None` for an HOTP account.
fn account(message: &[u8]) -> Result<Option<(TotpParams, SecretBytes)>> {
    let mut params = TotpParams::default();
    let mut secret = None;
    let mut name = String::new();
    let mut reader = Reader(message);
    while let Some((field, value)) = reader.field()? {
        match (field, value) {
            (1, Value::Bytes(b)) => secret = Some(SecretBytes::new(b.to_vec())),
            (2, Value::Bytes(b)) => name = text(b)?,
            (3, Value::Bytes(b)) => params.issuer = text(b)?,
            (4, Value::Varint(a)) => {
                params.algorithm = match a {
                    0 | 1 => TotpAlgorithm::Sha1,
                    2 => TotpAlgorithm::Sha256,
                    3 => TotpAlgorithm::Sha512,
                    _ => {
                        return Err(invalid(
                            "an exported account uses an unsupported algorithm (MD5)",
                        ))
                    }
                }
            }
            (5, Value::Varint(d)) => params.digits = if d == 2 { 8 } else { 6 },
            (6, Value::Varint(1)) => return Ok(None),
            _ => {}
        }
    }
    let secret = secret.ok_or_else(|| invalid("an exported account has no secret"))?;
    if secret.len() < MIN_SECRET_BYTES {
        return Err(invalid(format!(
            "an exported account's secret is only {} bits; at least {} bits are required",
            secret.len() * 8,
            MIN_SECRET_BYTES * 8
        )));
    }
    // Google's name is "Issuer:account" or just the account.
    (params.issuer, params.account) = split_label(&name, &params.issuer);
    crate::text::single_line("totp issuer", &params.issuer)?;
    crate::text::single_line("totp account", &params.account)?;
    Ok(Some((params, secret)))
}

fn text(bytes: &[u8]) -> Result<String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| invalid("an exported account name is not UTF-8"))
}

enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// A protobuf wire-format reader over a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self
                .0
                .split_first()
                .ok_or_else(|| invalid("the export code's data is cut short"))?;
            self.0 = rest;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(invalid("the export code's data is malformed"))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(invalid("the export code's data is cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    /// The next field number and value, or `None` at the end.
    fn field(&mut self) -> Result<Option<(u64, Value<'a>)>> {
        if self.0.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => self.take(8).map(|_| Value::Fixed)?,
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| invalid("the export code's data is malformed"))?;
                Value::Bytes(self.take(len)?)
            }
            5 => self.take(4).map(|_| Value::Fixed)?,
            _ => return Err(invalid("the export code's data is malformed")),
        };
        Ok(Some((key >> 3, value)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncated_or_junk_data_is_refused() {
        for uri in [
            "otpauth-migration://offline",
            "otpauth-migration://offline?data=",
            "otpauth-migration://offline?data=%%%",
            "otpauth-migration://offline?data=CgU=", // field 1, length 5, nothing after
        ] {
            let err = decode_migration_uri(uri).unwrap_err().to_string();
            assert!(err.starts_with("totp: "), "{uri}: {err}");
        }
    }
}
