//! Errors about answers never quote a patient. An answer planted with a secret in every way an
//! answers file or JSONL line can be wrong is rejected with an error that names the question,
//! what it takes and the place, but neither the secret nor the lines around it, on every path
//! that reports answers: `score` (text and JSON), and `score --jsonl` error records.

use assert_cmd::Command;

const SECRET: &str = "SECRET-7f3a";
/// A secret answer that is a number.
const SECRET_NUMBER: &str = "987654";

fn mini() -> String {
    format!("{}/tests/fixtures/mini.json", env!("CARGO_MANIFEST_DIR"))
}

/// Answers documents, each wrong in one way, each holding a secret; with the question the error
/// must name.
fn bad_documents() -> Vec<(String, &'static str)> {
    let s = SECRET;
    vec![
        (
            format!(r#"{{"answers": {{"chest_pain": "{s}"}}}}"#),
            "chest_pain",
        ),
        (
            format!(r#"{{"answers": {{"chest_pain": {SECRET_NUMBER}}}}}"#),
            "chest_pain",
        ),
        (format!(r#"{{"answers": {{"age": "{s}"}}}}"#), "age"),
        (
            format!(r#"{{"answers": {{"age": {{"v": "{s}"}}}}}}"#),
            "age",
        ),
        (format!(r#"{{"answers": {{"age": ["{s}"]}}}}"#), "age"),
        (
            format!(r#"{{"answers": {{"age": {SECRET_NUMBER}}}}}"#),
            "age",
        ),
        (
            format!(r#"{{"answers": {{"which": ["warfarin", "{s}"]}}}}"#),
            "which",
        ),
        (format!(r#"{{"answers": {{"which": "{s}"}}}}"#), "which"),
        (
            format!(r#"{{"answers": {{"thinners": "{s}", "notes": "{s}"}}}}"#),
            "thinners",
        ),
        (
            format!(r#"{{"answers": {{"notes": "{s}", "age": 300}}}}"#),
            "age",
        ),
        (
            format!(r#"{{"answers": {{"notes": "{s}{}"}}}}"#, "x".repeat(600)),
            "notes",
        ),
        (
            format!(r#"{{"answers": {{"notes": "{s}", "notes": "{s}"}}}}"#),
            "notes",
        ),
        // Not JSON right after the secret: the place is given, not the line.
        (format!(r#"{{"answers": {{"notes": "{s}" "age": 3}}}}"#), ""),
        (
            format!(
                r#"{{"answers": {{"notes": "{s}", "age": {}1{}}}}}"#,
                "[".repeat(40),
                "]".repeat(40)
            ),
            "",
        ),
    ]
}

fn assert_no_secret(what: &str, output: &str) {
    assert!(
        !output.contains(SECRET) && !output.contains(SECRET_NUMBER),
        "{what} quotes the answer:\n{output}"
    );
}

#[test]
fn score_errors_name_the_question_and_place_but_never_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    for (i, (doc, question)) in bad_documents().into_iter().enumerate() {
        let path = dir.path().join(format!("answers-{i}.json"));
        // On its own line among others, as a hand-written file is.
        std::fs::write(&path, format!("\n{doc}\n")).unwrap();
        for format in ["text", "json"] {
            let out = Command::cargo_bin("needlecheck")
                .unwrap()
                .args(["-q", &mini(), "score", "--format", format, "--answers"])
                .arg(&path)
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{doc}: {stderr}");
            assert_no_secret(&format!("`score --format {format}` on {doc}"), &stderr);
            assert!(out.stdout.is_empty(), "{doc}");
            // The place: file, line 2.
            assert!(
                stderr.contains(&format!("answers-{i}.json:2:")),
                "{doc}: no place in\n{stderr}"
            );
            if !question.is_empty() {
                assert!(
                    stderr.contains(&format!("`{question}`")),
                    "{doc}: the question is not named in\n{stderr}"
                );
            }
            // No source excerpt: the lines around an answer hold other answers.
            // (Into a pipe the frame is ASCII, `,-[`; on a terminal `╭─[`.)
            for frame in [",-[", "╭─["] {
                assert!(!stderr.contains(frame), "{doc}: excerpt shown\n{stderr}");
            }
        }
    }
}

#[test]
fn jsonl_error_records_never_repeat_the_answer() {
    let docs = bad_documents();
    let stream: String = docs.iter().map(|(d, _)| format!("{d}\n")).collect();
    let out = Command::cargo_bin("needlecheck")
        .unwrap()
        .args(["-q", &mini(), "score", "--jsonl", "--answers", "-"])
        .write_stdin(stream)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_no_secret("`score --jsonl` records", &stdout);
    assert_no_secret("`score --jsonl` messages", &stderr);
    let records: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), docs.len(), "{stdout}");
    for (rec, (doc, question)) in records.iter().zip(&docs) {
        assert!(rec["error"].is_string(), "{doc} was scored: {rec}");
        if !question.is_empty() {
            assert!(
                rec.to_string().contains(&format!("`{question}`")),
                "{doc}: {rec}"
            );
        }
    }
}

#[test]
fn an_unknown_question_id_is_quoted_short_with_its_suggestion() {
    let long = format!("chest_pian{}", "x".repeat(5_000));
    let doc = format!(r#"{{"answers": {{"chest_pian": "no", "{long}": "no"}}}}"#);
    let out = Command::cargo_bin("needlecheck")
        .unwrap()
        .args(["-q", &mini(), "score", "--answers", "-"])
        .write_stdin(doc)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // Question ids are not patient data: the misspelt one is named, with the right one.
    assert!(stderr.contains("unknown question `chest_pian`"), "{stderr}");
    assert!(stderr.contains("did you mean `chest_pain`?"), "{stderr}");
    // The long one is cut to 40 characters wherever it is quoted.
    let cut = format!("{}…", &long[..40]);
    assert!(
        stderr.contains(&format!("unknown question `{cut}`")),
        "{stderr}"
    );
    assert!(!stderr.contains(&long[..41]), "{stderr}");
}
