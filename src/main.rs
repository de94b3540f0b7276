//! The `needlecheck` binary: parses the command line and hands over to the library.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

fn main() -> ExitCode {
    // A panic is a bug: say so without its message (which could quote an answer), and exit 1
    // rather than 101. The TUI chains its own hook in front of this one to restore the terminal.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        // Not eprintln!, which panics (and so aborts here) when stderr is gone.
        let _ = writeln!(
            needlecheck::output::stderr(),
            "needlecheck: internal error{place}; this is a bug, please report it"
        );
        std::process::exit(i32::from(needlecheck::cli::EXIT_IO));
    }));
    let cli = match parse() {
        Ok(cli) => cli,
        // Help and version: the tool's own text, as clap lays it out.
        Err(e) if !e.use_stderr() => e.exit(),
        // A usage error can quote what was typed: through the escaping writer, uncoloured.
        Err(e) => {
            let _ = write!(needlecheck::output::stderr(), "{}", e.render());
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    ExitCode::from(needlecheck::cli::run(cli))
}

/// The command line, with `--help` coloured by the same rule as everything else (clap's own
/// detection knows neither `--color` nor `CLICOLOR_FORCE`).
fn parse() -> Result<needlecheck::cli::Cli, clap::Error> {
    use needlecheck::color;
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let choice = color::choice_in_args(&args);
    color::set_choice(choice);
    let when = if color::stdout().color {
        clap::ColorChoice::Always
    } else {
        clap::ColorChoice::Never
    };
    let mut command = needlecheck::cli::Cli::command().color(when);
    let matches = command.try_get_matches_from_mut(args)?;
    needlecheck::cli::Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
}
