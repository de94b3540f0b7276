//! Scoring: answers in, outcome out. Pure and deterministic.
//!
//! The outcome is the highest level among the rules that fired, and at least `incomplete` when
//! a required visible question has no answer. A rule fires when its condition is true, or when
//! it is unknown because of a "Not sure" answer and the rule escalates (the default). Answers to
//! questions hidden by `show_if` are not looked at and are reported as ignored.

use crate::answers::Answers;
use crate::condition::{Ctx, Truth};
use crate::model::{Level, UnknownPolicy};
use crate::questionnaire::Questionnaire;

/// A rule that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index into [`Questionnaire::rules`].
    pub rule: usize,
    pub level: Level,
    /// Fired because a "Not sure" answer left it undecided (could not be ruled out).
    pub on_unknown: bool,
    /// The answered questions that decided it, in questionnaire order.
    pub because: Vec<usize>,
}

/// The result of scoring one set of answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub level: Level,
    /// Highest level first, then in rule order.
    pub findings: Vec<Finding>,
    /// Required, visible questions without an answer.
    pub unanswered: Vec<usize>,
    /// Answers given to questions that were not shown.
    pub ignored: Vec<usize>,
    /// Which questions were shown.
    pub visible: Vec<bool>,
}

impl Outcome {
    /// The first `stop` rule that fired, if any.
    pub fn stopped_by(&self, q: &Questionnaire) -> Option<usize> {
        self.findings
            .iter()
            .map(|f| f.rule)
            .filter(|r| q.rules[*r].rule.stop)
            .min()
    }
}

/// Scores `answers`.
pub fn score(q: &Questionnaire, answers: &Answers) -> Outcome {
    let visible = q.visibility(answers);
    let findings = fired(q, answers, &visible, |_| true);
    let unanswered: Vec<usize> = (0..q.questions.len())
        .filter(|i| visible[*i] && q.questions[*i].is_required() && answers.get(*i).is_none())
        .collect();
    let ignored: Vec<usize> = answers.answered().filter(|i| !visible[*i]).collect();
    let mut level = findings
        .iter()
        .map(|f| f.level)
        .max()
        .unwrap_or(Level::Clear);
    if !unanswered.is_empty() {
        level = level.max(Level::Incomplete);
    }
    Outcome {
        level,
        findings,
        unanswered,
        ignored,
        visible,
    }
}

/// The first `stop` rule that fires on these answers (checked after every answer in a session).
pub fn stop_rule(q: &Questionnaire, answers: &Answers, visible: &[bool]) -> Option<usize> {
    fired(q, answers, visible, |r| q.rules[r].rule.stop)
        .into_iter()
        .map(|f| f.rule)
        .min()
}

fn fired(
    q: &Questionnaire,
    answers: &Answers,
    visible: &[bool],
    consider: impl Fn(usize) -> bool,
) -> Vec<Finding> {
    let ctx = Ctx {
        answers,
        visible,
        hidden_is_false: false,
    };
    let mut findings = Vec::new();
    for (ri, r) in q.rules.iter().enumerate() {
        if !consider(ri) {
            continue;
        }
        let on_unknown = match r.when.eval(&ctx) {
            Truth::True => false,
            Truth::Unknown { unsure: true } if r.rule.unknown == UnknownPolicy::Escalate => true,
            _ => continue,
        };
        let mut because = Vec::new();
        r.when.explain(&ctx, &mut because);
        because.retain(|i| visible[*i] && answers.get(*i).is_some());
        because.sort_unstable();
        because.dedup();
        findings.push(Finding {
            rule: ri,
            level: r.rule.level,
            on_unknown,
            because,
        });
    }
    findings.sort_by(|a, b| b.level.cmp(&a.level).then(a.rule.cmp(&b.rule)));
    findings
}
