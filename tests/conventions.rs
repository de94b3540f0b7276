//! The command-line conventions users of other tools expect: shell completions, a manual page,
//! and flags refused where they would do nothing. Each test runs the real binary.

use std::time::Duration;

use assert_cmd::Command;

const MINI: &str = "tests/fixtures/mini.json";

/// Nothing here should take long; a hang is a failure, not a stuck test run.
const TIMEOUT: Duration = Duration::from_secs(30);

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

fn needlecheck() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_needlecheck"));
    cmd.env("NO_COLOR", "1")
        .env_remove("NEEDLECHECK_CLINIC")
        .timeout(TIMEOUT);
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("the binary runs");
    let r = Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    };
    assert!(
        !r.stderr.contains("panicked") && !r.stderr.contains("internal error"),
        "the program panicked:\n{}",
        r.stderr
    );
    r
}

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
