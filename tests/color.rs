//! One colour rule for `--help`, diagnostics and the full-screen interface: `--color`,
//! `NO_COLOR`, `CLICOLOR=0`, `CLICOLOR_FORCE=1` and `TERM=dumb`, into a pipe and on a terminal
//! (a pseudo-terminal). Diagnostics use box-drawing characters only on a terminal that is not
//! dumb and without `--color never`; elsewhere plain ASCII.

use std::io::ErrorKind;
use std::num::NonZeroU16;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::process::unix::WaitStatus;
use expectrl::{Expect, Session};

const BAD: &str = "tests/fixtures/cli/bad-many.json";
const MINI: &str = "tests/fixtures/mini.json";
const TIMEOUT: Duration = Duration::from_secs(10);

/// The variables of the rule, all removed before each run so the runner's own do not count.
const VARS: [&str; 5] = [
    "NO_COLOR",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "TERM",
    "NEEDLECHECK_CLINIC",
];

fn command(env: &[(&str, &str)], args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_needlecheck"));
    for v in VARS {
        cmd.env_remove(v);
    }
    cmd.envs(env.iter().copied()).args(args);
    cmd
}

/// What a run wrote, where decoration shows.
struct Seen {
    text: String,
}

impl Seen {
    fn colour(&self) -> bool {
        self.text.contains("\u{1b}[")
    }
    /// Whether the diagnostics frame their excerpts with box-drawing characters.
    fn boxes(&self) -> bool {
        self.text.contains("╭─[") && self.text.contains('│')
    }
    /// Whether the excerpts are framed in plain ASCII: no box-drawing character, nor miette's
    /// other decorations (messages may quote other text, such as a cycle's arrows).
    fn ascii_frame(&self) -> bool {
        let drawing = |c: char| ('\u{2500}'..='\u{257f}').contains(&c) || "×·…▲".contains(c);
        self.text.contains(",-[") && !self.text.chars().any(drawing)
    }
}

/// Standard error (for `validate`) or standard output (for `--help`) into a pipe.
fn piped(env: &[(&str, &str)], args: &[&str], stderr: bool) -> Seen {
    let out = command(env, args).output().expect("runs");
    let bytes = if stderr { out.stderr } else { out.stdout };
    Seen {
        text: String::from_utf8(bytes).expect("UTF-8"),
    }
}

/// Everything written on a pseudo-terminal until the program ends.
fn on_terminal(env: &[(&str, &str)], args: &[&str]) -> Seen {
    let mut session = Session::spawn(command(env, args)).expect("spawn on a pty");
    session
        .get_process_mut()
        .set_window_size(100, 40)
        .expect("window size");
    let bytes = drain(&mut session);
    let status = session.get_process().wait().expect("wait");
    assert!(
        matches!(status, WaitStatus::Exited(_, 0 | 2)),
        "{args:?}: {status:?}"
    );
    Seen {
        text: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn drain(session: &mut expectrl::session::OsSession) -> Vec<u8> {
    let deadline = Instant::now() + TIMEOUT;
    let mut bytes = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        assert!(Instant::now() < deadline, "the program did not end");
        match session.try_read(&mut buf) {
            Ok(0) => return bytes,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(5));
            }
            // Linux reports EIO on the master once the child has gone.
            Err(_) => return bytes,
        }
    }
}

/// (environment, `--color` flag, colour into a pipe, colour on a terminal, boxes on a terminal)
type Case = (
    &'static [(&'static str, &'static str)],
    &'static str,
    bool,
    bool,
    bool,
);

const MATRIX: &[Case] = &[
    (&[], "", false, true, true),
    (&[("NO_COLOR", "1")], "", false, false, true),
    (&[("CLICOLOR", "0")], "", false, false, true),
    (&[("CLICOLOR_FORCE", "1")], "", true, true, true),
    (&[("TERM", "dumb")], "", false, false, false),
    (
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
        "",
        false,
        false,
        true,
    ),
    (&[("NO_COLOR", "1")], "--color=always", true, true, true),
    (
        &[("CLICOLOR_FORCE", "1")],
        "--color=never",
        false,
        false,
        false,
    ),
    (&[], "--color=auto", false, true, true),
];

fn with_flag<'a>(flag: &'a str, args: &[&'a str]) -> Vec<&'a str> {
    let mut v: Vec<&str> = if flag.is_empty() { vec![] } else { vec![flag] };
    v.extend_from_slice(args);
    v
}

#[test]
fn diagnostics_follow_the_rule_into_a_pipe() {
    for (env, flag, pipe, _, _) in MATRIX {
        let seen = piped(env, &with_flag(flag, &["validate", BAD]), true);
        assert!(seen.text.contains("unknown field `hlep`"), "{}", seen.text);
        assert_eq!(seen.colour(), *pipe, "{env:?} {flag}:\n{}", seen.text);
        assert!(
            seen.ascii_frame() && !seen.boxes(),
            "{env:?} {flag}: plain ASCII into a pipe:\n{}",
            seen.text
        );
    }
}

#[test]
fn diagnostics_follow_the_rule_on_a_terminal() {
    for (env, flag, _, tty, boxes) in MATRIX {
        let seen = on_terminal(env, &with_flag(flag, &["validate", BAD]));
        assert!(seen.text.contains("unknown field `hlep`"), "{}", seen.text);
        assert_eq!(seen.colour(), *tty, "{env:?} {flag}:\n{}", seen.text);
        assert_eq!(seen.boxes(), *boxes, "{env:?} {flag}:\n{}", seen.text);
        assert_eq!(
            seen.ascii_frame(),
            !*boxes,
            "{env:?} {flag}:\n{}",
            seen.text
        );
    }
}

#[test]
fn help_follows_the_rule_into_a_pipe_and_on_a_terminal() {
    for (env, flag, pipe, tty, _) in MATRIX {
        let seen = piped(env, &with_flag(flag, &["--help"]), false);
        assert!(seen.text.contains("Usage:"), "{}", seen.text);
        assert_eq!(seen.colour(), *pipe, "{env:?} {flag} piped:\n{}", seen.text);
        let seen = on_terminal(env, &with_flag(flag, &["--help"]));
        assert!(seen.text.contains("Usage:"), "{}", seen.text);
        assert_eq!(seen.colour(), *tty, "{env:?} {flag} on a terminal");
    }
}

#[test]
fn an_unknown_color_value_is_a_usage_error() {
    let out = command(&[], &["--color", "sometimes", "validate"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("always") && stderr.contains("never"),
        "{stderr}"
    );
}

/// Whether any cell of the screen has a foreground or background colour.
fn coloured(screen: &vt100::Screen) -> bool {
    let (rows, cols) = screen.size();
    (0..rows.get()).any(|r| {
        (0..cols.get()).any(|c| {
            screen.cell(r, c).is_some_and(|cell| {
                cell.fgcolor() != vt100::Color::Default || cell.bgcolor() != vt100::Color::Default
            })
        })
    })
}

/// Whether the welcome screen of the full-screen interface shows any colour (read before the
/// screen is left).
fn tui_coloured(env: &[(&str, &str)], flag: &str) -> bool {
    let mut env = env.to_vec();
    env.push(("TERM", "xterm-256color"));
    let mut session =
        Session::spawn(command(&env, &with_flag(flag, &["-q", MINI]))).expect("spawn");
    session
        .get_process_mut()
        .set_window_size(80, 24)
        .expect("window size");
    let nz = |n| NonZeroU16::new(n).expect("non-zero");
    let mut vt = vt100::Parser::new(nz(24), nz(80), 0);
    let deadline = Instant::now() + TIMEOUT;
    let mut buf = [0u8; 8192];
    while !vt.screen().contents().contains("Enter start") {
        assert!(Instant::now() < deadline, "{}", vt.screen().contents());
        match session.try_read(&mut buf) {
            Ok(n) if n > 0 => vt.process(&buf[..n]),
            _ => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    let seen = coloured(vt.screen());
    session.send("\u{3}").expect("Ctrl-C");
    let _ = drain(&mut session);
    let status = session.get_process().wait().expect("wait");
    assert!(matches!(status, WaitStatus::Exited(_, 130)), "{status:?}");
    seen
}

#[test]
fn the_full_screen_palette_follows_the_rule() {
    assert!(tui_coloured(&[], ""), "colour by default on a terminal");
    assert!(
        !tui_coloured(&[("NO_COLOR", "1")], ""),
        "monochrome under NO_COLOR"
    );
    assert!(
        !tui_coloured(&[("CLICOLOR", "0")], ""),
        "monochrome under CLICOLOR=0"
    );
    assert!(
        !tui_coloured(&[], "--color=never"),
        "monochrome under --color never"
    );
    assert!(
        tui_coloured(&[("NO_COLOR", "1")], "--color=always"),
        "--color always wins"
    );
}
