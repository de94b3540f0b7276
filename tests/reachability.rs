//! The loader's "can never be shown" check against brute force.
//!
//! Small questionnaires (up to four yes/no, single-choice and number questions) get random
//! `show_if`s over earlier questions, contradictions included. Every answer set of the small
//! answer space is then tried, and the questions that some answer set shows are compared with
//! the loader's verdict:
//!
//! - the loader refuses a question as never shown only when no answer set shows it (it must
//!   never refuse a questionnaire that works);
//! - where its analysis is meant to be exact (a `show_if` that is one test, or an `all` of
//!   tests, of answer values of questions that are always asked, must be answered and offer no
//!   "Not sure"), it also finds every question that no answer set shows.
//!
//! Brute force uses the engine's own evaluation: each question's `show_if` S becomes
//! `any(S, gate is yes)` behind a new first question `gate`, which makes every question
//! reachable (so the copy loads), and with `gate` answered "no" the copy shows exactly what
//! the original would.

use needlecheck::answers::Answer;
use needlecheck::loader::load_str;
use needlecheck::{Answers, LoadError, Questionnaire};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
enum CondSpec {
    Leaf { q: u8, op: u8, v: u8 },
    All(Vec<CondSpec>),
    Any(Vec<CondSpec>),
    Not(Box<CondSpec>),
    AtLeast(u8, Vec<CondSpec>),
}

#[derive(Debug, Clone)]
struct QuestionSpec {
    /// 0 yes/no, 1 single choice, 2 number.
    kind: u8,
    /// 1 and 2 both clear: optional; 1 and 2 both set: offers "Not sure"; 4 whole numbers,
    /// 8 a minimum (16: of 1, else 0), 32 a maximum (64: of 3, else 2), 128 a third option.
    flags: u8,
    show_if: Option<CondSpec>,
}

fn cond_spec() -> impl Strategy<Value = CondSpec> {
    let leaf =
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(q, op, v)| CondSpec::Leaf { q, op, v });
    leaf.prop_recursive(3, 10, 3, |inner| {
        prop_oneof![
            3 => prop::collection::vec(inner.clone(), 1..4).prop_map(CondSpec::All),
            2 => prop::collection::vec(inner.clone(), 1..4).prop_map(CondSpec::Any),
            1 => inner.clone().prop_map(|x| CondSpec::Not(Box::new(x))),
            1 => (any::<u8>(), prop::collection::vec(inner, 1..4))
                .prop_map(|(n, xs)| CondSpec::AtLeast(n, xs)),
        ]
    })
}

/// A `show_if`: as often as not an `all`, where contradictions are found.
fn show_if_spec() -> impl Strategy<Value = CondSpec> {
    prop_oneof![
        cond_spec(),
        prop::collection::vec(cond_spec(), 1..4).prop_map(CondSpec::All),
    ]
}

fn spec() -> impl Strategy<Value = Vec<QuestionSpec>> {
    prop::collection::vec(
        (
            // Number questions twice as often: their limits and whole-number steps are where
            // the analysis has most to get right.
            prop_oneof![Just(0u8), Just(1u8), Just(2u8), Just(2u8)],
            any::<u8>(),
            prop::option::weighted(0.6, show_if_spec()),
        )
            .prop_map(|(kind, flags, show_if)| QuestionSpec {
                kind,
                flags,
                show_if,
            }),
        2..=4,
    )
}

/// What a generated question is, for building tests of it and answers to it.
#[derive(Debug, Clone)]
struct Q {
    kind: u8,
    required: bool,
    unsure: bool,
    integer: bool,
    min: Option<f64>,
    max: Option<f64>,
    options: usize,
    has_show_if: bool,
}

fn question(s: &QuestionSpec) -> Q {
    let f = s.flags;
    Q {
        kind: s.kind,
        required: f & 3 != 0,
        unsure: f & 3 == 3,
        integer: s.kind == 2 && f & 4 != 0,
        min: (s.kind == 2 && f & 8 != 0).then_some(if f & 16 != 0 { 1.0 } else { 0.0 }),
        max: (s.kind == 2 && f & 32 != 0).then_some(if f & 64 != 0 { 3.0 } else { 2.0 }),
        options: 2 + usize::from(f & 128 != 0),
        has_show_if: false,
    }
}

fn question_json(i: usize, g: &Q) -> Value {
    let mut q = json!({
        "id": format!("q{i}"),
        "text": format!("Question {i}?"),
        "allow_unsure": g.unsure,
    });
    q["type"] = match g.kind {
        0 => "yes_no",
        1 => "single_choice",
        _ => "number",
    }
    .into();
    if !g.required {
        q["required"] = false.into();
    }
    if g.kind == 1 {
        q["options"] = (0..g.options)
            .map(|o| json!({"code": format!("o{o}"), "label": format!("Option {o}")}))
            .collect();
    }
    if g.integer {
        q["integer"] = true.into();
    }
    if let Some(m) = g.min {
        q["min"] = m.into();
    }
    if let Some(m) = g.max {
        q["max"] = m.into();
    }
    q
}

/// Whether a condition is one the loader's analysis decides exactly (see the file's doc).
struct Exact(bool);

/// The JSON of a condition over questions `0..upto`; `negated`: under an odd number of `not`s
/// (a test that an answer is *not* "Not sure" is refused in `show_if`, so an `unsure` test is
/// built to ask for "Not sure" once the `not`s are pushed down).
fn cond_json(c: &CondSpec, qs: &[Q], upto: usize, negated: bool, exact: &mut Exact) -> Value {
    let list = |xs: &[CondSpec], exact: &mut Exact| -> Vec<Value> {
        xs.iter()
            .map(|x| cond_json(x, qs, upto, negated, exact))
            .collect()
    };
    match c {
        CondSpec::Leaf { q, op, v } => leaf_json((*q, *op, *v), qs, upto, negated, exact),
        CondSpec::All(xs) => {
            let mut inner = Exact(exact.0 && xs.iter().all(|x| matches!(x, CondSpec::Leaf { .. })));
            let all = list(xs, &mut inner);
            exact.0 = inner.0;
            json!({ "all": all })
        }
        CondSpec::Any(xs) => {
            exact.0 = false;
            json!({ "any": list(xs, exact) })
        }
        CondSpec::Not(x) => {
            exact.0 = false;
            json!({ "not": cond_json(x, qs, upto, !negated, exact) })
        }
        CondSpec::AtLeast(n, xs) => {
            exact.0 = false;
            json!({ "at_least": 1 + *n as usize % xs.len(), "of": list(xs, exact) })
        }
    }
}

fn leaf_json(
    (q, op, v): (u8, u8, u8),
    qs: &[Q],
    upto: usize,
    negated: bool,
    exact: &mut Exact,
) -> Value {
    let qi = q as usize % upto;
    let g = &qs[qi];
    let id = format!("q{qi}");
    // Thresholds -0.5 to 3.5 in halves: on, between and beyond the limits 0 to 3.
    let b = f64::from(v % 9) / 2.0 - 0.5;
    let mut ops: Vec<Value> = match g.kind {
        0 => vec![
            json!({"q": id, "equals": if v % 2 == 0 { "yes" } else { "no" }}),
            json!({"q": id, "one_of": match v % 3 {
                0 => vec!["yes"],
                1 => vec!["no"],
                _ => vec!["yes", "no"],
            }}),
        ],
        1 => {
            let mut subset: Vec<String> = (0..g.options)
                .filter(|o| v & (1 << o) != 0)
                .map(|o| format!("o{o}"))
                .collect();
            if subset.is_empty() {
                subset.push(format!("o{}", v as usize % g.options));
            }
            vec![
                json!({"q": id, "equals": format!("o{}", v as usize % g.options)}),
                json!({"q": id, "one_of": subset}),
            ]
        }
        _ => ["lt", "le", "gt", "ge", "equals"]
            .iter()
            .map(|name| json!({"q": id, *name: b}))
            .collect(),
    };
    let values = ops.len();
    ops.push(json!({"q": id, "answered": v % 2 == 0}));
    if g.unsure {
        ops.push(json!({"q": id, "unsure": !negated}));
    }
    let pick = op as usize % ops.len();
    exact.0 &= pick < values && g.required && !g.unsure && !g.has_show_if;
    ops.swap_remove(pick)
}

/// A questionnaire of these questions; with `gate`, a first question `gate` that shows every
/// other question when answered "yes".
fn questionnaire(qs: &[Value], show_if: &[Option<Value>], gate: bool) -> Value {
    let mut questions: Vec<Value> = Vec::new();
    if gate {
        questions
            .push(json!({"id": "gate", "type": "yes_no", "text": "Gate?", "allow_unsure": false}));
    }
    for (q, s) in qs.iter().zip(show_if) {
        let mut q = q.clone();
        match (s, gate) {
            (Some(s), false) => q["show_if"] = s.clone(),
            (Some(s), true) => {
                q["show_if"] = json!({"any": [s, {"q": "gate", "equals": "yes"}]});
            }
            (None, _) => {}
        }
        questions.push(q);
    }
    let advice =
        |label: &str| json!({"label": label, "summary": "Summary.", "next_steps": ["Step."]});
    json!({
        "id": "reach", "version": "1.0.0", "title": "Reach", "locale": "en-AU",
        "introduction": "Generated.", "disclaimer": "Not a diagnosis.",
        "contacts": [{"id": "emergency", "name": "Emergency", "number": "000", "show_for": ["emergency"]}],
        "advice": {
            "clear": advice("clear"), "review": advice("review"),
            "see_doctor": advice("see_doctor"), "not_suitable": advice("not_suitable"),
            "urgent": advice("urgent"), "emergency": advice("emergency"),
            "incomplete": advice("incomplete")
        },
        "sections": [{"id": "s", "title": "S", "questions": questions}],
        "rules": []
    })
}

/// Every answer a complete screening can give question `g`: each value (numbers on a grid of
/// quarters from -2 to 5, within the question's limits, which holds a witness for every
/// combination of the generated thresholds, halves from -0.5 to 3.5), "Not sure" where
/// offered, none where optional.
fn answer_space(g: &Q) -> Vec<Option<Answer>> {
    let mut out: Vec<Option<Answer>> = match g.kind {
        0 => vec![Some(Answer::Yes), Some(Answer::No)],
        1 => (0..g.options).map(|o| Some(Answer::Choice(o))).collect(),
        _ => {
            let step = if g.integer { 4 } else { 1 };
            (-8..=20)
                .step_by(step)
                .map(|i| f64::from(i) / 4.0)
                .filter(|x| g.min.is_none_or(|m| *x >= m) && g.max.is_none_or(|m| *x <= m))
                .map(|x| Some(Answer::Number(x)))
                .collect()
        }
    };
    if g.unsure {
        out.push(Some(Answer::Unsure));
    }
    if !g.required {
        out.push(None);
    }
    out
}

/// Which questions some answer set shows, by trying them all on the gated copy.
fn shown_by_some_answers(gated: &Questionnaire, qs: &[Q]) -> Vec<bool> {
    let spaces: Vec<Vec<Option<Answer>>> = qs.iter().map(answer_space).collect();
    let mut shown = vec![false; qs.len()];
    let mut pick = vec![0usize; qs.len()];
    loop {
        let mut a = Answers::new(qs.len() + 1);
        a.set(0, Some(Answer::No));
        for (i, p) in pick.iter().enumerate() {
            a.set(i + 1, spaces[i][*p].clone());
        }
        for (i, v) in gated.visibility(&a).into_iter().skip(1).enumerate() {
            shown[i] |= v;
        }
        // Next answer set (an odometer over the spaces).
        let mut i = 0;
        loop {
            if i == pick.len() {
                return shown;
            }
            pick[i] += 1;
            if pick[i] < spaces[i].len() {
                break;
            }
            pick[i] = 0;
            i += 1;
        }
    }
}

fn load(v: &Value) -> Result<Questionnaire, LoadError> {
    load_str(
        "reach.json",
        serde_json::to_string_pretty(v).unwrap().as_bytes(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, max_shrink_iters: 4096, ..ProptestConfig::default() })]

    #[test]
    fn the_never_shown_check_agrees_with_brute_force(specs in spec()) {
        let mut qs: Vec<Q> = specs.iter().map(question).collect();
        let mut show_if: Vec<Option<Value>> = Vec::new();
        let mut exact: Vec<bool> = Vec::new();
        for (i, s) in specs.iter().enumerate() {
            let mut e = Exact(true);
            let c = s.show_if.as_ref().filter(|_| i > 0).map(|c| cond_json(c, &qs, i, false, &mut e));
            qs[i].has_show_if = c.is_some();
            exact.push(e.0 || c.is_none());
            show_if.push(c);
        }
        let jsons: Vec<Value> = qs.iter().enumerate().map(|(i, g)| question_json(i, g)).collect();
        let original = questionnaire(&jsons, &show_if, false);
        let text = serde_json::to_string_pretty(&original).unwrap();

        let gated = load(&questionnaire(&jsons, &show_if, true)).map_err(|e| {
            TestCaseError::fail(format!("the gated copy does not load:\n{}", e.render(false)))
        })?;
        let shown = shown_by_some_answers(&gated, &qs);

        // The loader's verdict: the questions it reports as never shown.
        let never: Vec<bool> = match load(&original) {
            Ok(_) => vec![false; qs.len()],
            Err(LoadError::Invalid { problems, .. }) => {
                let mut never = vec![false; qs.len()];
                for p in &problems {
                    let i = p
                        .pointer
                        .strip_prefix("/sections/0/questions/")
                        .and_then(|r| r.strip_suffix("/show_if"))
                        .and_then(|i| i.parse::<usize>().ok())
                        .filter(|_| p.message.contains("can never be shown"));
                    match i {
                        Some(i) => never[i] = true,
                        None => {
                            return Err(TestCaseError::fail(format!(
                                "a problem other than a question never shown: {} at {}\n{text}",
                                p.message, p.pointer
                            )))
                        }
                    }
                }
                never
            }
            Err(e) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        };
        for i in 0..qs.len() {
            prop_assert!(
                !(never[i] && shown[i]),
                "q{} is refused as never shown, yet some answers show it\n{}", i, text
            );
            prop_assert!(
                !(exact[i] && !never[i] && !shown[i]),
                "no answers show q{}, and the loader did not say so\n{}", i, text
            );
        }
    }
}
