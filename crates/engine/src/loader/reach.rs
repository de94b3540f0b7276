//! Reachability: which questions some complete answer set can show.

use foldhash::{HashMap, HashSet};
use std::collections::hash_map::Entry;

use super::check::{Checker, Flat};
use crate::condition::{CmpOp, Expr, Test};
use crate::model::Question;
use crate::questionnaire::CompiledRule;

/// What a condition can evaluate to over all complete answer sets: an over-approximation, so a
/// question is reported unreachable only when that is certain.
#[derive(Debug, Clone, Copy)]
struct Possible {
    t: bool,
    f: bool,
    u: bool,
}

/// Reports questions that no answers can show, and rules that look at them.
pub(super) fn check_reachable(
    c: &mut Checker,
    flat: &Flat,
    show_if: &[Option<Expr>],
    rules: &[CompiledRule],
) {
    let questions = &flat.questions;
    let reachable = reachability(questions, show_if);
    for (i, ok) in reachable.iter().enumerate() {
        if !ok {
            c.push(
                format!("{}/show_if", flat.ptr(i)),
                format!(
                    "`{}` can never be shown: no answers make its show_if hold",
                    questions[i].id
                ),
                Some("check the values and the questions it refers to".into()),
            );
        }
    }
    for (ri, r) in rules.iter().enumerate() {
        let mut d = Vec::new();
        r.when.questions(&mut d);
        d.sort_unstable();
        d.dedup();
        for q in d.into_iter().filter(|q| !reachable[*q]) {
            c.push(
                format!("/rules/{ri}/when"),
                format!(
                    "rule `{}` refers to `{}`, which can never be shown",
                    r.rule.id, questions[q].id
                ),
                None,
            );
        }
    }
}

/// Which questions some complete answer set can show (an over-approximation: `false` only
/// when that is certain).
pub(super) fn reachability(qs: &[Question], show_if: &[Option<Expr>]) -> Vec<bool> {
    let mut reachable = vec![true; qs.len()];
    for i in 0..qs.len() {
        if let Some(e) = &show_if[i] {
            let p = possible(qs, &reachable, e);
            reachable[i] = p.t || p.u;
        }
    }
    reachable
}

fn possible(qs: &[Question], reachable: &[bool], e: &Expr) -> Possible {
    let each =
        |xs: &[Expr]| -> Vec<Possible> { xs.iter().map(|x| possible(qs, reachable, x)).collect() };
    match e {
        // Over every clinic's settings: a setting test can go either way.
        Expr::Setting { .. } => Possible {
            t: true,
            f: true,
            u: false,
        },
        Expr::Leaf {
            q, negated: true, ..
        } => Possible {
            // Any definite answer that fails the test satisfies its negation; assume one can.
            t: reachable[*q],
            f: true,
            u: reachable[*q] && (qs[*q].allows_unsure() || !qs[*q].is_required()),
        },
        Expr::Leaf { q, .. } if !reachable[*q] => Possible {
            t: false,
            f: true,
            u: false,
        },
        Expr::Leaf { q, test, .. } => possible_leaf(&qs[*q], test),
        Expr::All(xs) => {
            let ps = each(xs);
            Possible {
                t: ps.iter().all(|p| p.t) && consistent(qs, xs),
                f: ps.iter().any(|p| p.f),
                u: ps.iter().all(|p| p.t || p.u) && ps.iter().any(|p| p.u),
            }
        }
        Expr::Any(xs) => {
            let ps = each(xs);
            Possible {
                t: ps.iter().any(|p| p.t),
                f: ps.iter().all(|p| p.f),
                u: ps.iter().any(|p| p.u) && ps.iter().all(|p| p.f || p.u),
            }
        }
        Expr::AtLeast(n, xs) => {
            let ps = each(xs);
            Possible {
                t: ps.iter().filter(|p| p.t).count() >= *n,
                f: ps.iter().filter(|p| p.f).count() > xs.len() - n,
                u: ps.iter().filter(|p| p.t || p.u).count() >= *n && ps.iter().any(|p| p.u),
            }
        }
    }
}

/// What a test on a question that can be reached can come out as.
fn possible_leaf(question: &Question, test: &Test) -> Possible {
    let unknown = question.allows_unsure() || !question.is_required();
    let (t, u) = match test {
        // Even a required question is unanswered in an unfinished screening.
        Test::Answered(_) => (true, false),
        Test::Unsure(want) => (!*want || question.allows_unsure(), false),
        Test::OneOf(opts) => (!opts.is_empty(), unknown),
        Test::Contains(_) => (true, unknown),
        // Over every clinic's settings: assume some value lets it hold.
        Test::CmpSetting(..) => (true, unknown),
        Test::Cmp(op, b) => {
            let (lo, hi) = (
                question.min.unwrap_or(f64::NEG_INFINITY),
                question.max.unwrap_or(f64::INFINITY),
            );
            let t = match op {
                CmpOp::Lt => lo < *b,
                CmpOp::Le => lo <= *b,
                CmpOp::Gt => hi > *b,
                CmpOp::Ge => hi >= *b,
                CmpOp::Eq => lo <= *b && *b <= hi && (!question.integer || b.fract() == 0.0),
            };
            (t, unknown)
        }
    };
    Possible { t, f: true, u }
}

/// Whether sibling leaves of an `all` on the same question can hold together.
fn consistent(qs: &[Question], xs: &[Expr]) -> bool {
    let mut choices: HashMap<usize, Vec<usize>> = HashMap::default();
    let mut ranges: HashMap<usize, (f64, f64)> = HashMap::default();
    for x in xs {
        let Expr::Leaf {
            q,
            test,
            negated: false,
        } = x
        else {
            continue;
        };
        match test {
            Test::OneOf(opts) => {
                let entry = match choices.entry(*q) {
                    Entry::Vacant(v) => v.insert(opts.clone()),
                    Entry::Occupied(o) => {
                        // A set, so that two lists of thousands of codes are not quadratic.
                        let allowed: HashSet<usize> = opts.iter().copied().collect();
                        let entry = o.into_mut();
                        entry.retain(|o| allowed.contains(o));
                        entry
                    }
                };
                if entry.is_empty() {
                    return false;
                }
            }
            Test::Cmp(op, b) => {
                let question = &qs[*q];
                let r = ranges.entry(*q).or_insert((
                    question.min.unwrap_or(f64::NEG_INFINITY),
                    question.max.unwrap_or(f64::INFINITY),
                ));
                // The tightest bounds that still admit every possible answer: whole numbers
                // below 2.5 go up to 2, not 1.5.
                let step = f64::EPSILON * b.abs().max(1.0);
                let (below, above) = if question.integer {
                    (b.ceil() - 1.0, b.floor() + 1.0)
                } else {
                    (b - step, b + step)
                };
                match op {
                    CmpOp::Lt => r.1 = r.1.min(below),
                    CmpOp::Le => r.1 = r.1.min(*b),
                    CmpOp::Gt => r.0 = r.0.max(above),
                    CmpOp::Ge => r.0 = r.0.max(*b),
                    CmpOp::Eq => {
                        r.0 = r.0.max(*b);
                        r.1 = r.1.min(*b);
                    }
                }
                // A whole-number answer needs a whole number between the bounds: `ge 0.5` with
                // `le 0.5` leaves none.
                let (lo, hi) = if question.integer {
                    (r.0.ceil(), r.1.floor())
                } else {
                    *r
                };
                if lo > hi {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}
