//! Validation of user-entered text: trimmed, bounded, free of control characters.

use crate::{Error, Result};
use crate::{Field, Rule};

/// A required single-line name: trimmed, 1..=`max` characters, no control characters.
pub(crate) fn name(field: Field, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(field, Rule::Required));
    }
    line(field, v, max)
}

/// An optional single-line text (may be empty): trimmed, at most `max` characters.
pub(crate) fn line(field: Field, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.len() > max * 4 || v.chars().count() > max {
        return Err(Error::invalid(field, Rule::TooLong { max: max as u32 }));
    }
    if v.chars().any(char::is_control) {
        return Err(Error::invalid(field, Rule::ControlCharacters));
    }
    Ok(v.to_string())
}

/// Multi-line text (descriptions, notes): newlines and tabs allowed, other controls not.
pub(crate) fn multiline(field: Field, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.len() > max * 4 || v.chars().count() > max {
        return Err(Error::invalid(field, Rule::TooLong { max: max as u32 }));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::invalid(field, Rule::ControlCharacters));
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let rule = |r: Result<String>| match r {
            Err(Error::Invalid {
                field: Field::Name,
                rule,
            }) => rule,
            other => panic!("expected a rule on the name, got {other:?}"),
        };
        assert_eq!(name(Field::Name, "  Kopi Susu  ", 10).unwrap(), "Kopi Susu");
        assert_eq!(rule(name(Field::Name, "   ", 10)), Rule::Required);
        assert_eq!(
            rule(name(Field::Name, "a\u{0}b", 10)),
            Rule::ControlCharacters
        );
        assert_eq!(rule(name(Field::Name, "a\nb", 10)), Rule::ControlCharacters);
        assert_eq!(
            rule(name(Field::Name, &"x".repeat(11), 10)),
            Rule::TooLong { max: 10 }
        );
        assert_eq!(
            rule(name(Field::Name, &"x".repeat(1 << 20), 10)),
            Rule::TooLong { max: 10 }
        );
        assert_eq!(
            name(Field::Name, "Es Teh Manis 🍹", 20).unwrap(),
            "Es Teh Manis 🍹"
        );
        assert_eq!(
            multiline(Field::Name, "line\nline", 20).unwrap(),
            "line\nline"
        );
        assert_eq!(
            rule(multiline(Field::Name, "bell\u{7}", 20)),
            Rule::ControlCharacters
        );
        assert_eq!(line(Field::Note, "", 5).unwrap(), "");
    }
}
