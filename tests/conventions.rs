//! The command-line conventions users of other tools expect: shell completions, a manual page,
//! and flags refused where they would do nothing. Each test runs the real binary.

mod common;
use common::{needlecheck, run};

const MINI: &str = "tests/fixtures/mini.json";

/// Every subcommand, as a person types it.
const SUBCOMMANDS: [&str; 8] = [
    "validate",
    "score",
    "questions",
    "schema",
    "rulebook",
    "settings",
    "completions",
    "man",
];

#[test]
fn completions_for_every_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(needlecheck().args(["completions", shell]));
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(
            r.stdout.len() > 500,
            "{shell}: a real script:\n{}",
            r.stdout
        );
        for sub in SUBCOMMANDS {
            assert!(r.stdout.contains(sub), "{shell} script lacks `{sub}`");
        }
        // Fish writes long flags as `-l name`; the others as `--name`.
        for flag in ["questionnaire", "clinic", "staff", "answers", "save-dir"] {
            assert!(r.stdout.contains(flag), "{shell} script lacks `--{flag}`");
        }
    }
}

#[test]
fn bash_completion_script_is_valid_bash() {
    let r = run(needlecheck().args(["completions", "bash"]));
    assert_eq!(r.code, 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("needlecheck.bash");
    std::fs::write(&path, &r.stdout).unwrap();
    // `bash -n` parses without running; where bash is missing the script is only read.
    if let Ok(out) = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
    {
        assert!(
            out.status.success(),
            "bash rejects the script: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(r.stdout.contains("complete -F"), "registers a completion");
}

#[test]
fn completions_refuse_an_unknown_shell() {
    let r = run(needlecheck().args(["completions", "tcsh"]));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("bash"), "lists the shells:\n{}", r.stderr);
}

#[test]
fn man_page_is_roff_with_every_subcommand() {
    let r = run(needlecheck().arg("man"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(".TH needlecheck 1"), "section 1 page");
    assert!(r.stdout.contains("Exit status"), "the exit statuses");
    for sub in SUBCOMMANDS {
        assert!(r.stdout.contains(sub), "man page lacks `{sub}`");
    }
}

/// Fails unless the run is refused as a usage error that names `flag`.
fn assert_refused(args: &[&str], flag: &str) {
    let r = run(needlecheck().args(args));
    assert_eq!(r.code, 2, "{args:?} is refused\n{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "", "{args:?} prints nothing");
    assert!(
        r.stderr.contains(&format!("error: {flag} does nothing")),
        "{args:?}: the message names {flag}:\n{}",
        r.stderr
    );
}

#[test]
fn flags_that_would_do_nothing_are_refused() {
    assert_refused(&["schema", "-q", MINI], "-q/--questionnaire");
    assert_refused(&["-q", MINI, "schema", "clinic"], "-q/--questionnaire");
    assert_refused(
        &["schema", "--clinic", "questionnaires/clinic-example.json"],
        "--clinic",
    );
    assert_refused(&["-q", MINI, "validate"], "-q/--questionnaire");
    assert_refused(&["completions", "bash", "-q", MINI], "-q/--questionnaire");
    assert_refused(&["man", "--clinic", "x.json"], "--clinic");
    assert_refused(&["--staff", "questions"], "--staff");
    assert_refused(&["--plain", "rulebook"], "--plain");
    assert_refused(&["--subject", "A-1", "settings"], "--subject");
    assert_refused(&["--staff", "score", "-a", "x.json"], "--staff");
}

#[test]
fn validate_with_q_says_where_the_files_go() {
    let r = run(needlecheck().args(["validate", "-q", MINI]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("needlecheck validate FILE"),
        "{}",
        r.stderr
    );
}

#[test]
fn flags_that_do_something_are_still_taken() {
    for args in [
        vec!["-q", MINI, "questions"],
        vec!["-q", MINI, "settings"],
        vec!["-q", MINI, "rulebook"],
        vec!["validate", MINI],
        vec!["schema"],
        vec!["--clinic", "questionnaires/clinic-example.json", "settings"],
        vec!["--clinic", "questionnaires/clinic-example.json", "validate"],
    ] {
        let r = run(needlecheck().args(&args));
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// `-` is standard input

const CLINIC: &str = "questionnaires/clinic-example.json";

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn validate_dash_checks_standard_input() {
    let r = run(needlecheck()
        .args(["validate", "-"])
        .write_stdin(read(MINI)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("<stdin>: valid ("), "{}", r.stdout);

    let broken = read(MINI).replacen("\"id\"", "\"idd\"", 1);
    let r = run(needlecheck().args(["validate", "-"]).write_stdin(broken));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("error: <stdin>:"),
        "named <stdin>:\n{}",
        r.stderr
    );
    assert!(r.stdout.contains("<stdin>: INVALID"), "{}", r.stdout);
}

#[test]
fn q_dash_reads_the_questionnaire_from_standard_input() {
    let from_file = run(needlecheck().args(["-q", MINI, "questions", "--format", "json"]));
    let r = run(needlecheck()
        .args(["-q", "-", "questions", "--format", "json"])
        .write_stdin(read(MINI)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout, from_file.stdout,
        "the same questions as from the file"
    );

    let r = run(needlecheck()
        .args(["-q", "-", "questions"])
        .write_stdin("{"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error: <stdin>:1:"), "{}", r.stderr);
}

#[test]
fn clinic_dash_reads_the_clinic_file_from_standard_input() {
    let from_file = run(needlecheck().args(["--clinic", CLINIC, "settings", "--format", "json"]));
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    let r = run(needlecheck()
        .args(["--clinic", "-", "settings", "--format", "json"])
        .write_stdin(read(CLINIC)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let effective = |text: &str| -> Vec<serde_json::Value> {
        let doc: serde_json::Value = serde_json::from_str(text).unwrap();
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["effective"].clone())
            .collect()
    };
    assert_eq!(effective(&r.stdout), effective(&from_file.stdout));
    let defaults = run(needlecheck().args(["settings", "--format", "json"]));
    assert_ne!(
        effective(&r.stdout),
        effective(&defaults.stdout),
        "the file was applied"
    );

    // `validate` reads it once and checks every questionnaire against it.
    let r = run(needlecheck()
        .args(["--clinic", "-", "validate"])
        .write_stdin(read(CLINIC)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let bad = read(CLINIC).replace("\"strict\"", "\"stricter\"");
    let r = run(needlecheck()
        .args(["--clinic", "-", "validate"])
        .write_stdin(bad));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error: <stdin>:"), "{}", r.stderr);
}

#[test]
fn answers_dash_errors_name_stdin() {
    let r = run(needlecheck()
        .args(["-q", MINI, "score", "-a", "-"])
        .write_stdin("{\"answers\": {\"nope\": \"yes\"}}"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("<stdin>"), "{}", r.stderr);
}

#[test]
fn standard_input_is_read_at_most_once() {
    for args in [
        vec!["validate", "-", "-"],
        vec!["--clinic", "-", "validate", "-"],
        vec!["-q", "-", "score", "-a", "-"],
        vec!["-q", "-", "--clinic", "-", "settings"],
        vec!["-q", "-"],
        vec!["--clinic", "-", "--plain"],
    ] {
        let r = run(needlecheck().args(&args).write_stdin(read(MINI)));
        assert_eq!(r.code, 2, "{args:?}\n{}", r.stderr);
        assert_eq!(r.stdout, "", "{args:?}");
        assert!(
            r.stderr
                .starts_with("error: standard input can be read only once"),
            "{args:?}:\n{}",
            r.stderr
        );
    }
    let r = run(needlecheck()
        .env("NEEDLECHECK_CLINIC", "-")
        .args(["-q", "-", "settings"])
        .write_stdin(read(MINI)));
    assert_eq!(r.code, 2, "the clinic named by the environment counts too");
}

// ---------------------------------------------------------------------------------------------
// `validate --format json`

const BAD: &str = "tests/fixtures/cli/bad-many.json";

/// The objects `validate --format json` wrote, one per line.
fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("not one JSON object ({e}): {l}"))
        })
        .collect()
}

fn of_reason<'a>(objects: &'a [serde_json::Value], reason: &str) -> Vec<&'a serde_json::Value> {
    objects.iter().filter(|o| o["reason"] == reason).collect()
}

#[test]
fn validate_json_lists_each_problem_as_the_text_report_does() {
    let text = run(needlecheck().args(["validate", BAD]));
    let r = run(needlecheck().args(["validate", "--format", "json", BAD]));
    assert_eq!(r.code, 2);
    assert_eq!(r.stderr, "", "everything is on stdout, as JSON");
    let objects = json_lines(&r.stdout);
    let problems = of_reason(&objects, "problem");
    // The same problems, at the same places, as the text report's `error:` lines.
    let from_text: Vec<String> = text
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .map(str::to_string)
        .collect();
    let from_json: Vec<String> = problems
        .iter()
        .map(|p| {
            format!(
                "error: {}:{}:{}: {}",
                p["file"].as_str().unwrap(),
                p["line"],
                p["column"],
                p["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(from_json.len() >= 5, "{}", r.stdout);
    assert_eq!(from_json, from_text);
    for p in &problems {
        let pointer = p["pointer"].as_str().expect("a pointer");
        assert!(pointer.starts_with('/'), "{p}");
        assert!(p.get("help").is_some(), "help is always a key: {p}");
    }
    let hlep = problems
        .iter()
        .find(|p| p["message"] == "unknown field `hlep`")
        .expect("the misspelt field");
    assert_eq!(hlep["pointer"], "/sections/0/questions/1/hlep");
    assert_eq!(hlep["help"], "did you mean `help`?");

    let file = of_reason(&objects, "file");
    assert_eq!(file.len(), 1);
    assert_eq!(file[0]["status"], "invalid");
    let summary = objects.last().expect("a summary");
    assert_eq!(summary["reason"], "summary");
    assert_eq!(
        (&summary["files"], &summary["invalid"], &summary["exit"]),
        (&1.into(), &1.into(), &2.into())
    );
}

#[test]
fn validate_json_reports_failed_tests_unreadable_files_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = read(MINI).replace(
        r#""weeks": 20, "thinners": "no"}, "expect": "clear"}"#,
        r#""weeks": 20, "thinners": "no"}, "expect": "review"}"#,
    );
    assert_ne!(
        wrong,
        read(MINI),
        "the fixture changed; fix the replacement"
    );
    let path = dir.path().join("wrong.json");
    std::fs::write(&path, wrong).unwrap();
    let missing = dir.path().join("missing.json");
    let r = run(needlecheck()
        .args(["validate", "--format", "json", MINI])
        .arg(&path)
        .arg(&missing));
    assert_eq!(r.code, 2, "{}", r.stderr);
    let objects = json_lines(&r.stdout);
    let failed = of_reason(&objects, "test-failed");
    assert_eq!(failed.len(), 1, "{}", r.stdout);
    assert!(failed[0]["test"].as_str().unwrap().contains("20 weeks"));
    assert!(
        failed[0]["message"]
            .as_str()
            .unwrap()
            .contains("expected review, got clear")
    );
    let statuses: Vec<&str> = of_reason(&objects, "file")
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["valid", "valid", "unreadable"]);
    let unreadable = of_reason(&objects, "problem");
    assert_eq!(unreadable.len(), 1);
    assert!(unreadable[0]["line"].is_null() && unreadable[0]["pointer"].is_null());
    let summary = objects.last().unwrap();
    assert_eq!(summary["reason"], "summary");
    assert_eq!(summary["tests_failed"], 1);
    assert_eq!(summary["unreadable"], 1);
    assert_eq!(summary["valid"], 2);
}

#[test]
fn validate_json_of_a_valid_file_is_its_file_and_summary_lines() {
    let r = run(needlecheck()
        .args(["validate", "--format", "json", "-"])
        .write_stdin(read(MINI)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let objects = json_lines(&r.stdout);
    assert_eq!(objects.len(), 2, "{}", r.stdout);
    assert_eq!(objects[0]["file"], "<stdin>");
    assert_eq!(objects[0]["status"], "valid");
    assert_eq!(objects[1]["exit"], 0);
}
