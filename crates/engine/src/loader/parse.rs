//! The serde stage: turning serde's errors into located problems.

use crate::diagnostics::Problem;
use crate::locate;
use crate::model::LenientError;
use crate::suggest::did_you_mean;

/// Turns a serde error at `segments` into a problem, with a did-you-mean for unknown fields.
pub(crate) fn serde_problem(segments: &[String], message: &str, data: bool) -> Problem {
    let mut pointer = locate::pointer(segments);
    let mut help = None;
    let mut at_key = false;
    // serde: "unknown field `shwo_if`, expected one of `id`, `type`, ..." and
    // "unknown variant `urgnt`, expected one of `clear`, ...": name the value, suggest.
    let mut message = strip_position(message);
    let unknown = [("unknown field `", "field"), ("unknown variant `", "value")]
        .into_iter()
        .find_map(|(prefix, what)| {
            let rest = message.strip_prefix(prefix)?;
            let (word, expected) = rest.split_once('`')?;
            Some((what, word.to_string(), expected.to_string()))
        });
    if let Some((what, word, expected)) = unknown {
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        help = Some(match did_you_mean(&word, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None if what == "field" => format!("remove it; known fields: {}", known.join(", ")),
            None => format!("use one of: {}", known.join(", ")),
        });
        if what == "field" {
            if segments.last().is_none_or(|s| *s != word) {
                pointer = format!("{pointer}/{}", locate::escape_segment(&word));
            }
            at_key = true;
        }
        let what = match segments.last().map(String::as_str) {
            Some("level") => "level",
            Some("type") => "question type",
            _ => what,
        };
        message = format!("unknown {what} `{word}`");
    } else if message.starts_with("missing field") {
        help = Some("add the field; see `needlecheck schema` for the format".into());
    } else if data {
        help = Some("see `needlecheck schema` for the expected type".into());
    }
    let problem = Problem::new(pointer, message).with_optional_help(help);
    if at_key { problem.at_key() } else { problem }
}

/// serde_json appends " at line L column C"; the diagnostic shows the place itself.
/// serde_json's message in plainer words, without its position.
pub(crate) fn strip_position(message: &str) -> String {
    let m = match message.rfind(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    if m.starts_with("EOF while parsing") {
        "the text ends too early: a closing `}`, `]` or `\"` is missing".into()
    } else if m == "recursion limit exceeded" {
        "nested too deeply (more than 128 levels of brackets)".into()
    } else {
        m.to_string()
    }
}

/// A problem for every key given twice in one object (JSON parsers silently keep the last).
pub(crate) fn duplicate_key_problems(text: &str) -> Vec<Problem> {
    locate::duplicate_keys(text)
        .into_iter()
        .map(|(pointer, _)| {
            let key = pointer
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace("~1", "/")
                .replace("~0", "~");
            Problem::new(
                pointer,
                format!("duplicate field `{key}` (given twice in the same object)"),
            )
            .with_help("keep one: only the last would count")
            .at_key()
        })
        .collect()
}

pub(crate) fn lenient_problem(base: &str, e: &LenientError) -> Problem {
    serde_problem(&e.path, &e.message, true).under(base)
}
