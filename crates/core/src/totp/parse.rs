//! Parsing Base32 text and `otpauth://totp/` URIs into parameters and a secret.

use zeroize::Zeroizing;

use super::{TotpAlgorithm, TotpParams, MIN_SECRET_BYTES};
use crate::secret::SecretBytes;
use crate::{Error, Result};

/// Parses a Base32 secret or an `otpauth://totp/` URI. Errors never echo the input.
pub fn parse(input: &str) -> Result<(TotpParams, SecretBytes)> {
    let trimmed = input.trim();
    if trimmed
        .get(..10)
        .is_some_and(|p| p.eq_ignore_ascii_case("otpauth://"))
    {
        parse_uri(trimmed)
    } else {
        Ok((TotpParams::default(), decode_base32(trimmed)?))
    }
}

/// Decodes Base32, accepting lowercase, spaces, dashes and `=` padding.
pub fn decode_base32(text: &str) -> Result<SecretBytes> {
    let mut clean = Zeroizing::new(String::with_capacity(text.len()));
    for c in text.chars() {
        match c {
            ' ' | '-' | '=' | '\t' => {}
            c if c.is_ascii_alphanumeric() => clean.push(c.to_ascii_uppercase()),
            _ => {
                return Err(invalid(
                    "the secret is not Base32 (only A-Z and 2-7 are allowed)",
                ))
            }
        }
    }
    if clean.is_empty() {
        return Err(invalid("the secret is empty"));
    }
    let decoded = data_encoding::BASE32_NOPAD
        .decode(clean.as_bytes())
        .map_err(|_| invalid("the secret is not valid Base32 (only A-Z and 2-7 are allowed)"))?;
    let secret = SecretBytes::new(decoded);
    if secret.len() < MIN_SECRET_BYTES {
        return Err(invalid(format!(
            "the secret is only {} bits; at least {} bits are required",
            secret.len() * 8,
            MIN_SECRET_BYTES * 8
        )));
    }
    Ok(secret)
}

pub(crate) fn parse_uri(uri: &str) -> Result<(TotpParams, SecretBytes)> {
    let rest = &uri[10..];
    let (kind, rest) = rest.split_once('/').unwrap_or((rest, ""));
    if kind.eq_ignore_ascii_case("hotp") {
        return Err(invalid(
            "otpauth://hotp (counter-based) codes are not supported, only TOTP",
        ));
    }
    if !kind.eq_ignore_ascii_case("totp") {
        // Not quoted: without the '/' after the type, "type" runs on into the secret.
        return Err(invalid(
            "the otpauth URI is not of type totp (otpauth://totp/…)",
        ));
    }
    let (label, query) = rest.split_once('?').unwrap_or((rest, ""));
    let label = percent_decode(label)?;
    let mut params = TotpParams::default();
    let mut secret = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(raw)?;
        match key.to_ascii_lowercase().as_str() {
            "secret" => secret = Some(decode_base32(&value)?),
            "issuer" => params.issuer = value.trim().to_owned(),
            "algorithm" => {
                params.algorithm = match value.to_ascii_uppercase().as_str() {
                    "SHA1" => TotpAlgorithm::Sha1,
                    "SHA256" => TotpAlgorithm::Sha256,
                    "SHA512" => TotpAlgorithm::Sha512,
                    // Not quoted: a value run on into the secret would show it.
                    _ => return Err(invalid("unknown algorithm (SHA1, SHA256 or SHA512)")),
                }
            }
            "digits" => {
                params.digits = value
                    .parse()
                    .ok()
                    .filter(|d| (6..=8).contains(d))
                    .ok_or_else(|| invalid("digits must be 6, 7 or 8"))?
            }
            "period" => {
                params.period = value
                    .parse()
                    .ok()
                    .filter(|p| (1..=86_400).contains(p))
                    .ok_or_else(|| invalid("period must be 1 to 86400 seconds"))?
            }
            _ => {} // image, counter and vendor extensions are ignored
        }
    }
    let secret = secret.ok_or_else(|| invalid("the otpauth URI has no secret"))?;
    (params.issuer, params.account) = split_label(&label, &params.issuer);
    crate::text::single_line("totp issuer", &params.issuer)?;
    crate::text::single_line("totp account", &params.account)?;
    Ok((params, secret))
}

/// Issuer and account from an otpauth label or an export code's account name: `Issuer:
/// account` or `account`. When the issuer is known (the URI's `issuer` parameter, the export
/// code's issuer field), the label's prefix is that issuer, even if it holds a ':', and a
/// label that does not start with it is all account; otherwise the first ':' separates them.
pub(crate) fn split_label(label: &str, issuer: &str) -> (String, String) {
    let (label, issuer) = (label.trim(), issuer.trim());
    if issuer.is_empty() {
        return match label.split_once(':') {
            Some((issuer, account)) => (issuer.trim().to_owned(), account.trim().to_owned()),
            None => (String::new(), label.to_owned()),
        };
    }
    let account = label
        .get(..issuer.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(issuer))
        .and_then(|_| label[issuer.len()..].trim_start().strip_prefix(':'))
        .unwrap_or(label);
    (issuer.to_owned(), account.trim().to_owned())
}

/// The `otpauth://totp/` URI of a secret: the form exports and other authenticators use.
/// [`parse`] reads it back to the same parameters and secret.
pub fn to_uri(params: &TotpParams, secret: &SecretBytes) -> crate::SecretString {
    let label = match (params.issuer.as_str(), params.account.as_str()) {
        // An empty issuer written out, so that a ':' in the account is not taken for one.
        ("", account) if account.contains(':') => format!(":{}", percent_encode(account)),
        ("", account) => percent_encode(account),
        (issuer, account) => format!("{}:{}", percent_encode(issuer), percent_encode(account)),
    };
    let mut uri = Zeroizing::new(format!("otpauth://totp/{label}?secret="));
    uri.push_str(&data_encoding::BASE32_NOPAD.encode(secret.expose()));
    if !params.issuer.is_empty() {
        uri.push_str("&issuer=");
        uri.push_str(&percent_encode(&params.issuer));
    }
    let algorithm = match params.algorithm {
        TotpAlgorithm::Sha1 => "SHA1",
        TotpAlgorithm::Sha256 => "SHA256",
        TotpAlgorithm::Sha512 => "SHA512",
    };
    uri.push_str(&format!(
        "&algorithm={algorithm}&digits={}&period={}",
        params.digits, params.period
    ));
    crate::SecretString::from(uri.as_str())
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-decodes into a zeroized buffer (the query may hold the secret).
pub(crate) fn percent_decode(text: &str) -> Result<Zeroizing<String>> {
    let bytes = text.as_bytes();
    let mut out = Zeroizing::new(Vec::with_capacity(bytes.len()));
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| invalid("the otpauth URI has a broken %-escape"))?;
                out.push(hex);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    let text = std::str::from_utf8(&out)
        .map_err(|_| invalid("the otpauth URI is not valid UTF-8 after decoding"))?;
    Ok(Zeroizing::new(text.to_owned()))
}

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("totp", message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_forms_are_accepted() {
        let canonical = decode_base32("JBSWY3DPEHPK3PXP").unwrap();
        for variant in [
            "jbswy3dpehpk3pxp",
            "JBSW Y3DP EHPK 3PXP",
            "JBSW-Y3DP-EHPK-3PXP",
            "JBSWY3DPEHPK3PXP====",
        ] {
            assert_eq!(decode_base32(variant).unwrap(), canonical, "{variant}");
        }
        assert_eq!(canonical.len(), 10); // 80 bits
    }

    #[test]
    fn bad_secrets_are_refused_without_echoing_them() {
        for bad in ["", "JBSWY3DP", "JBSWY3DPEHPK3PX!", "01189998819991197253"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.starts_with("totp:"), "{err}");
            if !bad.is_empty() {
                assert!(!err.contains(bad), "secret echoed: {err}");
            }
        }
    }

    #[test]
    fn otpauth_uri_parameters() {
        let (p, s) = parse(
            "otpauth://totp/Acme%20VPN:alice%40acme.example?secret=jbswy3dpehpk3pxp&issuer=Acme%20VPN&algorithm=sha256&digits=8&period=60",
        )
        .unwrap();
        assert_eq!(s, decode_base32("JBSWY3DPEHPK3PXP").unwrap());
        assert_eq!(p.algorithm, TotpAlgorithm::Sha256);
        assert_eq!((p.digits, p.period), (8, 60));
        assert_eq!(p.issuer, "Acme VPN");
        assert_eq!(p.account, "alice@acme.example");
    }

    #[test]
    fn labels_split_at_the_known_issuer() {
        let split = |label: &str, issuer: &str| -> (String, String) { split_label(label, issuer) };
        assert_eq!(split("Acme:bob", ""), ("Acme".into(), "bob".into()));
        assert_eq!(split(":a:b", ""), ("".into(), "a:b".into()));
        assert_eq!(split("ACME : bob", "Acme"), ("Acme".into(), "bob".into()));
        assert_eq!(
            split("Acme: EU:bob", "Acme: EU"),
            ("Acme: EU".into(), "bob".into())
        );
        assert_eq!(
            split("Other:bob", "Acme"),
            ("Acme".into(), "Other:bob".into())
        );
        assert_eq!(split("bob", "Acme"), ("Acme".into(), "bob".into()));
    }

    #[test]
    fn otpauth_errors_are_clear() {
        let cases = [
            ("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1", "hotp"),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
                "unknown algorithm",
            ),
            ("otpauth://totp/x?issuer=y", "no secret"),
            ("otpauth://?secret=JBSWY3DPEHPK3PXP", "not of type totp"),
            (
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=5",
                "digits",
            ),
        ];
        for (uri, expected) in cases {
            let err = parse(uri).unwrap_err().to_string();
            assert!(err.contains(expected), "{uri}: {err}");
        }
    }
}
