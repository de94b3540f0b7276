//! Loading and checking a questionnaire: text in, [`Questionnaire`] or every problem out.
//!
//! Three stages. (1) Bytes: size limit, UTF-8, empty file. (2) serde: JSON syntax, unknown
//! fields and wrong types; questions, rules and tests are parsed one by one ([`Lenient`](crate::model::Lenient)) so
//! a bad one does not hide the others. (3) Meaning: duplicate ids, dangling references,
//! operators that do not fit, `show_if` order and cycles, questions no path can show, and the
//! embedded tests' answers. All problems are collected; each carries a JSON pointer, turned
//! into file:line:col only when there is something to report.

use std::path::Path;

mod check;
mod compile;
mod items;
mod order;
mod parse;
mod reach;
mod rules;
mod settings;

pub(crate) use parse::{duplicate_key_problems, lenient_problem, serde_problem, strip_position};

use crate::diagnostics::{LoadError, Problem};
use crate::locate;
use crate::model::QuestionnaireFile;
use crate::questionnaire::Questionnaire;
use check::check;

/// What the checks build, besides the top-level fields of the file.
pub(crate) struct Parts {
    pub(crate) sections: Vec<crate::questionnaire::SectionInfo>,
    pub(crate) questions: Vec<crate::model::Question>,
    pub(crate) question_section: Vec<usize>,
    pub(crate) show_if: Vec<Option<crate::condition::Expr>>,
    pub(crate) rules: Vec<crate::questionnaire::CompiledRule>,
    /// The embedded tests with their answers read.
    pub(crate) tests: Vec<(crate::model::TestCase, crate::answers::Answers)>,
    /// The declared clinic settings and their defaults.
    pub(crate) settings: Vec<crate::model::Setting>,
    pub(crate) setting_defaults: Vec<crate::condition::SettingValue>,
}

/// Largest questionnaire file accepted.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// The default dry-needling questionnaire, built into the binary.
pub const EMBEDDED: &str = include_str!("../../../../questionnaires/dry-needling.json");

/// SHA-256 of [`EMBEDDED`], lowercase hex, computed when the engine was built.
pub const EMBEDDED_SHA256: &str = include_str!(concat!(env!("OUT_DIR"), "/embedded.sha256"));

/// The embedded questionnaire as screening and scoring read it: compact, without the test
/// cases (made when the engine was built; see [`embedded_without_tests`]).
const SCREENING: &str = include_str!(concat!(env!("OUT_DIR"), "/screening.json"));

/// Name used for the embedded questionnaire in messages and records.
pub const EMBEDDED_NAME: &str = "(embedded) dry-needling.json";

/// Loads the embedded questionnaire. It is checked by the test suite, so failure is a bug.
pub fn embedded() -> Result<Questionnaire, LoadError> {
    load_str(EMBEDDED_NAME, EMBEDDED.as_bytes())
}

/// The embedded questionnaire without its test cases, for screening and scoring: the tests
/// are run by the test suite and by `validate`, which load it whole ([`embedded`]). Everything
/// else is checked as in any file.
pub fn embedded_without_tests() -> Result<Questionnaire, LoadError> {
    let lean = crate::model::parse_direct_without_tests(SCREENING)
        .ok()
        .and_then(|file| {
            let problems = crate::text_rules::control_character_problems(SCREENING);
            check(
                file,
                EMBEDDED_NAME,
                SCREENING,
                EMBEDDED_SHA256.into(),
                problems,
            )
            .ok()
        });
    // Never fails in a build that passed its tests; if it did, the whole file is loaded, and
    // its problems are reported where they are in the file.
    lean.map_or_else(embedded, Ok)
}

/// Reads and checks a questionnaire file.
pub fn load_path(path: &Path) -> Result<Questionnaire, LoadError> {
    let bytes = crate::diagnostics::read_limited(path, MAX_FILE_BYTES)?;
    load_str(&crate::diagnostics::display_name(path), &bytes)
}

/// Checks questionnaire bytes; `name` is used in messages.
pub fn load_str(name: &str, bytes: &[u8]) -> Result<Questionnaire, LoadError> {
    let text = crate::diagnostics::json_text(name, bytes)?;
    let first = text.trim_start().as_bytes()[0];
    if first != b'{' {
        let offset = text.len() - text.trim_start().len();
        let line = text[..offset].matches('\n').count() + 1;
        let byte_column = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1) + 1;
        let problem = Problem::new("", "a questionnaire must be a JSON object (`{ ... }`)")
            .with_help("see `needlecheck schema` for the format")
            .at_line_col(line, byte_column);
        return Err(LoadError::invalid(name, text, vec![problem]));
    }
    // Fast path for a well-formed file (which can have no key given twice: every object is
    // a struct or a map that refuses them); the slow path below reports every problem.
    if let Ok(file) = crate::model::parse_direct(text) {
        let problems = crate::text_rules::control_character_problems(text);
        return check(file, name, text, sha256_hex(bytes), problems);
    }
    let file: QuestionnaireFile = deserialize_located(name, text, "needlecheck schema")?;
    let sha256 = sha256_hex(bytes);
    let mut problems = duplicate_key_problems(text);
    problems.extend(crate::text_rules::control_character_problems(text));
    check(file, name, text, sha256, problems)
}

/// `text` as a `T`, or where and why not: serde_json's own line and column for text that is not
/// well-formed JSON, JSON pointers (and every repeated key) for data of the wrong shape, and a
/// stray tail after the object. `schema` is the command that prints the format, for the hints.
pub(crate) fn deserialize_located<T: serde::de::DeserializeOwned>(
    name: &str,
    text: &str,
    schema: &str,
) -> Result<T, LoadError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde_path_to_error::deserialize::<_, T>(&mut de);
    match parsed {
        Ok(f) => match de.end() {
            Ok(()) => Ok(f),
            Err(e) => {
                let problem = Problem::new("", "unexpected text after the end of the JSON object")
                    .with_help("remove it, or check for a stray closing brace")
                    .at_line_col(e.line(), e.column());
                Err(LoadError::invalid(name, text, vec![problem]))
            }
        },
        Err(e) => {
            let segments = locate::path_segments(e.path());
            let inner = e.into_inner();
            let message = inner.to_string();
            let problem = serde_problem(&segments, &message, inner.is_data())
                .map_help(|h| h.replace("`needlecheck schema`", &format!("`{schema}`")));
            if !inner.is_data() {
                // Not well-formed JSON: only serde_json's line and column are meaningful.
                let problem = problem.at_line_col(inner.line(), inner.column());
                return Err(LoadError::invalid(name, text, vec![problem]));
            }
            let mut problems = duplicate_key_problems(text);
            // serde's own "duplicate field" is the same finding, less precisely placed.
            if problems.is_empty() || !message.starts_with("duplicate field") {
                problems.push(problem);
            }
            Err(LoadError::invalid(name, text, problems))
        }
    }
}

/// Lowercase hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Record, Summary, TextOptions, render_text};

    #[test]
    fn the_build_time_hash_is_the_hash_of_the_embedded_bytes() {
        assert_eq!(EMBEDDED_SHA256, sha256_hex(EMBEDDED.as_bytes()));
    }

    #[test]
    fn the_embedded_questionnaire_without_its_tests_scores_as_the_whole_one() {
        let whole = embedded().expect("loads");
        let lean = embedded_without_tests().expect("loads");
        assert!(lean.tests().is_empty());
        assert!(!whole.tests().is_empty());
        for i in 0..whole.tests().len() {
            let answers = whole.test_answers(i);
            let (a, b) = (crate::score(&whole, answers), crate::score(&lean, answers));
            assert_eq!(a, b, "test {i}");
            let record = |q, o| serde_json::to_string(&Record::new(q, answers, o)).unwrap();
            assert_eq!(record(&whole, &a), record(&lean, &b), "test {i}");
            let opts = TextOptions::default();
            let text = |q, o| render_text(&Summary::new(q, answers, o, true), &opts);
            assert_eq!(text(&whole, &a), text(&lean, &b), "test {i}");
        }
    }
}
