//! The plain line mode (to be built).

use std::io::{BufRead, Write};

use crate::frontend::RunOptions;
use crate::questionnaire::Questionnaire;

/// Runs the plain line mode: questions and prompts to `prompts`, answers from `input`, the
/// advice to `advice`. Returns the process exit status.
pub fn run(
    _q: &Questionnaire,
    _opts: &RunOptions,
    _input: &mut dyn BufRead,
    _prompts: &mut dyn Write,
    _advice: &mut dyn Write,
) -> std::io::Result<u8> {
    Err(std::io::Error::other("the plain mode is not built yet"))
}
