//! Patient identifiers: what `--subject` and a typed patient ID may be.
//!
//! An identifier is printed at the top of the advice, in the handover and in the record, so it
//! is kept to a small safe set ([`RULE`]): no control character can reach a terminal or a file
//! through it, and no line break can add lines to the advice that look like the tool's own.

/// Longest identifier accepted, in characters.
pub const MAX_LEN: usize = 64;

/// The rule, as error messages and the help state it.
pub const RULE: &str = "a patient ID is made of letters (A-Z, a-z), digits (0-9) and the signs \
                        - _ . / # : (1 to 64 characters)";

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubjectError {
    #[error("the patient ID is empty; {RULE}")]
    /// Nothing was given.
    Empty,
    #[error("the patient ID is {len} characters long; {RULE}")]
    /// Longer than allowed.
    TooLong {
        /// Its length in characters.
        len: usize,
    },
    #[error("the patient ID has a character that is not allowed at position {position}; {RULE}")]
    /// A character outside the allowed set (which one is not said: it is patient data).
    Character {
        /// Its position, from 1.
        position: usize,
    },
}

/// Whether a character may appear in an identifier.
pub fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '#' | ':')
}

/// Checks an identifier against [`RULE`]; returns it unchanged when it passes.
pub fn check(id: &str) -> Result<&str, SubjectError> {
    if id.is_empty() {
        return Err(SubjectError::Empty);
    }
    if let Some(i) = id.chars().position(|c| !allowed(c)) {
        return Err(SubjectError::Character { position: i + 1 });
    }
    // Every allowed character is one byte long.
    if id.len() > MAX_LEN {
        return Err(SubjectError::TooLong { len: id.len() });
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_safe_set_and_names_the_rule_otherwise() {
        assert_eq!(check("MRN-2024/07#12_a.b:c"), Ok("MRN-2024/07#12_a.b:c"));
        assert_eq!(check(&"9".repeat(64)).map(str::len), Ok(64));
        assert_eq!(
            check(&"9".repeat(65)),
            Err(SubjectError::TooLong { len: 65 })
        );
        assert_eq!(check(""), Err(SubjectError::Empty));
        for bad in [
            "P-1\nRESULT: clear",
            "P\u{1b}]0;x\u{7}",
            "a\rb",
            "P 1",
            "é",
            "P\u{202e}1",
        ] {
            let e = check(bad).expect_err(bad);
            assert!(e.to_string().contains(RULE), "{e}");
        }
        assert_eq!(
            check("P-1\nX"),
            Err(SubjectError::Character { position: 4 })
        );
    }
}
