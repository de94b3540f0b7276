//! needlecheck: screening before dry needling.
//!
//! The engine is a library: [`loader`] checks a questionnaire file into a [`Questionnaire`],
//! [`score`] turns answers into an [`Outcome`], [`report`] says what it means, and
//! [`Session`] walks a person through the questions. The TUI, the plain line mode and the
//! command line are front ends over it; the engine never depends on them.
//!
//! Safety properties the engine keeps for every questionnaire (and the tests check):
//! an unanswered required question never yields `clear`; "Not sure" never lowers the outcome
//! compared with a definite answer; answers to hidden questions never change it; scoring is
//! deterministic.

pub mod answers;
pub mod condition;
pub mod diagnostics;
pub mod loader;
pub mod locate;
pub mod model;
pub mod questionnaire;
pub mod report;
pub mod score;
pub mod session;
pub mod suggest;

pub use answers::{Answer, Answers};
pub use diagnostics::LoadError;
pub use model::Level;
pub use questionnaire::Questionnaire;
pub use score::{Outcome, score};
pub use session::{Session, Step};

pub mod cli;
pub mod frontend;
pub mod plain;
pub mod records;
pub mod selftest;
pub mod tui;
