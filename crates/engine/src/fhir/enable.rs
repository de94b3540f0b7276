//! `show_if` as FHIR enable logic: `enableWhen` + `enableBehavior` where FHIR's operators can
//! say it, else the SDC `enableWhenExpression` in FHIRPath.
//!
//! The engine shows a question unless its `show_if` is *false* under three-valued logic
//! ([`Questionnaire::visibility`]): a leaf on a shown question with no answer, or answered
//! "Not sure", is unknown and so does not hide. FHIR logic is two-valued, so each condition
//! becomes the two-valued condition "not false" ([`Cond`]): in negation normal form, a leaf
//! holds unless a definite answer contradicts it, `all` and `any` keep their shape, and
//! `at_least n` counts the children that are not false. A leaf on a question that is not shown
//! is false in the engine; in FHIR a disabled item has no answers, so a test that needs an
//! answer is false there by itself, and only a test that holds *without* an answer ("has no
//! answer", "no answer is …") carries the question's own condition ([`Cond::Shown`]).
//!
//! The result is simplified ([`simplify`]) before it is written: the default questionnaire's
//! `all(answered g, g = yes)` becomes "g is Y or asked-unknown", two `enableWhen`s with
//! `enableBehavior: any`. What `enableWhen` cannot say (a test that holds without an answer on
//! a question that has its own condition, `!=`, "Not sure" to a number, mixed all/any) is
//! written in FHIRPath, using only this subset:
//! `%resource.repeat(item).where(linkId = '…').answer` followed by `.exists()`, `.empty()`,
//! `.where(P).exists()` or `.where(P).empty()`, where P is `(value.system = '…' and
//! value.code = '…')` joined by `or`, a comparison `value OP number` (`=`, `!=`, `<`, `<=`,
//! `>`, `>=`), or `value.extension('…data-absent-reason').exists()` ("Not sure" to a number);
//! `true`, `false`, `and`, `or` and parentheses; and for `at_least` a sum of `iif(C, 1, 0)`
//! compared with `>=`. Like `enableWhen`, it reads answers as FHIR keeps them: a disabled item
//! has none.

use serde_json::{Value, json};

use super::{ABSENT_EXTENSION, ABSENT_SYSTEM, NOT_SURE, YES_NO_SYSTEM};
use crate::answers::fmt_num;
use crate::condition::{CmpOp, Expr, Test};
use crate::model::QuestionType;
use crate::questionnaire::Questionnaire;

/// How an item's `show_if` is exported.
#[derive(Debug, Clone, PartialEq)]
pub enum EnableRule {
    /// Always shown: no enable logic.
    Always,
    /// `enableWhen` items and the `enableBehavior` (given when there are several).
    When(Vec<Value>, Option<&'static str>),
    /// An SDC `enableWhenExpression` in FHIRPath.
    Expression(String),
}

/// What a test on one answer of a question looks at.
#[derive(Debug, Clone, PartialEq)]
enum Pred {
    /// The answer is one of these codings (system, code).
    Codes(Vec<(String, String)>),
    /// The number answer compares so with the number.
    Cmp(&'static str, f64),
    /// A number answered "Not sure" (no value, a data-absent-reason).
    Absent,
}

/// A two-valued condition on a QuestionnaireResponse.
#[derive(Debug, Clone, PartialEq)]
enum Cond {
    Const(bool),
    /// The question has an answer.
    Answered(usize),
    /// The question has no answer.
    Unanswered(usize),
    /// Some answer of the question fits.
    Has(usize, Pred),
    /// No answer of the question fits (true without an answer).
    HasNo(usize, Pred),
    /// The question's own condition holds (it is shown).
    Shown(usize),
    All(Vec<Cond>),
    Any(Vec<Cond>),
    AtLeast(usize, Vec<Cond>),
}

/// The enable logic of question `i` of `q`.
pub(crate) fn rule(q: &Questionnaire, i: usize) -> EnableRule {
    let Some(e) = q.show_if(i) else {
        return EnableRule::Always;
    };
    let cond = simplify(not_false(q, e));
    if cond == Cond::Const(true) {
        return EnableRule::Always;
    }
    match enable_when(q, &cond) {
        Some((items, behavior)) => EnableRule::When(items, behavior),
        None => EnableRule::Expression(fhirpath(q, &cond)),
    }
}

/// "`e` is not false" under the engine's three-valued logic.
fn not_false(q: &Questionnaire, e: &Expr) -> Cond {
    match e {
        Expr::Leaf {
            q: qi,
            test,
            negated,
        } => leaf(q, *qi, test, *negated),
        Expr::Setting { negated, holds, .. } => Cond::Const(holds != negated),
        Expr::All(xs) => Cond::All(xs.iter().map(|x| not_false(q, x)).collect()),
        Expr::Any(xs) => Cond::Any(xs.iter().map(|x| not_false(q, x)).collect()),
        Expr::AtLeast(n, xs) => Cond::AtLeast(*n, xs.iter().map(|x| not_false(q, x)).collect()),
    }
}

/// A leaf on question `qi`: shown, and not contradicted by a definite answer.
fn leaf(q: &Questionnaire, qi: usize, test: &Test, negated: bool) -> Cond {
    let question = &q.questions()[qi];
    let unsure = question.allows_unsure();
    let shown = || match q.show_if(qi) {
        Some(_) => Cond::Shown(qi),
        None => Cond::Const(true),
    };
    let open = |mut pred: Vec<Cond>| {
        pred.insert(0, Cond::Unanswered(qi));
        Cond::All(vec![shown(), Cond::Any(pred)])
    };
    match test {
        Test::Answered(w) if *w != negated => Cond::All(vec![shown(), Cond::Answered(qi)]),
        Test::Answered(_) => Cond::All(vec![shown(), Cond::Unanswered(qi)]),
        Test::Unsure(w) if *w != negated => {
            Cond::All(vec![shown(), Cond::Has(qi, not_sure(question.kind))])
        }
        Test::Unsure(_) => Cond::All(vec![shown(), Cond::HasNo(qi, not_sure(question.kind))]),
        Test::OneOf(opts) => {
            let n = match question.kind {
                QuestionType::YesNo => 2,
                _ => question.options.len(),
            };
            let mut codes: Vec<(String, String)> = (0..n)
                .filter(|o| opts.contains(o) != negated)
                .map(|o| coding(q, qi, o))
                .collect();
            if unsure {
                codes.push((ABSENT_SYSTEM.into(), NOT_SURE.into()));
            }
            open(vec![Cond::Has(qi, Pred::Codes(codes))])
        }
        Test::Contains(o) if negated => Cond::All(vec![
            shown(),
            Cond::HasNo(qi, Pred::Codes(vec![coding(q, qi, *o)])),
        ]),
        Test::Contains(o) => open(vec![Cond::Has(qi, Pred::Codes(vec![coding(q, qi, *o)]))]),
        Test::Cmp(op, b) | Test::CmpSetting(op, _, b) => {
            let mut pred = vec![Cond::Has(qi, Pred::Cmp(op_str(*op, negated), *b))];
            if unsure {
                pred.push(Cond::Has(qi, Pred::Absent));
            }
            open(pred)
        }
    }
}

/// "Not sure" to a question of this kind.
fn not_sure(kind: QuestionType) -> Pred {
    match kind {
        QuestionType::Number => Pred::Absent,
        QuestionType::YesNo
        | QuestionType::SingleChoice
        | QuestionType::MultiChoice
        | QuestionType::Text
        | QuestionType::Display => {
            Pred::Codes(vec![(ABSENT_SYSTEM.to_string(), NOT_SURE.to_string())])
        }
    }
}

/// The coding of option `o` of question `qi` (yes = 0, no = 1 for yes/no).
pub(crate) fn coding(q: &Questionnaire, qi: usize, o: usize) -> (String, String) {
    let question = &q.questions()[qi];
    match question.kind {
        QuestionType::YesNo => {
            let code = if o == 0 { "Y" } else { "N" };
            (YES_NO_SYSTEM.to_string(), code.to_string())
        }
        _ => (
            super::option_system(q, qi),
            question.options[o].code.clone(),
        ),
    }
}

/// A comparison as FHIR writes it, turned round under `not`.
fn op_str(op: CmpOp, negated: bool) -> &'static str {
    match (op, negated) {
        (CmpOp::Eq, false) => "=",
        (CmpOp::Eq, true) => "!=",
        (CmpOp::Lt, false) | (CmpOp::Ge, true) => "<",
        (CmpOp::Le, false) | (CmpOp::Gt, true) => "<=",
        (CmpOp::Gt, false) | (CmpOp::Le, true) => ">",
        (CmpOp::Ge, false) | (CmpOp::Lt, true) => ">=",
    }
}

/// Constants folded, nesting flattened, and what an answer implies dropped: an answer makes
/// "has no answer" false and "is shown" true; codings of one question in `any` merged.
fn simplify(c: Cond) -> Cond {
    match c {
        Cond::All(xs) => simplify_all(xs.into_iter().map(simplify).collect()),
        Cond::Any(xs) => simplify_any(xs.into_iter().map(simplify).collect()),
        Cond::AtLeast(n, xs) => {
            let xs: Vec<Cond> = xs.into_iter().map(simplify).collect();
            match n {
                0 => Cond::Const(true),
                1 => simplify_any(xs),
                n if n == xs.len() => simplify_all(xs),
                n if n > xs.len() => Cond::Const(false),
                n => Cond::AtLeast(n, xs),
            }
        }
        Cond::Has(_, Pred::Codes(codes)) if codes.is_empty() => Cond::Const(false),
        Cond::HasNo(_, Pred::Codes(codes)) if codes.is_empty() => Cond::Const(true),
        c => c,
    }
}

/// `all` simplified until nothing changes: dropping "has no answer" from an `any` can leave
/// a test that in turn makes "has an answer" redundant.
fn simplify_all(xs: Vec<Cond>) -> Cond {
    let before = Cond::All(xs.clone());
    match all_once(xs) {
        Cond::All(ys) if Cond::All(ys.clone()) != before => simplify_all(ys),
        c => c,
    }
}

fn all_once(xs: Vec<Cond>) -> Cond {
    let mut flat = Vec::new();
    for x in xs {
        match x {
            Cond::Const(true) => {}
            Cond::Const(false) => return Cond::Const(false),
            Cond::All(ys) => flat.extend(ys),
            x => flat.push(x),
        }
    }
    // Questions that must have an answer for the whole to hold.
    let answered: Vec<usize> = flat
        .iter()
        .filter_map(|x| match x {
            Cond::Answered(q) | Cond::Has(q, _) => Some(*q),
            _ => None,
        })
        .collect();
    let has: Vec<usize> = flat
        .iter()
        .filter_map(|x| match x {
            Cond::Has(q, _) => Some(*q),
            _ => None,
        })
        .collect();
    let mut out: Vec<Cond> = Vec::new();
    for x in flat {
        let x = match x {
            Cond::Shown(q) if answered.contains(&q) => continue,
            Cond::Answered(q) if has.contains(&q) => continue,
            Cond::Unanswered(q) if answered.contains(&q) => return Cond::Const(false),
            Cond::Any(ys) => {
                let kept = ys
                    .into_iter()
                    .filter(|y| !matches!(y, Cond::Unanswered(q) if answered.contains(q)));
                simplify_any(kept.collect())
            }
            x => x,
        };
        match x {
            Cond::Const(true) => {}
            Cond::Const(false) => return Cond::Const(false),
            x if out.contains(&x) => {}
            x => out.push(x),
        }
    }
    match out.len() {
        0 => Cond::Const(true),
        1 => out.pop().unwrap_or(Cond::Const(true)),
        _ => Cond::All(out),
    }
}

fn simplify_any(xs: Vec<Cond>) -> Cond {
    let mut out: Vec<Cond> = Vec::new();
    let mut flat = Vec::new();
    for x in xs {
        match x {
            Cond::Const(false) => {}
            Cond::Const(true) => return Cond::Const(true),
            Cond::Any(ys) => flat.extend(ys),
            x => flat.push(x),
        }
    }
    for x in flat {
        if let Cond::Has(q, Pred::Codes(codes)) = &x
            && let Some(Cond::Has(_, Pred::Codes(merged))) = out
                .iter_mut()
                .find(|y| matches!(y, Cond::Has(p, Pred::Codes(_)) if p == q))
        {
            for c in codes {
                if !merged.contains(c) {
                    merged.push(c.clone());
                }
            }
            continue;
        }
        if !out.contains(&x) {
            out.push(x);
        }
    }
    match out.len() {
        0 => Cond::Const(false),
        1 => out.pop().unwrap_or(Cond::Const(false)),
        _ => Cond::Any(out),
    }
}

/// `cond` as `enableWhen` items, if FHIR's operators can say it: one test, tests joined by
/// `any`, or single tests joined by `all`.
fn enable_when(q: &Questionnaire, cond: &Cond) -> Option<(Vec<Value>, Option<&'static str>)> {
    let (items, behavior) = match cond {
        Cond::Any(xs) => {
            let mut items = Vec::new();
            for x in xs {
                items.extend(atom(q, x)?);
            }
            (items, "any")
        }
        Cond::All(xs) => {
            let mut items = Vec::new();
            for x in xs {
                match atom(q, x)?.as_slice() {
                    [one] => items.push(one.clone()),
                    _ => return None,
                }
            }
            (items, "all")
        }
        x => (atom(q, x)?, "any"),
    };
    let behavior = (items.len() > 1).then_some(behavior);
    Some((items, behavior))
}

/// One test as `enableWhen` items that hold when any of them does.
fn atom(q: &Questionnaire, c: &Cond) -> Option<Vec<Value>> {
    let id = |qi: usize| q.questions()[qi].id.clone();
    Some(match c {
        Cond::Answered(qi) => {
            vec![json!({"question": id(*qi), "operator": "exists", "answerBoolean": true})]
        }
        // A disabled question has no answer either: only for a question always shown.
        Cond::Unanswered(qi) if q.show_if(*qi).is_none() => {
            vec![json!({"question": id(*qi), "operator": "exists", "answerBoolean": false})]
        }
        Cond::Has(qi, Pred::Codes(codes)) => codes
            .iter()
            .map(|(system, code)| {
                json!({
                    "question": id(*qi),
                    "operator": "=",
                    "answerCoding": {"system": system, "code": code},
                })
            })
            .collect(),
        Cond::Has(qi, Pred::Cmp(op, b)) if *op != "!=" => {
            let question = &q.questions()[*qi];
            let mut item = json!({"question": id(*qi), "operator": op});
            if question.integer {
                // A whole-number question is compared with a whole number.
                (b.fract() == 0.0 && b.abs() < 9.0e15).then_some(())?;
                item["answerInteger"] = json!(*b as i64);
            } else {
                item["answerDecimal"] = serde_json::Number::from_f64(*b).map(Value::Number)?;
            }
            vec![item]
        }
        _ => return None,
    })
}

/// `cond` in FHIRPath.
fn fhirpath(q: &Questionnaire, cond: &Cond) -> String {
    match cond {
        Cond::Const(b) => b.to_string(),
        Cond::Answered(qi) => format!("{}.exists()", answers(q, *qi)),
        Cond::Unanswered(qi) => format!("{}.empty()", answers(q, *qi)),
        Cond::Has(qi, p) => format!("{}.where({}).exists()", answers(q, *qi), pred(p)),
        Cond::HasNo(qi, p) => format!("{}.where({}).empty()", answers(q, *qi), pred(p)),
        Cond::Shown(qi) => match q.show_if(*qi) {
            Some(e) => fhirpath(q, &simplify(not_false(q, e))),
            None => "true".into(),
        },
        Cond::All(xs) => join(q, xs, " and "),
        Cond::Any(xs) => join(q, xs, " or "),
        Cond::AtLeast(n, xs) => {
            let terms: Vec<String> = xs
                .iter()
                .map(|x| format!("iif({}, 1, 0)", fhirpath(q, x)))
                .collect();
            format!("(({}) >= {n})", terms.join(" + "))
        }
    }
}

fn join(q: &Questionnaire, xs: &[Cond], sep: &str) -> String {
    let parts: Vec<String> = xs.iter().map(|x| fhirpath(q, x)).collect();
    format!("({})", parts.join(sep))
}

/// The answers of question `qi` in the response.
fn answers(q: &Questionnaire, qi: usize) -> String {
    format!(
        "%resource.repeat(item).where(linkId = '{}').answer",
        quote(&q.questions()[qi].id)
    )
}

fn pred(p: &Pred) -> String {
    match p {
        Pred::Codes(codes) => {
            let parts: Vec<String> = codes
                .iter()
                .map(|(s, c)| {
                    format!(
                        "(value.system = '{}' and value.code = '{}')",
                        quote(s),
                        quote(c)
                    )
                })
                .collect();
            parts.join(" or ")
        }
        Pred::Cmp(op, b) => format!("value {op} {}", fmt_num(*b)),
        Pred::Absent => format!("value.extension('{ABSENT_EXTENSION}').exists()"),
    }
}

/// A FHIRPath string literal's content: backslash and quote escaped, control characters as
/// `\uXXXX`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}
