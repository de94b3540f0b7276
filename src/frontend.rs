//! What the interactive front ends (full-screen TUI and plain line mode) share: their options
//! and their exit statuses.

use std::path::PathBuf;

/// Options of an interactive screening run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Front-desk mode: staff wording, handover summary, several patients in a row.
    pub staff: bool,
    /// Patient identifier shown on the result and in the record.
    pub subject: Option<String>,
    /// Directory where each screening's record and handover are saved (files created 0600,
    /// never overwritten). Nothing is written when `None`.
    pub save_dir: Option<PathBuf>,
    /// Whether colours may be used (false under `NO_COLOR`).
    pub color: bool,
}

/// Exit status when the screening ended normally ([`crate::screening::exit::OK`]).
pub const EXIT_OK: u8 = crate::screening::exit::OK;
/// Exit status when the screening was abandoned before the end
/// ([`crate::screening::exit::ABANDONED`]).
pub const EXIT_ABANDONED: u8 = crate::screening::exit::ABANDONED;
/// Exit status when interrupted ([`crate::screening::exit::INTERRUPTED`]).
pub const EXIT_INTERRUPTED: u8 = crate::screening::exit::INTERRUPTED;
