//! Why a credential was used: a ticket number or a few words the staff member gives with a
//! use (`--reason`, the app's reason field), recorded in the use's audit event. A customer's
//! [`crate::model::ReasonPolicy`] can require one; a vault's ticket pattern (preferences)
//! can require that it names a ticket.

use crate::{Error, Result};

/// Longest reason kept, in characters.
pub const MAX_REASON_CHARS: usize = 200;

/// A reason as given: one line of text, trimmed, never empty, at most
/// [`MAX_REASON_CHARS`] characters, without control or bidi-override characters (it is
/// printed in statements and audit lists, where it must not disguise the text around it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reason(String);

impl Reason {
    /// Checks a reason as typed. Refused: an empty one, one with a line break or another
    /// control character, and one over [`MAX_REASON_CHARS`] characters.
    pub fn parse(text: &str) -> Result<Reason> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid("reason", "the reason is empty"));
        }
        if text.chars().any(|c| c == '\n' || c == '\r') {
            return Err(Error::invalid("reason", "the reason must be a single line"));
        }
        if text.chars().any(crate::text::is_forbidden_inline) {
            return Err(Error::invalid(
                "reason",
                "the reason holds a control or direction-changing character",
            ));
        }
        let count = text.chars().count();
        if count > MAX_REASON_CHARS {
            return Err(Error::invalid(
                "reason",
                format!("the reason has {count} characters; at most {MAX_REASON_CHARS}"),
            ));
        }
        Ok(Reason(text.to_owned()))
    }

    /// The reason's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest ticket pattern accepted, in characters.
const MAX_PATTERN_CHARS: usize = 100;

/// A vault's ticket pattern (`TASS-\d+`): a regular expression a reason must contain a
/// match of, so that every reason names a ticket.
#[derive(Debug, Clone)]
pub struct TicketPattern {
    source: String,
    regex: regex::Regex,
}

impl TicketPattern {
    /// Compiles a pattern as set in the preferences; `None` for an empty one.
    pub fn parse(source: &str) -> Result<Option<TicketPattern>> {
        let source = source.trim();
        if source.is_empty() {
            return Ok(None);
        }
        if source.chars().count() > MAX_PATTERN_CHARS || source.chars().any(char::is_control) {
            return Err(Error::invalid(
                "ticket_pattern",
                format!("a ticket pattern is one line of at most {MAX_PATTERN_CHARS} characters"),
            ));
        }
        let regex = regex::RegexBuilder::new(source)
            .size_limit(1 << 20)
            .build()
            .map_err(|_| {
                Error::invalid(
                    "ticket_pattern",
                    format!(
                        "'{}' is not a regular expression (e.g. TASS-\\d+)",
                        crate::model::validate::shown(source)
                    ),
                )
            })?;
        Ok(Some(TicketPattern {
            source: source.to_owned(),
            regex,
        }))
    }

    /// Whether `reason` names a ticket.
    pub fn check(&self, reason: &Reason) -> Result<()> {
        if self.regex.is_match(reason.as_str()) {
            return Ok(());
        }
        Err(Error::invalid(
            "reason",
            format!(
                "'{}' names no ticket; a reason must contain a ticket number matching {}",
                crate::model::validate::shown(reason.as_str()),
                self.source
            ),
        ))
    }

    /// The pattern as set.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_one_trimmed_line_of_bounded_length() {
        assert_eq!(
            Reason::parse("  TASS-42 reset  ").unwrap().as_str(),
            "TASS-42 reset"
        );
        for bad in ["", "   ", "TASS-1\nforged: line", "a\rb", "tab\u{7}bell"] {
            assert!(Reason::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Reason::parse(&"x".repeat(MAX_REASON_CHARS)).is_ok());
        let long = Reason::parse(&"x".repeat(MAX_REASON_CHARS + 1)).unwrap_err();
        assert!(long.to_string().contains("201 characters"), "{long}");
    }

    #[test]
    fn a_ticket_pattern_must_be_found_in_the_reason() {
        let pattern = TicketPattern::parse(r"TASS-\d+").unwrap().unwrap();
        pattern
            .check(&Reason::parse("TASS-1234 printer queue").unwrap())
            .unwrap();
        let err = pattern
            .check(&Reason::parse("printer queue").unwrap())
            .unwrap_err();
        assert!(err.to_string().contains(r"matching TASS-\d+"), "{err}");
        assert!(TicketPattern::parse("").unwrap().is_none());
        assert!(TicketPattern::parse("TASS-(").is_err());
    }
}
