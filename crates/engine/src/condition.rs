//! Checked conditions and their three-valued (Kleene) evaluation.
//!
//! A [`Expr`] is a [`crate::model::Condition`] after loading: question ids are indices, option
//! codes are option indices, and every operator fits its question's type, so evaluation cannot
//! meet a missing id or a type mismatch.
//!
//! A leaf on a shown question without a definite answer is *unknown*. Unknown remembers whether
//! the question is *settled* ([`Truth::Unknown`]`{ unsure: true }`: answered "Not sure", or an
//! optional question skipped, which no further answer will decide, in a finished screening or
//! in a session once passed) or only still to be answered: a rule escalates on the former,
//! while a missing required answer is reported as `incomplete` instead (otherwise a
//! half-filled screening would "fire" every emergency rule). A skipped optional question counts
//! as settled because otherwise it could hold back a rule that "Not sure" escalates: in
//! `all(z, any(f, y))` with `z` skipped and `y` "Not sure", a "Not sure" to the gate of `f`
//! that shows `f` answered "yes" would leave only the skipped `z` undecided, and the rule,
//! which fired for a definite answer to the gate, would not fire for "Not sure".
//!
//! `not` is pushed down to the leaves when a condition is loaded (negation normal form), and a
//! leaf on a question that was not shown is false whichever way it is turned: "`weeks` is not
//! below 13" does not hold for someone who was never asked about weeks. With no negation above
//! the leaves and every unknown settled, which is the case once every shown required question
//! has an answer, a rule that escalates (the default; not `unknown: "ignore"`) fires exactly
//! when it is not false, and it can only fire more when a leaf moves up the order
//! false < unknown < true; "Not sure" to a question only ever moves leaves up as far as firing
//! goes (it shows what either answer would show, and its own leaves go from true or false to
//! unknown): so in a finished screening "Not sure" never gives a lower outcome than a definite
//! answer. Two things break this. A test that an answer is *not* "Not sure" (`unsure: false`
//! after `not`s are pushed down: true for "no", false for "Not sure"), which the loader refuses
//! unless the rule is marked `not_monotone`. And a required question still unanswered, whose
//! unknown does not escalate: `all(z, any(f, y))` with `z` missing escalates for "Not sure" to
//! `y` while `f` is hidden, but not once a "Not sure" to a gate shows `f` answered "yes"; the
//! outcome is then `incomplete` and the screening must be finished. The property tests check
//! the promise over generated questionnaires with the answers finished.

use crate::answers::{Answer, Answers};

/// A three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be decided; `unsure` when a settled question contributed: a "Not sure" answer
    /// or an optional question passed without an answer.
    Unknown {
        /// A "Not sure" answer or a skipped optional question made it undecided.
        unsure: bool,
    },
}

impl Truth {
    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

/// How a number is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// Equal to (`equals`).
    Eq,
    /// Less than (`lt`).
    Lt,
    /// Less than or equal to (`le`).
    Le,
    /// Greater than (`gt`).
    Gt,
    /// Greater than or equal to (`ge`).
    Ge,
}

impl CmpOp {
    /// Whether `a` compares so with `b`.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }

    /// The operator as written in a questionnaire.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "equals",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
        }
    }
}

/// What a leaf checks about one question's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Yes/no or single choice: the answer is one of these (yes = 0, no = 1 for yes/no).
    OneOf(Vec<usize>),
    /// Multiple choice: the option is among the chosen.
    Contains(usize),
    /// Number comparison.
    Cmp(CmpOp, f64),
    /// Number comparison with a number setting: the setting's index and its effective value.
    CmpSetting(CmpOp, usize, f64),
    /// Has an answer (including "Not sure") == the flag.
    Answered(bool),
    /// The answer is "Not sure" == the flag.
    Unsure(bool),
}

/// The effective value of a clinic setting: an option index (yes = 0, no = 1 for yes/no) or a
/// number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingValue {
    /// A choice or yes/no setting: the option index.
    Code(usize),
    /// A number setting: its value.
    Number(f64),
}

/// What a setting leaf checks.
#[derive(Debug, Clone, PartialEq)]
pub enum SettingTest {
    /// The setting's option is one of these.
    OneOf(Vec<usize>),
    /// Number comparison.
    Cmp(CmpOp, f64),
}

impl SettingTest {
    fn holds(&self, v: SettingValue) -> bool {
        match (self, v) {
            (SettingTest::OneOf(opts), SettingValue::Code(c)) => opts.contains(&c),
            (SettingTest::Cmp(op, b), SettingValue::Number(n)) => op.holds(n, *b),
            // A loaded questionnaire never pairs a test with a value of another type.
            _ => false,
        }
    }
}

/// A checked condition, in negation normal form.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A test of one question's answer; `negated` for a test under `not`.
    Leaf {
        /// The question, by index.
        q: usize,
        /// What is tested of its answer.
        test: Test,
        /// Under `not`: holds when the test fails on an answer.
        negated: bool,
    },
    /// A test of a clinic setting: a constant once the settings are known. `holds` is the
    /// test's value under the effective settings (before `negated`), set by
    /// [`Expr::apply_settings`].
    Setting {
        /// The setting, by index.
        s: usize,
        /// What is tested of its value.
        test: SettingTest,
        /// Under `not`.
        negated: bool,
        /// The test's value under the effective settings, before `negated`.
        holds: bool,
    },
    /// Every one holds.
    All(Vec<Expr>),
    /// At least one holds.
    Any(Vec<Expr>),
    /// At least this many of the list hold.
    AtLeast(usize, Vec<Expr>),
}

/// What an evaluation can see.
pub struct Ctx<'a> {
    /// The answers so far.
    pub answers: &'a Answers,
    /// Visibility of each question; questions not yet decided count as hidden.
    pub visible: &'a [bool],
    /// Questions passed without an answer that will not get one (shown optional questions
    /// skipped): their leaves are unknown the way "Not sure" is. Questions beyond the end of
    /// the slice count as still to be answered.
    pub skipped: &'a [bool],
}

/// An answer that decided a condition ([`Expr::explain`]): the question, and for a choose-all
/// answer found to contain an option, that option — the other ticked options were no reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cited {
    /// The question.
    pub q: usize,
    /// The option a `contains` test found in the answer.
    pub option: Option<usize>,
    /// Cited by an `answered` test, which looks at no value.
    pub answered_only: bool,
}

impl Expr {
    /// The condition's negation, still in negation normal form (De Morgan; `at_least n of k`
    /// becomes `at_least k - n + 1` of the negations).
    pub fn negate(self) -> Expr {
        match self {
            Expr::Leaf { q, test, negated } => match test {
                Test::Answered(w) => Expr::Leaf {
                    q,
                    test: Test::Answered(!w),
                    negated,
                },
                Test::Unsure(w) => Expr::Leaf {
                    q,
                    test: Test::Unsure(!w),
                    negated,
                },
                test => Expr::Leaf {
                    q,
                    test,
                    negated: !negated,
                },
            },
            Expr::Setting {
                s,
                test,
                negated,
                holds,
            } => Expr::Setting {
                s,
                test,
                negated: !negated,
                holds,
            },
            Expr::All(xs) => Expr::Any(xs.into_iter().map(Expr::negate).collect()),
            Expr::Any(xs) => Expr::All(xs.into_iter().map(Expr::negate).collect()),
            Expr::AtLeast(n, xs) => {
                let k = xs.len();
                Expr::AtLeast(k + 1 - n, xs.into_iter().map(Expr::negate).collect())
            }
        }
    }

    /// Evaluates with Kleene logic.
    pub fn eval(&self, ctx: &Ctx) -> Truth {
        match self {
            Expr::Leaf { q, test, negated } => leaf(*q, test, *negated, ctx),
            Expr::Setting { negated, holds, .. } => Truth::from_bool(holds != negated),
            Expr::All(xs) => {
                let mut unknown: Option<bool> = None;
                for x in xs {
                    match x.eval(ctx) {
                        Truth::False => return Truth::False,
                        Truth::Unknown { unsure } => {
                            unknown = Some(unknown.unwrap_or(false) || unsure)
                        }
                        Truth::True => {}
                    }
                }
                unknown.map_or(Truth::True, |unsure| Truth::Unknown { unsure })
            }
            Expr::Any(xs) => {
                let mut unknown: Option<bool> = None;
                for x in xs {
                    match x.eval(ctx) {
                        Truth::True => return Truth::True,
                        Truth::Unknown { unsure } => {
                            unknown = Some(unknown.unwrap_or(false) || unsure)
                        }
                        Truth::False => {}
                    }
                }
                unknown.map_or(Truth::False, |unsure| Truth::Unknown { unsure })
            }
            Expr::AtLeast(n, xs) => {
                let (mut t, mut u, mut unsure) = (0usize, 0usize, false);
                for x in xs {
                    match x.eval(ctx) {
                        Truth::True => t += 1,
                        Truth::Unknown { unsure: s } => {
                            u += 1;
                            unsure |= s;
                        }
                        Truth::False => {}
                    }
                }
                if t >= *n {
                    Truth::True
                } else if t + u < *n {
                    Truth::False
                } else {
                    Truth::Unknown { unsure }
                }
            }
        }
    }

    /// The answers that decided `self`'s value: for a rule that fired, the answers to quote in
    /// "because you answered …". Pushes them in evaluation order; duplicates are possible.
    pub fn explain(&self, ctx: &Ctx, out: &mut Vec<Cited>) {
        let value = self.eval(ctx);
        match self {
            Expr::Leaf { q, test, negated } => out.push(Cited {
                q: *q,
                option: match (test, negated, value) {
                    (Test::Contains(o), false, Truth::True) => Some(*o),
                    _ => None,
                },
                answered_only: matches!(test, Test::Answered(_)),
            }),
            // A setting is no answer to quote.
            Expr::Setting { .. } => {}
            Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
                let decisive = |child: Truth| match (self, value) {
                    (_, Truth::Unknown { .. }) => !matches!(child, Truth::False),
                    (Expr::All(_), Truth::False) => child == Truth::False,
                    (Expr::Any(_), Truth::True) | (Expr::AtLeast(..), Truth::True) => {
                        child == Truth::True
                    }
                    _ => true,
                };
                for x in xs {
                    if decisive(x.eval(ctx)) {
                        x.explain(ctx, out);
                        if matches!((self, value), (Expr::All(_), Truth::False)) {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Every question the condition looks at.
    pub fn questions(&self, out: &mut Vec<usize>) {
        match self {
            Expr::Leaf { q, .. } => out.push(*q),
            Expr::Setting { .. } => {}
            Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
                xs.iter().for_each(|x| x.questions(out))
            }
        }
    }

    /// Every setting the condition looks at (as a leaf or as a number to compare with).
    pub fn settings(&self, out: &mut Vec<usize>) {
        match self {
            Expr::Leaf {
                test: Test::CmpSetting(_, s, _),
                ..
            }
            | Expr::Setting { s, .. } => out.push(*s),
            Expr::Leaf { .. } => {}
            Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
                xs.iter().for_each(|x| x.settings(out))
            }
        }
    }

    /// Fixes the settings' effective values in the condition: a setting leaf becomes true or
    /// false, a comparison with a setting compares with its value.
    pub fn apply_settings(&mut self, values: &[SettingValue]) {
        match self {
            Expr::Leaf {
                test: Test::CmpSetting(_, s, v),
                ..
            } => {
                if let Some(SettingValue::Number(n)) = values.get(*s) {
                    *v = *n;
                }
            }
            Expr::Leaf { .. } => {}
            Expr::Setting { s, test, holds, .. } => {
                *holds = values.get(*s).is_some_and(|v| test.holds(*v));
            }
            Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
                xs.iter_mut().for_each(|x| x.apply_settings(values))
            }
        }
    }
}

fn leaf(q: usize, test: &Test, negated: bool, ctx: &Ctx) -> Truth {
    // Not asked: neither the test nor its negation holds.
    if !ctx.visible.get(q).copied().unwrap_or(false) {
        return Truth::False;
    }
    let skipped = ctx.skipped.get(q).copied().unwrap_or(false);
    match definite(test, ctx.answers.get(q), skipped) {
        Truth::True if negated => Truth::False,
        Truth::False if negated => Truth::True,
        t => t,
    }
}

/// The value of a test on a shown question's answer (`skipped`: no answer will come).
fn definite(test: &Test, answer: Option<&Answer>, skipped: bool) -> Truth {
    match (test, answer) {
        (Test::Answered(want), a) => Truth::from_bool(a.is_some() == *want),
        (Test::Unsure(want), a) => Truth::from_bool(matches!(a, Some(Answer::Unsure)) == *want),
        (_, None) => Truth::Unknown { unsure: skipped },
        (_, Some(Answer::Unsure)) => Truth::Unknown { unsure: true },
        (Test::OneOf(opts), Some(a)) => match a.choice_index() {
            Some(i) => Truth::from_bool(opts.contains(&i)),
            None => Truth::Unknown { unsure: false },
        },
        (Test::Contains(opt), Some(Answer::Multi(chosen))) => {
            Truth::from_bool(chosen.contains(opt))
        }
        (Test::Cmp(op, b), Some(Answer::Number(a)))
        | (Test::CmpSetting(op, _, b), Some(Answer::Number(a))) => {
            Truth::from_bool(op.holds(*a, *b))
        }
        // A loaded questionnaire never pairs a test with an answer of another type.
        _ => Truth::Unknown { unsure: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_eval(e: &Expr, answers: Vec<Option<Answer>>) -> Truth {
        let visible = vec![true; answers.len()];
        let answers = Answers::from_vec(answers);
        e.eval(&Ctx {
            answers: &answers,
            visible: &visible,
            skipped: &[],
        })
    }

    fn yes(q: usize) -> Expr {
        Expr::Leaf {
            q,
            test: Test::OneOf(vec![0]),
            negated: false,
        }
    }

    #[test]
    fn kleene_all_and_any() {
        let all = Expr::All(vec![yes(0), yes(1)]);
        let any = Expr::Any(vec![yes(0), yes(1)]);
        use Answer::*;
        // False dominates all; True dominates any, whatever the other side.
        assert_eq!(ctx_eval(&all, vec![Some(No), Some(Unsure)]), Truth::False);
        assert_eq!(ctx_eval(&any, vec![Some(Yes), Some(Unsure)]), Truth::True);
        assert_eq!(
            ctx_eval(&all, vec![Some(Yes), Some(Unsure)]),
            Truth::Unknown { unsure: true }
        );
        assert_eq!(
            ctx_eval(&any, vec![Some(No), None]),
            Truth::Unknown { unsure: false }
        );
        assert_eq!(
            ctx_eval(&yes(0).negate(), vec![Some(Unsure)]),
            Truth::Unknown { unsure: true }
        );
        assert_eq!(ctx_eval(&yes(0).negate(), vec![Some(No)]), Truth::True);
    }

    #[test]
    fn negation_follows_de_morgan_and_counts() {
        use Answer::*;
        let answers = [
            vec![Some(Yes), Some(No), Some(No)],
            vec![Some(Yes), Some(Yes), Some(No)],
            vec![Some(Unsure), Some(No), None],
            vec![Some(No), Some(No), Some(No)],
        ];
        let exprs = [
            Expr::All(vec![yes(0), yes(1), yes(2)]),
            Expr::Any(vec![yes(0), yes(1), yes(2)]),
            Expr::AtLeast(2, vec![yes(0), yes(1), yes(2)]),
            Expr::AtLeast(1, vec![yes(0), yes(1).negate()]),
        ];
        for a in &answers {
            for e in &exprs {
                let flipped = match ctx_eval(e, a.clone()) {
                    Truth::True => Truth::False,
                    Truth::False => Truth::True,
                    u => u,
                };
                assert_eq!(
                    ctx_eval(&e.clone().negate(), a.clone()),
                    flipped,
                    "{e:?} {a:?}"
                );
            }
        }
    }

    #[test]
    fn at_least_counts_unknowns_as_possible() {
        let e = Expr::AtLeast(2, vec![yes(0), yes(1), yes(2)]);
        use Answer::*;
        assert_eq!(ctx_eval(&e, vec![Some(Yes), Some(Yes), None]), Truth::True);
        assert_eq!(
            ctx_eval(&e, vec![Some(No), Some(No), Some(Unsure)]),
            Truth::False
        );
        assert_eq!(
            ctx_eval(&e, vec![Some(Yes), Some(No), Some(Unsure)]),
            Truth::Unknown { unsure: true }
        );
    }

    #[test]
    fn a_question_not_shown_satisfies_neither_a_test_nor_its_negation() {
        let answers = Answers::from_vec(vec![Some(Answer::Yes)]);
        let visible = [false];
        let ctx = Ctx {
            answers: &answers,
            visible: &visible,
            skipped: &[],
        };
        // The stored "yes" of a hidden question is not looked at.
        assert_eq!(yes(0).eval(&ctx), Truth::False);
        assert_eq!(yes(0).negate().eval(&ctx), Truth::False);
        let answered = Expr::Leaf {
            q: 0,
            test: Test::Answered(true),
            negated: false,
        };
        assert_eq!(answered.clone().eval(&ctx), Truth::False);
        assert_eq!(answered.negate().eval(&ctx), Truth::False);
    }

    #[test]
    fn explain_names_the_deciding_answers() {
        use Answer::*;
        let answers = Answers::from_vec(vec![Some(No), Some(Yes), Some(Yes)]);
        let visible = [true; 3];
        let ctx = Ctx {
            answers: &answers,
            visible: &visible,
            skipped: &[],
        };
        let questions = |e: Expr| {
            let mut out = vec![];
            e.explain(&ctx, &mut out);
            out.into_iter().map(|c| c.q).collect::<Vec<_>>()
        };
        assert_eq!(
            questions(Expr::Any(vec![yes(0), yes(1), yes(2)])),
            vec![1, 2]
        );
        assert_eq!(questions(Expr::All(vec![yes(1), yes(0), yes(2)])), vec![0]);
    }
}
