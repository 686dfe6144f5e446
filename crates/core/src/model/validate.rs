//! Validators: the single gate for every value that enters the vault, from a CSV import,
//! an edit, or on its way into an .rdp file. Each returns a normalised value or an
//! [`Error::Invalid`] naming the field and what is wrong; secrets are never echoed.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde::Serialize;
use time::Date;

use crate::{Error, Result};

pub(crate) use crate::text::is_forbidden_inline;
pub use crate::text::{multi_line, shown, single_line, MAX_LINE, MAX_TEXT};

fn invalid<T>(field: &str, message: impl Into<String>) -> Result<T> {
    Err(Error::invalid(field, message))
}

/// A required single-line text between 1 and `max` characters, trimmed.
pub fn required_line(field: &str, value: &str, max: usize) -> Result<String> {
    let value = trim_blank(value);
    if value.is_empty() {
        return invalid(field, "is required");
    }
    single_line(field, value)?;
    if value.chars().count() > max {
        return invalid(field, format!("is longer than {max} characters"));
    }
    Ok(value.to_owned())
}

/// A customer code: 1–32 characters of letters, digits, `.`, `_` and `-`.
pub fn code(value: &str) -> Result<String> {
    let value = trim_blank(value);
    if value.is_empty() {
        return invalid("code", "is required");
    }
    if value.len() > 32 {
        return invalid(
            "code",
            format!("'{}' is longer than 32 characters", shown(value)),
        );
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return invalid(
            "code",
            format!(
                "'{}' may only contain letters, digits, '.', '_' and '-'",
                shown(value)
            ),
        );
    }
    Ok(value.to_owned())
}

/// A host: a DNS name (letters, digits, hyphens), an IPv4 address, or an IPv6 address
/// (returned bracketed). The empty string is allowed (no host).
pub fn host(field: &str, value: &str) -> Result<String> {
    let value = trim_blank(value);
    if value.is_empty() {
        return Ok(String::new());
    }
    single_line(field, value)?;
    let inner = value.strip_prefix('[').and_then(|v| v.strip_suffix(']'));
    if let Some(inner) = inner {
        return match inner.parse::<Ipv6Addr>() {
            Ok(addr) => Ok(format!("[{addr}]")),
            Err(_) => invalid(
                field,
                format!("'{}' is not a valid IPv6 address", shown(value)),
            ),
        };
    }
    if let Ok(addr) = value.parse::<Ipv6Addr>() {
        return Ok(format!("[{addr}]"));
    }
    if value.contains(':') {
        return invalid(
            field,
            format!(
                "'{}' contains ':'; put the port in its own column",
                shown(value)
            ),
        );
    }
    let name = value.strip_suffix('.').unwrap_or(value);
    let labels: Vec<&str> = name.split('.').collect();
    if labels
        .iter()
        .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
    {
        return match name.parse::<Ipv4Addr>() {
            Ok(addr) => Ok(addr.to_string()),
            Err(_) => invalid(
                field,
                format!("'{}' is not a valid IPv4 address", shown(value)),
            ),
        };
    }
    if name.len() > 253 {
        return invalid(field, "host name is longer than 253 characters");
    }
    for label in &labels {
        let ok = (1..=63).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return invalid(
                field,
                format!(
                    "'{}' is not a valid host name (letters, digits and '-' in dot-separated labels of 1-63 characters)",
                    shown(value)
                ),
            );
        }
    }
    if labels
        .last()
        .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
    {
        return invalid(
            field,
            format!("'{}' is not a valid host name", shown(value)),
        );
    }
    Ok(name.to_ascii_lowercase())
}

/// A TCP port, 1–65535. The empty string means "the default".
pub fn port(field: &str, value: &str) -> Result<Option<u16>> {
    let value = trim_blank(value);
    if value.is_empty() {
        return Ok(None);
    }
    match value.parse::<u32>() {
        Ok(p @ 1..=65535) => Ok(Some(p as u16)),
        _ => invalid(
            field,
            format!("'{}' is not a port number from 1 to 65535", shown(value)),
        ),
    }
}

/// Characters Windows does not allow in account names.
const USERNAME_FORBIDDEN: &[char] = &[
    '"', '/', '[', ']', ':', ';', '|', '=', ',', '+', '*', '?', '<', '>',
];

/// A user name: `user`, `DOMAIN\user` or a UPN `user@domain.example`. Empty is allowed.
pub fn username(value: &str) -> Result<String> {
    const FIELD: &str = "username";
    let value = trim_blank(value);
    if value.is_empty() {
        return Ok(String::new());
    }
    single_line(FIELD, value)?;
    if value.chars().count() > 256 {
        return invalid(FIELD, "is longer than 256 characters");
    }
    let account = if let Some((domain, user)) = value.split_once('\\') {
        if domain.is_empty() || user.is_empty() || user.contains('\\') {
            return invalid(
                FIELD,
                format!("'{}' is not of the form DOMAIN\\user", shown(value)),
            );
        }
        self::domain(domain).map_err(|_| {
            Error::invalid(
                FIELD,
                format!("'{}' has an invalid domain part", shown(value)),
            )
        })?;
        user
    } else if let Some((user, suffix)) = value.rsplit_once('@') {
        if user.is_empty()
            || host(FIELD, suffix).map_or(true, |h| h.is_empty() || h.starts_with('['))
        {
            return invalid(
                FIELD,
                format!("'{}' is not a valid user@domain name", shown(value)),
            );
        }
        user
    } else {
        value
    };
    if let Some(c) = account.chars().find(|c| USERNAME_FORBIDDEN.contains(c)) {
        return invalid(
            FIELD,
            format!(
                "'{}' contains '{c}', which account names cannot",
                shown(value)
            ),
        );
    }
    Ok(value.to_owned())
}

/// A Windows domain: a NetBIOS name (up to 15 characters) or a DNS name. Empty is allowed.
pub fn domain(value: &str) -> Result<String> {
    let value = trim_blank(value);
    if value.is_empty() {
        return Ok(String::new());
    }
    single_line("domain", value)?;
    if value.contains('.') {
        let name = host("domain", value)?;
        if name.starts_with('[') || name.parse::<Ipv4Addr>().is_ok() {
            return invalid(
                "domain",
                format!("'{}' is an address, not a domain", shown(value)),
            );
        }
        return Ok(name);
    }
    let ok = value.len() <= 15
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
    if !ok {
        return invalid(
            "domain",
            format!(
                "'{}' is not a valid NetBIOS or DNS domain name",
                shown(value)
            ),
        );
    }
    Ok(value.to_owned())
}

/// An http or https URL with a host. Empty is allowed.
pub fn web_url(field: &str, value: &str) -> Result<String> {
    let value = trim_blank(value);
    if value.is_empty() {
        return Ok(String::new());
    }
    single_line(field, value)?;
    let parsed = url::Url::parse(value)
        .map_err(|_| Error::invalid(field, format!("'{}' is not a valid URL", shown(value))))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return invalid(
            field,
            format!("'{}' must start with http:// or https://", shown(value)),
        );
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return invalid(field, format!("'{}' has no host", shown(value)));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return invalid(
            field,
            "must not contain a user name or password; use the username and password columns",
        );
    }
    Ok(value.to_owned())
}

/// A SHA-256 certificate fingerprint: 64 hex digits, in pairs separated by `:` or not.
/// Empty is allowed. Kept as uppercase pairs separated by `:` (`AB:CD:…`), as tools show it.
pub fn cert_fingerprint(field: &str, value: &str) -> Result<String> {
    let value = trim_blank(value);
    if value.is_empty() {
        return Ok(String::new());
    }
    let digits: String = value.chars().filter(|&c| c != ':').collect();
    let pairs_ok = !value.contains(':') || value.split(':').all(|pair| pair.len() == 2);
    if digits.len() != 64 || !pairs_ok || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::invalid(
            field,
            format!(
                "'{}' is not a SHA-256 fingerprint (64 hex digits, AB:CD:… or ABCD…)",
                shown(value)
            ),
        ));
    }
    let upper = digits.to_ascii_uppercase();
    Ok(upper
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).into_owned())
        .collect::<Vec<_>>()
        .join(":"))
}

/// An ISO 8601 calendar date `YYYY-MM-DD`. Empty is allowed.
pub fn iso_date(field: &str, value: &str) -> Result<Option<Date>> {
    let value = trim_blank(value);
    if value.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(value, &format).map(Some).map_err(|_| {
        Error::invalid(
            field,
            format!("'{}' is not a date of the form YYYY-MM-DD", shown(value)),
        )
    })
}

/// Tags from a list separated by `,`, `;` or `|`, each trimmed, deduplicated.
pub fn tags(value: &str) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in value
        .split([',', ';', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        single_line("tags", tag)?;
        if tag.chars().count() > 64 {
            return invalid(
                "tags",
                format!("tag '{}' is longer than 64 characters", shown(tag)),
            );
        }
        if !out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            out.push(tag.to_owned());
        }
    }
    Ok(out)
}

/// Trims spaces and tabs only: a stray line break is an error, not something to hide.
pub fn trim_blank(value: &str) -> &str {
    value.trim_matches([' ', '\t'])
}

/// One field a form got wrong, named as the form names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FieldError {
    /// The form field.
    pub field: String,
    /// What is wrong with it (never echoing a secret).
    pub message: String,
}

impl FieldError {
    /// The error for `field`: a validation message without its field name, else the whole error.
    pub(crate) fn new(field: &str, error: Error) -> Self {
        let message = match error {
            Error::Invalid { message, .. } => message,
            other => other.to_string(),
        };
        Self {
            field: field.to_owned(),
            message,
        }
    }

    /// The first of `errors` as a core error (what a caller without a form shows).
    pub fn into_error(mut errors: Vec<FieldError>) -> Error {
        match errors.is_empty() {
            true => Error::invalid("form", "is not valid"),
            false => {
                let first = errors.swap_remove(0);
                Error::invalid(first.field, first.message)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let good = [
            ("rds.acme.example", "rds.acme.example"),
            ("RDS01", "rds01"),
            ("10.0.0.5", "10.0.0.5"),
            ("[::1]", "[::1]"),
            ("fe80::1", "[fe80::1]"),
            ("host-1.example.", "host-1.example"),
            ("", ""),
        ];
        for (input, expected) in good {
            assert_eq!(host("host", input).unwrap(), expected, "{input}");
        }
        let bad = [
            "host name",
            "-lead.example",
            "trail-.example",
            "a..b",
            "999.1.1.1",
            "1.2.3",
            "srv:3389",
            "[::1",
            "x\r\nfull address:s:evil",
            "ex\u{0}ample",
            "ho_st",
            "/evil",
            "a\u{2028}b",
            "münchen.example",
        ];
        for input in bad {
            assert!(host("host", input).is_err(), "{input:?} was accepted");
        }
        assert!(host("host", &format!("{}.example", "a".repeat(64))).is_err());
    }

    #[test]
    fn ports() {
        assert_eq!(port("port", "3389").unwrap(), Some(3389));
        assert_eq!(port("port", " 1 ").unwrap(), Some(1));
        assert_eq!(port("port", "65535").unwrap(), Some(65535));
        assert_eq!(port("port", "").unwrap(), None);
        for bad in ["0", "65536", "-1", "33 89", "abc", "3389\n"] {
            let err = port("port", bad).unwrap_err().to_string();
            assert!(err.contains("1 to 65535"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn usernames() {
        for good in [
            "vendor",
            "ACME\\vendor-support",
            "vendor@acme.example",
            "first.last",
            "",
        ] {
            assert!(username(good).is_ok(), "{good:?} refused");
        }
        for bad in [
            "ACME\\",
            "\\user",
            "a\\b\\c",
            "user@",
            "@acme.example",
            "us:er",
            "user\n",
            "u/ser",
            "vendor@[::1]",
            "TOOLONGNETBIOSNAME\\user",
        ] {
            assert!(username(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn urls_dates_codes_tags() {
        assert!(web_url("url", "https://app.acme.example/admin").is_ok());
        for bad in [
            "ftp://x.example",
            "javascript:alert(1)",
            "https://",
            "not a url",
            "https://u:p@x.example/",
        ] {
            assert!(web_url("url", bad).is_err(), "{bad} accepted");
        }
        assert_eq!(
            iso_date("expires", "2027-02-28")
                .unwrap()
                .unwrap()
                .to_string(),
            "2027-02-28"
        );
        for bad in ["2027-02-30", "28.02.2027", "2027-2-3", "tomorrow"] {
            assert!(iso_date("expires", bad).is_err(), "{bad} accepted");
        }
        assert_eq!(code(" ACME-01 ").unwrap(), "ACME-01");
        assert!(code("AC ME").is_err());
        assert!(code(&"A".repeat(33)).is_err());
        assert_eq!(tags("eu, gold; eu |x").unwrap(), ["eu", "gold", "x"]);
    }

    #[test]
    fn control_characters_are_refused_in_lines_but_newlines_allowed_in_text() {
        for c in [
            '\r', '\n', '\0', '\u{1b}', '\u{7f}', '\u{2028}', '\u{2029}', '\u{202e}',
        ] {
            let value = format!("a{c}b");
            assert!(single_line("label", &value).is_err(), "U+{:04X}", c as u32);
        }
        assert!(multi_line("notes", "line one\r\nline two\tx").is_ok());
        assert!(multi_line("notes", "bell\u{7}").is_err());
    }
}
