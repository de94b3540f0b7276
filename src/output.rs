//! Standard output and standard error, the only way the front ends reach them (the lint
//! configuration forbids `println!`, `eprintln!`, `io::stdout` and `io::stderr` elsewhere).
//!
//! Text goes through [`Printable`], which escapes control characters, bidi controls and
//! invisible characters (see [`needlecheck_engine::printable`]): a questionnaire, an answer, a
//! patient identifier or a file name cannot make the terminal do anything but show it. Only
//! JSON, which escapes control characters itself and must stay exact, is written unchanged.
#![allow(clippy::disallowed_methods)]

use std::io::{self, Write};

use needlecheck_engine::printable::Printable;

/// Standard output for text.
pub fn stdout() -> Printable<io::StdoutLock<'static>> {
    Printable::new(io::stdout().lock())
}

/// Standard error for text.
pub fn stderr() -> Printable<io::Stderr> {
    Printable::new(io::stderr())
}

/// Standard output for JSON only.
pub fn json_stdout() -> io::StdoutLock<'static> {
    io::stdout().lock()
}

/// Standard error as the terminal the TUI draws on when there is no `/dev/tty`. Cell text is
/// made safe in the view ([`crate::tui::view::view`]).
pub(crate) fn raw_stderr_for_drawing() -> io::Stderr {
    io::stderr()
}

/// Whether standard error is a terminal.
pub fn stderr_is_terminal() -> bool {
    io::IsTerminal::is_terminal(&io::stderr())
}

/// Whether standard output is a terminal.
pub fn stdout_is_terminal() -> bool {
    io::IsTerminal::is_terminal(&io::stdout())
}

/// One line on standard error that may be gone with the terminal: unlike `eprintln!`, never
/// panics.
pub fn note(line: &str) {
    let _ = writeln!(stderr(), "{line}");
}
