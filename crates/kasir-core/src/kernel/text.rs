//! Validation of user-entered text: trimmed, bounded, free of control characters.

use crate::{Error, Result};

/// A required single-line name: trimmed, 1..=`max` characters, no control characters.
pub(crate) fn name(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    line(field, v, max)
}

/// An optional single-line text (may be empty): trimmed, at most `max` characters.
pub(crate) fn line(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.len() > max * 4 || v.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(v.to_string())
}

/// Multi-line text (descriptions, notes): newlines and tabs allowed, other controls not.
pub(crate) fn multiline(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.len() > max * 4 || v.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(name("n", "  Kopi Susu  ", 10).unwrap(), "Kopi Susu");
        assert!(name("n", "   ", 10).is_err());
        assert!(name("n", "a\u{0}b", 10).is_err());
        assert!(name("n", "a\nb", 10).is_err());
        assert!(name("n", &"x".repeat(11), 10).is_err());
        assert!(name("n", &"x".repeat(1 << 20), 10).is_err());
        assert_eq!(name("n", "Es Teh Manis 🍹", 20).unwrap(), "Es Teh Manis 🍹");
        assert_eq!(multiline("d", "line\nline", 20).unwrap(), "line\nline");
        assert!(multiline("d", "bell\u{7}", 20).is_err());
        assert_eq!(line("l", "", 5).unwrap(), "");
    }
}
