//! `validate --format json`: one JSON object per line, as cargo's `--message-format json`, so
//! editors and CI can annotate the files. Every object has a `reason`: `problem` (one per
//! problem: `file`, `line`, `column`, `pointer`, `message`, `help`), `test-failed`, `file` (one
//! per file checked, with its status) and, last, `summary`. A new kind of finding is a new
//! `reason`; readers skip the reasons they do not know.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{EXIT_IO, load_target, validate_exit, validate_targets};
use crate::coverage::Coverage;
use crate::diagnostics::LoadError;
use crate::loader;

#[derive(Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
enum Message<'a> {
    Problem {
        file: &'a str,
        /// 1-based; absent when the problem has no place in the text (a file not found).
        line: Option<usize>,
        column: Option<usize>,
        /// JSON pointer to the value (`""` for the whole document); absent as for `line`.
        pointer: Option<&'a str>,
        message: &'a str,
        help: Option<&'a str>,
    },
    TestFailed {
        file: &'a str,
        test: &'a str,
        message: &'a str,
    },
    File {
        file: &'a str,
        /// `valid`, `invalid`, `unreadable` or `incomplete-coverage`.
        status: &'a str,
        /// Problems found beyond those listed (past the most one report lists).
        problems_not_listed: usize,
        tests_passed: usize,
        tests_failed: usize,
    },
    Summary {
        files: usize,
        valid: usize,
        invalid: usize,
        unreadable: usize,
        tests_passed: usize,
        tests_failed: usize,
        exit: u8,
    },
}

fn emit(out: &mut impl Write, m: &Message) -> io::Result<()> {
    serde_json::to_writer(&mut *out, m)?;
    out.write_all(b"\n")
}

/// Writes a problem object for each problem of `e`; returns how many were not listed.
fn emit_error(out: &mut impl Write, file: &str, e: &LoadError) -> io::Result<usize> {
    if let LoadError::Invalid { problems, more, .. } = e {
        for p in problems {
            emit(
                out,
                &Message::Problem {
                    file,
                    line: Some(p.line),
                    column: Some(p.column),
                    pointer: Some(&p.pointer),
                    message: &p.message,
                    help: p.help.as_deref(),
                },
            )?;
        }
        return Ok(*more);
    }
    let (line, column) = match e {
        LoadError::NotUtf8 { line, column, .. } => (Some(*line), Some(*column)),
        _ => (None, None),
    };
    let message = e.to_string();
    let m = Message::Problem {
        file,
        line,
        column,
        pointer: None,
        message: &message,
        help: None,
    };
    emit(out, &m).map(|()| 0)
}

/// Counts of a run, for the summary.
#[derive(Default)]
struct Counts {
    files: usize,
    valid: usize,
    invalid: usize,
    unreadable: usize,
    passed: usize,
    failed: usize,
}

/// `validate --format json` over `files` (the built-in questionnaire when empty).
pub(super) fn validate(files: &[PathBuf], clinic: Option<&crate::input::Clinic>) -> io::Result<u8> {
    let mut out = io::BufWriter::new(crate::output::json_stdout());
    let mut n = Counts::default();
    for path in validate_targets(files) {
        let name = path.map_or(loader::EMBEDDED_NAME.to_string(), crate::input::name_of);
        n.files += 1;
        check_one(&mut out, &name, path, clinic, &mut n)?;
    }
    let exit = validate_exit(n.invalid, n.failed, n.unreadable);
    let summary = Message::Summary {
        files: n.files,
        valid: n.valid,
        invalid: n.invalid,
        unreadable: n.unreadable,
        tests_passed: n.passed,
        tests_failed: n.failed,
        exit,
    };
    emit(&mut out, &summary)?;
    out.flush()?;
    Ok(exit)
}

/// Checks one file (with the clinic file, if any) and writes what was found.
fn check_one(
    out: &mut impl Write,
    name: &str,
    path: Option<&Path>,
    clinic: Option<&crate::input::Clinic>,
    n: &mut Counts,
) -> io::Result<()> {
    let (q, bytes) = match load_target(path, clinic) {
        Ok(loaded) => loaded,
        Err((code, e)) => {
            let more = emit_error(out, name, &e)?;
            let status = if code == EXIT_IO {
                n.unreadable += 1;
                "unreadable"
            } else {
                n.invalid += 1;
                "invalid"
            };
            return emit(out, &file_message(name, status, more, 0, 0));
        }
    };
    let (coverage, results) = Coverage::with_results(&q);
    let ok = results.iter().filter(|r| r.passed()).count();
    for r in results.iter().filter(|r| !r.passed()) {
        let message = r.explain();
        let m = Message::TestFailed {
            file: name,
            test: &r.name,
            message: &message,
        };
        emit(out, &m)?;
    }
    n.passed += ok;
    n.failed += results.len() - ok;
    // A rule that no test case fires fails the check, as in the text report.
    let never_fired = coverage.never_fired_problems();
    let (status, more) = match crate::diagnostics::json_text(name, &bytes) {
        Ok(text) if !never_fired.is_empty() => {
            n.invalid += 1;
            let more = coverage.never_fired() - never_fired.len();
            let e = LoadError::invalid(name, text, never_fired).with_more(more);
            ("incomplete-coverage", emit_error(out, name, &e)?)
        }
        _ => {
            n.valid += 1;
            ("valid", 0)
        }
    };
    emit(
        out,
        &file_message(name, status, more, ok, results.len() - ok),
    )
}

fn file_message<'a>(
    file: &'a str,
    status: &'a str,
    more: usize,
    passed: usize,
    failed: usize,
) -> Message<'a> {
    Message::File {
        file,
        status,
        problems_not_listed: more,
        tests_passed: passed,
        tests_failed: failed,
    }
}
