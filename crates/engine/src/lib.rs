//! The needlecheck engine: screening before dry needling, with no front end.
//!
//! [`loader`] checks a questionnaire file into a [`Questionnaire`], [`score()`] turns answers into
//! an [`Outcome`], [`report`] says what it means, [`Session`] walks a person through the
//! questions, [`screening`] is what happens around it (how it ended, the interrupt of a `stop`
//! rule, notices, exit statuses), [`formats`] writes it in each format and [`records`] saves
//! it. The TUI, the plain line mode and the command line are front ends over this crate, which
//! depends on none of them: this crate does not link a terminal library, an argument parser or
//! libc.
//!
//! Safety properties the engine keeps for every questionnaire the loader accepts (and the
//! property tests check): an unanswered required question never yields `clear`; answers to
//! hidden questions never change the outcome; scoring is deterministic; and in a finished
//! screening (every shown required question answered, optional ones possibly skipped) "Not
//! sure" never lowers the outcome compared with a definite answer, counting every rule except
//! those with `unknown: "ignore"` and those marked `not_monotone` (the loader refuses a test of
//! an answer *not* being "Not sure" elsewhere). There a skipped optional question counts as
//! "Not sure" in rules; a required one still unanswered makes the outcome `incomplete` and is
//! outside the promise (see [`condition`]).

// Every public item is documented: a third front end reads these docs first. The modules
// marked below are not yet (those with `JsonSchema` types carry their docs into the
// published schemas, which are regenerated with them).
#![warn(missing_docs)]

pub mod answers;
mod answers_fast;
pub mod answers_file;
#[allow(missing_docs)]
pub mod clinic;
pub mod condition;
#[allow(missing_docs)]
pub mod coverage;
pub mod diagnostics;
pub mod fhir;
pub mod formats;
pub mod loader;
pub mod locate;
#[allow(missing_docs)]
pub mod model;
pub mod printable;
pub mod questionnaire;
pub mod record_json;
pub mod records;
pub mod report;
#[allow(missing_docs)]
pub mod rescore;
#[allow(missing_docs)]
pub mod rescore_report;
pub mod rulebook;
pub mod schema;
pub mod score;
#[allow(missing_docs)]
pub mod screening;
pub mod selftest;
pub mod session;
pub mod settings;
pub mod subject;
pub mod suggest;
pub mod text_rules;

pub use answers::{Answer, AnswerError, Answers};
pub use diagnostics::LoadError;
pub use model::Level;
pub use questionnaire::Questionnaire;
pub use score::{Outcome, score};
pub use session::{Session, Step, StepError};

/// What the engine's unit tests share.
#[cfg(test)]
pub(crate) mod test_fixtures {
    /// The small questionnaire of the tests (`tests/fixtures/mini.json`).
    pub(crate) fn mini() -> crate::Questionnaire {
        crate::loader::load_str(
            "mini.json",
            include_bytes!("../../../tests/fixtures/mini.json"),
        )
        .expect("fixture loads")
    }
}
