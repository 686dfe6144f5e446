//! Text that goes into line-oriented formats (CSV cells, .rdp lines, audit details): the
//! characters that could break a line or disguise text, and the checks built on them. The
//! bottom of the validation stack: `model::validate`, `totp` and the .rdp writer use it.

use crate::{Error, Result};

fn invalid<T>(field: &str, message: impl Into<String>) -> Result<T> {
    Err(Error::invalid(field, message))
}

/// Whether a spreadsheet would read a CSV cell starting with `c` as a formula (OWASP's
/// list: `=`, `+`, `-`, `@`, tab, carriage return).
fn starts_a_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// A value as a CSV cell of Sallyport's own exports: one that a spreadsheet would run as a
/// formula (or that starts with `'`) gets a `'` in front, so `=HYPERLINK(…)` in a customer's
/// notes stays text when someone opens the export. [`from_csv_cell`] undoes it exactly.
pub fn to_csv_cell(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some(c) if starts_a_formula(c) || c == '\'' => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// A native CSV cell's value: a `'` put in front of a formula character (or of another
/// `'`) by [`to_csv_cell`], or typed so in a spreadsheet, is taken off. Any other cell is
/// its value.
pub fn from_csv_cell(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(|c| starts_a_formula(c) || c == '\'') => rest,
        _ => cell,
    }
}

/// Longest single-line text field.
pub const MAX_LINE: usize = 256;
/// Longest multi-line text field (notes, instructions).
pub const MAX_TEXT: usize = 10_000;

/// Characters that could break a line-oriented format or disguise text.
pub fn is_forbidden_inline(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A value quoted in an error message: control characters removed, at most 60 characters.
pub fn shown(value: &str) -> String {
    let clean: String = value.chars().filter(|c| !is_forbidden_inline(*c)).collect();
    if clean.chars().count() > 60 {
        format!("{}…", clean.chars().take(60).collect::<String>())
    } else {
        clean
    }
}

/// A single-line text: no control characters, line separators or bidi overrides.
pub fn single_line(field: &str, value: &str) -> Result<()> {
    if let Some(c) = value.chars().find(|c| is_forbidden_inline(*c)) {
        return invalid(
            field,
            format!("contains a control character (U+{:04X})", c as u32),
        );
    }
    if value.chars().count() > MAX_LINE {
        return invalid(field, format!("is longer than {MAX_LINE} characters"));
    }
    Ok(())
}

/// A multi-line text: newlines and tabs allowed, other control characters not.
pub fn multi_line(field: &str, value: &str) -> Result<()> {
    let bad = value
        .chars()
        .find(|c| !matches!(c, '\n' | '\r' | '\t') && is_forbidden_inline(*c));
    if let Some(c) = bad {
        return invalid(
            field,
            format!("contains a control character (U+{:04X})", c as u32),
        );
    }
    if value.chars().count() > MAX_TEXT {
        return invalid(field, format!("is longer than {MAX_TEXT} characters"));
    }
    Ok(())
}
