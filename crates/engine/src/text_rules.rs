//! The loader's rule for the characters of a questionnaire's text: no control character but
//! the line feed, in any string or key.
//!
//! Questionnaire text is shown in terminals. Output escapes what a terminal would act on
//! ([`crate::printable`]), but a control character in a questionnaire is a mistake or an
//! attack either way, so the loader names its place (file:line:col and JSON pointer) rather
//! than let it be shown escaped. Bidi controls and invisible characters are allowed (right-to-
//! left text can need them); output shows them as escapes.

use serde_json::Value;

use crate::diagnostics::Problem;
use crate::locate::escape_segment;

/// Whether a character is refused in questionnaire text: C0 controls (tab and carriage
/// return too) but the line feed, DEL, and the C1 controls.
pub fn refused(c: char) -> bool {
    c.is_control() && c != '\n'
}

/// A problem for every string or key of `text` (a JSON document) that holds a [`refused`]
/// character. Text that is not well-formed JSON gives none: its syntax error is reported.
pub(crate) fn control_character_problems(text: &str) -> Vec<Problem> {
    if !may_hold_controls(text) {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    walk(&value, &mut String::new(), &mut problems);
    problems
}

/// A quick look at the raw text: false means no string can hold a refused character (the
/// usual case, so a valid file is not parsed a second time).
fn may_hold_controls(text: &str) -> bool {
    let b = text.as_bytes();
    // Only these three bytes can start one; they are rare, and found with a vectorised search.
    memchr::memchr3_iter(b'\\', 0x7f, 0xc2, b).any(|i| match b[i] {
        b'\\' => match b.get(i + 1) {
            Some(b'b' | b'f' | b'r' | b't') => true,
            Some(b'u') => b
                .get(i + 2..i + 6)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32)
                .is_some_and(refused),
            _ => false,
        },
        0x7f => true,
        // The C1 controls in UTF-8: C2 80 to C2 9F.
        0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
        _ => false,
    })
}

fn walk(v: &Value, pointer: &mut String, out: &mut Vec<Problem>) {
    match v {
        Value::String(s) => check(s, pointer, false, out),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                walk(item, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_segment(k));
                check(k, pointer, true, out);
                walk(item, pointer, out);
                pointer.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

fn check(s: &str, pointer: &str, key: bool, out: &mut Vec<Problem>) {
    let Some((i, c)) = s.chars().enumerate().find(|(_, c)| refused(*c)) else {
        return;
    };
    let what = if key { "key" } else { "text" };
    let problem = Problem::new(
        pointer,
        format!(
            "the {what} holds a control character (U+{:04X}, character {}), which a terminal \
             would act on instead of showing",
            u32::from(c),
            i + 1
        ),
    )
    .with_help(
        "remove it: a questionnaire's text may hold line breaks (\\n) but no other control \
         characters (no tabs, carriage returns or escape sequences)",
    );
    out.push(if key { problem.at_key() } else { problem });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_escaped_and_raw_controls_with_their_pointers() {
        let text = "{\"a\": [\"ok\\nline\", \"x\\u001b]0;t\\u0007\"], \"b\\tc\": {\"d\": \"\u{9b}2J\"}, \
                    \"e\": \"\\\\u001b is shown, not acted on\", \"f\": \"\u{202e}\"}";
        let problems = control_character_problems(text);
        let at: Vec<(&str, bool)> = problems
            .iter()
            .map(|p| (p.pointer(), p.is_at_key()))
            .collect();
        assert_eq!(at, [("/a/1", false), ("/b\tc", true), ("/b\tc/d", false)]);
        assert!(problems[0].message().contains("U+001B, character 2"));
        assert!(control_character_problems("{\"a\": \"fine\\n\\u00e9\"}").is_empty());
    }
}
