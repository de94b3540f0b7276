//! The full-screen screening TUI (to be built).

use crate::frontend::RunOptions;
use crate::questionnaire::Questionnaire;

/// Runs the TUI; returns the process exit status.
pub fn run(_q: &Questionnaire, _opts: &RunOptions) -> std::io::Result<u8> {
    Err(std::io::Error::other(
        "the full-screen mode is not built yet; use --plain",
    ))
}
