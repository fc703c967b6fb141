//! Mailbox address syntax (R-ADDR-1). Stricter than RFC 5322 on purpose:
//! `-@example.com` is valid there but refused here.

use std::fmt;

/// Why a local part was refused. `Display` names the offending character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalPartError {
    Empty,
    TooLong(usize),
    /// A character outside `a–z A–Z 0–9 - _ .`, with its position.
    ForbiddenChar(char, usize),
    LeadingOrTrailingHyphen,
    LeadingOrTrailingDot,
    DoubleDot,
}

impl fmt::Display for LocalPartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalPartError::Empty => f.write_str("The address is empty."),
            LocalPartError::TooLong(n) => write!(
                f,
                "The part before @ has {n} characters; at most {MAX_LOCAL_PART} are allowed."
            ),
            LocalPartError::ForbiddenChar(c, _) => {
                let shown = match c {
                    ' ' => "a space".to_string(),
                    c if (*c as u32) < 32 => format!("the control character U+{:04X}", *c as u32),
                    c => format!("\"{c}\""),
                };
                write!(
                    f,
                    "The character {shown} is not allowed; use only letters a–z, digits, '-', '_' and '.'."
                )
            }
            LocalPartError::LeadingOrTrailingHyphen => {
                f.write_str("The address may not start or end with '-'.")
            }
            LocalPartError::LeadingOrTrailingDot => {
                f.write_str("The address may not start or end with '.'.")
            }
            LocalPartError::DoubleDot => f.write_str("The address may not contain '..'."),
        }
    }
}

pub const MAX_LOCAL_PART: usize = 64;

impl From<LocalPartError> for crate::ApiError {
    /// `invalid_address`, with the refused character as a parameter so
    /// the app can name it in the user's language.
    fn from(e: LocalPartError) -> Self {
        let err = crate::ApiError::new(crate::ErrorCode::InvalidAddress, e.to_string());
        match e {
            LocalPartError::ForbiddenChar(c, _) => err.with(|p| {
                p.character = Some(c.to_string());
                p.field = Some("address".into());
            }),
            _ => err.with(|p| p.field = Some("address".into())),
        }
    }
}

/// Checks the part before `@` of a new mailbox address.
pub fn validate_local_part(local: &str) -> Result<(), LocalPartError> {
    if local.is_empty() {
        return Err(LocalPartError::Empty);
    }
    for (i, c) in local.chars().enumerate() {
        if !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return Err(LocalPartError::ForbiddenChar(c, i));
        }
    }
    // All characters are ASCII from here, so len() counts characters.
    if local.len() > MAX_LOCAL_PART {
        return Err(LocalPartError::TooLong(local.len()));
    }
    if local.starts_with('-') || local.ends_with('-') {
        return Err(LocalPartError::LeadingOrTrailingHyphen);
    }
    if local.starts_with('.') || local.ends_with('.') {
        return Err(LocalPartError::LeadingOrTrailingDot);
    }
    if local.contains("..") {
        return Err(LocalPartError::DoubleDot);
    }
    Ok(())
}

/// Splits `local@domain` and lower-cases the domain. Returns `None` unless
/// there is exactly one `@` with text on both sides.
pub fn split_address(address: &str) -> Option<(&str, String)> {
    let (local, domain) = address.split_once('@')?;
    if local.is_empty() || domain.is_empty() || domain.contains('@') {
        return None;
    }
    Some((local, domain.to_ascii_lowercase()))
}

/// An address's display name as it is stored: trimmed, at most
/// [`crate::limits::MAX_DISPLAY_NAME_CHARS`] characters and no control
/// character (a line break would end the `From:` header); `None` when it
/// breaks the rule. Empty is a valid name: none. The gateway enforces it,
/// the portal says so while the name is typed.
pub fn clean_display_name(name: &str) -> Option<&str> {
    let name = name.trim();
    (name.chars().count() <= crate::limits::MAX_DISPLAY_NAME_CHARS
        && !name.chars().any(char::is_control))
    .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_are_trimmed_and_limited_in_characters_without_controls() {
        use crate::limits::MAX_DISPLAY_NAME_CHARS as MAX;
        assert_eq!(clean_display_name("  Ventas  "), Some("Ventas"));
        assert_eq!(clean_display_name(""), Some(""));
        assert_eq!(
            clean_display_name(" \t\n"),
            Some(""),
            "only blanks: no name"
        );
        let longest = "é".repeat(MAX);
        assert_eq!(clean_display_name(&longest), Some(longest.as_str()));
        assert_eq!(clean_display_name(&"x".repeat(MAX + 1)), None);
        assert_eq!(
            clean_display_name(&format!(" {} ", "x".repeat(MAX))).map(str::len),
            Some(MAX)
        );
        for bad in ["Sales\r\nBcc: x@y.test", "a\tb", "nul\u{0}", "del\u{7f}"] {
            assert_eq!(clean_display_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn accepts_ordinary_local_parts() {
        for ok in ["info", "john.doe", "a_b-c", "X9", &"a".repeat(64)] {
            assert_eq!(validate_local_part(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn refuses_every_listed_character_and_names_it() {
        for c in "@ !#$%^&*()=[]<>,;\"/?é\u{1}".chars() {
            let local = format!("ab{c}cd");
            let err = validate_local_part(&local).unwrap_err();
            assert_eq!(err, LocalPartError::ForbiddenChar(c, 2), "{local:?}");
            let msg = err.to_string();
            if c == ' ' {
                assert!(msg.contains("a space"));
            } else if (c as u32) < 32 {
                assert!(msg.contains("U+0001"));
            } else {
                assert!(msg.contains(c), "{msg}");
            }
        }
    }

    #[test]
    fn refuses_hyphen_and_dot_at_the_edges_and_double_dots() {
        assert_eq!(
            validate_local_part("-"),
            Err(LocalPartError::LeadingOrTrailingHyphen)
        );
        assert_eq!(
            validate_local_part("ab-"),
            Err(LocalPartError::LeadingOrTrailingHyphen)
        );
        assert_eq!(
            validate_local_part(".ab"),
            Err(LocalPartError::LeadingOrTrailingDot)
        );
        assert_eq!(
            validate_local_part("ab."),
            Err(LocalPartError::LeadingOrTrailingDot)
        );
        assert_eq!(validate_local_part("a..b"), Err(LocalPartError::DoubleDot));
        assert_eq!(validate_local_part("a-b.c"), Ok(()));
    }

    #[test]
    fn refuses_empty_and_too_long() {
        assert_eq!(validate_local_part(""), Err(LocalPartError::Empty));
        assert_eq!(
            validate_local_part(&"a".repeat(65)),
            Err(LocalPartError::TooLong(65))
        );
    }

    #[test]
    fn splits_addresses() {
        assert_eq!(
            split_address("Bob@Example.TEST"),
            Some(("Bob", "example.test".into()))
        );
        assert_eq!(split_address("bob"), None);
        assert_eq!(split_address("a@b@c"), None);
        assert_eq!(split_address("@b"), None);
    }

    #[test]
    fn refusals_become_typed_errors_that_name_the_character() {
        let e = crate::ApiError::from(validate_local_part("a$b").unwrap_err());
        assert_eq!(e.code, crate::ErrorCode::InvalidAddress);
        assert_eq!(e.params.character.as_deref(), Some("$"));
        assert!(e.message.contains("\"$\""), "{}", e.message);
        let e = crate::ApiError::from(validate_local_part("-a").unwrap_err());
        assert_eq!(e.params.character, None);
        assert_eq!(e.params.field.as_deref(), Some("address"));
    }
}
