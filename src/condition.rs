//! Checked conditions and their three-valued (Kleene) evaluation.
//!
//! A [`Expr`] is a [`crate::model::Condition`] after loading: question ids are indices, option
//! codes are option indices, and every operator fits its question's type, so evaluation cannot
//! meet a missing id or a type mismatch.
//!
//! A leaf on a question without a definite answer is *unknown*. Unknown remembers whether a
//! "Not sure" answer is behind it ([`Truth::Unknown`]`{ unsure: true }`) or only a missing
//! answer: a rule escalates on the former, while a missing required answer is reported as
//! `incomplete` instead (otherwise a half-filled screening would "fire" every emergency rule).

use crate::answers::{Answer, Answers};

/// A three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    /// Cannot be decided; `unsure` when a "Not sure" answer contributed.
    Unknown {
        unsure: bool,
    },
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            u => u,
        }
    }

    fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
}

/// How a number is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Eq => a == b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
        }
    }

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
    /// Has an answer (including "Not sure") == the flag.
    Answered(bool),
    /// The answer is "Not sure" == the flag.
    Unsure(bool),
}

/// A checked condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Leaf { q: usize, test: Test },
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    AtLeast(usize, Vec<Expr>),
}

/// What an evaluation can see.
pub struct Ctx<'a> {
    pub answers: &'a Answers,
    /// Visibility of each question; questions not yet decided count as hidden.
    pub visible: &'a [bool],
    /// `show_if` mode: a leaf on a hidden question is false (a follow-up of a question that was
    /// not asked is not asked either). In rules it is unknown.
    pub hidden_is_false: bool,
}

impl Expr {
    /// Evaluates with Kleene logic.
    pub fn eval(&self, ctx: &Ctx) -> Truth {
        match self {
            Expr::Leaf { q, test } => leaf(*q, test, ctx),
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
            Expr::Not(x) => x.eval(ctx).not(),
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

    /// The questions whose answers decided `self`'s value: for a rule that fired, the answers
    /// to quote in "because you answered …". Pushes indices in evaluation order; duplicates are
    /// possible.
    pub fn explain(&self, ctx: &Ctx, out: &mut Vec<usize>) {
        let value = self.eval(ctx);
        match self {
            Expr::Leaf { q, .. } => out.push(*q),
            Expr::Not(x) => x.explain(ctx, out),
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
            Expr::Not(x) => x.questions(out),
            Expr::All(xs) | Expr::Any(xs) | Expr::AtLeast(_, xs) => {
                xs.iter().for_each(|x| x.questions(out))
            }
        }
    }
}

fn leaf(q: usize, test: &Test, ctx: &Ctx) -> Truth {
    let visible = ctx.visible.get(q).copied().unwrap_or(false);
    if !visible && ctx.hidden_is_false {
        return Truth::False;
    }
    let answer = if visible { ctx.answers.get(q) } else { None };
    match (test, answer) {
        (Test::Answered(want), a) => Truth::from_bool(a.is_some() == *want),
        (Test::Unsure(want), a) => Truth::from_bool(matches!(a, Some(Answer::Unsure)) == *want),
        (_, None) => Truth::Unknown { unsure: false },
        (_, Some(Answer::Unsure)) => Truth::Unknown { unsure: true },
        (Test::OneOf(opts), Some(a)) => match a.choice_index() {
            Some(i) => Truth::from_bool(opts.contains(&i)),
            None => Truth::Unknown { unsure: false },
        },
        (Test::Contains(opt), Some(Answer::Multi(chosen))) => {
            Truth::from_bool(chosen.contains(opt))
        }
        (Test::Cmp(op, b), Some(Answer::Number(a))) => Truth::from_bool(op.holds(*a, *b)),
        // A loaded questionnaire never pairs a test with an answer of another type.
        _ => Truth::Unknown { unsure: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_eval(e: &Expr, answers: Vec<Option<Answer>>, hidden_is_false: bool) -> Truth {
        let visible = vec![true; answers.len()];
        let answers = Answers::from_vec(answers);
        e.eval(&Ctx {
            answers: &answers,
            visible: &visible,
            hidden_is_false,
        })
    }

    fn yes(q: usize) -> Expr {
        Expr::Leaf {
            q,
            test: Test::OneOf(vec![0]),
        }
    }

    #[test]
    fn kleene_all_and_any() {
        let all = Expr::All(vec![yes(0), yes(1)]);
        let any = Expr::Any(vec![yes(0), yes(1)]);
        use Answer::*;
        // False dominates all; True dominates any, whatever the other side.
        assert_eq!(
            ctx_eval(&all, vec![Some(No), Some(Unsure)], false),
            Truth::False
        );
        assert_eq!(
            ctx_eval(&any, vec![Some(Yes), Some(Unsure)], false),
            Truth::True
        );
        assert_eq!(
            ctx_eval(&all, vec![Some(Yes), Some(Unsure)], false),
            Truth::Unknown { unsure: true }
        );
        assert_eq!(
            ctx_eval(&any, vec![Some(No), None], false),
            Truth::Unknown { unsure: false }
        );
        assert_eq!(
            ctx_eval(&Expr::Not(Box::new(yes(0))), vec![Some(Unsure)], false),
            Truth::Unknown { unsure: true }
        );
    }

    #[test]
    fn at_least_counts_unknowns_as_possible() {
        let e = Expr::AtLeast(2, vec![yes(0), yes(1), yes(2)]);
        use Answer::*;
        assert_eq!(
            ctx_eval(&e, vec![Some(Yes), Some(Yes), None], false),
            Truth::True
        );
        assert_eq!(
            ctx_eval(&e, vec![Some(No), Some(No), Some(Unsure)], false),
            Truth::False
        );
        assert_eq!(
            ctx_eval(&e, vec![Some(Yes), Some(No), Some(Unsure)], false),
            Truth::Unknown { unsure: true }
        );
    }

    #[test]
    fn hidden_questions_are_unknown_in_rules_and_false_in_show_if() {
        let answers = Answers::from_vec(vec![Some(Answer::Yes)]);
        let visible = [false];
        let mut ctx = Ctx {
            answers: &answers,
            visible: &visible,
            hidden_is_false: false,
        };
        // The stored "yes" of a hidden question is not looked at.
        assert_eq!(yes(0).eval(&ctx), Truth::Unknown { unsure: false });
        ctx.hidden_is_false = true;
        assert_eq!(yes(0).eval(&ctx), Truth::False);
    }

    #[test]
    fn explain_names_the_deciding_answers() {
        use Answer::*;
        let answers = Answers::from_vec(vec![Some(No), Some(Yes), Some(Yes)]);
        let visible = [true; 3];
        let ctx = Ctx {
            answers: &answers,
            visible: &visible,
            hidden_is_false: false,
        };
        let mut out = vec![];
        Expr::Any(vec![yes(0), yes(1), yes(2)]).explain(&ctx, &mut out);
        assert_eq!(out, vec![1, 2]);
        out.clear();
        Expr::All(vec![yes(1), yes(0), yes(2)]).explain(&ctx, &mut out);
        assert_eq!(out, vec![0]);
    }
}
