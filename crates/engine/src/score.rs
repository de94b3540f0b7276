//! Scoring: answers in, outcome out. Pure and deterministic.
//!
//! The outcome is the highest level among the rules that fired, and at least `incomplete` when
//! a required visible question has no answer. A rule fires when its condition is true, or when
//! it is unknown because of a "Not sure" answer or, in a finished screening, a shown optional
//! question left unanswered (which no further answer will decide; see [`crate::condition`]),
//! and the rule escalates (the default). Answers to questions hidden by `show_if` are not
//! looked at and are reported as ignored.

use crate::answers::{Answer, Answers};
use crate::condition::{Cited, Ctx, Expr, Truth};
use crate::model::{Level, UnknownPolicy};
use crate::questionnaire::Questionnaire;

/// A rule that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Index into [`Questionnaire::rules`].
    pub rule: usize,
    /// The rule's level.
    pub level: Level,
    /// Fired because a "Not sure" answer left it undecided (could not be ruled out).
    pub on_unknown: bool,
    /// The answered questions that decided it, in questionnaire order: those its rule tested,
    /// and the answers that showed them (a follow-up answered "No" is no reason on its own).
    pub because: Vec<usize>,
    /// For a choose-all question in `because` that counts only through the options its rule
    /// looked for: those options, as (question, option), sorted.
    pub options: Vec<(usize, usize)>,
}

/// The result of scoring one set of answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The advice: the highest level of the fired rules (`clear` when none fires), and at
    /// least `incomplete` while a required question shown is unanswered.
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
            .filter(|r| q.rules()[*r].rule.stop)
            .min()
    }
}

/// Scores `answers`. When every shown required question has an answer (a finished
/// screening), a shown optional question without one was skipped; before that, every missing
/// answer counts as still to come.
pub fn score(q: &Questionnaire, answers: &Answers) -> Outcome {
    score_passed(q, answers, &[])
}

/// Scores `answers` like [`score`], where the optional questions marked in `passed` were
/// skipped even before the screening is finished (in a session: those it has gone past).
pub(crate) fn score_passed(q: &Questionnaire, answers: &Answers, passed: &[bool]) -> Outcome {
    let visible = q.visibility(answers);
    let required = q.required();
    let unanswered: Vec<usize> = (0..required.len())
        .filter(|i| visible[*i] && required[*i] && answers.get(*i).is_none())
        .collect();
    let finished = unanswered.is_empty();
    let skipped: Vec<bool> = (required.iter().enumerate())
        .map(|(i, r)| !r && (finished || passed.get(i).copied().unwrap_or(false)))
        .collect();
    let findings = fired(q, answers, &visible, &skipped, |_| true);
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
/// `skipped`: the questions already passed without an answer that will not get one (optional
/// ones); any other question without an answer is still to be answered.
pub fn stop_rule(
    q: &Questionnaire,
    answers: &Answers,
    visible: &[bool],
    skipped: &[bool],
) -> Option<usize> {
    fired(q, answers, visible, skipped, |r| q.rules()[r].rule.stop)
        .into_iter()
        .map(|f| f.rule)
        .min()
}

/// The answers that decided `when` (see [`Finding::because`] and [`Finding::options`]): the
/// ones it tested; and when each of those is a "No" (a rule on follow-up questions answered
/// No), also the answers that showed them, back to questions asked of everyone. Only answers
/// shown and given are quoted.
///
/// `expanded` is scratch space shared by the rules of one scoring (empty, or all false):
/// marking the questions followed in a list as long as the questionnaire for each rule made
/// scoring grow with the number of questions times the rules that fire.
fn because(
    q: &Questionnaire,
    ctx: &Ctx,
    when: &Expr,
    expanded: &mut Vec<bool>,
) -> (Vec<usize>, Vec<(usize, usize)>) {
    let quoted = |c: &Cited| ctx.visible[c.q] && ctx.answers.get(c.q).is_some();
    let mut cited = Vec::new();
    when.explain(ctx, &mut cited);
    let says_no = |c: &Cited| ctx.answers.get(c.q) == Some(&Answer::No);
    if cited.iter().filter(|c| quoted(c)).all(says_no) {
        expanded.resize(q.questions().len(), false);
        let mut next = 0;
        while let Some(c) = cited.get(next).copied() {
            next += 1;
            if !std::mem::replace(&mut expanded[c.q], true)
                && let Some(show_if) = q.show_if(c.q)
            {
                show_if.explain(ctx, &mut cited);
            }
        }
        // Only cited questions were marked: unmarked, the list is ready for the next rule.
        cited.iter().for_each(|c| expanded[c.q] = false);
    }
    cited.retain(quoted);
    cited.sort_unstable();
    cited.dedup();
    let mut because: Vec<usize> = cited.iter().map(|c| c.q).collect();
    because.dedup();
    // A question cited by a test of its value other than `contains` is quoted whole. Sorted,
    // the citations of one question are next to each other.
    let mut options = Vec::new();
    for same_q in cited.chunk_by(|a, b| a.q == b.q) {
        let whole = (same_q.iter()).any(|c| c.option.is_none() && !c.answered_only);
        if !whole {
            options.extend(same_q.iter().filter_map(|c| c.option.map(|o| (c.q, o))));
        }
    }
    (because, options)
}

fn fired(
    q: &Questionnaire,
    answers: &Answers,
    visible: &[bool],
    skipped: &[bool],
    consider: impl Fn(usize) -> bool,
) -> Vec<Finding> {
    let ctx = Ctx {
        answers,
        visible,
        skipped,
    };
    let mut findings = Vec::new();
    let mut expanded = Vec::new();
    for (ri, r) in q.rules().iter().enumerate() {
        if !consider(ri) {
            continue;
        }
        let on_unknown = match r.when.eval(&ctx) {
            Truth::True => false,
            Truth::Unknown { unsure: true } if r.rule.unknown == UnknownPolicy::Escalate => true,
            _ => continue,
        };
        let (because, options) = because(q, &ctx, &r.when, &mut expanded);
        findings.push(Finding {
            rule: ri,
            level: r.rule.level,
            on_unknown,
            because,
            options,
        });
    }
    findings.sort_by(|a, b| b.level.cmp(&a.level).then(a.rule.cmp(&b.rule)));
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Answer;

    use crate::test_fixtures::mini;

    fn answers(q: &Questionnaire, json: &str) -> Answers {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        q.parse_answers(v.as_object().unwrap()).unwrap()
    }

    fn rule_ids(q: &Questionnaire, o: &Outcome) -> Vec<String> {
        o.findings
            .iter()
            .map(|f| q.rules()[f.rule].rule.id.clone())
            .collect()
    }

    /// The mini questionnaire with a follow-up `bleeding` (shown to those on blood thinners)
    /// and two more rules: one on a ticked option, one on the follow-up answered No.
    fn mini_with_reason_rules() -> Questionnaire {
        let mut v: serde_json::Value =
            serde_json::from_slice(include_bytes!("../../../tests/fixtures/mini.json")).unwrap();
        v["sections"][1]["questions"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "id": "bleeding", "type": "yes_no", "allow_unsure": false,
                "text": "Do you bleed for long after a cut?",
                "show_if": {"q": "thinners", "equals": "yes"}
            }));
        let rules = v["rules"].as_array_mut().unwrap();
        rules.push(serde_json::json!({
            "id": "on_warfarin", "level": "review", "message": "Warfarin.",
            "when": {"any": [{"q": "which", "contains": "warfarin"}, {"q": "which", "contains": "other"}]}
        }));
        rules.push(serde_json::json!({
            "id": "thinner_no_bleeding", "level": "review", "message": "Thinner, no bleeding.",
            "when": {"q": "bleeding", "equals": "no"}
        }));
        v.as_object_mut().unwrap().remove("tests");
        crate::loader::load_str("t", v.to_string().as_bytes()).unwrap()
    }

    fn finding<'a>(q: &Questionnaire, o: &'a Outcome, id: &str) -> &'a Finding {
        o.findings
            .iter()
            .find(|f| q.rules()[f.rule].rule.id == id)
            .unwrap_or_else(|| panic!("{id} did not fire"))
    }

    #[test]
    fn a_reason_names_the_ticked_options_the_rule_looked_for_not_every_one() {
        let q = mini_with_reason_rules();
        let a = answers(
            &q,
            r#"{"chest_pain":"no","age":40,"pregnant":"no","thinners":"yes",
                "which":["warfarin","aspirin"],"bleeding":"yes"}"#,
        );
        let o = score(&q, &a);
        let which = q.question_index("which").unwrap();
        let f = finding(&q, &o, "on_warfarin");
        // A ticked option says enough on its own: the answer that asked it is not quoted.
        assert_eq!(f.because, vec![which]);
        assert_eq!(f.options, vec![(which, 0)], "warfarin only, not aspirin");
        let words = crate::report::findings(&q, &a, &o, false);
        let w = words.iter().find(|w| w.rule_id == "on_warfarin").unwrap();
        assert_eq!(w.because[0].answer, "Warfarin");
    }

    #[test]
    fn a_rule_on_a_follow_up_answered_no_quotes_the_answer_that_asked_it() {
        let q = mini_with_reason_rules();
        let a = answers(
            &q,
            r#"{"chest_pain":"no","age":40,"pregnant":"no","thinners":"yes",
                "which":["aspirin"],"bleeding":"no"}"#,
        );
        let o = score(&q, &a);
        let f = finding(&q, &o, "thinner_no_bleeding");
        let ids = [
            q.question_index("thinners").unwrap(),
            q.question_index("bleeding").unwrap(),
        ];
        assert_eq!(
            f.because, ids,
            "the Yes that asked the follow-up, then the No"
        );
    }

    #[test]
    fn nothing_answered_is_incomplete_not_emergency() {
        let q = mini();
        let o = score(&q, &Answers::new(q.questions().len()));
        // Missing answers leave rules undecided without firing them.
        assert_eq!(o.level, Level::Incomplete);
        assert!(o.findings.is_empty());
        let ids: Vec<&str> = o
            .unanswered
            .iter()
            .map(|i| q.questions()[*i].id.as_str())
            .collect();
        // Follow-ups whose gate is unanswered are shown (ask rather than skip).
        assert_eq!(
            ids,
            [
                "chest_pain",
                "age",
                "pregnant",
                "weeks",
                "thinners",
                "which"
            ]
        );
    }

    #[test]
    fn unsure_escalates_and_is_marked() {
        let q = mini();
        let a = answers(
            &q,
            r#"{"chest_pain": "unsure", "age": 30, "pregnant": "no", "thinners": "no"}"#,
        );
        let o = score(&q, &a);
        assert_eq!(o.level, Level::Emergency);
        assert!(o.findings[0].on_unknown);
        assert_eq!(o.findings[0].because, vec![0]);
        assert_eq!(o.stopped_by(&q), Some(0));
    }

    #[test]
    fn hidden_answers_are_ignored_and_change_nothing() {
        let q = mini();
        let base = r#"{"chest_pain": "no", "age": 30, "pregnant": "no", "thinners": "no"}"#;
        let with_hidden =
            r#"{"chest_pain": "no", "age": 30, "pregnant": "no", "weeks": 8, "thinners": "no"}"#;
        let a = score(&q, &answers(&q, base));
        let b = score(&q, &answers(&q, with_hidden));
        assert_eq!(a.level, Level::Clear);
        assert_eq!(b.level, Level::Clear);
        assert_eq!(b.ignored, vec![q.question_index("weeks").unwrap()]);
    }

    #[test]
    fn findings_are_highest_level_first_with_reasons() {
        let q = mini();
        let a = answers(
            &q,
            r#"{"chest_pain": "no", "age": 16, "pregnant": "yes", "weeks": 9, "thinners": "yes", "which": ["aspirin"]}"#,
        );
        let o = score(&q, &a);
        assert_eq!(o.level, Level::NotSuitable);
        assert_eq!(rule_ids(&q, &o), ["early_pregnancy", "thinners", "minor"]);
        let pregnant = q.question_index("pregnant").unwrap();
        let weeks = q.question_index("weeks").unwrap();
        assert_eq!(o.findings[0].because, vec![pregnant, weeks]);
        assert!(!o.findings[0].on_unknown);
    }

    #[test]
    fn stop_rule_checks_only_stop_rules() {
        let q = mini();
        let mut a = Answers::new(q.questions().len());
        let visible = q.visibility(&a);
        assert_eq!(stop_rule(&q, &a, &visible, &[]), None);
        a.set(0, Some(Answer::Yes));
        assert_eq!(stop_rule(&q, &a, &visible, &[]), Some(0));
    }
}
