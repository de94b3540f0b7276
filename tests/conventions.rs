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
