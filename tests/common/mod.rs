//! What the command-line tests share: the binary as a person runs it, and what a run left.

use std::time::Duration;

use assert_cmd::Command;

/// The binary without colour and without a clinic file from the environment; a hang fails the
/// test instead of stopping the test run.
pub fn needlecheck() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_needlecheck"));
    cmd.env("NO_COLOR", "1")
        .env_remove("NEEDLECHECK_CLINIC")
        .timeout(Duration::from_secs(60));
    cmd
}

/// How a run ended and what it printed.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to the end; a panic (whose message could quote an answer) fails the test.
pub fn run(cmd: &mut Command) -> Run {
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
