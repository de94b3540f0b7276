//! The answers file: a JSON object whose `answers` member maps question ids to answers, as
//! written by hand, by `score --format json` and in saved records. One parser serves the
//! answers file and each line of a JSONL stream.

use crate::answers::{self, Answers};
use crate::diagnostics::{LoadError, MAX_COLLECTED, Problem};
use crate::loader;
use crate::model::Question;
use crate::questionnaire::Questionnaire;
use crate::suggest::{Suggester, clip};

/// Reads an answers document: a JSON object whose `answers` member is an object. Errors name
/// the question, what it takes and the place, never the value given (that is patient data),
/// and are rendered without source excerpts. `suggest` bounds the "did you mean" work of a
/// whole run (one per stream of many documents).
pub fn parse_answers_doc(
    q: &Questionnaire,
    name: &str,
    text: &str,
    suggest: &Suggester,
) -> Result<crate::answers::Answers, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let refuse = |problems| LoadError::invalid_answers(name, text, problems);
    if text.trim().is_empty() {
        let empty = Problem::new("", "the answers input is empty").with_help(ANSWERS_HELP);
        return Err(refuse(vec![empty]));
    }
    // Fastest path: a document with nothing wrong, read straight into answers (it refuses
    // nesting deeper than the check below, so it accepts exactly what the careful path does).
    if let Some(answers) = crate::answers_fast::parse(q, text) {
        return Ok(answers);
    }
    // Parsing builds a JSON value for every bracket: refuse what no answers file needs first.
    if let Some(at) = crate::locate::too_deep(text, MAX_ANSWERS_DEPTH) {
        return Err(refuse(vec![too_deep(text, at)]));
    }
    let obj = answers_object(text).map_err(refuse)?;
    q.parse_answers_with(&obj, suggest)
        .map_err(|errs| answers_problems(name, text, errs))
}

/// The problem of brackets nested too deeply, at byte `at`.
fn too_deep(text: &str, at: usize) -> Problem {
    let line = text.as_bytes()[..at]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1) + 1;
    let message = format!("nested too deeply (more than {MAX_ANSWERS_DEPTH} levels of brackets)");
    Problem::new("", message)
        .with_help(ANSWERS_HELP)
        .at_line_col(line, column)
}

/// The `answers` object of a document, or what keeps it from being read.
fn answers_object(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, Vec<Problem>> {
    // Fast path: an object whose `answers` is an object with no key given twice (other keys are
    // skipped unread). Anything else takes the slow path, which says exactly what is wrong.
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(deserialize_with = "crate::model::unique_map")]
        answers: serde_json::Map<String, serde_json::Value>,
    }
    if let Ok(doc) = serde_json::from_str::<Doc>(text) {
        return Ok(doc.answers);
    }
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let msg = loader::strip_position(&e.to_string());
        vec![Problem::new("", msg).at_line_col(e.line(), e.column())]
    })?;
    // A repeated answer would silently count only once: "yes" then "no" must not read as "no".
    let duplicates = loader::duplicate_key_problems(text);
    if !duplicates.is_empty() {
        return Err(duplicates);
    }
    let (pointer, msg) = match doc {
        serde_json::Value::Object(mut m) => match m.remove("answers") {
            Some(serde_json::Value::Object(answers)) => return Ok(answers),
            Some(_) => ("/answers", "`answers` must be an object"),
            None => ("", "there is no `answers` object"),
        },
        _ => ("", "the answers input must be a JSON object"),
    };
    Err(vec![Problem::new(pointer, msg).with_help(ANSWERS_HELP)])
}

fn answers_problems(name: &str, text: &str, errs: AnswerProblems) -> LoadError {
    let problems = errs
        .problems
        .into_iter()
        .map(|e| e.problem_under("/answers"))
        .collect();
    LoadError::invalid_answers(name, text, problems).with_more(errs.more)
}

/// Deepest nesting of brackets in an answers document: answers are at the third level, and a
/// saved record (which can be scored again) goes no deeper than the sixth.
pub const MAX_ANSWERS_DEPTH: usize = 16;

const ANSWERS_HELP: &str =
    "write {\"answers\": {\"question_id\": \"yes\", ...}}; `needlecheck questions` lists the ids";

/// A problem with one answer in an answers object.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerProblem {
    /// The question id (the key in the answers object).
    pub id: String,
    /// What is wrong, naming the question but never the value given.
    pub message: String,
    /// How to fix it, where there is more to say.
    pub help: Option<String>,
    /// The id itself is unknown (point at the key).
    pub unknown_id: bool,
}

/// The problems of an answers object: the first [`MAX_COLLECTED`], and how many more there are.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerProblems {
    /// The problems kept, in the order of the object.
    pub problems: Vec<AnswerProblem>,
    /// How many more were found and only counted.
    pub more: usize,
}

impl AnswerProblem {
    /// As a problem of the answers object at JSON pointer `base`.
    pub(crate) fn problem_under(self, base: &str) -> Problem {
        let pointer = format!("{base}/{}", crate::locate::escape_segment(&self.id));
        let problem = Problem::new(pointer, self.message).with_optional_help(self.help);
        if self.unknown_id {
            problem.at_key()
        } else {
            problem
        }
    }
}

impl AnswerProblems {
    fn add(&mut self, p: impl FnOnce() -> AnswerProblem) {
        if self.problems.len() < MAX_COLLECTED {
            self.problems.push(p());
        } else {
            self.more += 1;
        }
    }
}

/// Reads an answers object (`{"question_id": value, ...}`) against the questions. Reports every
/// bad entry (the first [`MAX_COLLECTED`] in full, the others counted).
pub fn parse_answers(
    questions: &[Question],
    lookup: &dyn Fn(&str) -> Option<usize>,
    obj: &serde_json::Map<String, serde_json::Value>,
    suggest: &Suggester,
) -> Result<Answers, AnswerProblems> {
    let mut answers = Answers::new(questions.len());
    let mut problems = AnswerProblems {
        problems: Vec::new(),
        more: 0,
    };
    for (id, v) in obj {
        let Some(qi) = lookup(id) else {
            problems.add(|| AnswerProblem {
                id: id.clone(),
                message: format!("unknown question `{}`", clip(id)),
                help: suggest
                    .did_you_mean(id, questions.iter().map(|q| q.id.as_str()))
                    .map(|s| format!("did you mean `{}`?", clip(s))),
                unknown_id: true,
            });
            continue;
        };
        if v.is_null() {
            continue;
        }
        match answers::from_json(&questions[qi], v) {
            Ok(a) => answers.set(qi, Some(a)),
            Err(e) => problems.add(|| AnswerProblem {
                id: id.clone(),
                message: e.to_string(),
                help: e.help(),
                unknown_id: false,
            }),
        }
    }
    if problems.problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

impl Questionnaire {
    /// Reads an answers object against this questionnaire.
    pub fn parse_answers(
        &self,
        obj: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Answers, Vec<AnswerProblem>> {
        self.parse_answers_with(obj, &Suggester::new())
            .map_err(|e| e.problems)
    }

    /// As [`Questionnaire::parse_answers`], with a shared budget for suggestions.
    pub fn parse_answers_with(
        &self,
        obj: &serde_json::Map<String, serde_json::Value>,
        suggest: &Suggester,
    ) -> Result<Answers, AnswerProblems> {
        parse_answers(
            self.questions(),
            &|id| self.question_index(id),
            obj,
            suggest,
        )
    }
}
