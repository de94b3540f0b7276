//! One screening from its start to its end, the same for every front end.
//!
//! The TUI and the plain line mode lay out what this module decides: how a screening ended
//! ([`Status`]) and what that means for its outcome, its advice and the exit status; what the
//! interrupt of a `stop` rule says ([`Interrupt`]); and what to tell the person when a change
//! removes or adds questions ([`Notice`]). Saving is [`crate::records`]; the formats a
//! finished screening is written in are [`crate::formats`].

use std::time::SystemTime;

use crate::answers::Answers;
use crate::model::{Contact, Level, Question};
use crate::questionnaire::Questionnaire;
use crate::report::{self, Summary, TextOptions};
use crate::score::Outcome;
use crate::session::Session;

/// Exit statuses of the `needlecheck` process (see the README).
pub mod exit {
    /// Success; for a screening: it ended normally (completed, or stopped with emergency
    /// advice).
    pub const OK: u8 = 0;
    /// An I/O or internal error, and a screening record that could not be saved and was given
    /// up: a lost record never ends in success.
    pub const IO: u8 = 1;
    /// Invalid input or usage.
    pub const INVALID: u8 = 2;
    /// A screening left before its end.
    pub const ABANDONED: u8 = 3;
    /// A screening interrupted by Ctrl-C, SIGINT, SIGTERM, SIGHUP or a closed terminal.
    pub const INTERRUPTED: u8 = 130;

    /// The status of a run that would end with `status`, once `lost` records were given up:
    /// a lost record outranks every other ending, an interrupt included, so that a script
    /// (or staff reading the status) never takes a lost record for a kept one.
    pub const fn with_lost(status: u8, lost: usize) -> u8 {
        if lost > 0 { IO } else { status }
    }
}

/// What a front end says when a screening is interrupted (it may be written from a signal
/// handler, so it is a constant).
pub const INTERRUPTED_NOTICE: &str =
    "needlecheck: interrupted; the screening was not finished and no advice was given for it.";

/// What a front end says when a signal or a closed terminal ends the run while a record that
/// failed to save waits for the staff's choice: that record is given up, and the terminal says
/// so (the run ends in [`exit::IO`]).
pub const INTERRUPTED_UNSAVED_NOTICE: &str = "needlecheck: interrupted while a record that \
could not be saved waited for a choice; that screening's record was NOT saved.";

/// What a front end says when a signal ends the run between screenings (before the first, or
/// after one ended and its record was dealt with).
pub const INTERRUPTED_BETWEEN_NOTICE: &str =
    "needlecheck: interrupted; no screening was under way.";

/// What a front end says when a signal ends a run in which a record was given up earlier.
pub const EARLIER_LOST_NOTICE: &str =
    "needlecheck: an earlier screening record was NOT saved (see above).";

/// Where a run of screenings is, for what a signal (or a closed terminal) means there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// A screening is under way: it is left unfinished, with no advice.
    Screening,
    /// No screening is under way: none has begun yet, or the last one ended and its record
    /// was saved or given up.
    Between,
    /// A screening ended, its record could not be saved, and the staff's choice (try again,
    /// another folder, give up) is awaited.
    SaveWaiting,
}

impl Moment {
    /// Its number, to keep in an atomic that a signal handler reads ([`Moment::from_u8`]).
    pub const fn as_u8(self) -> u8 {
        match self {
            Moment::Screening => 0,
            Moment::Between => 1,
            Moment::SaveWaiting => 2,
        }
    }

    /// The moment of [`Moment::as_u8`]; an unknown number is [`Moment::Screening`].
    pub const fn from_u8(n: u8) -> Moment {
        match n {
            1 => Moment::Between,
            2 => Moment::SaveWaiting,
            _ => Moment::Screening,
        }
    }
}

/// How a run ends when a signal or a closed terminal stops it: see [`on_interrupt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalEnd {
    /// The line to write on stderr.
    pub notice: &'static str,
    /// Whether the record that waited after a failed save is given up (counted as lost).
    pub record_lost: bool,
    /// The process exit status.
    pub exit_status: u8,
}

/// What a signal or a closed terminal means at `moment`, in a run that gave up `lost_before`
/// records earlier. The same for every front end, and free of allocation, so that a signal
/// handler can call it.
///
/// A record waiting for the staff's choice after a failed save is given up, not saved: a last
/// try in the folder that has just failed would fail again, no other folder was chosen, and the
/// signal asks the run to end now rather than wait. It is not lost silently: the notice says
/// that this screening's record was NOT saved, and the exit status is [`exit::IO`] (a lost record
/// outranks the interrupt, see [`exit::with_lost`]), not [`exit::INTERRUPTED`].
pub const fn on_interrupt(moment: Moment, lost_before: usize) -> SignalEnd {
    let record_lost = matches!(moment, Moment::SaveWaiting);
    let lost = lost_before + record_lost as usize;
    SignalEnd {
        notice: match moment {
            Moment::Screening => INTERRUPTED_NOTICE,
            Moment::Between => INTERRUPTED_BETWEEN_NOTICE,
            Moment::SaveWaiting => INTERRUPTED_UNSAVED_NOTICE,
        },
        record_lost,
        exit_status: exit::with_lost(exit::INTERRUPTED, lost),
    }
}

/// The front end a screening was done in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The full-screen terminal interface.
    Tui,
    /// The plain line mode.
    Plain,
}

impl Mode {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Tui => "tui",
            Mode::Plain => "plain",
        }
    }
}

/// How a screening ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every question was gone through.
    Completed,
    /// A `stop` rule interrupted it and its advice was given (at any level, not only
    /// `emergency`; the name is kept for records).
    StoppedEmergency,
    /// Left before the end (quit, end of input).
    Abandoned,
    /// Ended by a signal or a closed terminal: no advice is given and nothing is saved.
    Interrupted,
}

impl Status {
    /// The name used in records.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::StoppedEmergency => "stopped_emergency",
            Status::Abandoned => "abandoned",
            Status::Interrupted => "interrupted",
        }
    }

    /// The status in words, for the handover.
    pub fn describe(self) -> &'static str {
        match self {
            Status::Completed => "completed",
            Status::StoppedEmergency => "stopped early by a stop rule",
            Status::Abandoned => "abandoned before the end",
            Status::Interrupted => "interrupted",
        }
    }

    /// The process exit status of a screening that ended this way.
    pub fn exit_status(self) -> u8 {
        match self {
            Status::Completed | Status::StoppedEmergency => exit::OK,
            Status::Abandoned => exit::ABANDONED,
            Status::Interrupted => exit::INTERRUPTED,
        }
    }

    /// What to tell the person about how it ended, before the advice (none when it ended as
    /// it should).
    pub fn notice(self) -> Option<&'static str> {
        match self {
            Status::Completed | Status::StoppedEmergency => None,
            Status::Abandoned => Some(
                "The screening was not finished. The advice below is for the answers given so far.",
            ),
            Status::Interrupted => Some(INTERRUPTED_NOTICE),
        }
    }

    /// The status of a screening that the person leaves now (quit, end of input): stopped when
    /// a `stop` rule's advice is showing, completed when every question has been gone
    /// through (also when leaving from the review list after that), abandoned otherwise.
    pub fn on_leaving(session: &Session) -> Status {
        if session.stopped().is_some() {
            Status::StoppedEmergency
        } else if session.is_finished() {
            Status::Completed
        } else {
            Status::Abandoned
        }
    }
}

/// Who, how and since when: what a front end knows about a screening besides the answers.
#[derive(Debug, Clone)]
pub struct Start {
    /// Patient identifier, if one was given.
    pub subject: Option<String>,
    /// Front-desk mode.
    pub staff: bool,
    pub mode: Mode,
    pub started: SystemTime,
}

/// One ended screening: everything the advice, the record and the handover are made from.
/// It owns its answers, so it outlives the session (front-desk mode starts the next patient
/// while a record waits to be saved).
#[derive(Debug, Clone)]
pub struct Screening<'q> {
    pub q: &'q Questionnaire,
    pub answers: Answers,
    /// The outcome; at least `incomplete` for an abandoned or interrupted screening.
    pub outcome: Outcome,
    pub subject: Option<String>,
    pub staff: bool,
    pub mode: Mode,
    pub status: Status,
    pub started: SystemTime,
    pub ended: SystemTime,
}

impl<'q> Screening<'q> {
    /// Ends the screening of `session` now with `status`. The outcome is the session's (which
    /// counts the optional questions it went past without an answer as skipped).
    pub fn end(session: &Session<'q>, start: Start, status: Status) -> Self {
        Self::with_outcome(
            session.questionnaire(),
            session.answers().clone(),
            session.outcome(),
            start,
            status,
            SystemTime::now(),
        )
    }

    /// A screening of these answers that ended at `ended` with `status`. A screening that
    /// did not end as it should is never `clear`: its outcome is at least `incomplete`.
    pub fn from_answers(
        q: &'q Questionnaire,
        answers: Answers,
        start: Start,
        status: Status,
        ended: SystemTime,
    ) -> Self {
        let outcome = crate::score(q, &answers);
        Self::with_outcome(q, answers, outcome, start, status, ended)
    }

    fn with_outcome(
        q: &'q Questionnaire,
        answers: Answers,
        mut outcome: Outcome,
        start: Start,
        status: Status,
        ended: SystemTime,
    ) -> Self {
        if matches!(status, Status::Abandoned | Status::Interrupted) {
            outcome.level = outcome.level.max(Level::Incomplete);
        }
        Screening {
            q,
            answers,
            outcome,
            subject: start.subject,
            staff: start.staff,
            mode: start.mode,
            status,
            started: start.started,
            ended,
        }
    }

    /// The advice summary, in staff wording in front-desk mode.
    pub fn summary(&self) -> Summary<'q> {
        Summary::new(self.q, &self.answers, &self.outcome, self.staff)
    }

    /// The advice as printed (exactly `score --format text` of the answers, with the
    /// subject); `None` for an interrupted screening, which gives no advice.
    pub fn advice(&self) -> Option<String> {
        (self.status != Status::Interrupted).then(|| {
            report::render_text(
                &self.summary(),
                &TextOptions {
                    staff: self.staff,
                    subject: self.subject.as_deref(),
                },
            )
        })
    }

    /// The process exit status when the run ends with this screening.
    pub fn exit_status(&self) -> u8 {
        self.status.exit_status()
    }
}

/// What the interrupt of a `stop` rule says: a headline from the rule's level, why (the rule's
/// message), what to do (the rule's own steps) and what to tell whoever is called.
///
/// An `emergency` interrupt says to call the emergency number once, in its headline, and
/// nothing else says it again: it shows no summary and no phone lines (the level's summary and
/// the emergency contact's line both repeat the call), and without steps of its own it falls
/// back to the level's next steps less those that name the emergency number. A `stop` rule
/// below `emergency` reads the same in every front end too, headed by its level's label in
/// capitals (`SEE A DOCTOR TODAY`), with the level's summary and the phone lines the
/// questionnaire lists for that level.
///
/// When several `stop` rules at the interrupting rule's level fire together (an answer given
/// earlier and kept, a "Not sure" escalating two rules), the interrupt holds all of them: their
/// messages and their steps in rule order, each step once.
#[derive(Debug, Clone, PartialEq)]
pub struct Interrupt<'q> {
    /// The level of the rule.
    pub level: Level,
    /// A short title: `EMERGENCY` for the emergency level, `STOP` otherwise.
    pub title: &'static str,
    /// The headline: `CALL 000 NOW` (the emergency contact's number), or the level's label in
    /// capitals (`SEE A DOCTOR TODAY`).
    pub headline: String,
    /// Why: the message of each `stop` rule that fired at this level, in rule order.
    pub messages: Vec<&'q str>,
    /// The summary of the level's advice (staff wording in front-desk mode); `None` for an
    /// emergency, whose summary would repeat the headline's call.
    pub summary: Option<&'q str>,
    /// Phone lines shown for the level, in words ([`report::contact_line`]); none for an
    /// emergency, whose number is the headline.
    pub contacts: Vec<String>,
    /// What to do: the rules' own steps (staff wording in front-desk mode), each once, else the
    /// level's next steps (for an emergency, less those naming the emergency number).
    pub steps: Vec<&'q str>,
    /// What to tell the call-taker: each listed contact's `tell` (for an emergency, the
    /// emergency contact's), then the answers that fired the rules (`"question": answer`).
    pub tell: Vec<String>,
}

impl<'q> Interrupt<'q> {
    /// The interrupt of rule `rule` where `session` stopped; `staff` picks the question
    /// wording and the steps.
    pub fn new(session: &Session<'q>, rule: usize, staff: bool) -> Self {
        let q = session.questionnaire();
        let level = q.rules()[rule].rule.level;
        let emergency = level == Level::Emergency;
        let advice = q.advice().for_level(level);
        let call = q.emergency_contact().filter(|_| emergency);
        let headline = match (emergency, call) {
            (true, Some(c)) => format!("CALL {} NOW", c.number),
            (true, None) => "CALL EMERGENCY SERVICES NOW".to_string(),
            _ => advice.label.to_uppercase(),
        };
        let outcome = session.outcome();
        let mut fired: Vec<usize> = outcome
            .findings
            .iter()
            .map(|f| f.rule)
            .filter(|&r| {
                let r = &q.rules()[r].rule;
                r.stop && r.level == level
            })
            .chain([rule])
            .collect();
        fired.sort_unstable();
        fired.dedup();
        let rules: Vec<&'q crate::model::Rule> =
            fired.iter().map(|&r| &*q.rules()[r].rule).collect();
        let contacts: Vec<&'q Contact> = match call {
            Some(c) => vec![c],
            None if emergency => Vec::new(),
            None => report::contacts_for(q, level),
        };
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let mut reasons: Vec<String> = Vec::new();
        for f in report::findings(q, session.answers(), &outcome, staff) {
            if ids.contains(&f.rule_id) {
                for b in f.because {
                    let line = format!("\"{}\": {}", b.question, b.answer);
                    if !reasons.contains(&line) {
                        reasons.push(line);
                    }
                }
            }
        }
        Interrupt {
            level,
            title: if emergency { "EMERGENCY" } else { "STOP" },
            headline,
            messages: rules.iter().map(|r| r.message.as_str()).collect(),
            summary: (!emergency).then(|| advice.summary_for(staff)),
            tell: contacts
                .iter()
                .filter_map(|c| c.tell.clone())
                .chain(reasons)
                .collect(),
            contacts: if emergency {
                Vec::new()
            } else {
                contacts.iter().map(|c| report::contact_line(c)).collect()
            },
            steps: steps(&rules, advice.next_steps_for(staff), call, staff),
        }
    }
}

/// The steps of an interrupt: the rules' own, in rule order and each once; or, when none has
/// any, the level's `fallback` steps less those that name the number the headline calls.
fn steps<'q>(
    rules: &[&'q crate::model::Rule],
    fallback: &'q [String],
    call: Option<&Contact>,
    staff: bool,
) -> Vec<&'q str> {
    let own: Vec<&'q String> = rules
        .iter()
        .filter_map(|r| r.steps_for(staff))
        .flatten()
        .collect();
    let chosen: Vec<&'q String> = if own.is_empty() {
        fallback
            .iter()
            .filter(|s| call.is_none_or(|c| !s.contains(c.number.as_str())))
            .collect()
    } else {
        own
    };
    let mut out: Vec<&'q str> = Vec::with_capacity(chosen.len());
    for s in chosen {
        if !out.contains(&s.as_str()) {
            out.push(s);
        }
    }
    out
}

/// Something a change did to the other questions, said right after it: answers removed
/// because their questions no longer apply, or follow-up questions it added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The sentence, ending in a colon.
    pub headline: String,
    /// The questions concerned, in the audience's wording.
    pub items: Vec<String>,
}

impl Notice {
    /// Answers that the last answer removed (skip logic hid their questions).
    pub fn dropped(q: &Questionnaire, dropped: &[usize], staff: bool) -> Option<Notice> {
        let n = dropped.len();
        (n > 0).then(|| Notice {
            headline: format!(
                "Because of this answer, {} no longer appl{} and {} removed:",
                plural(n, "earlier answer"),
                if n == 1 { "ies" } else { "y" },
                if n == 1 { "was" } else { "were" },
            ),
            items: wordings(q, dropped, staff),
        })
    }

    /// Follow-up questions that the last answer added (skip logic now shows them and they
    /// have no answer yet).
    pub fn added(q: &Questionnaire, added: &[usize], staff: bool) -> Option<Notice> {
        let n = added.len();
        (n > 0).then(|| Notice {
            headline: format!(
                "Because of this answer, {} {} asked:",
                plural(n, "more question"),
                if n == 1 { "is" } else { "are" },
            ),
            items: wordings(q, added, staff),
        })
    }

    /// The notice as one line: the headline, then the questions in quotes.
    pub fn one_line(&self) -> String {
        let items: Vec<String> = self.items.iter().map(|i| format!("\"{i}\"")).collect();
        format!("{} {}", self.headline, items.join("; "))
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn wordings(q: &Questionnaire, list: &[usize], staff: bool) -> Vec<String> {
    list.iter()
        .map(|i| q.questions()[*i].wording(staff).to_string())
        .collect()
}

/// The range a number question takes, in words: `from 0 to 120`, `of at least 18`,
/// `of at most 5`; `None` without bounds.
pub fn number_range(q: &Question) -> Option<String> {
    let f = crate::answers::fmt_num;
    match (q.min, q.max) {
        (Some(lo), Some(hi)) => Some(format!("from {} to {}", f(lo), f(hi))),
        (Some(lo), None) => Some(format!("of at least {}", f(lo))),
        (None, Some(hi)) => Some(format!("of at most {}", f(hi))),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_gives_up_a_waiting_record_and_ends_in_the_lost_record_status() {
        let waiting = on_interrupt(Moment::SaveWaiting, 0);
        assert!(waiting.record_lost);
        assert_eq!(waiting.exit_status, exit::IO);
        assert!(waiting.notice.contains("NOT saved"));
        let asking = on_interrupt(Moment::Screening, 0);
        assert_eq!(
            (asking.record_lost, asking.exit_status, asking.notice),
            (false, exit::INTERRUPTED, INTERRUPTED_NOTICE)
        );
        // A record given up earlier in the run still decides the status.
        assert_eq!(on_interrupt(Moment::Between, 2).exit_status, exit::IO);
        for m in [Moment::Screening, Moment::Between, Moment::SaveWaiting] {
            assert_eq!(Moment::from_u8(m.as_u8()), m);
        }
    }
}
