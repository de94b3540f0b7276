//! One rule for colour and box-drawing characters, for every output: `--help`, diagnostics
//! and the full-screen interface. [`decide`] is the only place it is decided.
//!
//! The rule, first match wins: `--color never` or `--color always`; else `NO_COLOR` (not empty)
//! means no colour; `CLICOLOR_FORCE` (not empty, not `0`) means colour; `CLICOLOR=0` or
//! `TERM=dumb` mean no colour; else colour on a terminal only. Box-drawing characters are used
//! only on a terminal that is not `TERM=dumb` and without `--color never`: logs, pipes and
//! screen readers get plain ASCII.

use std::ffi::OsString;
use std::sync::OnceLock;

use clap::ValueEnum;
pub use needlecheck_engine::diagnostics::Decoration;

/// `--color`: when to use colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless the environment says otherwise.
    #[default]
    Auto,
    /// Always colour, even into a pipe or a file.
    Always,
    /// Never colour, and plain ASCII.
    Never,
}

/// What the environment says about colour, read once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Env {
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `CLICOLOR_FORCE` is set, not empty and not `0`.
    pub clicolor_force: bool,
    /// `CLICOLOR` is `0`.
    pub clicolor_off: bool,
    /// `TERM` is `dumb`.
    pub dumb: bool,
}

impl Env {
    /// The environment of this process.
    pub fn of_process() -> Self {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// The environment given by `get` (a variable's value, if set).
    pub fn from_vars(get: impl Fn(&str) -> Option<OsString>) -> Self {
        let set = |name: &str| get(name).filter(|v| !v.is_empty());
        Env {
            no_color: set("NO_COLOR").is_some(),
            clicolor_force: set("CLICOLOR_FORCE").is_some_and(|v| v != "0"),
            clicolor_off: get("CLICOLOR").is_some_and(|v| v == "0"),
            dumb: get("TERM").is_some_and(|v| v == "dumb"),
        }
    }
}

/// How an output going to a terminal (`terminal`) or not may be decorated.
pub fn decide(choice: ColorChoice, env: Env, terminal: bool) -> Decoration {
    let color = match choice {
        ColorChoice::Never => false,
        ColorChoice::Always => true,
        ColorChoice::Auto if env.no_color => false,
        ColorChoice::Auto if env.clicolor_force => true,
        ColorChoice::Auto if env.clicolor_off || env.dumb => false,
        ColorChoice::Auto => terminal,
    };
    let unicode = terminal && !env.dumb && choice != ColorChoice::Never;
    Decoration { color, unicode }
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records `--color` for the rest of the run (the first call wins).
pub fn set_choice(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// `--color` as given (`auto` before the command line is read).
pub fn choice() -> ColorChoice {
    CHOICE.get().copied().unwrap_or_default()
}

/// How diagnostics on standard error may be decorated.
pub fn stderr() -> Decoration {
    decide(
        choice(),
        Env::of_process(),
        crate::output::stderr_is_terminal(),
    )
}

/// How `--help` and `--version` on standard output may be decorated.
pub fn stdout() -> Decoration {
    decide(
        choice(),
        Env::of_process(),
        crate::output::stdout_is_terminal(),
    )
}

/// Whether the full-screen interface, which runs only on a terminal, uses colour. When it
/// does, the terminal library is told so too: it would otherwise drop colours under
/// `NO_COLOR` on its own, and `--color always` would not win.
pub fn tui() -> bool {
    let color = decide(choice(), Env::of_process(), true).color;
    crossterm::style::force_color_output(color);
    color
}

/// `--color` as written on a command line, before clap reads it: help and usage errors are
/// laid out by clap before [`set_choice`] can be called. The last one before `--` wins, as
/// with clap; a value clap refuses is left for clap to report.
pub fn choice_in_args(args: &[OsString]) -> ColorChoice {
    let mut found = ColorChoice::Auto;
    let mut words = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(word) = words.next() {
        let value = match word {
            "--" => break,
            "--color" => words.next(),
            _ => word.strip_prefix("--color="),
        };
        if let Some(c) = value.and_then(|v| ColorChoice::from_str(v, false).ok()) {
            found = c;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    /// Every environment of the rule, on a terminal and not, under `--color auto`:
    /// (variables, colour on a terminal, colour into a pipe, box drawing on a terminal).
    #[test]
    fn the_environment_decides_under_auto() {
        type Vars = &'static [(&'static str, &'static str)];
        let matrix: &[(Vars, bool, bool, bool)] = &[
            (&[], true, false, true),
            (&[("NO_COLOR", "1")], false, false, true),
            (&[("NO_COLOR", "")], true, false, true),
            (&[("CLICOLOR", "0")], false, false, true),
            (&[("CLICOLOR", "1")], true, false, true),
            (&[("CLICOLOR_FORCE", "1")], true, true, true),
            (&[("CLICOLOR_FORCE", "0")], true, false, true),
            (&[("CLICOLOR_FORCE", "")], true, false, true),
            (&[("TERM", "dumb")], false, false, false),
            (&[("TERM", "xterm-256color")], true, false, true),
            (
                &[("TERM", "dumb"), ("CLICOLOR_FORCE", "1")],
                true,
                true,
                false,
            ),
            (
                &[("CLICOLOR", "0"), ("CLICOLOR_FORCE", "1")],
                true,
                true,
                true,
            ),
            (
                &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")],
                false,
                false,
                true,
            ),
        ];
        for (vars, on_tty, on_pipe, boxes) in matrix {
            let e = env(vars);
            let tty = decide(ColorChoice::Auto, e, true);
            let pipe = decide(ColorChoice::Auto, e, false);
            assert_eq!(tty.color, *on_tty, "{vars:?} on a terminal");
            assert_eq!(pipe.color, *on_pipe, "{vars:?} into a pipe");
            assert_eq!(tty.unicode, *boxes, "{vars:?}: box drawing on a terminal");
            assert!(!pipe.unicode, "{vars:?}: plain ASCII into a pipe");
        }
    }

    #[test]
    fn the_flag_overrides_the_environment() {
        let all = env(&[("NO_COLOR", "1"), ("CLICOLOR", "0"), ("TERM", "dumb")]);
        for terminal in [true, false] {
            assert!(decide(ColorChoice::Always, all, terminal).color);
            let force = env(&[("CLICOLOR_FORCE", "1")]);
            assert_eq!(
                decide(ColorChoice::Never, force, terminal),
                Decoration::PLAIN
            );
        }
        assert!(decide(ColorChoice::Always, Env::default(), true).unicode);
        assert!(!decide(ColorChoice::Always, Env::default(), false).unicode);
    }

    #[test]
    fn the_flag_is_found_before_clap_reads_it() {
        let args = |s: &str| -> Vec<OsString> { s.split(' ').map(OsString::from).collect() };
        let cases = [
            ("needlecheck --help", ColorChoice::Auto),
            ("needlecheck --color never --help", ColorChoice::Never),
            ("needlecheck validate --color=always x", ColorChoice::Always),
            (
                "needlecheck --color never --color=always",
                ColorChoice::Always,
            ),
            ("needlecheck --color bogus", ColorChoice::Auto),
            ("needlecheck validate -- --color=never", ColorChoice::Auto),
        ];
        for (line, want) in cases {
            assert_eq!(choice_in_args(&args(line)), want, "{line}");
        }
    }
}
