//! The answers file: a JSON object whose `answers` member maps question ids to answers, as
//! written by hand, by `score --format json` and in saved records. One parser serves the
//! answers file and each line of a JSONL stream.

use crate::diagnostics::{LoadError, Problem};
use crate::loader;
use crate::questionnaire::Questionnaire;

/// Reads an answers document: a JSON object whose `answers` member is an object.
pub fn parse_answers_doc(
    q: &Questionnaire,
    name: &str,
    text: &str,
) -> Result<crate::answers::Answers, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let problem = |pointer: &str, message: String, help: Option<String>| Problem {
        pointer: pointer.to_string(),
        message,
        help,
        at_key: false,
        line_col: None,
    };
    if text.trim().is_empty() {
        return Err(LoadError::invalid(
            name,
            text,
            vec![problem(
                "",
                "the answers input is empty".into(),
                Some(ANSWERS_HELP.into()),
            )],
        ));
    }
    // Fast path: an object whose `answers` is an object with no key given twice (other keys are
    // skipped unread). Anything else takes the slow path, which says exactly what is wrong.
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(deserialize_with = "crate::model::unique_map")]
        answers: serde_json::Map<String, serde_json::Value>,
    }
    if let Ok(doc) = serde_json::from_str::<Doc>(text) {
        return q
            .parse_answers(&doc.answers)
            .map_err(|errs| answers_problems(name, text, errs));
    }
    let doc: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let msg = loader::strip_position(&e.to_string());
            return Err(LoadError::invalid(
                name,
                text,
                vec![problem("", msg, None).at_line_col(e.line(), e.column())],
            ));
        }
    };
    // A repeated answer would silently count only once: "yes" then "no" must not read as "no".
    let duplicates = loader::duplicate_key_problems(text);
    if !duplicates.is_empty() {
        return Err(LoadError::invalid(name, text, duplicates));
    }
    let Some(obj) = doc.get("answers").and_then(|a| a.as_object()) else {
        let (pointer, msg) = match doc.get("answers") {
            Some(_) => ("/answers", "`answers` must be an object"),
            None if doc.is_object() => ("", "there is no `answers` object"),
            None => ("", "the answers input must be a JSON object"),
        };
        return Err(LoadError::invalid(
            name,
            text,
            vec![problem(pointer, msg.into(), Some(ANSWERS_HELP.into()))],
        ));
    };
    q.parse_answers(obj)
        .map_err(|errs| answers_problems(name, text, errs))
}

fn answers_problems(name: &str, text: &str, errs: Vec<loader::AnswerProblem>) -> LoadError {
    let problems = errs
        .into_iter()
        .map(|e| Problem {
            pointer: format!("/answers/{}", crate::locate::escape_segment(&e.id)),
            message: e.message,
            help: e.help,
            at_key: e.unknown_id,
            line_col: None,
        })
        .collect();
    LoadError::invalid(name, text, problems)
}

const ANSWERS_HELP: &str =
    "write {\"answers\": {\"question_id\": \"yes\", ...}}; `needlecheck questions` lists the ids";
