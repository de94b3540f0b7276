//! needlecheck: screening before dry needling.
//!
//! The engine lives in its own crate, [`needlecheck_engine`], re-exported here; this crate holds
//! the front ends over it: the command line ([`cli`]), the full-screen terminal interface
//! ([`tui`]) and the plain line mode ([`plain`]).

pub use needlecheck_engine::{
    Answer, Answers, Level, LoadError, Outcome, Questionnaire, Session, Step, answers,
    answers_file, clinic, condition, coverage, diagnostics, fhir, formats, loader, locate, model,
    printable, questionnaire, records, report, rulebook, schema, score, screening, selftest,
    session, settings, subject, suggest,
};

pub mod cli;
pub mod color;
pub mod frontend;
pub mod input;
pub mod lines;
pub mod output;
pub mod plain;
pub mod rescore_cmd;
pub mod tui;
