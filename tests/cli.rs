//! End-to-end tests of the `needlecheck` command line: `validate`, `score`, `questions`,
//! `schema`, `--help` and `--version`. Each test runs the real binary and checks what a
//! person or a script sees: exit status, standard output and standard error.
//!
//! The interactive screening (no subcommand) is tested elsewhere. The built-in questionnaire
//! is only used loosely here; exact content comes from `tests/fixtures/mini.json`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// The fixture questionnaire all exact checks use.
const MINI: &str = "tests/fixtures/mini.json";

/// Nothing here should take long; a hang is a failure, not a stuck test run.
const TIMEOUT: Duration = Duration::from_secs(30);

fn bin_path() -> &'static str {
    env!("CARGO_BIN_EXE_needlecheck")
}

/// The binary, without colour, with a timeout.
fn needlecheck() -> Command {
    let mut cmd = Command::new(bin_path());
    cmd.env("NO_COLOR", "1").timeout(TIMEOUT);
    cmd
}

/// The binary with `-q tests/fixtures/mini.json`.
fn with_mini() -> Command {
    let mut cmd = needlecheck();
    cmd.args(["-q", MINI]);
    cmd
}

fn fixture(name: &str) -> String {
    format!("tests/fixtures/cli/{name}")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out
            .status
            .code()
            .expect("exited normally, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Fails with the whole output when the exit status is not `code` or the program panicked.
fn expect_code(r: &Run, code: i32) {
    assert_eq!(
        r.code, code,
        "exit status\n--- stdout\n{}\n--- stderr\n{}",
        r.stdout, r.stderr
    );
    assert_no_panic(r);
}

fn assert_no_panic(r: &Run) {
    assert!(
        !r.stderr.contains("panicked") && !r.stderr.contains("internal error"),
        "the program panicked:\n{}",
        r.stderr
    );
    assert_ne!(r.code, 101, "exit status 101 (panic)");
}

fn parse_json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or("")
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write temporary file");
    path
}

// ---------------------------------------------------------------------------------------------
// --help, --version, usage errors

#[test]
fn help_lists_every_subcommand_and_the_exit_statuses() {
    let r = run(needlecheck().arg("--help"));
    expect_code(&r, 0);
    for sub in ["validate", "score", "questions", "schema", "rulebook"] {
        assert!(
            r.stdout.lines().any(|l| l.trim_start().starts_with(sub)),
            "--help does not list `{sub}`:\n{}",
            r.stdout
        );
    }
    let status = r
        .stdout
        .split("Exit status")
        .nth(1)
        .unwrap_or_else(|| panic!("--help has no exit status section:\n{}", r.stdout));
    for code in [
        "0 success",
        "1 I/O or internal error",
        "2 invalid input or usage",
    ] {
        assert!(
            status.contains(code),
            "exit statuses lack `{code}`:\n{status}"
        );
    }
}

#[test]
fn subcommand_help_explains_the_subcommand() {
    let r = run(needlecheck().args(["score", "--help"]));
    expect_code(&r, 0);
    for s in ["--answers", "--format", "--jsonl", "standard input"] {
        assert!(
            r.stdout.contains(s),
            "score --help lacks `{s}`:\n{}",
            r.stdout
        );
    }
    let r = run(needlecheck().args(["validate", "--help"]));
    expect_code(&r, 0);
    assert!(r.stdout.contains("passed"), "{}", r.stdout);
}

#[test]
fn version_prints_name_and_version() {
    let r = run(needlecheck().arg("--version"));
    expect_code(&r, 0);
    assert_eq!(
        r.stdout,
        format!("needlecheck {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_flag_is_a_usage_error() {
    for args in [
        &["--bogus"][..],
        &["validate", "--bogus"],
        &["score", "--answers", "x.json", "--bogus"],
        &["questions", "--format", "xml"],
        &["frobnicate"],
    ] {
        let r = run(needlecheck().args(args));
        expect_code(&r, 2);
        assert!(
            r.stderr.contains("Usage:") || r.stderr.contains("possible values"),
            "{args:?}: no usage message:\n{}",
            r.stderr
        );
        assert!(
            r.stdout.is_empty(),
            "{args:?}: wrote to stdout: {}",
            r.stdout
        );
    }
}

#[test]
fn score_without_answers_is_a_usage_error() {
    let r = run(with_mini().arg("score"));
    expect_code(&r, 2);
    assert!(r.stderr.contains("--answers"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// validate

/// Number of test cases embedded in the fixture, read from the file itself.
fn mini_test_count() -> usize {
    let doc = parse_json(&std::fs::read_to_string(MINI).unwrap());
    doc["tests"].as_array().expect("fixture has tests").len()
}

#[test]
fn validate_good_fixture_passes_every_test() {
    let n = mini_test_count();
    assert_eq!(n, 7, "the fixture's test count changed; update this test");
    let r = run(needlecheck().args(["validate", MINI]));
    expect_code(&r, 0);
    assert_eq!(last_line(&r.stdout), format!("{n} passed, 0 failed"));
    assert!(
        r.stdout.contains(&format!(
            "{MINI}: valid (7 questions, 5 rules), {n} of {n} tests passed"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stderr.is_empty(), "stderr: {}", r.stderr);
}

#[test]
fn validate_without_file_checks_the_built_in_questionnaire() {
    let r = run(needlecheck().arg("validate"));
    expect_code(&r, 0);
    let last = last_line(&r.stdout);
    assert!(
        last.ends_with(" passed, 0 failed"),
        "closing line: {last:?}\n{}",
        r.stdout
    );
    assert!(!last.starts_with("0 passed"), "no embedded tests ran");
}

#[test]
fn validate_reports_a_failing_embedded_test() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(MINI).unwrap();
    let wrong = text.replace(
        r#""weeks": 20, "thinners": "no"}, "expect": "clear"}"#,
        r#""weeks": 20, "thinners": "no"}, "expect": "review"}"#,
    );
    assert_ne!(wrong, text, "the fixture changed; fix the replacement");
    let path = write(dir.path(), "wrong-expectation.json", wrong);
    let r = run(needlecheck().arg("validate").arg(&path));
    expect_code(&r, 2);
    let failed: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAILED"))
        .collect();
    assert_eq!(failed.len(), 1, "{}", r.stdout);
    assert!(
        failed[0].contains("\"20 weeks\"") && failed[0].contains("expected review, got clear"),
        "FAILED line does not name the test and the difference: {}",
        failed[0]
    );
    assert_eq!(last_line(&r.stdout), "6 passed, 1 failed");
}

#[test]
fn validate_reports_every_problem_of_a_bad_questionnaire() {
    let path = fixture("bad-many.json");
    let r = run(needlecheck().args(["validate", &path]));
    expect_code(&r, 2);
    assert_eq!(last_line(&r.stdout), "0 passed, 0 failed");
    assert!(
        r.stdout.contains(&format!("{path}: INVALID")) && r.stdout.contains("8 problems"),
        "{}",
        r.stdout
    );

    let errors: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 8, "{}", r.stderr);
    // One per kind of problem, each with its place: file:line:col and JSON pointer.
    let expected = [
        (
            "23:67: unknown field `hlep`",
            "/sections/0/questions/1/hlep",
            Some("did you mean `help`?"),
        ),
        (
            "26:14: duplicate question id `bleeding`",
            "/sections/0/questions/3/id",
            None,
        ),
        (
            "25:25: unknown question `fevre`",
            "/sections/0/questions/2/show_if/q",
            Some("did you mean `fever`?"),
        ),
        (
            "30:73: show_if cycle: loop_a → loop_b → loop_a",
            "/sections/0/questions/6/show_if",
            None,
        ),
        (
            "28:19: show_if of `early` refers to `late`, which is asked later",
            "/sections/0/questions/4/show_if",
            None,
        ),
        (
            "35:78: `lt` does not fit `bleeding`, a yes_no question",
            "/rules/0/when/lt",
            None,
        ),
        ("36:123: unknown source `S2`", "/rules/1/sources/0", None),
        (
            "39:48: `late` takes \"yes\" or \"no\" or \"unsure\", not a number",
            "/tests/0/answers/late",
            None,
        ),
    ];
    for (place_message, pointer, help) in expected {
        let head = format!("error: {path}:{place_message}");
        let block = problem_block(&r.stderr, &head)
            .unwrap_or_else(|| panic!("missing `{head}` in:\n{}", r.stderr));
        assert!(
            block.contains(&format!("at {pointer}\n")),
            "`{head}` without pointer {pointer}:\n{block}"
        );
        if let Some(help) = help {
            assert!(
                block.contains(&format!("help: {help}")),
                "`{head}` without `{help}`:\n{block}"
            );
        }
    }
    insta::assert_snapshot!("validate_bad_many_stderr", r.stderr);
}

/// The text of one reported problem: from its `error:` line to the next one.
fn problem_block<'a>(stderr: &'a str, head: &str) -> Option<&'a str> {
    let start = stderr.find(head)?;
    let rest = &stderr[start..];
    let end = rest[1..].find("\nerror: ").map_or(rest.len(), |i| i + 2);
    Some(&rest[..end])
}

#[test]
fn validate_reports_a_duplicate_of_a_question_that_failed_to_parse() {
    // The first `fever` has an unknown field; the second one repeats its id.
    let path = fixture("broken-duplicate.json");
    let r = run(needlecheck().args(["validate", &path]));
    expect_code(&r, 2);
    assert!(r.stderr.contains("unknown field `hlep`"), "{}", r.stderr);
    assert!(
        r.stderr.contains("duplicate question id `fever`"),
        "the second `fever` is not reported:\n{}",
        r.stderr
    );
}

#[test]
fn validate_suggests_a_question_that_failed_to_parse() {
    // Only the `fever` with an unknown field remains; `fevre` should still suggest it.
    let dir = tempfile::tempdir().unwrap();
    let mut doc = parse_json(&std::fs::read_to_string(fixture("broken-duplicate.json")).unwrap());
    doc["sections"][1]["questions"]
        .as_array_mut()
        .unwrap()
        .remove(1);
    let path = write(
        dir.path(),
        "broken-only.json",
        serde_json::to_string_pretty(&doc).unwrap(),
    );
    let r = run(needlecheck().arg("validate").arg(&path));
    expect_code(&r, 2);
    assert!(
        r.stderr.contains("unknown question `fevre`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("did you mean `fever`?"),
        "`fevre` gets no suggestion:\n{}",
        r.stderr
    );
}

#[test]
fn validate_locates_a_duplicate_top_level_field() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(MINI).unwrap();
    let twice = text.replacen(
        r#""title": "Mini screening","#,
        r#""title": "Mini screening", "title": "Other","#,
        1,
    );
    assert_ne!(twice, text, "the fixture changed; fix the replacement");
    let path = write(dir.path(), "title-twice.json", twice);
    let r = run(needlecheck().arg("validate").arg(&path));
    expect_code(&r, 2);
    let first = r.stderr.lines().next().unwrap_or("");
    // Line 4, where the second `title` is (column 30 is its key).
    assert!(
        first.starts_with(&format!("error: {}:4:", path.display()))
            && first.contains("duplicate field `title`"),
        "{first}"
    );
}

#[test]
fn byte_order_mark_is_accepted_or_named() {
    let dir = tempfile::tempdir().unwrap();
    let bom = |path: &str| {
        let mut bytes = b"\xef\xbb\xbf".to_vec();
        bytes.extend(std::fs::read(path).unwrap());
        bytes
    };
    let questionnaire = write(dir.path(), "marked.json", bom(MINI));
    let answers = write(
        dir.path(),
        "marked-answers.json",
        bom(&fixture("all-no.json")),
    );
    let runs = [
        (
            &questionnaire,
            run(needlecheck().arg("validate").arg(&questionnaire)),
        ),
        (
            &answers,
            run(with_mini().arg("score").arg("-a").arg(&answers)),
        ),
    ];
    for (path, r) in runs {
        assert_no_panic(&r);
        // Leave out the file name: a temporary directory's name could contain "bom".
        let message = r
            .stderr
            .replace(&path.display().to_string(), "FILE")
            .to_lowercase();
        assert!(
            r.code == 0
                || message.contains("bom")
                || message.contains("byte order mark")
                || message.contains("byte-order mark"),
            "exit {}, and the message does not name the byte-order mark:\n{}",
            r.code,
            r.stderr
        );
    }
}

#[test]
fn errors_into_a_pipe_have_no_colour_codes() {
    let mut cmd = needlecheck();
    cmd.env_remove("NO_COLOR")
        .args(["validate", &fixture("bad-many.json")]);
    let r = run(&mut cmd);
    expect_code(&r, 2);
    assert!(r.stderr.contains("unknown field `hlep`"), "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}'),
        "escape codes in piped stderr:\n{:?}",
        r.stderr
    );
}

/// A bad file must give a clear message on stderr, exit 2, a summary line, and no panic.
fn assert_rejected(path: &Path, code: i32, message: &str) -> Run {
    let r = run(needlecheck().arg("validate").arg(path));
    expect_code(&r, code);
    assert!(
        r.stderr.contains(message),
        "{}: expected `{message}` in stderr:\n{}",
        path.display(),
        r.stderr
    );
    let first = r.stderr.lines().next().unwrap_or("");
    assert!(
        first.starts_with("error: ") && first.contains(&path.display().to_string()),
        "the first line does not name the file:\n{}",
        r.stderr
    );
    assert_eq!(last_line(&r.stdout), "0 passed, 0 failed");
    r
}

#[test]
fn validate_rejects_empty_and_blank_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.json", "");
    assert_rejected(&empty, 2, "is empty; a questionnaire is a JSON object");
    let blank = write(dir.path(), "blank.json", " \n\t\r\n  \n");
    assert_rejected(&blank, 2, "is empty; a questionnaire is a JSON object");
}

#[test]
fn validate_locates_truncated_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(MINI).unwrap();
    // Cut in the middle of line 9 (the first contact), after `"number": `.
    let cut = text.find(r#""number": "000""#).unwrap() + r#""number": "#.len();
    let path = write(dir.path(), "truncated.json", &text[..cut]);
    let r = assert_rejected(&path, 2, "the text ends too early");
    assert!(
        r.stderr.contains(&format!("{}:9:", path.display())),
        "not located on line 9:\n{}",
        r.stderr
    );
}

#[test]
fn validate_rejects_invalid_utf8_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "latin1.json",
        b"{\n  \"title\": \"caf\xe9\"\n}\n",
    );
    assert_rejected(
        &path,
        2,
        "is not UTF-8 text (first bad byte at line 2, column 16)",
    );
}

#[test]
fn validate_rejects_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("questionnaire.json");
    std::fs::create_dir(&sub).unwrap();
    assert_rejected(&sub, 2, "is a directory; give the path of a JSON file");
}

#[test]
fn validate_missing_file_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.json");
    assert_rejected(&path, 1, "cannot read");
}

#[test]
fn validate_rejects_a_json_array() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "array.json", "\n  [1, 2, 3]\n");
    let r = assert_rejected(&path, 2, "a questionnaire must be a JSON object");
    assert!(
        r.stderr.contains(&format!("{}:2:3:", path.display())),
        "{}",
        r.stderr
    );
}

#[test]
fn validate_survives_100k_nested_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "deep.json", "[".repeat(100_000));
    assert_rejected(&path, 2, "a questionnaire must be a JSON object");
    // The same depth inside an object, where the JSON parser does see it.
    let path = write(
        dir.path(),
        "deep-object.json",
        format!("{{\"sections\": {}", "[".repeat(100_000)),
    );
    let r = run(needlecheck().arg("validate").arg(&path));
    expect_code(&r, 2);
    assert!(r.stderr.len() < 2_000, "huge stderr:\n{}", r.stderr);
}

#[test]
fn validate_survives_100k_nested_conditions() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(MINI).unwrap();
    let deep = text.replacen(
        r#""show_if": {"q": "pregnant", "one_of": ["yes"]}"#,
        &format!(r#""show_if": {}"#, r#"{"all": ["#.repeat(100_000)),
        1,
    );
    assert_ne!(deep, text, "the fixture changed; fix the replacement");
    let path = write(dir.path(), "deep-condition.json", deep);
    let r = assert_rejected(&path, 2, "nested too deeply");
    assert!(
        r.stderr.len() < 5_000,
        "huge stderr: {} bytes",
        r.stderr.len()
    );
}

#[test]
fn validate_top_level_problem_without_snippet_says_top_level() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "deep.json", "[".repeat(100_000));
    let r = run(needlecheck().arg("validate").arg(&path));
    expect_code(&r, 2);
    assert!(
        r.stderr.lines().all(|l| l.trim_end() != "at"),
        "a bare `at` line:\n{}",
        r.stderr
    );
    assert!(r.stderr.contains("at the top level"), "{}", r.stderr);
}

#[test]
fn validate_rejects_a_file_over_64_mib_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(70 * 1024 * 1024).unwrap();
    drop(file);
    let start = std::time::Instant::now();
    assert_rejected(&path, 2, "is too large (more than 67108864 bytes)");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );
}

#[test]
fn validate_minified_file_gives_a_short_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc = parse_json(&std::fs::read_to_string(MINI).unwrap());
    doc["rules"][0]["level"] = "urgnt".into();
    let minified = serde_json::to_string(&doc).unwrap();
    assert!(minified.len() > 3_000 && !minified.contains('\n'));
    let path = write(dir.path(), "minified.json", &minified);
    let r = assert_rejected(&path, 2, "unknown level `urgnt`");
    assert!(r.stderr.contains("at /rules/0/level"), "{}", r.stderr);
    assert!(r.stderr.contains("did you mean `urgent`?"), "{}", r.stderr);
    assert!(
        r.stderr.len() < 500,
        "the whole one-line file is quoted ({} bytes):\n{}",
        r.stderr.len(),
        r.stderr
    );
    // Column is in characters of that one line.
    let col = minified.find(r#""urgnt""#).unwrap() + 1;
    assert!(
        r.stderr.contains(&format!("{}:1:{col}:", path.display())),
        "expected column {col}:\n{}",
        r.stderr
    );
}

#[test]
fn validate_several_files_summarizes_each() {
    let bad = fixture("bad-many.json");
    let r = run(needlecheck().args(["validate", MINI, &bad]));
    expect_code(&r, 2);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!("{MINI}: valid (7 questions, 5 rules), 7 of 7 tests passed"),
            format!("{bad}: INVALID ({bad}: 8 problems)"),
            "7 passed, 0 failed".to_string(),
        ],
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// score

fn score(answers: &str, extra: &[&str]) -> Run {
    run(with_mini()
        .args(["score", "--answers", answers])
        .args(extra))
}

#[test]
fn score_all_no_gives_clear_advice_and_disclaimer() {
    let r = score(&fixture("all-no.json"), &[]);
    expect_code(&r, 0);
    assert!(
        r.stdout.starts_with("RESULT: You can book (clear)\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Book an assessment."), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("This is not a diagnosis and does not clear you for treatment."),
        "no disclaimer:\n{}",
        r.stdout
    );
    assert!(!r.stdout.contains("What we found"), "{}", r.stdout);
    assert!(r.stderr.is_empty(), "{}", r.stderr);
}

#[test]
fn score_text_explains_every_finding() {
    let r = score(&fixture("findings.json"), &[]);
    expect_code(&r, 0);
    assert!(
        r.stdout
            .starts_with("RESULT: Not suitable now (not suitable)"),
        "{}",
        r.stdout
    );
    for message in [
        "Not in the first 12 weeks of pregnancy.",
        "Blood thinners raise the risk of bruising.",
        "Under 18 needs a carer's consent.",
    ] {
        assert!(
            r.stdout.contains(message),
            "missing `{message}`:\n{}",
            r.stdout
        );
    }
    assert_eq!(
        r.stdout.matches("Because you answered").count(),
        3,
        "{}",
        r.stdout
    );
    let minor = r
        .stdout
        .split("  - ")
        .find(|f| f.starts_with("Under 18"))
        .unwrap_or_default();
    assert!(
        minor.contains("How old are you?") && minor.contains("16 years"),
        "the finding does not quote the question and the answer:\n{minor}"
    );
}

#[test]
fn score_text_unsure_could_not_be_ruled_out() {
    let r = score(&fixture("unsure.json"), &[]);
    expect_code(&r, 0);
    assert!(
        r.stdout.starts_with("RESULT: Call 000 now (emergency)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Could not be ruled out"), "{}", r.stdout);
    assert!(r.stdout.contains("Not sure"), "{}", r.stdout);
    assert!(r.stdout.contains("000 Emergency services"), "{}", r.stdout);
}

#[test]
fn score_text_shows_aftercare_only_for_its_levels() {
    // Without `show_for`, a block is shown with every result.
    let every = score(&fixture("unsure.json"), &[]);
    assert!(every.stdout.contains("After needling"), "{}", every.stdout);
    // With `show_for`, only with those levels.
    let dir = tempfile::tempdir().unwrap();
    let mut doc = parse_json(&std::fs::read_to_string(MINI).unwrap());
    doc["aftercare"][0]["show_for"] = serde_json::json!(["clear", "review"]);
    let q = write(
        dir.path(),
        "aftercare.json",
        serde_json::to_string_pretty(&doc).unwrap(),
    );
    let score = |answers: &str| {
        run(needlecheck()
            .arg("-q")
            .arg(&q)
            .args(["score", "--answers", answers]))
    };
    for (answers, outcome) in [
        ("findings.json", "not suitable"),
        ("unsure.json", "emergency"),
        ("missing-required.json", "incomplete"),
    ] {
        let r = score(&fixture(answers));
        expect_code(&r, 0);
        assert!(r.stdout.contains(&format!("({outcome})")), "{}", r.stdout);
        assert!(
            !r.stdout.contains("After needling"),
            "{outcome}: aftercare shown:\n{}",
            r.stdout
        );
    }
    let r = score(&fixture("all-no.json"));
    assert!(r.stdout.contains("After needling"), "{}", r.stdout);
}

#[test]
fn score_staff_text_adds_the_practitioner_note() {
    let plain = score(&fixture("findings.json"), &[]);
    let staff = score(&fixture("findings.json"), &["--staff"]);
    expect_code(&staff, 0);
    assert!(
        staff
            .stdout
            .contains("Avoid deep non-compressible muscles."),
        "{}",
        staff.stdout
    );
    assert!(
        !plain
            .stdout
            .contains("Avoid deep non-compressible muscles.")
    );
}

fn score_json(answers: &str) -> Value {
    let r = score(answers, &["--format", "json"]);
    expect_code(&r, 0);
    parse_json(&r.stdout)
}

#[test]
fn score_json_record_has_outcome_findings_and_provenance() {
    let rec = score_json(&fixture("findings.json"));
    assert_eq!(rec["outcome"], "not_suitable");
    let findings = rec["findings"].as_array().expect("findings array");
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["early_pregnancy", "thinners", "minor"]);
    let early = &findings[0];
    assert_eq!(early["level"], "not_suitable");
    assert_eq!(
        early["because"],
        serde_json::json!([
            {"question": "pregnant", "answer": "yes"},
            {"question": "weeks", "answer": 10}
        ])
    );
    assert_eq!(findings[2]["level"], "review");
    assert_eq!(rec["unanswered"], serde_json::json!([]));
    assert_eq!(rec["ignored"], serde_json::json!([]));

    let bytes = std::fs::read(MINI).unwrap();
    assert_eq!(rec["questionnaire"]["id"], "mini");
    assert_eq!(rec["questionnaire"]["version"], "1.0.0");
    assert_eq!(rec["questionnaire"]["sha256"], sha256_hex(&bytes));
    assert_eq!(rec["tool"]["name"], "needlecheck");
    assert_eq!(rec["tool"]["version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn score_json_record_scores_again_to_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["findings.json", "unsure.json", "all-no.json"] {
        let first = score(&fixture(name), &["--format", "json"]);
        expect_code(&first, 0);
        let saved = write(dir.path(), name, &first.stdout);
        let again = score(saved.to_str().unwrap(), &["--format", "json"]);
        expect_code(&again, 0);
        let (a, b) = (parse_json(&first.stdout), parse_json(&again.stdout));
        assert_eq!(a["outcome"], b["outcome"], "{name}");
        assert_eq!(a, b, "{name}: re-scoring the record changed it");
    }
}

#[test]
fn score_lists_answers_to_hidden_questions_as_ignored() {
    // `weeks` is only asked when pregnant; the answers say not pregnant.
    let rec = score_json(&fixture("hidden.json"));
    assert_eq!(rec["outcome"], "clear");
    assert_eq!(rec["ignored"], serde_json::json!(["weeks"]));
    assert!(
        rec["answers"].get("weeks").is_none(),
        "an ignored answer is kept in the record: {}",
        rec["answers"]
    );
}

#[test]
fn score_missing_required_answer_is_incomplete() {
    let rec = score_json(&fixture("missing-required.json"));
    assert_eq!(rec["outcome"], "incomplete");
    assert_eq!(rec["unanswered"], serde_json::json!(["age"]));

    let r = score(&fixture("missing-required.json"), &[]);
    expect_code(&r, 0);
    assert!(
        r.stdout.starts_with("RESULT: Not finished (incomplete)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("How old are you?"), "{}", r.stdout);
}

#[test]
fn score_reads_answers_from_stdin() {
    let answers = std::fs::read_to_string(fixture("findings.json")).unwrap();
    let from_stdin = run(with_mini()
        .args(["score", "--answers", "-", "--format", "json"])
        .write_stdin(answers));
    expect_code(&from_stdin, 0);
    let from_file = score(&fixture("findings.json"), &["--format", "json"]);
    assert_eq!(from_stdin.stdout, from_file.stdout);
}

#[test]
fn score_output_is_byte_identical_for_identical_input() {
    for format in ["text", "json"] {
        let a = score(&fixture("findings.json"), &["--format", format]);
        let b = score(&fixture("findings.json"), &["--format", format]);
        expect_code(&a, 0);
        assert!(!a.stdout.is_empty());
        assert_eq!(a.stdout, b.stdout, "--format {format} differs between runs");
    }
    let a = score(&fixture("batch.jsonl"), &["--jsonl"]);
    let b = score(&fixture("batch.jsonl"), &["--jsonl"]);
    assert_eq!(a.stdout, b.stdout, "--jsonl differs between runs");
}

/// Bad answers: exit 2, nothing on stdout, the file named and located on stderr.
fn assert_bad_answers(name: &str, place: &str, message: &str) -> Run {
    let path = fixture(name);
    let r = score(&path, &[]);
    expect_code(&r, 2);
    assert!(
        r.stdout.is_empty(),
        "advice printed for bad answers:\n{}",
        r.stdout
    );
    let head = format!("error: {path}:{place}: {message}");
    assert!(
        r.stderr.contains(&head),
        "expected `{head}` in:\n{}",
        r.stderr
    );
    r
}

#[test]
fn score_unknown_question_id_suggests_the_right_one() {
    let r = assert_bad_answers("unknown-id.json", "3:3", "unknown question `pregnnat`");
    assert!(r.stderr.contains("at /answers/pregnnat"), "{}", r.stderr);
    assert!(
        r.stderr.contains("help: did you mean `pregnant`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn score_wrong_value_type_is_rejected() {
    let r = assert_bad_answers("wrong-type.json", "1:41", "`age` takes a number, not text");
    assert!(r.stderr.contains("at /answers/age"), "{}", r.stderr);
}

#[test]
fn score_not_json_gives_line_and_column() {
    assert_bad_answers("not-json.json", "2:13", "key must be a string");
}

#[test]
fn score_without_answers_key_explains_the_format() {
    let r = assert_bad_answers("no-answers-key.json", "1:1", "there is no `answers` object");
    assert!(r.stderr.contains(r#"{"answers": {"#), "{}", r.stderr);
}

#[test]
fn score_rejects_an_answer_given_twice() {
    // "yes" to chest pain, then "no" further down: scoring the last one alone says `clear`
    // and hides an emergency. The file must be rejected, pointing at the second key.
    let path = fixture("duplicate-answer.json");
    let r = score(&path, &[]);
    expect_code(&r, 2);
    assert!(r.stdout.is_empty(), "advice printed:\n{}", r.stdout);
    let first = r.stderr.lines().next().unwrap_or("");
    let message = first
        .strip_prefix(&format!("error: {path}:6:3: "))
        .unwrap_or_else(|| panic!("not located at the second key (6:3):\n{}", r.stderr));
    assert!(
        message.contains("chest_pain")
            && (message.contains("twice") || message.contains("duplicate")),
        "{}",
        r.stderr
    );
}

#[test]
fn validate_rejects_a_key_given_twice_in_a_rule() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(MINI).unwrap();
    let twice = text.replace(
        r#""when": {"q": "age", "lt": 18}"#,
        r#""when": {"q": "age", "lt": 18, "lt": 200}"#,
    );
    assert_ne!(twice, text, "the fixture changed; fix the replacement");
    let path = write(dir.path(), "twice.json", twice);
    let r = run(needlecheck().arg("validate").arg(&path));
    expect_code(&r, 2);
    assert!(
        r.stderr.contains("duplicate field `lt`") || r.stderr.contains("`lt` twice"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("at /rules/4/when"), "{}", r.stderr);
}

#[test]
fn score_rejects_other_bad_answer_inputs() {
    for (stdin, message) in [
        ("", "the answers input is empty"),
        ("[1, 2]", "the answers input must be a JSON object"),
        (r#"{"answers": ["no"]}"#, "`answers` must be an object"),
    ] {
        let r = run(with_mini().args(["score", "-a", "-"]).write_stdin(stdin));
        expect_code(&r, 2);
        assert!(
            r.stderr.contains(message),
            "{stdin:?}: expected `{message}`:\n{}",
            r.stderr
        );
        assert!(r.stdout.is_empty());
    }
    let r = run(with_mini()
        .args(["score", "-a", "-"])
        .write_stdin(&b"{\"answers\": {\"notes\": \"caf\xe9\"}}"[..]));
    expect_code(&r, 2);
    assert!(r.stderr.contains("is not UTF-8 text"), "{}", r.stderr);
}

#[test]
fn score_answers_file_errors_have_the_right_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let r = score(missing.to_str().unwrap(), &[]);
    expect_code(&r, 1);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);

    let r = score(dir.path().to_str().unwrap(), &[]);
    expect_code(&r, 2);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);

    let r = score(dir.path().to_str().unwrap(), &["--jsonl"]);
    expect_code(&r, 2);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn score_endless_answers_input_is_cut_off() {
    let r = score("/dev/zero", &[]);
    expect_code(&r, 2);
    assert!(r.stderr.contains("is too large"), "{}", r.stderr);
}

#[test]
fn score_with_an_invalid_questionnaire_points_to_validate() {
    let r = run(needlecheck().args([
        "-q",
        &fixture("bad-many.json"),
        "score",
        "-a",
        &fixture("all-no.json"),
    ]));
    expect_code(&r, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.contains("needlecheck validate"), "{}", r.stderr);
}

#[test]
fn score_jsonl_reports_a_bad_line_and_continues() {
    let r = score(&fixture("batch.jsonl"), &["--jsonl"]);
    expect_code(&r, 0);
    let lines: Vec<Value> = r.stdout.lines().map(parse_json).collect();
    assert_eq!(lines.len(), 4, "{}", r.stdout);
    for (i, rec) in lines.iter().enumerate() {
        assert_eq!(rec["line"], i + 1, "{rec}");
    }
    assert_eq!(lines[0]["outcome"], "clear");
    assert_eq!(lines[1]["outcome"], "emergency");
    assert_eq!(lines[3]["outcome"], "review");
    let bad = &lines[2];
    assert!(bad.get("outcome").is_none(), "{bad}");
    assert!(bad["error"].is_string(), "{bad}");
    let problems = bad["problems"].as_array().expect("problems array");
    assert_eq!(problems.len(), 1, "{bad}");
    assert_eq!(problems[0]["pointer"], "/answers/chest_pain");
    // The record names the question and what it takes, never the answer given.
    let message = problems[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`chest_pain` takes \"yes\" or \"no\""),
        "{bad}"
    );
    assert!(!bad.to_string().contains("maybe"), "{bad}");
    assert!(r.stderr.contains("1 of 4 lines"), "{}", r.stderr);
}

#[test]
fn score_jsonl_from_stdin_skips_blank_lines() {
    let input =
        "{\"answers\": {\"chest_pain\": \"yes\"}}\n\n{\"answers\": {\"chest_pain\": \"no\"}}";
    let r = run(with_mini()
        .args(["score", "-a", "-", "--jsonl"])
        .write_stdin(input));
    expect_code(&r, 0);
    let lines: Vec<Value> = r.stdout.lines().map(parse_json).collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[1]["line"], 3);
    assert_eq!(lines[1]["outcome"], "incomplete");
}

#[test]
fn score_jsonl_over_long_line_is_an_error_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!(
        "{{\"answers\": {{\"notes\": \"{}\"}}}}\n",
        "x".repeat(17 << 20)
    );
    text.push_str("{\"answers\": {\"chest_pain\": \"yes\"}}\n");
    let path = write(dir.path(), "long.jsonl", text);
    let r = score(path.to_str().unwrap(), &["--jsonl"]);
    expect_code(&r, 0);
    let lines: Vec<Value> = r.stdout.lines().map(parse_json).collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert_eq!(lines[0]["line"], 1);
    assert!(
        lines[0]["error"]
            .as_str()
            .is_some_and(|e| e.starts_with("line is too long")),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1]["line"], 2);
    assert_eq!(lines[1]["outcome"], "emergency");
}

#[test]
fn score_writes_the_handover_alone_as_saved_beside_a_record() {
    let r = score(&fixture("findings.json"), &["--format", "handover"]);
    expect_code(&r, 0);
    assert!(
        r.stdout.starts_with("HANDOVER FOR THE PRACTITIONER\n"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("RESULT:"), "{}", r.stdout);
    // The same format does not stream.
    let r = score(
        &fixture("batch.jsonl"),
        &["--jsonl", "--format", "handover"],
    );
    expect_code(&r, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("does not stream"), "{}", r.stderr);
}

#[test]
fn score_jsonl_with_text_format_is_a_usage_error() {
    let r = score(&fixture("batch.jsonl"), &["--jsonl", "--format", "text"]);
    expect_code(&r, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("--jsonl"), "{}", r.stderr);
}

/// Runs `"$BIN" ARGS | head -c 10` in a shell; returns stderr of the whole pipeline.
#[cfg(unix)]
fn into_head(args: &str) -> Run {
    into_head_without_q(&format!("-q {MINI} {args}"))
}

/// As [`into_head`], for commands that take no questionnaire.
fn into_head_without_q(args: &str) -> Run {
    let script = format!("{{ \"$BIN\" {args}; echo \"exit=$?\" >&2; }} | head -c 10 >/dev/null");
    let r = run(Command::new("sh")
        .args(["-c", &script])
        .env("BIN", bin_path())
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT));
    assert_no_panic(&r);
    r
}

#[cfg(unix)]
#[test]
fn score_into_a_closed_pipe_is_quiet() {
    let r = into_head(&format!("score -a {}", fixture("findings.json")));
    assert_eq!(r.stderr, "exit=0\n", "text advice into head");

    // Enough output to overflow the pipe, so the write surely fails.
    let dir = tempfile::tempdir().unwrap();
    let line = std::fs::read_to_string(fixture("findings.json")).unwrap();
    let many = write(dir.path(), "many.jsonl", line.trim().repeat_n_lines(3_000));
    let r = into_head(&format!("score --jsonl -a {}", many.display()));
    assert!(
        !r.stderr.to_lowercase().contains("broken pipe"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr, "exit=0\n");
}

#[cfg(target_os = "linux")]
#[test]
fn score_into_a_full_disk_says_the_output_could_not_be_written() {
    let script = format!(
        "\"$BIN\" -q {MINI} score -a {} > /dev/full",
        fixture("findings.json")
    );
    let r = run(Command::new("sh")
        .args(["-c", &script])
        .env("BIN", bin_path())
        .timeout(TIMEOUT));
    expect_code(&r, 1);
    assert!(r.stderr.contains("No space left on device"), "{}", r.stderr);
    assert!(
        r.stderr.contains("output") || r.stderr.contains("standard output"),
        "the message does not say what could not be written:\n{}",
        r.stderr
    );
}

trait RepeatLines {
    fn repeat_n_lines(&self, n: usize) -> String;
}

impl RepeatLines for str {
    fn repeat_n_lines(&self, n: usize) -> String {
        let mut s = String::with_capacity((self.len() + 1) * n);
        for _ in 0..n {
            s.push_str(self);
            s.push('\n');
        }
        s
    }
}

#[cfg(unix)]
#[test]
fn questions_and_schema_into_a_closed_pipe_are_quiet() {
    for args in ["questions", "questions --format json", "--help"] {
        let r = into_head(args);
        assert_eq!(r.stderr, "exit=0\n", "{args}");
    }
    for args in ["schema", "man", "completions bash"] {
        let r = into_head_without_q(args);
        assert_eq!(r.stderr, "exit=0\n", "{args}");
    }
}

// ---------------------------------------------------------------------------------------------
// questions

/// The lines describing one question in `questions` text output.
fn question_block<'a>(text: &'a str, id: &str) -> Vec<&'a str> {
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with(&format!("{id}  (")));
    let mut block: Vec<&str> = lines.next().into_iter().collect();
    block.extend(lines.take_while(|l| l.starts_with("    ")));
    block
}

#[test]
fn questions_text_lists_every_question_with_type_and_condition() {
    let r = run(with_mini().arg("questions"));
    expect_code(&r, 0);
    assert!(
        r.stdout.starts_with("Mini screening 1.0.0 (7 questions)\n"),
        "{}",
        r.stdout
    );
    let expected = [
        ("chest_pain", "yes_no", None),
        ("age", "number", None),
        ("pregnant", "yes_no", None),
        ("weeks", "number", Some(r#"shown if: pregnant in ["yes"]"#)),
        ("thinners", "yes_no", None),
        (
            "which",
            "multi_choice",
            Some(r#"shown if: thinners = "yes""#),
        ),
        ("notes", "text", None),
    ];
    for (id, kind, shown_if) in expected {
        let block = question_block(&r.stdout, id);
        assert!(
            block
                .first()
                .is_some_and(|l| l.starts_with(&format!("{id}  ({kind}"))),
            "`{id}` ({kind}) not listed:\n{}",
            r.stdout
        );
        let cond = block
            .iter()
            .find(|l| l.trim_start().starts_with("shown if:"));
        assert_eq!(cond.map(|l| l.trim()), shown_if, "{id}: {block:?}");
    }
    assert!(r.stdout.contains("## Your health [health]"), "{}", r.stdout);
    assert!(r.stdout.contains("1. warfarin = Warfarin"), "{}", r.stdout);
    // Read alone, `thinners = "yes"` hides that "Not sure" opens the follow-ups too; readers
    // who map answers from this listing were misled by that.
    let legend = r.stdout.lines().nth(1).unwrap_or_default();
    assert!(
        legend.contains("shown if") && legend.contains("Not sure opens the follow-ups"),
        "{}",
        r.stdout
    );
}

#[test]
fn questions_json_is_an_array_with_id_type_and_section() {
    let r = run(with_mini().args(["questions", "--format", "json"]));
    expect_code(&r, 0);
    let list = parse_json(&r.stdout);
    let list = list.as_array().expect("a JSON array");
    let got: Vec<(&str, &str, &str)> = list
        .iter()
        .map(|q| {
            (
                q["id"].as_str().unwrap(),
                q["type"].as_str().unwrap(),
                q["section"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("chest_pain", "yes_no", "now"),
            ("age", "number", "health"),
            ("pregnant", "yes_no", "health"),
            ("weeks", "number", "health"),
            ("thinners", "yes_no", "health"),
            ("which", "multi_choice", "health"),
            ("notes", "text", "health"),
        ]
    );
    assert_eq!(
        list[3]["show_if"],
        serde_json::json!({"q": "pregnant", "one_of": ["yes"]})
    );
}

#[test]
fn questions_of_the_built_in_questionnaire() {
    let r = run(needlecheck().arg("questions"));
    expect_code(&r, 0);
    assert!(r.stdout.lines().count() > 3, "{}", r.stdout);
    let r = run(needlecheck().args(["questions", "--format", "json"]));
    expect_code(&r, 0);
    let list = parse_json(&r.stdout);
    assert!(!list.as_array().expect("array").is_empty());
}

#[test]
fn questions_with_a_bad_questionnaire_fails_clearly() {
    let r = run(needlecheck().args(["-q", &fixture("bad-many.json"), "questions"]));
    expect_code(&r, 2);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    assert!(r.stderr.contains("unknown field `hlep`"), "{}", r.stderr);
    assert!(r.stderr.contains("needlecheck validate"), "{}", r.stderr);

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let r = run(needlecheck().arg("-q").arg(&missing).arg("questions"));
    expect_code(&r, 1);
    assert!(r.stderr.contains("cannot read"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// schema

#[test]
fn schema_is_json_describing_sections() {
    let r = run(needlecheck().arg("schema"));
    expect_code(&r, 0);
    let schema = parse_json(&r.stdout);
    assert!(schema["properties"]["sections"].is_object(), "{schema}");
    assert!(schema["properties"]["rules"].is_object(), "{schema}");
    let required = schema["required"].as_array().expect("required list");
    assert!(required.contains(&"sections".into()), "{schema}");
}

#[test]
fn committed_schema_matches_the_generated_one() {
    let r = run(needlecheck().arg("schema"));
    expect_code(&r, 0);
    let committed = std::fs::read_to_string("questionnaires/schema.json")
        .expect("questionnaires/schema.json exists");
    assert!(
        committed == r.stdout,
        "questionnaires/schema.json is out of date with the questionnaire types; \
         run `cargo run -- schema > questionnaires/schema.json` and commit it"
    );
}

/// The mini questionnaire with staff wording on an option, a section and the `review` advice.
fn mini_with_staff_wording(dir: &Path) -> PathBuf {
    let mut q: Value = parse_json(&std::fs::read_to_string(MINI).unwrap());
    q["sections"][1]["staff_title"] = "The patient's health".into();
    q["sections"][1]["questions"][4]["options"][0]["staff_label"] = "Takes warfarin".into();
    let review = &mut q["advice"]["review"];
    review["staff_summary"] = "The patient can book; tell the practitioner.".into();
    review["staff_next_steps"] = serde_json::json!(["Pass the handover to the practitioner."]);
    // The blood-thinner rule quotes the option, so the reason shows its label.
    q["rules"][3]["when"] = serde_json::json!({"q": "which", "contains": "warfarin"});
    write(dir, "staff.json", q.to_string())
}

#[test]
fn staff_mode_reads_the_staff_wording_of_options_advice_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let path = mini_with_staff_wording(dir.path());
    let answers = write(
        dir.path(),
        "a.json",
        r#"{"answers": {"chest_pain": "no", "age": 70, "pregnant": "no", "thinners": "yes", "which": ["warfarin"]}}"#,
    );
    let staff = run(needlecheck()
        .arg("-q")
        .arg(&path)
        .args(["score", "--staff", "--answers"])
        .arg(&answers));
    expect_code(&staff, 0);
    for wanted in [
        "The patient can book; tell the practitioner.",
        "1. Pass the handover to the practitioner.",
        "Because the patient answered Takes warfarin to \"Which ones?\"",
    ] {
        assert!(
            staff.stdout.contains(wanted),
            "missing `{wanted}`:\n{}",
            staff.stdout
        );
    }
    let person = run(needlecheck()
        .arg("-q")
        .arg(&path)
        .args(["score", "--answers"])
        .arg(&answers));
    expect_code(&person, 0);
    assert!(
        person
            .stdout
            .contains("You can book; tell the practitioner.")
            && person.stdout.contains("Because you answered Warfarin to")
            && !person.stdout.contains("Takes warfarin")
            && !person.stdout.contains("the patient"),
        "{}",
        person.stdout
    );
    let listed = run(needlecheck().arg("-q").arg(&path).arg("questions"));
    expect_code(&listed, 0);
    assert!(
        listed.stdout.contains("staff: Takes warfarin"),
        "{}",
        listed.stdout
    );
}

#[test]
fn validate_lists_the_rules_outside_the_not_sure_guarantee() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = parse_json(&std::fs::read_to_string(MINI).unwrap());
    v["rules"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "sure_no_pain", "level": "urgent", "message": "M.", "not_monotone": true,
        "when": {"all": [{"q": "chest_pain", "unsure": false}, {"q": "age", "gt": 119}]}
    }));
    v["tests"].as_array_mut().unwrap().push(serde_json::json!({
        "name": "120 years old", "expect": "urgent",
        "answers": {"chest_pain": "no", "age": 120, "pregnant": "no", "thinners": "no"}
    }));
    let path = write(dir.path(), "marked.json", v.to_string());
    let r = run(needlecheck().arg("validate").arg(&path));
    expect_code(&r, 0);
    let listed: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.contains("not_monotone"))
        .collect();
    assert_eq!(listed.len(), 1, "{}", r.stdout);
    assert!(listed[0].contains("`sure_no_pain`"), "{}", listed[0]);
    // A questionnaire without such rules lists none (the built-in one included).
    let r = run(needlecheck().arg("validate"));
    expect_code(&r, 0);
    assert!(!r.stdout.contains("not_monotone"), "{}", r.stdout);
}
